"""The ``cimibague_grafico`` plugin: a chart view of DataStore tables, drawn on the server (SVG, no
JavaScript), in Spanish. Wiring only: the logic is in chart_data.py, the drawing in charts.py, the page in
templates/cimibague/grafico/."""

from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.types import Context

from ckanext.cimibague.data_api import chart_data
from ckanext.cimibague.data_api.messages import message


def _user() -> str:
    """The name of the request's user ("" for anonymous, and outside a request)."""
    try:
        return tk.current_user.name if tk.current_user.is_authenticated else ""
    except (AttributeError, RuntimeError):
        return ""


def _locale() -> str:
    return (tk.h.lang() if tk.request else None) or tk.config.get("ckan.locale_default") or "es"


def cimibague_chart_columns(resource_id: str) -> dict[str, list[dict[str, str]]]:
    """The x and y columns the request's user may choose for a chart of the resource (the view form)."""
    return chart_data.form_columns(resource_id, _user())


class CimibagueGraficoPlugin(p.SingletonPlugin):
    """Chart view (``cimibague_grafico``) of a DataStore table with a date or text column and a number column;
    created by default after each load (``ckan.views.default_views``). Its templates are in the extension's
    template directory, which the ``cimibague`` plugin registers (registered twice, every template that
    extends CKAN's would be rendered twice)."""

    p.implements(p.IResourceView, inherit=True)
    p.implements(p.ITemplateHelpers)

    # ITemplateHelpers

    def get_helpers(self) -> dict[str, Any]:
        return {"cimibague_chart_columns": cimibague_chart_columns}

    # IResourceView

    def info(self) -> dict[str, Any]:
        ignore_empty = tk.get_validator("ignore_empty")
        unicode_safe = tk.get_validator("unicode_safe")
        return {
            "name": "cimibague_grafico",
            "title": tk._(chart_data.CHART),
            "icon": "chart-bar",
            "requires_datastore": True,
            "iframed": False,
            "filterable": False,
            "preview_enabled": True,
            # stored with the view and shown to everyone: in the site's language, also from the jobs worker
            "default_title": message(chart_data.CHART),
            "schema": {
                "columna_x": [ignore_empty, unicode_safe, chart_data.valid_x_column],
                "columna_y": [ignore_empty, unicode_safe, chart_data.valid_y_column],
                "agregacion": [ignore_empty, chart_data.valid_aggregation],
                "tipo_grafico": [ignore_empty, chart_data.valid_chart_type],
            },
        }

    def can_view(self, data_dict: dict[str, Any]) -> bool:
        return chart_data.can_chart(data_dict["resource"])

    def setup_template_variables(self, context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
        # the resource (its id checked by the page against the user), never the view's own resource_id:
        # CKAN's view page also renders a view given in the query string
        return {
            "grafico": chart_data.chart(data_dict["resource"], data_dict.get("resource_view") or {}, _user(), _locale())
        }

    def view_template(self, context: Context, data_dict: dict[str, Any]) -> str:
        return "cimibague/grafico/view.html"

    def form_template(self, context: Context, data_dict: dict[str, Any]) -> str:
        return "cimibague/grafico/form.html"

"""Blueprint ``cimibague_transparencia``: the public transparency page and its figures as CSV."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, Response

from ckanext.cimibague import charts, search, transparency

__all__ = ["cimibague_transparencia"]

cimibague_transparencia = Blueprint("cimibague_transparencia", __name__)


@cimibague_transparencia.route("/transparencia")
def transparencia() -> str:
    figures = transparency.figures(background=True)
    lang = tk.h.lang() or "es"
    titles = search.entity_titles({row["name"] for row in figures.per_entity})
    per_eje = [dict(row, title=row["title"].get(lang) or row["title"]["es"]) for row in figures.per_eje]
    per_entity = [dict(row, title=titles.get(row["name"], row["name"])) for row in figures.per_entity]
    extra: dict[str, Any] = {
        "figures": figures,
        "per_eje": per_eje,
        "per_entity": per_entity,
        "chart_eje": charts.bar_svg(
            [(row["title"], row["count"]) for row in per_eje], tk._("Published datasets per thematic axis")
        ),
        "chart_month": charts.bar_svg(
            [(row["month"], row["count"]) for row in figures.per_month],
            tk._("Datasets published per month"),
            vertical=True,
        ),
    }
    return tk.render("cimibague/transparencia.html", extra_vars=extra)


@cimibague_transparencia.route("/transparencia.csv")
def transparencia_csv() -> Response:
    labels = {
        "section": tk._("Section"),
        "item": tk._("Item"),
        "count": tk._("Published datasets"),
        "up_to_date": tk._("Up to date"),
        "periodic": tk._("With a periodicity"),
        "eje": tk._("Thematic axis"),
        "entity": tk._("Source entity"),
        "month": tk._("Month"),
    }
    body = transparency.as_csv(transparency.figures(background=True), labels)
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="transparencia-cim-ibague.csv"'},
    )

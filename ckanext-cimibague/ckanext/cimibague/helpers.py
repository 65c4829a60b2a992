"""Template helpers (``h.cimibague_*``), including the scheming ``choices_helper`` of the CIM fields."""

from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.cimibague import charts, vocabularies
from ckanext.cimibague.portal import (
    cimibague_dataset_sections,
    cimibague_date,
    cimibague_entity_fields,
    cimibague_entity_titles,
    cimibague_latest_datasets,
    cimibague_search_heading_level,
    cimibague_search_map_extent,
    cimibague_spatial_extent,
)
from ckanext.cimibague.workflow import attachments, labels

__all__ = [
    "cimibague_cobertura_choices",
    "cimibague_dataset_requests",
    "cimibague_dataset_sections",
    "cimibague_date",
    "cimibague_eje_choices",
    "cimibague_ejes",
    "cimibague_entidad_choices",
    "cimibague_entity_fields",
    "cimibague_entity_title",
    "cimibague_entity_titles",
    "cimibague_freshness",
    "cimibague_has_request",
    "cimibague_indicator_chart",
    "cimibague_latest_datasets",
    "cimibague_number",
    "cimibague_percent",
    "cimibague_periodicidad_choices",
    "cimibague_quality_reports",
    "cimibague_request_max_mb",
    "cimibague_request_state_label",
    "cimibague_request_types",
    "cimibague_search_heading_level",
    "cimibague_search_map_extent",
    "cimibague_sector_choices",
    "cimibague_spatial_extent",
    "cimibague_table_load",
    "cimibague_territorio_choices",
    "cimibague_workflow_attachment_href",
    "cimibague_workflow_can",
    "cimibague_workflow_event_text",
    "cimibague_workflow_history",
    "cimibague_workflow_pending_revisions",
    "cimibague_workflow_revision_status_label",
    "cimibague_workflow_state_label",
    "cimibague_workflow_status",
    "humanize_entity_type",
]

Choice = dict[str, Any]


def cimibague_ejes() -> list[dict[str, Any]]:
    """The ejes temáticos with the number of datasets the current user can see in each node.

    One package_search with an organization facet, not one query per node.
    """
    result = tk.get_action("package_search")(
        {}, {"rows": 0, "facet.field": ["organization"], "facet.limit": -1, "include_private": False}
    )
    counts = result["search_facets"].get("organization", {}).get("items", [])
    by_name = {item["name"]: item["count"] for item in counts}
    lang = tk.h.lang() or "es"
    return [
        {
            "name": eje["name"],
            "title": eje["title"].get(lang, eje["title"]["es"]),
            "description": eje["description"].get(lang, eje["description"]["es"]),
            "count": by_name.get(eje["name"], 0),
        }
        for eje in vocabularies.ejes()
    ]


def cimibague_periodicidad_choices(field: dict[str, Any] | None = None) -> list[Choice]:
    return [{"value": p["code"], "label": p["label"]} for p in vocabularies.load("periodicidades")]


def cimibague_sector_choices(field: dict[str, Any] | None = None) -> list[Choice]:
    return [{"value": s["code"], "label": s["label"]} for s in vocabularies.load("sectores")]


def cimibague_territorio_choices(field: dict[str, Any] | None = None) -> list[Choice]:
    """The 13 comunas and the 17 corregimientos."""
    territorio = vocabularies.territorio()
    return [
        {
            "value": item["code"],
            "label": item["name"] if kind == "comunas" else f"Corregimiento {item['name']}",
        }
        for kind in ("comunas", "corregimientos")
        for item in territorio[kind]
    ]


def cimibague_cobertura_choices(field: dict[str, Any] | None = None) -> list[Choice]:
    """The whole municipality, then every comuna and corregimiento."""
    municipio = vocabularies.territorio()["municipio"]
    whole = {
        "value": "municipio",
        "label": {"es": f"Todo el municipio de {municipio['name']}", "en": "Whole municipality"},
    }
    return [whole, *cimibague_territorio_choices()]


def cimibague_eje_choices(field: dict[str, Any] | None = None) -> list[Choice]:
    return [{"value": eje["name"], "label": eje["title"]} for eje in vocabularies.ejes()]


def cimibague_entidad_choices(field: dict[str, Any] | None = None) -> list[Choice]:
    """The registered source entities (groups of type ``entidad``), by name, sorted by title. One query:
    every dataset validation reads these choices (group_list with all_fields shows every group, ~50 ms)."""
    rows = (
        model.Session.query(model.Group.name, model.Group.title)
        .filter(model.Group.type == "entidad", model.Group.state == "active", model.Group.is_organization.is_(False))
        .order_by(model.Group.title, model.Group.name)
    )
    return [{"value": name, "label": title or name} for name, title in rows]


def cimibague_freshness(pkg: dict[str, Any]) -> dict[str, Any] | None:
    """The dataset's update state for its badge: ``state``, ``label`` and ``expected`` (the date its next
    update is due), or None when its periodicity sets no period. Computed from the dataset itself (one
    pure function), so the page is right even on a day the index has not been refreshed yet."""
    from ckanext.cimibague import freshness, search

    result = freshness.dataset_freshness(pkg, search.local_today(), search.warn_days())
    if result.state == freshness.SIN_PERIODICIDAD:
        return None
    return {
        "state": result.state,
        "label": tk.h.scheming_language_text(freshness.STATES[result.state]),
        "expected": result.expected.isoformat() if result.expected else None,
    }


def cimibague_indicator_chart(pkg: dict[str, Any]) -> Any:
    """The SVG chart of an indicator's series against its baseline and target."""
    return charts.indicator_svg(pkg, {"baseline": tk._("Baseline"), "target": tk._("Target")})


# How the CIM's dataset and group types are named on pages (CKAN would show "Ordenamiento-territorial").
_TITLE_ONLY = frozenset({"breadcrumb", "content tab", "facet label", "main nav", "page title"})
_TYPE_TEXTS: dict[str, dict[str, str]] = {
    "package": {
        "create label": "New dataset: {title}",
        "create title": "New dataset: {title}",
        "search placeholder": "Search {title}...",
    },
    "group": {
        "breadcrumb": "Source entities",
        "content tab": "Source entities",
        "facet label": "Source entities",
        "main nav": "Source entities",
        "page title": "Source entities",
        "add link": "Add source entity",
        "create label": "New source entity",
        "create title": "New source entity",
        "edit label": "Edit source entity",
        "save label": "Save source entity",
        "update label": "Update source entity",
        "search placeholder": "Search source entities...",
    },
    # the nodes: one organization per eje temático
    "organization": {
        "breadcrumb": "Thematic axes",
        "content tab": "Thematic axes",
        "main nav": "Thematic axes",
        "page title": "Thematic axes",
        "add link": "Add thematic axis",
        "create label": "New thematic axis",
        "create title": "New thematic axis",
        "edit label": "Edit thematic axis",
        "save label": "Save thematic axis",
        "update label": "Update thematic axis",
        "search placeholder": "Search thematic axes...",
    },
}


def _type_title(object_type: str) -> str | None:
    if object_type == "indicador":
        return tk._("Indicators")
    eje = next((e for e in vocabularies.ejes() if e["name"] == object_type), None)
    if eje is None:
        return None
    lang = (tk.h.lang() if tk.request else None) or "es"
    return eje["title"].get(lang) or eje["title"]["es"]


@tk.chained_helper
def humanize_entity_type(next_helper: Any, entity_type: str, object_type: str, purpose: str) -> str | None:
    """Readable, translated names for the CIM's dataset types and for source entities; every other text
    is CKAN's own for datasets and groups."""
    if entity_type == "package" and (title := _type_title(object_type)):
        if purpose in _TITLE_ONLY:
            return title
        text = _TYPE_TEXTS["package"].get(purpose)
        return tk._(text).format(title=title) if text else next_helper(entity_type, "dataset", purpose)
    if entity_type == "group" and object_type == "entidad":
        text = _TYPE_TEXTS["group"].get(purpose)
        return tk._(text) if text else next_helper(entity_type, "group", purpose)
    if entity_type == "organization" and object_type == "organization":
        text = _TYPE_TEXTS["organization"].get(purpose)
        return tk._(text) if text else next_helper(entity_type, object_type, purpose)
    return next_helper(entity_type, object_type, purpose)


# ------------------------------------------------------------------------------------------- workflow


def cimibague_workflow_status(pkg_id: str) -> dict[str, Any] | None:
    """The dataset's state and the current user's steps (cimibague_workflow_status); None when the user
    may not read it."""
    try:
        return tk.get_action("cimibague_workflow_status")({}, {"id": pkg_id})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return None


def cimibague_workflow_history(pkg_id: str) -> list[dict[str, Any]]:
    """The dataset's history as the current user may see it (the public: publication dates only)."""
    try:
        return tk.get_action("cimibague_workflow_history")({}, {"id": pkg_id})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return []


def cimibague_workflow_pending_revisions(pkg_id: str) -> list[dict[str, Any]]:
    """The proposed changes of a published dataset waiting for review, if the user is its staff."""
    try:
        return tk.get_action("cimibague_workflow_revision_list")({}, {"id": pkg_id, "status": "pendiente"})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return []


def cimibague_workflow_can(action: str, pkg_id: str) -> bool:
    """Whether the current user passes the auth of a workflow action (``comment``, ``transition``,
    ``revision_list``, ``revision_decide``) on the dataset."""
    try:
        return tk.check_access(f"cimibague_workflow_{action}", {}, {"id": pkg_id})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return False


def cimibague_workflow_state_label(state: str | None) -> str:
    return labels.state_label(state)


_EVENT_TEXTS = {
    "creado": "Dataset received",
    "observacion": "Observation",
    "revision_propuesta": "Change proposed",
    "revision_aprobada": "Proposed change approved",
    "revision_rechazada": "Proposed change rejected",
    "eliminado_en_fuente": "Removed at the harvest source",
}


def cimibague_workflow_event_text(event: dict[str, Any]) -> str:
    """What a history entry records, in the user's language: «En revisión → Aprobado», «Observación»..."""
    if event.get("kind") == "transicion":
        return f"{labels.state_label(event.get('from_state'))} → {labels.state_label(event.get('to_state'))}"
    return tk._(_EVENT_TEXTS.get(event.get("kind") or "", event.get("kind") or ""))


def cimibague_workflow_attachment_href(pkg_name: str, event: dict[str, Any]) -> str | None:
    """Where a history entry's attachment is read: our download view for stored files, else its URL."""
    url = event.get("attachment_url")
    if not url:
        return None
    if url.startswith(attachments.LOCAL_PREFIX):
        return tk.h.url_for("cimibague.workflow_attachment", id=pkg_name, event_id=event["id"])
    return url


_REVISION_STATUSES = {
    "pendiente": "Waiting for review",
    "aprobada": "Applied",
    "rechazada": "Rejected",
    "reemplazada": "Replaced by a later proposal",
    "anulada": "Closed: the dataset was withdrawn",
}


def cimibague_workflow_revision_status_label(status: str) -> str:
    return tk._(_REVISION_STATUSES.get(status, status))


# ------------------------------------------------------------------------------------------ planning


def cimibague_request_state_label(state: str) -> str:
    from ckanext.cimibague.planning import solicitudes

    return solicitudes.state_label(state)


def cimibague_request_max_mb() -> int:
    return tk.config.get("ckanext.cimibague.requests.max_attachment_mb")


def cimibague_request_types() -> str:
    from ckanext.cimibague.planning import documents

    return ", ".join(sorted(documents.ALLOWED_EXTENSIONS))


def cimibague_entity_title(name: str) -> str:
    """A source entity's title from its name (cached lookup shared with the facets)."""
    from ckanext.cimibague import search

    return search.entity_titles({name}).get(name, name)


def cimibague_has_request(package_id: str, periodo: str) -> bool:
    """Whether the dataset already has a request (not cancelled) for the update expected on ``periodo``."""
    from ckanext.cimibague.planning.model import Request

    query = model.Session.query(Request.id).filter(
        Request.package_id == package_id, Request.periodo == periodo, Request.estado != "anulada"
    )
    return query.first() is not None


def cimibague_number(value: float | None, decimals: int = 1) -> str:
    """A number as Colombians write it (thousands dot, decimal comma): 1.234,5; 12 rather than 12,0."""
    if value is None:
        return "—"
    text = f"{value:,.{decimals}f}".translate(str.maketrans({",": ".", ".": ","}))
    return text[:-2] if text.endswith(",0") else text


def cimibague_percent(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100)} %"


def cimibague_dataset_requests(package_id: str) -> list[dict[str, Any]] | None:
    """The requests about this dataset, latest due first, for whoever may read its node's requests
    (None for everybody else)."""
    try:
        found = tk.get_action("cimibague_request_list")({}, {"package_id": package_id, "limit": 20})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return None
    pkg = model.Package.get(package_id)
    nodes = tk.get_action("organization_list_for_user")({}, {"permission": "read"})
    if pkg is None or pkg.owner_org not in {n["id"] for n in nodes}:
        return None
    return sorted(found["results"], key=lambda r: r["fecha_limite"], reverse=True)


def cimibague_table_load(resource_id: str) -> dict[str, Any]:
    """The latest DataStore load of the resource (its page shows a refusal to the dataset's staff)."""
    from ckanext.cimibague.data_api import quality

    return quality.latest_load(resource_id)


def cimibague_quality_reports(package_id: str) -> list[dict[str, Any]]:
    """The quality reports of the dataset's tables (the workflow panel shows them to its staff)."""
    from ckanext.cimibague.data_api import quality

    return quality.for_package(package_id)

"""How CIM datasets reach Solr and come back: multi-valued facet fields and readable facet labels."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import ckan.plugins.toolkit as tk

from ckanext.cimibague import freshness, helpers, vocabularies
from ckanext.cimibague.workflow.labels import STATE_LABELS

__all__ = [
    "FACETS",
    "entity_titles",
    "every_doc",
    "facet_labels",
    "facets",
    "freshness_fields",
    "index_fields",
    "label_facets",
    "local_today",
    "stale_freshness",
    "warn_days",
]

# Solr field -> facet title (Spanish first). The cim_* fields are multi-valued strings in the CIM core.
FACETS: dict[str, dict[str, str]] = {
    "dataset_type": {"es": "Eje temático", "en": "Thematic axis"},
    "organization": {"es": "Nodo", "en": "Node"},
    "cim_entidad": {"es": "Entidad fuente", "en": "Source entity"},
    "cim_cobertura": {"es": "Comuna o corregimiento", "en": "Comuna or corregimiento"},
    "cim_periodicidad": {"es": "Periodicidad", "en": "Frequency"},
    "cim_actualizacion": {"es": "Actualización", "en": "Up to date"},
    "res_format": {"es": "Formato", "en": "Format"},
    "tags": {"es": "Etiqueta", "en": "Tag"},
}


def _as_list(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, str) and value.startswith("["):
        try:
            parsed = json.loads(value)
        except ValueError:
            return [value]
        return [str(v) for v in parsed] if isinstance(parsed, list) else [value]
    return [str(value)]


def index_fields(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """Add the CIM facet fields as real multi-valued values (never a JSON string such as '["a","b"]').

    ``pkg_dict`` is what CKAN sends to Solr. The source entity is also indexed as a group, so that the
    entity's page (a CKAN group page) lists its datasets, and the GeoJSON ``spatial`` field is handed to
    ckanext-spatial under the name it indexes (``extras_spatial``).
    """
    for source, target in (("cobertura_geografica", "cim_cobertura"), ("tema_pot", "cim_tema_pot")):
        if source in pkg_dict:
            pkg_dict[target] = _as_list(pkg_dict.pop(source))
    if pkg_dict.get("territorio"):
        pkg_dict["cim_cobertura"] = sorted(set(pkg_dict.get("cim_cobertura", [])) | {pkg_dict["territorio"]})
    for source, target in (
        ("periodicidad", "cim_periodicidad"),
        ("nivel_acceso", "cim_nivel_acceso"),
        ("sector", "cim_sector"),
        ("entidad_fuente", "cim_entidad"),
    ):
        if pkg_dict.get(source):
            pkg_dict[target] = [pkg_dict[source]]
    if pkg_dict.get("entidad_fuente"):
        pkg_dict["groups"] = sorted(set(pkg_dict.get("groups") or []) | {pkg_dict["entidad_fuente"]})
    if pkg_dict.get("spatial") and not pkg_dict.get("extras_spatial"):
        pkg_dict["extras_spatial"] = pkg_dict["spatial"]
    pkg_dict.pop("serie", None)  # the indicator series (JSON) is shown, not searched
    if pkg_dict.get("type") != "harvest":
        state = pkg_dict.get("estado_flujo") or ("recibido" if pkg_dict.get("private") else "publicado")
        pkg_dict["cim_estado"] = [state]
        pkg_dict.update(freshness_fields(pkg_dict))
    return pkg_dict


def local_today() -> dt.date:
    """Today in Ibagué (``ckan.display_timezone``), whatever the server's clock zone."""
    zone = tk.config.get("ckan.display_timezone") or "America/Bogota"
    try:
        return dt.datetime.now(ZoneInfo(zone)).date()
    except (ZoneInfoNotFoundError, ValueError):
        return dt.date.today()


def warn_days() -> int:
    """Days before the expected update that a dataset is «por vencer» (configurable)."""
    return tk.config.get("ckanext.cimibague.freshness.warn_days")


def freshness_fields(pkg_dict: dict[str, Any], today: dt.date | None = None) -> dict[str, Any]:
    """The Solr fields of the dataset's freshness on ``today``: ``cim_actualizacion`` (the state) and
    ``fecha_esperada_date`` (the expected next update, when there is one). The resources' update dates
    come from the validated dict CKAN indexes (the resources themselves are flattened by then)."""
    data = pkg_dict
    if "resources" not in pkg_dict and pkg_dict.get("validated_data_dict"):
        data = json.loads(pkg_dict["validated_data_dict"])
    result = freshness.dataset_freshness(data, today or local_today(), warn_days())
    fields: dict[str, Any] = {"cim_actualizacion": [result.state]}
    if result.expected:
        fields["fecha_esperada_date"] = f"{result.expected.isoformat()}T00:00:00Z"
    return fields


def every_doc(fq: str, fl: str, sort: str, batch: int = 500) -> Iterator[dict[str, Any]]:
    """Every document of the dataset index matching ``fq`` (of any visibility: the callers restrict),
    read in pages of ``batch`` with the fields ``fl``, in the order ``sort`` (which must be total: end
    it with ``id asc``)."""
    from ckan.lib.search import query_for

    query = query_for("package")
    start = 0
    while True:
        found = query.run(
            {"q": "*:*", "fq": fq, "fl": fl, "sort": sort, "rows": batch, "start": start, "facet": "false"},
            permission_labels=None,
        )
        yield from found["results"]
        start += batch
        if start >= found["count"]:
            return


def stale_freshness(today: dt.date | None = None, batch: int = 500) -> Iterator[str]:
    """The id of every indexed dataset whose freshness state or expected date is not the one of
    ``today`` (or was never indexed): what the daily ``ckan cimibague freshness update`` reindexes. Reads
    the index in pages (datasets without periodicity never change state and are skipped)."""
    today = today or local_today()
    for doc in every_doc(
        "-dataset_type:harvest -cim_actualizacion:sin_periodicidad",
        "id cim_actualizacion fecha_esperada_date validated_data_dict",
        "id asc",
        batch,
    ):
        indexed = {"cim_actualizacion": doc.get("cim_actualizacion")}
        if doc.get("fecha_esperada_date"):
            indexed["fecha_esperada_date"] = doc["fecha_esperada_date"]
        if freshness_fields(doc, today) != indexed:
            yield doc["id"]


def facet_labels(entities: set[str] | None = None) -> dict[str, dict[str, Any]]:
    """Codes of the CIM vocabularies -> their labels, per facet field."""
    labels: dict[str, dict[str, Any]] = {
        "cim_cobertura": {c["value"]: c["label"] for c in helpers.cimibague_cobertura_choices()},
        "cim_periodicidad": {c["value"]: c["label"] for c in helpers.cimibague_periodicidad_choices()},
        "dataset_type": {eje["name"]: eje["title"] for eje in vocabularies.ejes()},
    }
    labels["dataset_type"]["indicador"] = {"es": "Indicadores", "en": "Indicators"}
    labels["dataset_type"]["dataset"] = {"es": "General (sin eje)", "en": "General"}
    labels["cim_estado"] = {state: tk._(text) for state, text in STATE_LABELS.items()}
    labels["cim_actualizacion"] = dict(freshness.STATES)
    if entities:
        labels["cim_entidad"] = entity_titles(entities)
    return labels


_ENTITY_TITLES: tuple[float, dict[str, str]] = (0.0, {})


def entity_titles(names: set[str] | None = None, ttl: float = 60.0) -> dict[str, str]:
    """Entity name -> title, cached for a minute (the facet labels of every search need it); refreshed
    at once when a name is not in the cache yet."""
    global _ENTITY_TITLES
    fetched, titles = _ENTITY_TITLES
    if time.monotonic() - fetched > ttl or not (names or set()) <= titles.keys():
        titles = {c["value"]: c["label"] for c in helpers.cimibague_entidad_choices()}
        _ENTITY_TITLES = (time.monotonic(), titles)
    return titles


def label_facets(search_results: dict[str, Any], lang: str) -> dict[str, Any]:
    """Give CIM facet items their human label as ``display_name`` (CKAN shows the raw code otherwise)."""
    facets = search_results.get("search_facets") or {}
    entities = {item["name"] for item in facets.get("cim_entidad", {}).get("items", [])}
    labels = facet_labels(entities)
    for field, facet in facets.items():
        mapping = labels.get(field)
        if not mapping:
            continue
        for item in facet.get("items", []):
            label = mapping.get(item["name"])
            if isinstance(label, dict):
                label = label.get(lang) or label.get("es")
            if label:
                item["display_name"] = label
    return search_results


def facets(facets_dict: dict[str, Any]) -> dict[str, Any]:
    """The CIM facets, in this order, with Spanish titles (CKAN passes an ordered dict to replace)."""
    facets_dict.clear()
    for field, title in FACETS.items():
        facets_dict[field] = tk.h.scheming_language_text(title) if tk.request else title["es"]
    if tk.request and _is_staff():
        facets_dict["cim_estado"] = tk.h.scheming_language_text(STAFF_FACET)
    return facets_dict


STAFF_FACET = {"es": "Estado en el procedimiento", "en": "Workflow state"}


def _is_staff() -> bool:
    """Sysadmins and members of a node see the workflow-state facet (the public sees only published
    datasets, so it would say nothing to them)."""
    user = tk.current_user
    if not user or not user.is_authenticated:
        return False
    if getattr(user, "sysadmin", False):
        return True
    return bool(tk.get_action("organization_list_for_user")({"user": user.name}, {"permission": "read"}))

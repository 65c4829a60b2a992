"""What the public pages of the portal need: the latest publications, a dataset's fields grouped in
sections a citizen understands, the text alternative of its map, a source entity's data and the initial
view of the bbox search map. Template helpers (``h.cimibague_*``), registered through ``helpers.py``.

Everything that lists datasets goes through ``package_search`` as the visitor, so a visitor only ever
gets what they may see (permission labels): for the public, published datasets only.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import ckan.plugins.toolkit as tk
from babel.dates import format_date
from babel.numbers import format_decimal

__all__ = [
    "SECTIONS",
    "cimibague_dataset_sections",
    "cimibague_date",
    "cimibague_entity_fields",
    "cimibague_entity_titles",
    "cimibague_latest_datasets",
    "cimibague_search_heading_level",
    "cimibague_search_map_extent",
    "cimibague_spatial_extent",
]

Text = dict[str, str]

# The sections of a dataset page: (id, title, the common-core fields it shows, in this order). Every other
# field of the type's schema goes to the type's own section, in the schema's order. Titles are {es, en}
# like the schemas' labels (h.scheming_language_text).
SECTIONS: list[tuple[str, Text, tuple[str, ...]]] = [
    (
        "cobertura",
        {"es": "Cobertura geográfica y temporal", "en": "Geographic and temporal coverage"},
        ("cobertura_geografica", "territorio", "temporal_start", "temporal_end"),
    ),
    (
        "fuente",
        {"es": "Fuente y contacto", "en": "Source and contact"},
        ("entidad_fuente", "area_dependencia", "contact_name", "contact_email", "provenance"),
    ),
    (
        "actualizacion",
        {"es": "Actualización", "en": "Updates"},
        ("periodicidad", "fecha_corte"),
    ),
    (
        "uso",
        {"es": "Uso y licencia", "en": "Use and licence"},
        (
            "license_id",
            "nivel_acceso",
            "clasificacion_fundamento",
            "clasificacion_excepcion",
            "clasificacion_fecha",
            "clasificacion_plazo",
            "language",
            "observaciones_calidad",
        ),
    ),
]
TYPE_SECTION: Text = {"es": "Detalles de «{label}»", "en": "{label} details"}

# Shown elsewhere on the page (title, heading, description and keywords, node, map) or never.
_NOT_IN_SECTIONS = frozenset({"id", "title", "name", "notes", "tag_string", "owner_org", "spatial"})

# Initial view of the bbox search map: the municipality of Ibagué and its surroundings, as Leaflet bounds
# [[south, west], [north, east]] (a viewport, not data).
SEARCH_MAP_EXTENT = [[4.2, -75.55], [4.7, -74.95]]


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def cimibague_latest_datasets(limit: int = 6) -> list[dict[str, Any]]:
    """The most recently published or updated datasets the visitor may see (package_search as the
    visitor, public datasets only: never one in review, even for its staff)."""
    result = tk.get_action("package_search")(
        {},
        {
            "q": "",
            "rows": limit,
            "sort": "metadata_modified desc",
            "include_private": False,
            "include_drafts": False,
        },
    )
    return result["results"]


def cimibague_dataset_sections(pkg: dict[str, Any], schema: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The schema's fields of the dataset in sections: [{id, title ({es, en}), fields}], only the fields
    with a value (and a display snippet), only the sections with a field. The coverage section is kept
    when the dataset has a spatial extent (its map goes there)."""
    if not schema:
        return []
    fields = [
        field
        for field in schema.get("dataset_fields", [])
        if field["field_name"] not in _NOT_IN_SECTIONS
        and not ("display_snippet" in field and field["display_snippet"] is None)
    ]
    by_name = {field["field_name"]: field for field in fields}
    sections = []
    placed: set[str] = set()
    for section_id, title, names in SECTIONS:
        chosen = [by_name[name] for name in names if name in by_name and not _empty(pkg.get(name))]
        placed.update(names)
        # the coverage section holds the map; the updates section always says when the page last changed
        if chosen or (section_id == "cobertura" and pkg.get("spatial")) or section_id == "actualizacion":
            sections.append({"id": section_id, "title": title, "fields": chosen})
    own = [field for field in fields if field["field_name"] not in placed and not _empty(pkg.get(field["field_name"]))]
    if own:
        label = schema.get("label") or {"es": pkg.get("type", ""), "en": pkg.get("type", "")}
        if isinstance(label, str):
            label = {"es": label, "en": label}
        title = {lang: text.format(label=label.get(lang) or label.get("es", "")) for lang, text in TYPE_SECTION.items()}
        sections.append({"id": "tipo", "title": title, "fields": own})
    return sections


def _lang() -> str:
    return (tk.h.lang() if tk.request else None) or "es"


def _number(value: float) -> str:
    return format_decimal(round(value, 5), format="#,##0.#####", locale=_lang())


def cimibague_date(value: Any) -> str:
    """A calendar date of the schema (``2023-12-31``) written for the visitor («31 de diciembre de 2023»).
    Not h.render_datetime: it reads a date as midnight UTC and shows the day before in Bogotá."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value)[:10])
        except ValueError:
            return str(value or "")
    return format_date(value, format="long", locale=_lang())


def cimibague_spatial_extent(pkg: dict[str, Any]) -> dict[str, Any] | None:
    """The dataset's spatial extent for the map widget and its text alternative: ``geojson`` (the
    compact GeoJSON the map draws), ``type`` and the bounding box (``west``, ``south``, ``east``,
    ``north``, as numbers written for the visitor's language). None without a usable extent."""
    value = pkg.get("spatial")
    if _empty(value):
        return None
    try:
        from shapely.geometry import shape

        geojson = json.loads(value) if isinstance(value, str) else value
        if geojson.get("type") == "Feature":
            geojson = geojson["geometry"]
        geometry = shape(geojson)
    except Exception:  # an extent that cannot be drawn is not drawn (the page must not break)
        return None
    if geometry.is_empty:
        return None
    west, south, east, north = geometry.bounds
    return {
        "geojson": json.dumps(geojson, separators=(",", ":")),
        "type": geojson.get("type"),
        "point": west == east and south == north,
        "west": _number(west),
        "south": _number(south),
        "east": _number(east),
        "north": _number(north),
    }


def cimibague_search_map_extent() -> str:
    """The initial view of the bbox search widget (JSON of Leaflet bounds)."""
    return json.dumps(SEARCH_MAP_EXTENT)


def cimibague_entity_fields(group: dict[str, Any]) -> list[dict[str, Any]]:
    """The fields of a source entity's schema that have a value, for its public page (not its name,
    URL, description or image, shown elsewhere)."""
    schema = tk.h.scheming_get_group_schema(group.get("type") or "entidad")
    if not schema:
        return []
    skip = {"title", "name", "description", "image_url"}
    return [
        field
        for field in schema.get("fields", [])
        if field["field_name"] not in skip and not _empty(group.get(field["field_name"]))
    ]


def cimibague_entity_titles() -> dict[str, str]:
    """Source entity name -> title, to name a dataset's entity in listings (the search facets' cache)."""
    from ckanext.cimibague.search import entity_titles

    return entity_titles()


# Pages whose own title is their h1 (templates organization/read.html, group/read.html).
_TITLED_SEARCH_PAGES = frozenset({"organization.read", "entidad.read"})


def cimibague_search_heading_level() -> int:
    """The level of the «N datasets found» heading of CKAN's search form: an h2 on the page of a node or
    of a source entity (their name is the page's h1), the page's h1 everywhere else."""
    endpoint = (tk.request.endpoint or "") if tk.request else ""
    return 2 if endpoint in _TITLED_SEARCH_PAGES else 1

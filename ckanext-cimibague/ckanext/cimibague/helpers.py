"""Template helpers (``h.cimibague_*``), including the scheming ``choices_helper`` of the CIM fields."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.cimibague import charts, vocabularies

__all__ = [
    "cimibague_cobertura_choices",
    "cimibague_eje_choices",
    "cimibague_ejes",
    "cimibague_entidad_choices",
    "cimibague_indicator_chart",
    "cimibague_periodicidad_choices",
    "cimibague_sector_choices",
    "cimibague_territorio_choices",
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
    """The registered source entities (groups of type ``entidad``), by name."""
    entidades = tk.get_action("group_list")(
        {"ignore_auth": True}, {"type": "entidad", "all_fields": True, "limit": 1000}
    )
    return [{"value": e["name"], "label": e["display_name"]} for e in entidades]


def cimibague_indicator_chart(pkg: dict[str, Any]) -> Any:
    """The SVG chart of an indicator's series against its baseline and target."""
    return charts.indicator_svg(pkg, {"baseline": tk._("Baseline"), "target": tk._("Target")})

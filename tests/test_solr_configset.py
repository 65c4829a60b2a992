"""The CIM Solr configset: CKAN's schema plus the CIM additions, and the core actually serves it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import ckan.plugins.toolkit as tk
import requests

ROOT = Path(__file__).resolve().parents[1]


def test_committed_schema_is_built_from_the_installed_ckan():
    result = subprocess.run(
        [sys.executable, ROOT / "config" / "solr" / "build_schema.py", "--check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def _schema() -> dict:
    response = requests.get(f"{tk.config['solr_url']}/schema", params={"wt": "json"}, timeout=10)
    response.raise_for_status()
    return response.json()["schema"]


def test_running_core_keeps_ckans_schema_name():
    assert _schema()["name"] == "ckan-2.12"


def test_running_core_has_the_spatial_and_cim_fields():
    schema = _schema()
    fields = {f["name"]: f for f in schema["fields"]}
    for name in ("minx", "maxx", "miny", "maxy", "bbox_area"):
        assert fields[name]["type"] == "pfloat"
    assert fields["spatial_geom"]["type"] == "location_rpt"
    types = {t["name"]: t for t in schema["fieldTypes"]}
    assert types["location_rpt"]["spatialContextFactory"] == "JTS"
    dynamic = {f["name"]: f for f in schema["dynamicFields"]}
    assert dynamic["cim_*"]["multiValued"] is True


def test_text_analysis_is_spanish():
    response = requests.get(
        f"{tk.config['solr_url']}/analysis/field",
        params={
            "analysis.fieldtype": "text",
            "analysis.fieldvalue": "Información de las Viviendas",
            "wt": "json",
        },
        timeout=10,
    )
    stages = response.json()["analysis"]["field_types"]["text"]["index"]
    tokens = [token["text"] for token in stages[-1]]
    assert tokens == ["informacion", "viviend"]

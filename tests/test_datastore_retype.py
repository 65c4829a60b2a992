"""retype: the columns of a loaded (text) DataStore table converted in PostgreSQL after an analysis, and
the types, labels and reasons written to CKAN's data dictionary, where a correction by staff wins.

The analysis is made by hand here (the shape ``tabular.analyse`` returns: columns with ``name``,
``type``, ``pg_type``, ``reason``), with a conversion expression of its own."""

from __future__ import annotations

import datetime as dt
import decimal
from types import SimpleNamespace

import ckan.tests.helpers as helpers
import pytest

from ckanext.cimibague.data_api.retype import retype
from tests import cim_data
from tests.datastore_support import empty_datastore

ROWS = [
    {"Poblacion": "35.120", "Tasa": "2,5", "Fecha": "31/01/2024", "Barrio": "Belén", "Codigo": "73001"},
    {"Poblacion": "1.234.567", "Tasa": "10", "Fecha": "01/02/2024", "Barrio": "Jordán", "Codigo": "otro"},
    {"Poblacion": "", "Tasa": "", "Fecha": "", "Barrio": "", "Codigo": ""},
]


def _analysis(**reasons: str) -> SimpleNamespace:
    def column(name: str, kind: str, pg_type: str) -> SimpleNamespace:
        return SimpleNamespace(name=name, type=kind, pg_type=pg_type, reason=reasons.get(name, ""))

    return SimpleNamespace(
        columns=[
            column("Población", "integer", "int8"),
            column("Tasa", "numeric", "numeric"),
            column("Fecha", "date", "date"),
            column("Barrio", "text", "text"),
            column("Código", "text", "text"),
        ]
    )


def colombian(column: SimpleNamespace, ident: str) -> str:
    """A Colombian conversion, enough for these rows (tabular.sql_cast is the real one)."""
    blank = f"NULLIF(btrim({ident}), '')"
    if column.pg_type == "int8":
        return f"replace({blank}, '.', '')::int8"
    if column.pg_type == "numeric":
        return f"replace(replace({blank}, '.', ''), ',', '.')::numeric"
    if column.pg_type == "date":
        return f"to_date({blank}, 'DD/MM/YYYY')"
    return ident


@pytest.fixture
def table(clean_db):
    empty_datastore()
    org, entidad = cim_data.nodes_and_entity()
    pkg = cim_data.act("package_create", **cim_data.dataset("bases-de-datos", org, entidad, resources=[]))
    resource = cim_data.act(
        "resource_create", package_id=pkg["id"], name="Tabla", url="https://www.ibague.gov.co/t.csv", format="JSON"
    )
    _text_table(resource["id"])
    return resource["id"]


def _text_table(resource_id: str, rows: list[dict[str, str]] = ROWS) -> None:
    cim_data.act(
        "datastore_create",
        resource_id=resource_id,
        force=True,
        fields=[{"id": name, "type": "text"} for name in rows[0]],
        records=rows,
    )


def _fields(resource_id: str) -> dict[str, dict]:
    return {f["id"]: f for f in helpers.call_action("datastore_info", id=resource_id)["fields"]}


def _records(resource_id: str) -> list[dict]:
    return helpers.call_action("datastore_search", resource_id=resource_id, sort="_id")["records"]


def test_columns_are_typed_in_postgresql(table):
    results = retype(table, _analysis(Barrio="Texto libre"), cast=colombian)
    assert [(r["id"], r["type"]) for r in results] == [
        ("Poblacion", "int8"),
        ("Tasa", "numeric"),
        ("Fecha", "date"),
        ("Barrio", "text"),
        ("Codigo", "text"),
    ]
    fields = _fields(table)
    assert {name: fields[name]["type"] for name in fields} == {
        "Poblacion": "int8",
        "Tasa": "numeric",
        "Fecha": "date",
        "Barrio": "text",
        "Codigo": "text",
    }
    first, second, empty = _records(table)
    assert first["Poblacion"] == 35120 and second["Poblacion"] == 1234567
    assert decimal.Decimal(str(first["Tasa"])) == decimal.Decimal("2.5")
    assert first["Fecha"].startswith("2024-01-31") and second["Fecha"].startswith("2024-02-01")
    assert first["Barrio"] == "Belén" and second["Codigo"] == "otro"
    assert empty["Poblacion"] is None and empty["Fecha"] is None
    # sortable as numbers, not as text ("1.234.567" < "35.120" as text)
    ordered = helpers.call_action("datastore_search", resource_id=table, sort="Poblacion desc", filters={})["records"]
    assert [r["Poblacion"] for r in ordered if r["Poblacion"] is not None] == [1234567, 35120]
    assert isinstance(dt.date.fromisoformat(first["Fecha"][:10]), dt.date)


def test_the_data_dictionary_gets_types_labels_and_reasons(table):
    retype(table, _analysis(Codigo="", **{"Código": "Valores mezclados: 73001, otro"}), cast=colombian)
    info = {name: field.get("info", {}) for name, field in _fields(table).items()}
    assert info["Poblacion"]["label"] == "Población"  # the header as written, accents included
    assert info["Poblacion"]["type_override"] == "int8" and info["Poblacion"]["cim_tipo"] == "int8"
    assert info["Codigo"]["label"] == "Código"
    assert info["Codigo"]["type_override"] == "text"
    assert info["Codigo"]["notes"] == "Valores mezclados: 73001, otro"


def test_a_second_call_changes_nothing(table):
    retype(table, _analysis(), cast=colombian)
    before = _records(table)
    assert retype(table, _analysis(), cast=colombian)[0]["type"] == "int8"
    assert _records(table) == before


def test_staff_notes_and_labels_are_kept(table):
    retype(table, _analysis(), cast=colombian)
    fields = [{"id": name, "type": f["type"], "info": f.get("info", {})} for name, f in _fields(table).items()]
    fields[3]["info"] = {**fields[3]["info"], "label": "Barrio o vereda", "notes": "Según el POT"}
    cim_data.act("datastore_create", resource_id=table, force=True, fields=fields)
    retype(table, _analysis(Barrio="Texto libre"), cast=colombian)
    info = _fields(table)["Barrio"]["info"]
    assert info["label"] == "Barrio o vereda" and info["notes"] == "Según el POT"


def _reload_as_text(resource_id: str, corrections: dict[str, str]) -> None:
    """What a reload leaves: the same columns as text, with the data dictionary (and staff's corrections)."""
    fields = [{"id": name, "type": f["type"], "info": f.get("info", {})} for name, f in _fields(resource_id).items()]
    for f in fields:
        if f["id"] in corrections:
            f["info"] = {**f["info"], "type_override": corrections[f["id"]]}
    cim_data.act("datastore_delete", resource_id=resource_id, force=True)
    cim_data.act(
        "datastore_create",
        resource_id=resource_id,
        force=True,
        fields=[{"id": f["id"], "type": "text", "info": f["info"]} for f in fields],
        records=ROWS,
    )


def test_a_correction_by_staff_wins_over_the_analysis(table):
    retype(table, _analysis(), cast=colombian)
    _reload_as_text(table, {"Poblacion": "text", "Fecha": "text"})
    retype(table, _analysis(), cast=colombian)
    fields = _fields(table)
    assert fields["Poblacion"]["type"] == "text" and fields["Fecha"]["type"] == "text"
    assert fields["Tasa"]["type"] == "numeric"
    assert fields["Poblacion"]["info"]["type_override"] == "text"  # kept for the next load
    assert _records(table)[0]["Poblacion"] == "35.120"


def test_a_correction_the_values_cannot_take_leaves_the_column_as_text(table):
    retype(table, _analysis(), cast=colombian)
    _reload_as_text(table, {"Codigo": "int8"})  # "otro" is no number
    results = {r["id"]: r for r in retype(table, _analysis(), cast=colombian)}
    assert results["Codigo"]["type"] == "text" and "int8" in results["Codigo"]["reason"]
    fields = _fields(table)
    assert fields["Codigo"]["type"] == "text" and fields["Poblacion"]["type"] == "int8"
    assert "int8" in fields["Codigo"]["info"]["notes"]

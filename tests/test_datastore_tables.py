"""The DataStore table of a checked file (data_api/dictionary.py and tables.py): typed columns COPYed and
swapped in, the data dictionary (labels, types, reasons; staff's labels, notes and type corrections kept),
and a failure at any step leaving the previous table whole.

The files are analysed by ``tabular.analyse`` and written by ``tabular.write_copy_csv``, as the load job
does; the job itself (download, refusals, task status) is tested in test_xloader_load.py."""

from __future__ import annotations

import datetime as dt
import decimal
import logging
from pathlib import Path
from typing import Any

import ckan.tests.helpers as helpers
import pytest

from ckanext.cimibague import tabular
from ckanext.cimibague.data_api import dictionary, tables
from tests import cim_data
from tests.datastore_support import empty_datastore

FILE = (
    "Población;Tasa;Fecha;Barrio;Código\n"
    "35.120;2,5;31/01/2024;Belén;73001\n"
    "1.234.567;10;01/02/2024;Jordán;otro\n"
    ";;;;\n"
    "12;0,5;;;73002\n"
)
NEWER = "Población;Tasa;Fecha;Barrio;Código\n40.000;3,5;31/01/2025;Belén;otro\n"  # the same columns


@pytest.fixture
def resource_id(clean_db):
    empty_datastore()
    org, entidad = cim_data.nodes_and_entity()
    pkg = cim_data.act("package_create", **cim_data.dataset("bases-de-datos", org, entidad, resources=[]))
    resource = cim_data.act(
        "resource_create", package_id=pkg["id"], name="Tabla", url="https://www.ibague.gov.co/t.csv", format="JSON"
    )
    return resource["id"]


def load(resource_id: str, text: str, folder: Path) -> list[dictionary.Field]:
    """What the job does with a checked file."""
    path = folder / "datos.csv"
    path.write_text(text, encoding="cp1252")
    analysis = tabular.analyse(path, "csv", today=dt.date(2025, 6, 1))
    fields = dictionary.fields(analysis, dictionary.previous(resource_id))
    misfits = tabular.write_copy_csv(analysis, path, folder / "copia.csv", [field.column for field in fields])
    fields = dictionary.with_misfits(fields, misfits)
    tables.replace(resource_id, fields, folder / "copia.csv", logging.getLogger(__name__), rows=analysis.rows)
    return fields


def _fields(resource_id: str) -> dict[str, dict]:
    return {f["id"]: f for f in helpers.call_action("datastore_info", id=resource_id)["fields"]}


def _records(resource_id: str, **params: Any) -> list[dict]:
    params.setdefault("sort", "_id")
    records = helpers.call_action("datastore_search", resource_id=resource_id, **params)["records"]
    return [{k: v for k, v in record.items() if k != "_id"} for record in records]


def _correct(resource_id: str, **info: dict[str, Any]) -> None:
    """Staff editing the data dictionary (CKAN's form posts datastore_create with the same columns)."""
    fields = [{"id": name, "type": f["type"], "info": f.get("info", {})} for name, f in _fields(resource_id).items()]
    for field in fields:
        field["info"] = {**field["info"], **info.get(field["id"], {})}
    cim_data.act("datastore_create", resource_id=resource_id, force=True, fields=fields)


def test_columns_are_typed_and_sortable(resource_id, tmp_path):
    load(resource_id, FILE, tmp_path)
    assert {name: f["type"] for name, f in _fields(resource_id).items()} == {
        "Poblacion": "int8",
        "Tasa": "numeric",
        "Fecha": "date",
        "Barrio": "text",
        "Codigo": "text",
    }
    first, second, third = _records(resource_id)  # the blank row is left out
    assert first["Poblacion"] == 35120 and second["Poblacion"] == 1234567 and third["Poblacion"] == 12
    assert decimal.Decimal(str(first["Tasa"])) == decimal.Decimal("2.5")
    assert first["Fecha"] == "2024-01-31" and second["Fecha"] == "2024-02-01"
    assert third["Fecha"] is None and third["Barrio"] is None  # empty cells are NULL, not ""
    assert first["Barrio"] == "Belén" and second["Codigo"] == "otro"
    ordered = _records(resource_id, sort="Poblacion desc")  # as numbers: "1.234.567" < "35.120" as text
    assert [r["Poblacion"] for r in ordered] == [1234567, 35120, 12]
    assert [r["Barrio"] for r in _records(resource_id, q="Jordán")] == ["Jordán"]  # full-text search works


def test_the_data_dictionary_gets_labels_types_and_reasons(resource_id, tmp_path):
    load(resource_id, FILE, tmp_path)
    info = {name: field.get("info", {}) for name, field in _fields(resource_id).items()}
    assert info["Poblacion"]["label"] == "Población"  # the header as written, accents included
    assert info["Poblacion"]["type_override"] == "int8" and info["Poblacion"]["cim_tipo"] == "int8"
    assert info["Codigo"]["label"] == "Código" and info["Codigo"]["type_override"] == "text"
    assert "Valores mezclados" in info["Codigo"]["notes"]  # why it stayed text, in Spanish


def test_a_reload_replaces_the_rows_and_keeps_staff_labels_and_notes(resource_id, tmp_path):
    load(resource_id, FILE, tmp_path)
    _correct(resource_id, Barrio={"label": "Barrio o vereda", "notes": "Según el POT"})
    load(resource_id, NEWER, tmp_path)
    assert _records(resource_id) == [
        {"Poblacion": 40000, "Tasa": 3.5, "Fecha": "2025-01-31", "Barrio": "Belén", "Codigo": "otro"}
    ]
    info = _fields(resource_id)["Barrio"]["info"]
    assert info["label"] == "Barrio o vereda" and info["notes"] == "Según el POT"
    assert _fields(resource_id)["Poblacion"]["info"]["label"] == "Población"


def test_a_correction_by_staff_wins_over_the_analysis(resource_id, tmp_path):
    load(resource_id, FILE, tmp_path)
    _correct(resource_id, Poblacion={"type_override": "text"}, Fecha={"type_override": "text"})
    load(resource_id, FILE, tmp_path)
    fields = _fields(resource_id)
    assert fields["Poblacion"]["type"] == "text" and fields["Fecha"]["type"] == "text"
    assert fields["Tasa"]["type"] == "numeric"
    assert fields["Poblacion"]["info"]["type_override"] == "text"  # kept for the next load
    assert fields["Poblacion"]["info"]["cim_tipo"] == "int8"  # what the analysis chose
    assert _records(resource_id)[0]["Poblacion"] == "35.120"


def test_a_correction_the_values_do_not_fit_loads_them_empty_and_says_how_many(resource_id, tmp_path):
    load(resource_id, FILE, tmp_path)
    _correct(resource_id, Codigo={"type_override": "int8"})  # "otro" is no number
    load(resource_id, FILE, tmp_path)
    fields = _fields(resource_id)
    assert fields["Codigo"]["type"] == "int8"
    assert [r["Codigo"] for r in _records(resource_id)] == [73001, None, 73002]
    assert fields["Codigo"]["info"]["notes"] == "Valores que no son de tipo int8, cargados vacíos: 1"


def test_other_columns_replace_the_table(resource_id, tmp_path):
    load(resource_id, FILE, tmp_path)
    load(resource_id, "Comuna;Hogares\nComuna 1;1.200\n", tmp_path)
    assert {name: f["type"] for name, f in _fields(resource_id).items()} == {"Comuna": "text", "Hogares": "int8"}
    assert _records(resource_id) == [{"Comuna": "Comuna 1", "Hogares": 1200}]


def test_a_value_postgresql_refuses_leaves_the_table_untouched(resource_id, tmp_path):
    load(resource_id, FILE, tmp_path)
    before = _records(resource_id)
    path = tmp_path / "copia.csv"
    path.write_text("Poblacion,Tasa,Fecha,Barrio,Codigo\n35.120,2.5,2024-01-31,Belén,x\n", encoding="utf-8")
    fields = dictionary.fields(tabular.analyse(tmp_path / "datos.csv", "csv"), dictionary.previous(resource_id))
    with pytest.raises(tables.StagingError, match=r"35\.120"):
        tables.replace(resource_id, fields, path, logging.getLogger(__name__))
    assert _records(resource_id) == before


def test_a_failure_during_the_swap_leaves_the_previous_rows(resource_id, tmp_path, monkeypatch):
    load(resource_id, FILE, tmp_path)
    before = _records(resource_id)
    indexes = [name for name in _index_names(resource_id)]

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("el disco se llenó")

    monkeypatch.setattr(tables, "create_indexes", broken)  # after the TRUNCATE and the INSERT
    with pytest.raises(RuntimeError):
        load(resource_id, NEWER, tmp_path)
    assert _records(resource_id) == before
    assert _index_names(resource_id) == indexes  # the dropped indexes came back with the rollback
    assert not _staging_left()


def _index_names(resource_id: str) -> list[str]:
    from ckanext.datastore.backend.postgres import get_write_engine

    with get_write_engine().connect() as conn:
        rows = conn.exec_driver_sql("SELECT indexname FROM pg_indexes WHERE tablename = %s ORDER BY 1", (resource_id,))
        return [row[0] for row in rows]


def _staging_left() -> bool:
    from ckanext.datastore.backend.postgres import get_write_engine

    with get_write_engine().connect() as conn:
        return bool(conn.exec_driver_sql("SELECT 1 FROM pg_class WHERE relname = 'cim_carga'").first())


def test_column_names_with_colons_percent_signs_and_quotes_load(resource_id, tmp_path):
    """Municipal headers: «Tasa (%)», «Valor:total», «Nombre "oficial"» (``%`` is psycopg2's placeholder,
    ``:`` SQLAlchemy's bind parameters)."""
    load(resource_id, 'Tasa (%);Valor:total;Nombre "oficial"\n12,5;1.200;Belén\n3;4;Jordán\n', tmp_path)
    types = {name: f["type"] for name, f in _fields(resource_id).items()}
    assert types == {"Tasa (%)": "numeric", "Valor:total": "int8", "Nombre 'oficial'": "text"}  # as xloader names
    assert _fields(resource_id)["Nombre 'oficial'"]["info"]["label"] == 'Nombre "oficial"'  # as written
    assert _records(resource_id, sort="Valor:total desc")[0] == {
        "Tasa (%)": 12.5,
        "Valor:total": 1200,
        "Nombre 'oficial'": "Belén",
    }
    assert [r["Valor:total"] for r in _records(resource_id, q="Jordán")] == [4]


def test_names_ckan_cannot_create_are_found_before_loading(tmp_path):
    """CKAN's datastore_create reads ``:total`` after a space as a bind parameter and fails: such a name is
    refused by the job before the table is touched (with the other names the DataStore cannot take)."""
    path = tmp_path / "datos.csv"
    path.write_text("Valor :total;Año;Ano;Valor:total\n1;2;3;4\n", encoding="utf-8")
    assert dictionary.bad_ids(tabular.analyse(path, "csv")) == ["Valor :total", "Ano"]


def test_a_cell_that_would_end_copy_is_loaded(resource_id, tmp_path):
    """``\\.`` alone on a line ends COPY's CSV input: rows after it would be lost."""
    load(resource_id, "Nota\nantes\n\\.\ndespués\n", tmp_path)
    assert [r["Nota"] for r in _records(resource_id)] == ["antes", "\\.", "después"]


def test_fewer_rows_than_counted_leave_the_table_untouched(resource_id, tmp_path):
    load(resource_id, FILE, tmp_path)
    before = _records(resource_id)
    fields = dictionary.fields(tabular.analyse(tmp_path / "datos.csv", "csv"), dictionary.previous(resource_id))
    with pytest.raises(tables.StagingError, match="3 filas de 4"):
        tables.replace(resource_id, fields, tmp_path / "copia.csv", logging.getLogger(__name__), rows=4)
    assert _records(resource_id) == before

"""The analysis of a tabular file (ckanext/cimibague/tabular/): encodings, delimiters, header names, the
types of columns with the Colombian conventions and why a column stays text, the quality report, the
refusals (empty, header only, ragged, too large, broken workbook, undecodable), workbooks with several
sheets, the UTF-8 copy for the loader, and that the bulk way of counting agrees with the value-by-value one.

Text fixtures are in tests/data/tabular/ (Windows-1252, UTF-8 with BOM, TSV) or written here; workbooks
are built here with openpyxl."""

from __future__ import annotations

import csv
import datetime as dt
import json
import pathlib
import random
import zipfile
from typing import Any

import openpyxl
import pytest

from ckanext.cimibague.tabular import Analysis, Column, TabularError, analyse, analysis, convert, stats, write_copy_csv

pytestmark = pytest.mark.unit

DATA = pathlib.Path(__file__).parent / "data" / "tabular"
TODAY = dt.date(2025, 6, 1)


def text_file(tmp_path: pathlib.Path, text: str, name: str = "datos.csv", encoding: str = "utf-8") -> pathlib.Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def run(tmp_path: pathlib.Path, text: str, fmt: str = "csv", **kwargs: Any) -> Analysis:
    kwargs.setdefault("today", TODAY)
    return analyse(text_file(tmp_path, text), fmt, **kwargs)


def col(result: Analysis, name: str) -> Column:
    return next(column for column in result.columns if column.name == name)


def field(result: Analysis, name: str) -> dict[str, Any]:
    return next(entry for entry in result.report["fields"] if entry["name"] == name)


def one_column(tmp_path: pathlib.Path, *values: str, name: str = "valor") -> tuple[Column, dict[str, Any]]:
    """The column and report entry of a one-column CSV (with a second column so that ';' is sniffed)."""
    text = f"id;{name}\n" + "".join(f"{i};{value}\n" for i, value in enumerate(values, start=1))
    result = run(tmp_path, text)
    return col(result, name), field(result, name)


def workbook(tmp_path: pathlib.Path, sheets: dict[str, list[list[Any]]], hidden: tuple[str, ...] = ()) -> pathlib.Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        if title in hidden:
            sheet.sheet_state = "hidden"
    path = tmp_path / "libro.xlsx"
    book.save(path)
    return path


def refused(path: pathlib.Path, fmt: str, **kwargs: Any) -> TabularError:
    with pytest.raises(TabularError) as caught:
        analyse(path, fmt, **kwargs)
    assert str(caught.value) == caught.value.message
    return caught.value


# ----------------------------------------------------------------------------------------------- fixtures


def test_windows_1252_semicolons_and_colombian_numbers() -> None:
    result = analyse(DATA / "poblacion_comunas_cp1252.csv", "CSV", today=TODAY)
    assert (result.encoding, result.delimiter, result.format, result.rows) == ("cp1252", ";", "csv", 8)
    types = {c.name: (c.type, c.pg_type, c.number_format, c.date_format) for c in result.columns}
    assert types == {
        "Comuna": ("integer", "int8", "plano", None),
        "Nombre": ("text", "text", None, None),
        "Población total": ("integer", "int8", "colombiano", None),
        "Hogares": ("integer", "int8", "colombiano", None),
        "Viviendas": ("text", "text", None, None),
        "Área (km²)": ("numeric", "numeric", "colombiano", None),
        "Densidad": ("numeric", "numeric", "colombiano", None),
        "Fecha de corte": ("date", "date", None, "dd/mm/aaaa"),
        "Observación": ("text", "text", None, None),
    }
    assert col(result, "Viviendas").reason == "Valores mezclados: 7 números y 1 texto (p. ej. «N/D» en la fila 4)"
    report = result.report
    assert (report["rows"], report["columns"], report["header_row"]) == (8, 9, 1)
    assert field(result, "Población total")["min"] == -35
    assert field(result, "Población total")["max"] == 1234567
    assert (field(result, "Área (km²)")["min"], field(result, "Área (km²)")["max"]) == (1.5, 12.04)
    assert field(result, "Área (km²)")["empty"] == 1
    assert field(result, "Densidad")["empty"] == 2
    assert (field(result, "Fecha de corte")["min"], field(result, "Fecha de corte")["max"]) == (
        "2023-12-31",
        "2030-01-15",
    )
    assert field(result, "Viviendas")["type_errors"] == 1
    assert field(result, "Viviendas")["type_error_examples"] == [{"row": 4, "value": "N/D"}]
    assert report["duplicated_rows"] == {"count": 1, "examples": [{"row": 8, "same_as": 3}]}
    assert report["suspicious"] == [
        {
            "column": "Población total",
            "row": 5,
            "value": "-35",
            "message": "Número negativo en una columna de personas o conteos",
        },
        {"column": "Fecha de corte", "row": 9, "value": "15/01/2030", "message": "Fecha posterior a hoy (01/06/2025)"},
    ]
    assert report["suspicious_total"] == 2
    assert "El archivo no estaba en UTF-8: se leyó como Windows-1252 (Latin-1)." in report["warnings"]
    assert any("«Hogares»" in warning and "«1.234» = 1234" in warning for warning in report["warnings"])
    assert json.loads(json.dumps(report)) == report


def test_utf8_with_bom_commas_percentages_and_iso_dates() -> None:
    result = analyse(DATA / "establecimientos_utf8_bom.csv", "text/csv", today=TODAY)
    assert (result.encoding, result.delimiter, result.rows) == ("utf-8-sig", ",", 4)
    assert result.columns[0].name == "codigo_dane"  # no BOM in the first name
    cobertura = col(result, "cobertura")
    assert (cobertura.type, cobertura.number_format, cobertura.unit) == ("numeric", "colombiano", "%")
    assert (field(result, "cobertura")["min"], field(result, "cobertura")["max"]) == (76.25, 100.0)
    assert convert(cobertura, "87,5%") == convert(cobertura, "87,5")
    assert (col(result, "fecha_reporte").type, col(result, "fecha_reporte").date_format) == ("date", "iso")
    latitud = col(result, "latitud")
    assert (latitud.type, latitud.number_format) == ("numeric", "plano")
    assert col(result, "nombre").type == "text"  # «Escuela Rural El Totumo, sede 2» is quoted
    assert col(result, "codigo_dane").type == "integer"
    assert any("«%»" in warning for warning in result.report["warnings"])


def test_tsv_with_day_first_dates_of_one_digit() -> None:
    result = analyse(DATA / "matricula.tsv", "tsv", today=TODAY)
    assert (result.encoding, result.delimiter, result.format) == ("utf-8", "\t", "tsv")
    assert [c.type for c in result.columns] == ["integer", "integer", "integer", "numeric", "date"]
    assert (field(result, "fecha")["min"], field(result, "fecha")["max"]) == ("2021-02-01", "2022-02-05")
    assert field(result, "estudiantes")["max"] == 1611


# ------------------------------------------------------------------------------------------------ numbers


@pytest.mark.parametrize(
    ("values", "kind", "fmt", "low", "high"),
    [
        (["35.120", "1.234.567,89", "2,5", "-3,75"], "numeric", "colombiano", -3.75, 1234567.89),
        (["35.120", "1.234.567", "800"], "integer", "colombiano", 800, 1234567),
        (["35120", "7", "-12"], "integer", "plano", -12, 35120),
        (["0.5", "3.14159", "2"], "numeric", "plano", 0.5, 3.14159),
        (["1.234"], "integer", "colombiano", 1234, 1234),  # ambiguous alone: thousands
        (["1.234", "0.5"], "numeric", "plano", 0.5, 1.234),  # a plain-only value decides
        (["1.234", "2,5"], "numeric", "colombiano", 2.5, 1234),
        (["0.500", "1.250"], "numeric", "plano", 0.5, 1.25),  # 0.500 is no thousands group
        (["$ 1.200.000", "$ 800", "-$ 1.500"], "integer", "colombiano", -1500, 1200000),
        (["12,5%", "100%", "0 %"], "numeric", "colombiano", 0, 100),
        (["9223372036854775807", "1"], "integer", "plano", 1, 9223372036854775807),
        (["9223372036854775808", "1"], "numeric", "plano", 1, 9.223372036854775808e18),
    ],
)
def test_number_columns(
    tmp_path: pathlib.Path, values: list[str], kind: str, fmt: str, low: float, high: float
) -> None:
    column, entry = one_column(tmp_path, *values)
    assert (column.type, column.number_format, column.reason) == (kind, fmt, None)
    assert entry["type_errors"] == 0
    assert entry["min"] == pytest.approx(low)
    assert entry["max"] == pytest.approx(high)
    assert type(entry["min"]) is (int if kind == "integer" else float)
    assert entry["max"] == high if kind == "integer" else True  # integers are exact
    for value in values:
        assert convert(column, value) is not None, value


def test_number_units(tmp_path: pathlib.Path) -> None:
    assert one_column(tmp_path, "$ 1.200.000", "$ 5")[0].unit == "$"
    assert one_column(tmp_path, "12,5%", "3%")[0].unit == "%"
    assert one_column(tmp_path, "12,5", "3")[0].unit is None


@pytest.mark.parametrize(
    ("values", "reason", "errors", "example"),
    [
        (
            [*(str(n) for n in range(1, 13)), "N/D"],
            "Valores mezclados: 12 números y 1 texto (p. ej. «N/D» en la fila 14)",
            1,
            {"row": 14, "value": "N/D"},
        ),
        (
            ["2,5", "3,5", "4,5", "0.5"],
            "Números en dos formatos: 3 con coma decimal o punto de miles (p. ej. «2,5» en la fila 2) y 1 con punto "
            "decimal (p. ej. «0.5» en la fila 5)",
            1,
            {"row": 5, "value": "0.5"},
        ),
        (
            ["12%", "13%", "14"],
            "Valores con y sin unidad: 1 sin unidad y 2 con «%» (p. ej. «14» en la fila 4)",
            1,
            {"row": 4, "value": "14"},
        ),
        (
            ["73001", "05001", "08001"],
            "Códigos con ceros a la izquierda (p. ej. «05001» en la fila 3): se conservan como texto",
            0,
            None,
        ),
        (
            ["01/02/2024", "29/02/2023", "05/03/2024"],
            "Fechas inválidas: 1 de 3 valores no son fechas que existan (p. ej. «29/02/2023» en la fila 3)",
            1,
            {"row": 3, "value": "29/02/2023"},
        ),
        (
            ["01/02/2024", "pendiente", "05/03/2024", "31/04/2024"],
            "Valores mezclados: 2 fechas y 2 textos (p. ej. «pendiente» en la fila 3)",
            2,
            {"row": 3, "value": "pendiente"},
        ),
        (
            ["1", "2", "01/02/2024"],
            "Valores mezclados: 2 números y 1 texto (p. ej. «01/02/2024» en la fila 4)",
            1,
            {"row": 4, "value": "01/02/2024"},
        ),
    ],
)
def test_columns_that_stay_text_say_why(
    tmp_path: pathlib.Path, values: list[str], reason: str, errors: int, example: dict[str, Any] | None
) -> None:
    column, entry = one_column(tmp_path, *values)
    assert (column.type, column.pg_type, column.reason) == ("text", "text", reason)
    assert entry["reason"] == reason
    assert entry["type_errors"] == errors
    assert entry["type_error_examples"][:1] == ([example] if example else [])


def test_mostly_text_columns_have_no_reason(tmp_path: pathlib.Path) -> None:
    column, entry = one_column(tmp_path, "Centro", "Norte", "12", "Sur")
    assert (column.type, column.reason, entry["type_errors"]) == ("text", None, 0)
    column, entry = one_column(tmp_path, "", " ", "")
    assert (column.type, column.reason, entry["empty"], entry["min"]) == ("text", None, 3, None)


def test_empty_cells_never_decide(tmp_path: pathlib.Path) -> None:
    column, entry = one_column(tmp_path, "", "35.120", " ", "2,5", "\u00a0")
    assert (column.type, entry["empty"], entry["type_errors"]) == ("numeric", 3, 0)


# -------------------------------------------------------------------------------------------------- dates


def test_date_columns(tmp_path: pathlib.Path) -> None:
    column, entry = one_column(tmp_path, "29/02/2024", "1/3/2024", "05-03-2024", "29/02/2000")
    assert (column.type, column.date_format) == ("date", "dd/mm/aaaa")
    assert (entry["min"], entry["max"]) == ("2000-02-29", "2024-03-05")
    column, entry = one_column(tmp_path, "2024-01-31", "2024-02-29 00:00:00", "05/03/2024")
    assert (column.type, column.date_format) == ("date", "iso")
    result = run(tmp_path, "id;f\n1;2024-01-31\n2;05/03/2024\n")
    assert any("mezcla fechas" in warning for warning in result.report["warnings"])


def test_future_dates_are_suspicious(tmp_path: pathlib.Path) -> None:
    result = run(tmp_path, "id;fecha\n1;01/06/2025\n2;02/06/2025\n3;2030-01-01\n", today=TODAY)
    assert [(s["row"], s["value"]) for s in result.report["suspicious"]] == [(3, "02/06/2025"), (4, "2030-01-01")]
    assert result.report["suspicious_total"] == 2
    assert run(tmp_path, "id;fecha\n1;01/06/2025\n", today=TODAY).report["suspicious"] == []


def test_negative_counts_are_suspicious_only_in_count_columns(tmp_path: pathlib.Path) -> None:
    text = "Número de personas;saldo;NIÑAS;Total hogares\n-3;-3;-1;5\n4;-5,5;2;-0\n"
    result = run(tmp_path, text)
    assert [(s["column"], s["value"]) for s in result.report["suspicious"]] == [
        ("Número de personas", "-3"),
        ("NIÑAS", "-1"),
    ]
    text = "id;población\n" + "".join(f"{i};{-i}\n" for i in range(1, 81))
    result = run(tmp_path, text)
    assert result.report["suspicious_total"] == 80
    assert len(result.report["suspicious"]) == 5  # a few examples per column


# ---------------------------------------------------------------------------------- encodings, delimiters


def test_encodings(tmp_path: pathlib.Path) -> None:
    text = "comuna;descripción\n1;Año de la niñez «especial»\n"
    for encoding, expected in [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp1252", "cp1252")]:
        result = analyse(text_file(tmp_path, text, encoding=encoding), "csv")
        assert result.encoding == expected
        assert result.columns[1].name == "descripción"
        out = tmp_path / "out.csv"
        write_copy_csv(result, tmp_path / "datos.csv", out)
        assert out.read_text("utf-8") == "comuna,descripción\n1,Año de la niñez «especial»\n"
    result = analyse(text_file(tmp_path, text.replace(";", "\t"), encoding="utf-16"), "csv")
    assert (result.encoding, result.delimiter) == ("utf-16", "\t")
    assert result.columns[1].name == "descripción"
    latin1 = text_file(tmp_path, "comuna;nombre\n1;Ibagué\n", encoding="latin-1")
    assert analyse(latin1, "csv").encoding == "cp1252"


def test_mixed_encodings_are_read_as_windows_1252_with_a_warning(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "mixto.csv"
    path.write_bytes("a;b\n1;Peña\n".encode() + "2;Ibagué\n".encode("cp1252"))
    result = analyse(path, "csv")
    assert result.encoding == "cp1252"
    assert any("mezclar UTF-8 y Windows-1252" in warning for warning in result.report["warnings"])


def test_undecodable_and_binary_text_is_refused(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "raro.csv"
    path.write_bytes(b"a;b\n1;\x81\x8d\xe9\n")  # \xe9 is not UTF-8 here, \x81 not Windows-1252
    error = refused(path, "csv")
    assert error.code == "undecodable"
    assert "0x81" in str(error)
    path.write_bytes(b"a;b\n1;2\x00\n")
    assert refused(path, "csv").code == "binary"


@pytest.mark.parametrize("delimiter", [";", ",", "\t", "|"])
def test_delimiters_are_sniffed(tmp_path: pathlib.Path, delimiter: str) -> None:
    rows = [["comuna", "valor", "nota"], ["1", "2,5" if delimiter != "," else "2.5", "a, b; c | d"], ["2", "3", "x"]]
    lines = []
    for row in rows:
        lines.append(delimiter.join(f'"{cell}"' if delimiter in cell else cell for cell in row))
    result = run(tmp_path, "\n".join(lines) + "\n")
    assert result.delimiter == delimiter
    assert [c.name for c in result.columns] == ["comuna", "valor", "nota"]
    assert col(result, "valor").type == "numeric"


def test_a_semicolon_file_with_decimal_commas_is_not_read_as_commas(tmp_path: pathlib.Path) -> None:
    result = run(tmp_path, "a;b;c\n1,5;2,5;3,5\n4,5;5,5;6,5\n")
    assert result.delimiter == ";"
    assert [c.type for c in result.columns] == ["numeric"] * 3
    result = run(tmp_path, "a;b\n1,5;2,5\n3,5;4,5\n")  # "," would find 3 columns from row 2 on
    assert result.delimiter == ";"
    title = "Alcaldía de Ibagué, Secretaría de Planeación;;\n"  # a comma in a title row
    result = run(tmp_path, title + "comuna;área;tasa\n1;2,5;3,1\n2;1,5;2\n3;4;5,5\n")
    assert (result.delimiter, result.header_row, result.rows) == (";", 2, 3)


def test_a_single_column(tmp_path: pathlib.Path) -> None:
    result = run(tmp_path, "barrio\nLa Pola\nBelén\n")
    assert ([c.name for c in result.columns], result.rows) == (["barrio"], 2)


def test_the_declared_format_is_a_hint(tmp_path: pathlib.Path) -> None:
    path = text_file(tmp_path, "a;b\n1;2\n")
    for fmt in ("CSV", ".csv", "text/csv; charset=utf-8", "txt", "application/vnd.ms-excel", "xls"):
        assert analyse(path, fmt).rows == 1
    assert analyse(path, "TSV").format == "tsv"
    assert analyse(path, "tsv").delimiter == ";"  # the content decides
    assert refused(path, "pdf").code == "format"
    assert refused(path, "xlsx").code == "bad_xlsx"  # declared xlsx, but text


# ---------------------------------------------------------------------------------------------- the header


def test_header_names_are_cleaned_and_renamed_not_refused(tmp_path: pathlib.Path) -> None:
    long = "Población proyectada según el censo nacional de población y vivienda 2018"
    text = f'_id;;valor;valor;"  con\n salto  ";"dice ""hola""";{long};valor_2;\n1;2;3;4;5;6;7;8;\n'
    result = run(tmp_path, text)
    names = [c.name for c in result.columns]
    assert names == [
        "id",
        "columna_2",
        "valor",
        "valor_3",
        "con salto",
        "dice 'hola'",
        long.encode()[:63].decode("utf-8", "ignore").rstrip(),
        "valor_2",
    ]
    assert all(len(name.encode()) <= 63 for name in names)
    assert len(set(names)) == len(names)
    warnings = result.report["warnings"]
    assert "La columna 2 no tiene nombre: se llamará «columna_2»." in warnings
    assert "El nombre «valor» se repite: la columna 4 se llamará «valor_3»." in warnings
    assert result.columns[0].header == "_id"
    assert field(result, "con salto")["header"] is None  # only spaces differ
    assert field(result, "dice 'hola'")["header"] == 'dice "hola"'
    assert field(result, "valor")["header"] is None
    assert analysis.column_names(["a", "a", "a_2", "a"])[0] == ["a", "a_3", "a_2", "a_4"]


def test_blank_rows_before_and_inside_the_data(tmp_path: pathlib.Path) -> None:
    result = run(tmp_path, "\n;;\n a;b;c\n1;2;3\n\n ; ;\n4;5;6\n")
    assert (result.header_row, result.rows) == (3, 2)
    assert result.report["blank_rows"] == 2
    assert "Se omitieron 2 filas vacías." in result.report["warnings"]
    out = tmp_path / "out.csv"
    write_copy_csv(result, tmp_path / "datos.csv", out)
    assert out.read_text() == "a,b,c\n1,2,3\n4,5,6\n"


def test_title_rows_above_the_header_are_skipped(tmp_path: pathlib.Path) -> None:
    result = run(tmp_path, "ALCALDÍA DE IBAGUÉ;;\nInforme 2024;;\n\ncomuna;población;área\n1;35.120;2,5\n")
    assert (result.header_row, result.rows, [c.name for c in result.columns]) == (4, 1, ["comuna", "población", "área"])
    assert result.report["warnings"][0] == (
        "Los encabezados están en la fila 4: las filas anteriores se tomaron como títulos y no se cargaron "
        "(«ALCALDÍA DE IBAGUÉ» en la fila 1)."
    )
    out = tmp_path / "out.csv"
    write_copy_csv(result, tmp_path / "datos.csv", out)
    assert out.read_text() == "comuna,población,área\n1,35120,2.5\n"
    # a one-name header over rows of numbers is a header, not a title
    result = run(tmp_path, "comuna;\n1;2\n3;4\n", ragged_tolerance=1.0)
    assert (result.header_row, [c.name for c in result.columns], result.report["ragged_rows"]) == (1, ["comuna"], 2)


def test_a_header_that_looks_like_data_is_warned(tmp_path: pathlib.Path) -> None:
    result = run(tmp_path, "1;35.120;01/02/2024\n2;3;02/02/2024\n")
    assert any("La primera fila parece de datos" in warning for warning in result.report["warnings"])


# ------------------------------------------------------------------------------------------------ refusals


def test_empty_files_are_refused(tmp_path: pathlib.Path) -> None:
    assert refused(text_file(tmp_path, ""), "csv").code == "empty"
    error = refused(text_file(tmp_path, "\n \n;;;\n"), "csv")
    assert (error.code, str(error)) == ("empty", "El archivo no tiene datos: todas sus filas están vacías.")


def test_a_header_only_is_refused(tmp_path: pathlib.Path) -> None:
    error = refused(text_file(tmp_path, "comuna;población\n;\n\n"), "csv")
    assert error.code == "header_only"
    assert str(error) == "El archivo solo tiene la fila de encabezados (fila 1): no hay datos que cargar."


def test_ragged_rows_within_the_tolerance_are_padded_or_cut_with_a_warning(tmp_path: pathlib.Path) -> None:
    body = "".join(f"{i};{i};{i}\n" for i in range(1, 199))
    result = run(tmp_path, "a;b;c\n" + body + "x;y\n1;2;3;sobra\n4;5;6;;\n")
    assert (result.rows, result.report["ragged_rows"]) == (201, 2)
    warnings = result.report["warnings"]
    assert (
        "1 fila tenía menos valores que el encabezado (p. ej. la fila 200): se completó con celdas vacías." in warnings
    )
    assert any(w.startswith("1 fila tenía valores después de la última columna") and "«sobra»" in w for w in warnings)
    out = tmp_path / "out.csv"
    write_copy_csv(result, tmp_path / "datos.csv", out)
    lines = out.read_text().splitlines()
    assert (len(lines), lines[199], lines[200], lines[201]) == (202, "x,y,", "1,2,3", "4,5,6")


def test_ragged_rows_beyond_the_tolerance_are_refused(tmp_path: pathlib.Path) -> None:
    text = "a;b;c\n" + "".join(f"{i};{i};{i}\n" for i in range(1, 98)) + "1;2\n3;4\n5,6\n"
    error = refused(text_file(tmp_path, text), "csv")
    assert error.code == "ragged"
    assert str(error) == (
        "3 de 100 filas (3 %) no tienen el mismo número de columnas que el encabezado (3) (p. ej. las filas 99, "
        "100 y 101): revise el separador de columnas y las comillas del archivo."
    )
    assert run(tmp_path, text, ragged_tolerance=0.05).report["ragged_rows"] == 3


def test_trailing_delimiters_are_not_ragged(tmp_path: pathlib.Path) -> None:
    result = run(tmp_path, "a;b;c;;\n1;2;3;;\n4;5;6\n7;8;9;;;;\n")
    assert ([c.name for c in result.columns], result.report["ragged_rows"]) == (["a", "b", "c"], 0)


def test_the_size_limit(tmp_path: pathlib.Path) -> None:
    path = text_file(tmp_path, "a;b\n" + "1;2\n" * 30_000)
    error = refused(path, "csv", max_bytes=100_000)
    assert error.code == "too_large"
    assert str(error) == (
        "El archivo pesa 120 KB y el máximo para cargarlo como tabla es 100 KB: divídalo en partes o "
        "publíquelo solo para descarga."
    )
    big = tmp_path / "grande.csv"
    with big.open("wb") as stream:
        stream.truncate(104_900_000)
    assert "pesa 104,9 MB y el máximo para cargarlo como tabla es 100 MB" in str(refused(big, "csv", max_bytes=10**8))
    assert analyse(path, "csv", max_bytes=path.stat().st_size).rows == 30_000


def test_an_unclosed_quote_is_refused(tmp_path: pathlib.Path) -> None:
    path = text_file(tmp_path, 'a;b\n1;"abierta\n' + "x" * 140_000 + "\n")
    error = refused(path, "csv")
    assert error.code == "csv"
    assert "comillas" in str(error)


def test_broken_workbooks_are_refused(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "roto.xlsx"
    path.write_bytes(random.Random(9).randbytes(5000))
    error = refused(path, "xlsx")
    assert (error.code, str(error)) == ("bad_xlsx", "El archivo no es un libro de Excel (.xlsx) válido o está dañado.")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hola.txt", "no soy un libro")
    assert refused(path, "xlsx").code == "bad_xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    error = refused(path, "xls")
    assert error.code == "xls"
    assert "guárdelo como .xlsx" in str(error)


# ----------------------------------------------------------------------------------------------- workbooks


def test_a_workbook_with_several_sheets(tmp_path: pathlib.Path) -> None:
    path = workbook(
        tmp_path,
        {
            "Portada": [],
            "Listas": [["oculta"], ["x"]],
            "Datos": [
                ["Título del informe"],
                [],
                ["comuna", "población", "área", "fecha", "código", "activo", "hora", "texto"],
                [1, 35120, 2.5, dt.datetime(2024, 3, 5), "05001", True, dt.datetime(2024, 3, 5, 14, 30), "1.234,5"],
                [2, -41003, 0.1, dt.date(2024, 3, 6), "73001", False, dt.datetime(2024, 3, 5), "2,5"],
                [3, 1234567, 1e-05, "07/03/2024", "08001", None, None, 7],
            ],
            "Notas": [["nota"], ["fuente: DANE"]],
        },
        hidden=("Listas",),
    )
    result = analyse(path, "xlsx", today=TODAY)
    assert (result.format, result.sheet, result.sheets) == ("xlsx", "Datos", ["Portada", "Listas", "Datos", "Notas"])
    assert (result.encoding, result.delimiter) == (None, None)
    assert result.report["warnings"][0] == (
        "El libro tiene 4 hojas: se cargó «Datos»; no se cargaron «Portada», «Listas», «Notas»."
    )
    # a one-cell title row and a blank row before the header are skipped
    assert (result.header_row, result.rows, result.columns[0].name, len(result.columns)) == (3, 3, "comuna", 8)
    assert result.report["warnings"][1] == (
        "Los encabezados están en la fila 3: las filas anteriores se tomaron como títulos y no se cargaron "
        "(«Título del informe» en la fila 1)."
    )
    assert result.report["blank_rows"] == 0
    picked = analyse(path, "xlsx", sheet="Notas")
    assert (picked.sheet, picked.rows, [c.name for c in picked.columns]) == ("Notas", 1, ["nota"])
    assert refused(path, "xlsx", sheet="Nada").code == "sheet"
    assert refused(path, "xlsx", sheet="Portada").code == "empty"


def test_typed_workbook_cells(tmp_path: pathlib.Path) -> None:
    rows = [
        ["comuna", "población", "área", "fecha", "código", "activo", "hora", "texto"],
        [1, 35120, 2.5, dt.datetime(2024, 3, 5), "05001", True, dt.datetime(2024, 3, 5, 14, 30), "1.234,5"],
        [2, -41003, 0.1, dt.date(2024, 3, 6), "73001", False, dt.datetime(2024, 3, 5), "2,5"],
        [3, 1234567, 1e-05, "07/03/2024", "08001", None, None, 7],
    ]
    path = workbook(tmp_path, {"Hoja1": rows})
    result = analyse(path, "XLSX", today=TODAY)
    types = {c.name: (c.type, c.number_format, c.date_format) for c in result.columns}
    assert types == {
        "comuna": ("integer", "plano", None),
        "población": ("integer", "plano", None),
        "área": ("numeric", "plano", None),
        "fecha": ("date", None, "dd/mm/aaaa"),
        "código": ("text", None, None),
        "activo": ("text", None, None),
        "hora": ("text", None, None),
        "texto": ("numeric", "colombiano", None),  # typed 7 counts in any format
    }
    assert (field(result, "fecha")["min"], field(result, "fecha")["max"]) == ("2024-03-05", "2024-03-07")
    assert field(result, "área")["min"] == 1e-05
    assert field(result, "hora")["type_errors"] == 0
    assert result.report["suspicious"][0]["value"] == "-41003"
    out = tmp_path / "out.csv"
    write_copy_csv(result, path, out)
    with out.open(newline="", encoding="utf-8") as stream:
        written = list(csv.reader(stream))
    assert written == [
        rows[0],
        ["1", "35120", "2.5", "2024-03-05", "05001", "VERDADERO", "2024-03-05 14:30:00", "1234.5"],
        ["2", "-41003", "0.1", "2024-03-06", "73001", "FALSO", "2024-03-05", "2.5"],
        ["3", "1234567", "0.00001", "2024-03-07", "08001", "", "", "7"],
    ]
    again = analyse(out, "csv")
    assert [c.type for c in again.columns] == [c.type for c in result.columns]


def test_workbook_floats_follow_a_colombian_column(tmp_path: pathlib.Path) -> None:
    path = workbook(tmp_path, {"H": [["id", "valor"], [1, "1.234,5"], [2, 0.25], [3, 1234.5]]})
    result = analyse(path, "xlsx")
    assert (result.columns[1].type, result.columns[1].number_format) == ("numeric", "colombiano")
    out = tmp_path / "out.csv"
    write_copy_csv(result, path, out)
    assert out.read_text() == "id,valor\n1,1234.5\n2,0.25\n3,1234.5\n"


def test_empty_workbooks_are_refused(tmp_path: pathlib.Path) -> None:
    assert refused(workbook(tmp_path, {"A": [], "B": [[None, " "]]}), "xlsx").code == "empty"
    assert refused(workbook(tmp_path, {"A": [["solo", "encabezado"]]}), "xlsx").code == "header_only"


def test_a_workbook_declared_as_csv_is_read_as_a_workbook(tmp_path: pathlib.Path) -> None:
    path = workbook(tmp_path, {"H": [["a", "b"], [1, 2]]})
    result = analyse(path, "csv")
    assert (result.format, result.rows) == ("xlsx", 1)
    assert "se leyó como tal" in result.report["warnings"][0]


# --------------------------------------------------------------------------------------- report and bulk


def test_duplicated_rows(tmp_path: pathlib.Path) -> None:
    text = "a;b\n1;x\n2;y\n1;x\n 1 ; x \n2;y\n3;z\n"
    report = run(tmp_path, text).report
    assert report["duplicated_rows"] == {
        "count": 3,
        "examples": [{"row": 4, "same_as": 2}, {"row": 5, "same_as": 2}, {"row": 6, "same_as": 3}],
    }


def _messy_rows(count: int) -> list[list[str]]:
    """Columns of every kind, with a few odd values spread so that some chunks are uniform and some not."""
    rng = random.Random(7)
    rows = []
    for i in range(count):
        odd = i % 997 == 5
        rows.append(
            [
                str(i + 1),
                f"{rng.randint(0, 2_000_000):,}".replace(",", "."),
                f"{rng.randint(-50, 9999)},{rng.randint(0, 99)}" if not odd else "N/D",
                f"{rng.randint(1, 28)}/{rng.randint(1, 12)}/{rng.randint(1990, 2030)}" if i % 1500 else "29/02/2023",
                f"{rng.randint(0, 100)},{rng.randint(0, 9)}%",
                f"$ {rng.choice([-1, 1]) * rng.randint(1, 99)}.000",
                rng.choice(["Centro", "Norte", "Sur", " ", ""]),
                f"{rng.randint(1, 999):03d}" if i % 2 else str(rng.randint(100, 999)),
                f"{rng.random():.4f}" if i % 3 else str(rng.randint(1, 9)),
                f"2024-{rng.randint(1, 12)}-{rng.randint(1, 28)}" if i % 400 else "",
                rng.choice(["1.234", "5.000", "12.500", "7"]),
            ]
        )
    return rows


def test_bulk_counting_agrees_with_value_by_value(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    header = ["id", "población total", "área", "fecha", "pct", "valor", "zona", "código", "tasa", "iso", "hogares"]
    rows = _messy_rows(9000)
    rows[4000] = [""] * len(header)
    rows[6000] = rows[10]
    text = ";".join(header) + "\n" + "".join(";".join(row) + "\n" for row in rows)
    path = text_file(tmp_path, text)
    counted_at_once = []
    original = stats.ColumnStats._bulk

    def spy(self: stats.ColumnStats, *args: Any) -> bool:
        counted_at_once.append(original(self, *args))
        return counted_at_once[-1]

    monkeypatch.setattr(stats.ColumnStats, "_bulk", spy)
    bulk = analyse(path, "csv", today=TODAY)
    assert counted_at_once.count(True) > counted_at_once.count(False) > 0  # both ways were taken
    monkeypatch.setattr(stats, "BULK", False)
    one_by_one = analyse(path, "csv", today=TODAY)
    assert bulk.report == one_by_one.report
    assert bulk.columns == one_by_one.columns
    monkeypatch.setattr(analysis, "CHUNK_ROWS", 7)
    assert analyse(path, "csv", today=TODAY).report == bulk.report
    monkeypatch.setattr(stats, "BULK", True)
    assert analyse(path, "csv", today=TODAY).report == bulk.report
    kinds = {c.name: c.type for c in bulk.columns}
    assert kinds == {
        "id": "integer",
        "población total": "integer",
        "área": "text",
        "fecha": "text",
        "pct": "numeric",
        "valor": "integer",
        "zona": "text",
        "código": "text",
        "tasa": "numeric",
        "iso": "date",
        "hogares": "integer",
    }
    assert bulk.report["duplicated_rows"]["examples"][0] == {"row": 6002, "same_as": 12}
    assert bulk.report["blank_rows"] == 1


def test_the_copy_for_postgresql_holds_the_values_of_the_original(tmp_path: pathlib.Path) -> None:
    result = analyse(DATA / "poblacion_comunas_cp1252.csv", "csv", today=TODAY)
    out = tmp_path / "out.csv"
    write_copy_csv(result, DATA / "poblacion_comunas_cp1252.csv", out)
    with out.open(newline="", encoding="utf-8") as stream:
        written = list(csv.reader(stream))
    assert written[0] == [c.name for c in result.columns]
    assert len(written) == result.rows + 1
    assert written[1][:4] == ["1", "Comuna Uno «Centro»", "35120", "10240"]
    again = analyse(out, "csv", today=TODAY)  # the same columns, types and figures, in plain numbers
    assert [(c.name, c.type) for c in again.columns] == [(c.name, c.type) for c in result.columns]
    summary = [(f["name"], f["empty"], f["min"], f["max"]) for f in result.report["fields"]]
    assert [(f["name"], f["empty"], f["min"], f["max"]) for f in again.report["fields"]] == summary

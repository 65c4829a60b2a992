"""What PostgreSQL reads from ``copy_text`` is what ``convert`` (Python) gives, for every value: a corpus of
numbers, dates and junk is COPYed into a typed column on the project's PostgreSQL (the test database of
config/test.ini, or $CKAN_SQLALCHEMY_URL), as the loader does, under two DateStyles; and a municipal file
goes through ``write_copy_csv`` and ``COPY`` to the values ``convert`` gives for its original cells.

Nothing is left in the database: temporary tables, rolled back."""

from __future__ import annotations

import configparser
import contextlib
import csv
import datetime as dt
import io
import itertools
import os
import pathlib
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import psycopg2
import pytest

from ckanext.cimibague.tabular import WHITESPACE, Column, analyse, convert, copy_text, write_copy_csv

pytestmark = pytest.mark.unit

ROOT = pathlib.Path(__file__).parent.parent
COLUMNS = [
    Column(name="c", type="integer", number_format="colombiano"),
    Column(name="c", type="numeric", number_format="colombiano"),
    Column(name="c", type="integer", number_format="plano"),
    Column(name="c", type="numeric", number_format="plano"),
    Column(name="c", type="date", date_format="dd/mm/aaaa"),
    Column(name="c", type="text"),
]


def database_url() -> str:
    if os.environ.get("CKAN_SQLALCHEMY_URL"):
        return os.environ["CKAN_SQLALCHEMY_URL"]
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(ROOT / "config" / "test.ini")
    return parser["app:main"]["sqlalchemy.url"]


@contextlib.contextmanager
def savepoint(cursor: Any) -> Iterator[None]:
    """Undo what the block did (tables, settings), even when a statement failed."""
    cursor.execute("SAVEPOINT tabular")
    try:
        yield
    finally:
        cursor.execute("ROLLBACK TO SAVEPOINT tabular")


@pytest.fixture(scope="module")
def cursor() -> Iterator[Any]:
    connection = psycopg2.connect(database_url())
    try:
        with connection.cursor() as cur:
            yield cur
    finally:
        connection.rollback()
        connection.close()


def corpus() -> list[str | None]:
    numbers = [
        "35.120",
        "35120",
        "1.234.567,89",
        "2,5",
        "-3,75",
        "+7",
        "0,5",
        "0.5",
        "3.14159",
        "1.234",
        "0.500",
        "12.34",
        "1,234.56",
        "1.23.456",
        ",5",
        "1,",
        "1 234",
        "12,5%",
        "12.5 %",
        "$ 1.200.000",
        "$1.200.000,50",
        "-$ 1.200",
        "$ -1.200",
        "$\u00a0800",
        "-$ -5",
        "$ 12%",
        "5$",
        "1e5",
        "05001",
        "-0",
        "-0,00",
        "0",
        "00,5",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775808",
        "-9.223.372.036.854.775.808",
        "9.223.372.036.854.775.808",
        "0" * 90 + "7",
        "1" * 100,
        "1" * 101,
        "1" * 30 + ",5",
        "٣",
        "١٢",
    ]
    spaces = [None, "", " ", "\t", "\r\n", "\u00a0", "\u202f", "\ufeff", "\u200b", " \u00a035.120\u00a0 ", "\v2,5\f"]
    dates = [
        "05/03/2024",
        "5/3/2024",
        "05-03-2024",
        "2024-03-05",
        "2024-3-5",
        "2024-03-05 00:00:00",
        "2024-03-05T00:00:00.000",
        "05/03/2024 0:00",
        "05/03/2024 00:00:00",
        "2024-03-05 10:30",
        "05/03-2024",
        "12/25/2024",
        "05.03.2024",
        "05/03/24",
        "2024/03/05",
        "0999-12-31",
        "31/12/0999",
        "01/01/0001",
    ]
    days = [
        f"{d}{sep}{m}{sep}{y}" if sep != "iso" else f"{y}-{m}-{d}"
        for y, m, d, sep in itertools.product(
            ["0000", "0004", "1900", "2000", "2023", "2024", "2100", "9999"],
            ["0", "1", "01", "02", "2", "4", "04", "12", "13"],
            ["0", "1", "01", "28", "29", "30", "31", "32"],
            ["/", "-", "iso"],
        )
    ]
    junk = ["N/D", "n.d.", "-", "—", "Comuna 1", "'; DROP TABLE x; --", "a\\b", "«Centro»", "Ibagué", "ñ" * 5]
    return numbers + spaces + dates + days + junk


def _same(got: Any, expected: Any) -> bool:
    if isinstance(expected, Decimal):
        return isinstance(got, Decimal) and got == expected and got.as_tuple().exponent == expected.as_tuple().exponent
    return type(got) is type(expected) and got == expected


def _copy(cursor: Any, table: str, names: list[str], rows: list[list[str]]) -> None:
    """COPY ``rows`` as the loader does (CSV, header, empty cells NULL)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(names)
    writer.writerows(rows)
    buffer.seek(0)
    quoted = ", ".join(f'"{name}"' for name in names)
    cursor.copy_expert(
        f"COPY {table} ({quoted}) FROM STDIN WITH (FORMAT csv, HEADER true, FORCE_NULL ({quoted}))", buffer
    )


@pytest.mark.parametrize("datestyle", ["SQL, DMY", "ISO, MDY"])
@pytest.mark.parametrize("column", COLUMNS, ids=lambda c: f"{c.type}-{c.number_format or c.date_format}")
def test_what_copy_reads_from_copy_text_is_what_convert_gives(cursor: Any, column: Column, datestyle: str) -> None:
    values = corpus()
    to_copy = copy_text(column) or (lambda text: text)
    cells = []
    for value in values:
        text = (value or "").strip(WHITESPACE)
        cells.append((to_copy(text) or "") if text else "")
    with savepoint(cursor):
        cursor.execute(f'CREATE TEMP TABLE tabular_corpus (n int, "valor de la celda" {column.pg_type})')
        cursor.execute(f"SET LOCAL datestyle = '{datestyle}'")
        _copy(cursor, "tabular_corpus", ["n", "valor de la celda"], [[str(n), cell] for n, cell in enumerate(cells)])
        cursor.execute("SET LOCAL datestyle = 'ISO, DMY'")  # for psycopg2 to read the dates back
        cursor.execute('SELECT n, "valor de la celda" FROM tabular_corpus ORDER BY n')
        got = dict(cursor.fetchall())
    assert len(got) == len(values)
    mismatches = [
        (value, got[n], convert(column, value))
        for n, value in enumerate(values)
        if not _same(got[n], convert(column, value))
    ]
    assert mismatches == []
    converted = sum(convert(column, value) is not None for value in values)
    assert converted > (8 if column.type != "text" else len(values) - 12)  # the corpus has values of each type


def test_a_file_written_for_copy_loads_the_values_of_convert(cursor: Any, tmp_path: pathlib.Path) -> None:
    source = ROOT / "tests" / "data" / "tabular" / "poblacion_comunas_cp1252.csv"
    result = analyse(source, "csv", today=dt.date(2025, 6, 1))
    out = tmp_path / "datos.csv"
    assert write_copy_csv(result, source, out) == {}  # every cell fits the type the analysis chose
    names = [f'"{column.name}"' for column in result.columns]
    with savepoint(cursor):
        cursor.execute(
            "CREATE TEMP TABLE tabular_copy (_n bigserial, "
            + ", ".join(f"{name} {column.pg_type}" for name, column in zip(names, result.columns, strict=True))
            + ")"
        )
        with out.open(encoding="utf-8") as stream:
            cursor.copy_expert(
                f"COPY tabular_copy ({', '.join(names)}) FROM STDIN"
                f" WITH (FORMAT csv, HEADER true, FORCE_NULL ({', '.join(names)}))",
                stream,
            )
        cursor.execute(f"SELECT {', '.join(names)} FROM tabular_copy ORDER BY _n")
        loaded = cursor.fetchall()
    with source.open(newline="", encoding="cp1252") as stream:
        rows = [row for row in list(csv.reader(stream, delimiter=";"))[1:] if any(cell.strip() for cell in row)]
    expected = [
        tuple(convert(column, value) for column, value in zip(result.columns, row, strict=True)) for row in rows
    ]
    assert loaded == expected
    assert len(loaded) == result.rows == 8
    assert loaded[2][2] == 1234567 and loaded[0][5] == Decimal("2.5") and loaded[0][7] == dt.date(2023, 12, 31)
    assert loaded[2][4] == "N/D"  # «Viviendas» stayed text


def test_values_a_staff_correction_does_not_fit_are_written_empty_and_counted(tmp_path: pathlib.Path) -> None:
    source = tmp_path / "datos.csv"
    source.write_text("código;valor\n73001;1.200\notro;2\n;3\n", encoding="utf-8")
    result = analyse(source, "csv")
    assert result.columns[0].type == "text"
    columns = [result.columns[0].with_type("integer"), result.columns[1]]
    assert write_copy_csv(result, source, tmp_path / "copia.csv", columns) == {"código": 1}
    assert (tmp_path / "copia.csv").read_text(encoding="utf-8") == "código,valor\n73001,1200\n,2\n,3\n"

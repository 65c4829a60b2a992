"""The conversion of one value (ckanext/cimibague/tabular/rules.py): every Colombian and plain number form,
percentages and pesos, leading zeros, the int8 range, dates (day first, ISO, leap years), whitespace;
and that the date patterns PostgreSQL uses accept exactly the dates Python's calendar has."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from decimal import Decimal

import pytest

from ckanext.cimibague.tabular import Column, convert, rules

pytestmark = pytest.mark.unit

COL_INT = Column(name="x", type="integer", number_format="colombiano")
COL_NUM = Column(name="x", type="numeric", number_format="colombiano")
PLAIN_INT = Column(name="x", type="integer", number_format="plano")
PLAIN_NUM = Column(name="x", type="numeric", number_format="plano")
DATE = Column(name="x", type="date", date_format="dd/mm/aaaa")
TEXT = Column(name="x")


@pytest.mark.parametrize(
    ("value", "integer", "numeric"),
    [
        ("35.120", 35120, Decimal("35120")),
        ("35120", 35120, Decimal("35120")),
        ("1.234.567", 1234567, Decimal("1234567")),
        ("1.234.567,89", None, Decimal("1234567.89")),
        ("2,5", None, Decimal("2.5")),
        ("-3,75", None, Decimal("-3.75")),
        ("+7", 7, Decimal("7")),
        ("1234,5", None, Decimal("1234.5")),
        ("0,5", None, Decimal("0.5")),
        ("1.234", 1234, Decimal("1234")),  # the dot groups thousands in a Colombian column
        ("12,5%", None, Decimal("12.5")),  # percentage points: the unit is reported, not applied
        ("12 %", 12, Decimal("12")),
        ("$ 1.200.000", 1200000, Decimal("1200000")),
        ("$1.200.000,50", None, Decimal("1200000.50")),
        ("-$ 1.200", -1200, Decimal("-1200")),
        ("$ -1.200", -1200, Decimal("-1200")),
        ("05001", 5001, Decimal("5001")),  # converts; the analysis keeps such columns as text
        ("-0", 0, Decimal("0")),
        # not Colombian numbers
        ("0.5", None, None),
        ("3.14159", None, None),
        ("0.500", None, None),  # a thousands group never starts with 0
        ("1234.567", None, None),
        ("12.34", None, None),
        ("1,234.56", None, None),  # US style
        ("1.23.456", None, None),
        (",5", None, None),
        ("1,", None, None),
        ("1 234", None, None),
        ("$ 12%", None, None),
        ("-$ -5", None, None),
        ("5$", None, None),
        ("1e5", None, None),
        ("N/D", None, None),
        ("٣", None, None),  # an Arabic-Indic digit is not [0-9]
    ],
)
def test_colombian_numbers(value: str, integer: int | None, numeric: Decimal | None) -> None:
    assert convert(COL_INT, value) == integer
    assert type(convert(COL_INT, value)) is (int if integer is not None else type(None))
    got = convert(COL_NUM, value)
    assert got == numeric
    if numeric is not None:
        assert isinstance(got, Decimal)
        assert got.as_tuple().exponent == numeric.as_tuple().exponent  # the scale is kept: 1200000.50


@pytest.mark.parametrize(
    ("value", "integer", "numeric"),
    [
        ("35120", 35120, Decimal("35120")),
        ("2.5", None, Decimal("2.5")),
        ("0.5", None, Decimal("0.5")),
        ("3.14159", None, Decimal("3.14159")),
        ("-3.75", None, Decimal("-3.75")),
        ("1.234", None, Decimal("1.234")),  # in a plain column the dot is decimal
        ("12.5%", None, Decimal("12.5")),
        ("$ 1200.50", None, Decimal("1200.50")),
        ("35.120", None, Decimal("35.120")),
        ("2,5", None, None),
        ("1.234.567", None, None),
        ("1,234.5", None, None),
    ],
)
def test_plain_numbers(value: str, integer: int | None, numeric: Decimal | None) -> None:
    assert convert(PLAIN_INT, value) == integer
    assert convert(PLAIN_NUM, value) == numeric


def test_integers_fit_in_int8_and_long_values_are_not_numbers() -> None:
    assert convert(PLAIN_INT, "9223372036854775807") == 2**63 - 1
    assert convert(PLAIN_INT, "-9223372036854775808") == -(2**63)
    assert convert(PLAIN_INT, "9223372036854775808") is None
    assert convert(COL_INT, "9.223.372.036.854.775.808") is None
    assert convert(PLAIN_NUM, "9223372036854775808") == Decimal("9223372036854775808")
    assert convert(PLAIN_INT, "0" * 90 + "7") == 7  # leading zeros do not count towards the 19 digits
    assert convert(PLAIN_NUM, "1" * rules.MAX_NUMBER_LENGTH) == Decimal("1" * rules.MAX_NUMBER_LENGTH)
    assert convert(PLAIN_NUM, "1" * (rules.MAX_NUMBER_LENGTH + 1)) is None
    assert convert(PLAIN_INT, "0" * 5000 + "1") is None  # no int() of 5000 digits (Python's limit)


@pytest.mark.parametrize("column", [COL_INT, COL_NUM, PLAIN_INT, PLAIN_NUM, DATE, TEXT])
@pytest.mark.parametrize("value", [None, "", " ", "\t\r\n", "\u00a0", "\u202f\ufeff", "\u200b "])
def test_empty_and_blank_are_none(column: Column, value: str | None) -> None:
    assert convert(column, value) is None


def test_cells_are_trimmed_of_spreadsheet_spaces() -> None:
    assert convert(COL_INT, "\u00a035.120\u00a0") == 35120
    assert convert(COL_NUM, " \t2,5\r\n") == Decimal("2.5")
    assert convert(DATE, "\ufeff05/03/2024 ") == dt.date(2024, 3, 5)
    assert convert(TEXT, "  Comuna 1\u00a0") == "Comuna 1"
    assert convert(TEXT, "a  b") == "a  b"  # inner spaces stay


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("05/03/2024", dt.date(2024, 3, 5)),  # day first, always
        ("5/3/2024", dt.date(2024, 3, 5)),
        ("05-03-2024", dt.date(2024, 3, 5)),
        ("2024-03-05", dt.date(2024, 3, 5)),
        ("2024-3-5", dt.date(2024, 3, 5)),
        ("2024-03-05 00:00:00", dt.date(2024, 3, 5)),
        ("2024-03-05T00:00:00.000", dt.date(2024, 3, 5)),
        ("05/03/2024 0:00", dt.date(2024, 3, 5)),
        ("29/02/2024", dt.date(2024, 2, 29)),
        ("29/02/2000", dt.date(2000, 2, 29)),
        ("31/12/9999", dt.date(9999, 12, 31)),
        ("01/01/0001", dt.date(1, 1, 1)),
        ("29/02/2023", None),  # not a leap year
        ("29/02/1900", None),  # divisible by 100, not by 400
        ("2023-02-29", None),
        ("31/04/2024", None),
        ("12/25/2024", None),  # month first is not read
        ("00/01/2024", None),
        ("01/01/0000", None),
        ("05/03-2024", None),  # two separators
        ("05.03.2024", None),
        ("05/03/24", None),  # two-digit years are not read
        ("2024-03-05 10:30", None),  # a time of day is not a date
        ("2024/03/05", None),
        ("hoy", None),
    ],
)
def test_dates(value: str, expected: dt.date | None) -> None:
    assert convert(DATE, value) == expected


def test_text_and_pg_types() -> None:
    assert convert(TEXT, "N/D") == "N/D"
    assert [Column(name="x", type=kind).pg_type for kind in rules.TYPES] == ["int8", "numeric", "date", "text"]
    assert Column(name="x", type="integer", pg_type="text").pg_type == "int8"  # always the type's
    with pytest.raises(ValueError, match="unknown column type"):
        Column(name="x", type="money")


def test_with_type_for_the_data_dictionary() -> None:
    text = Column(name="poblacion", reason="Valores mezclados: …")
    numeric = text.with_type("numeric")
    assert (numeric.type, numeric.pg_type, numeric.number_format, numeric.reason) == (
        "numeric",
        "numeric",
        "colombiano",
        None,
    )
    assert text.with_type("integer", number_format="plano").number_format == "plano"
    assert PLAIN_NUM.with_type("integer").number_format == "plano"  # keeps its format
    date = numeric.with_type("date")
    assert (date.pg_type, date.number_format, date.date_format) == ("date", None, "dd/mm/aaaa")
    assert date.with_type("text") == Column(name="poblacion")
    assert convert(text.with_type("numeric"), "N/D") is None  # forced: what does not fit is None


def _calendar_cases() -> list[str]:
    years = ["0001", "0004", "0100", "0400", "1600", "1700", "1900", "2000", "2023", "2024", "2100", "2400", "9999"]
    years += ["0000"]
    values = []
    for year, month, day in itertools.product(years, range(14), range(33)):
        for m, d in {(str(month), str(day)), (f"{month:02d}", f"{day:02d}")}:
            values += [f"{d}/{m}/{year}", f"{d}-{m}-{year}", f"{year}-{m}-{d}"]
    return values


def test_the_date_patterns_accept_exactly_the_existing_dates() -> None:
    """The analysis matches a whole chunk of a column at once with these patterns, so they must know the
    calendar: checked against Python's on every day 0-32 of every month 0-13 of years around the leap-year
    rules."""
    dmy, iso = re.compile(rules.VALID_DATE_DMY), re.compile(rules.VALID_DATE_ISO)
    cases = _calendar_cases()
    assert len(cases) > 30_000
    for value in cases:
        parsed = rules.parse_date(value)
        valid = isinstance(parsed, dt.date)
        assert (dmy.match(value) is not None or iso.match(value) is not None) is valid, value
        assert (parsed is not None) is True, value  # all are shaped like dates

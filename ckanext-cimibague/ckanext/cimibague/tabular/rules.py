"""The conversion rules of one cell: its Python value (:func:`convert`) and the text PostgreSQL's ``COPY``
reads as the same value into a typed column (:func:`copy_text`).

Both apply the same regular expressions (written with ``[0-9]`` rather than ``\\d``, no ``\\s``, no
look-around, so that they mean the same in any engine), so that a value loads as the value the quality
report and the analysis counted. ``tests/test_tabular_sql.py`` runs a corpus of values through PostgreSQL.

Every cell is first trimmed of :data:`WHITESPACE` (spaces, tabs, line breaks and the Unicode spaces that
spreadsheets leave behind: no-break space, narrow no-break space, figure space, zero-width space, BOM);
an empty cell is ``None`` / ``NULL``.

Numbers (``integer`` → ``int8``, ``numeric`` → ``numeric``), by the column's ``number_format``:

- ``colombiano``: ``.`` groups thousands (``35.120``, ``1.234.567``: the first group 1 to 3 digits not
  starting with 0, then groups of exactly 3) and ``,`` is the decimal mark (``2,5``, ``1.234.567,89``);
  digits without separators (``35120``) too;
- ``plano``: no thousands separator, ``.`` is the decimal mark (``35120``, ``2.5``, ``3.14159``);
- either: an optional sign, an optional ``$`` before the number (``$ 1.200.000``, ``-$ 1.200``,
  ``$ -1.200``) or an optional ``%`` after it (``12,5%`` → 12.5: the value in percentage points; the
  unit is reported, not applied); an ``integer`` value has no decimal part, and must fit in ``int8``;
- digits with leading zeros (``05001``) convert (5001): it is the *inference* (``analysis.py``) that keeps
  such a column as text, so that DANE codes keep their zeros.

Dates (``date``), whatever the column's ``date_format``: ``d/m/aaaa`` or ``d-m-aaaa`` (one or two digits
for day and month, the same separator twice; never month first) and ISO ``aaaa-m-d``, each optionally
followed by a midnight time (``2024-03-05 00:00:00``, ``05/03/2024 0:00``: how spreadsheets export a
plain date); the date must exist (``29/02/2023`` does not), years 0001 to 9999.

Text (``text``): the trimmed value.

A non-empty value that does not fit the column's type converts to ``None`` / ``NULL`` (never an error):
the inference never gives a column a type that one of its values does not fit, so this only happens
when staff force a type in the data dictionary; the loader counts those values and says so.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ckanext.cimibague.tabular.analysis import Column

__all__ = [
    "DATE_DMY",
    "DATE_FORMATS",
    "DATE_ISO",
    "INT8_MAX",
    "INT8_MIN",
    "INVALID_DATE",
    "MAX_NUMBER_LENGTH",
    "MIDNIGHT",
    "NUMBER_FORMATS",
    "NUMBER_PATTERNS",
    "PG_TYPES",
    "TYPES",
    "VALID_DATE_DMY",
    "VALID_DATE_ISO",
    "VALID_DMY_BODY",
    "VALID_ISO_BODY",
    "WHITESPACE",
    "canonical_number",
    "clean",
    "convert",
    "copy_text",
    "parse_date",
]

TYPES = ("integer", "numeric", "date", "text")
PG_TYPES = {"integer": "int8", "numeric": "numeric", "date": "date", "text": "text"}
NUMBER_FORMATS = ("colombiano", "plano")
DATE_FORMATS = ("dd/mm/aaaa", "iso")
INT8_MIN = -(2**63)
INT8_MAX = 2**63 - 1
#: A longer value is never a number (PostgreSQL's numeric has limits; no municipal figure is that long).
MAX_NUMBER_LENGTH = 100

#: What is trimmed from both ends of every cell.
WHITESPACE = " \t\n\r\f\v\u00a0\u2007\u202f\u200b\ufeff"

_SP = "[ \u00a0]*"  # spaces allowed between "$" and the number, and between the number and "%"
_COL_INT = r"(?:[1-9][0-9]{0,2}(?:\.[0-9]{3})+|[0-9]+)"
_COL_FRAC = r"(?:,[0-9]+)?"
_PLAIN_INT = r"[0-9]+"
_PLAIN_FRAC = r"(?:\.[0-9]+)?"


def _number(body: str) -> str:
    """A whole-value pattern: the number ``body`` with an optional sign and either ``$`` or ``%``."""
    return rf"^(?:[+-]?\${_SP}{body}|\${_SP}[+-]{body}|[+-]?{body}(?:{_SP}%)?)$"


#: (type, number_format) → the pattern a value must match.
NUMBER_PATTERNS: dict[tuple[str, str], str] = {
    ("integer", "colombiano"): _number(_COL_INT),
    ("numeric", "colombiano"): _number(_COL_INT + _COL_FRAC),
    ("integer", "plano"): _number(_PLAIN_INT),
    ("numeric", "plano"): _number(_PLAIN_INT + _PLAIN_FRAC),
}
_NUMBER_RE = {key: re.compile(pattern) for key, pattern in NUMBER_PATTERNS.items()}
#: The characters kept (besides digits) to build the canonical decimal of each format, and the mark.
_KEEP = {"colombiano": ("[^0-9,]", ","), "plano": ("[^0-9.]", ".")}
_KEEP_RE = {fmt: re.compile(pattern) for fmt, (pattern, _mark) in _KEEP.items()}

MIDNIGHT = r"[ T]0{1,2}:00(?::00(?:\.0+)?)?"
_MIDNIGHT = rf"(?:{MIDNIGHT})?"
#: Date-like values (valid or not): day/month/year with one separator, and ISO.
DATE_DMY = rf"^([0-9]{{1,2}})([/-])([0-9]{{1,2}})\2([0-9]{{4}}){_MIDNIGHT}$"
DATE_ISO = rf"^([0-9]{{4}})-([0-9]{{1,2}})-([0-9]{{1,2}}){_MIDNIGHT}$"
_DMY_RE = re.compile(DATE_DMY)
_ISO_RE = re.compile(DATE_ISO)

# The same, matching only dates that exist (the analysis matches a whole chunk of a column at once).
_YEAR = r"(?:[0-9]{3}[1-9]|[0-9]{2}[1-9]0|[0-9][1-9]00|[1-9]000)"  # 0001-9999
_LEAP = r"(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)"
_D31 = r"(?:0?[1-9]|[12][0-9]|3[01])"
_D30 = r"(?:0?[1-9]|[12][0-9]|30)"
_D28 = r"(?:0?[1-9]|1[0-9]|2[0-8])"
_M31 = r"(?:0?[13578]|1[02])"
_M30 = r"(?:0?[469]|11)"
_M2 = r"0?2"


def _dmy(sep: str) -> str:
    return rf"(?:(?:{_D31}{sep}{_M31}|{_D30}{sep}{_M30}|{_D28}{sep}{_M2}){sep}{_YEAR}|29{sep}{_M2}{sep}{_LEAP})"


#: Existing dates only, without anchors (``VALID_DATE_*`` anchor them; the analysis joins many values).
VALID_DMY_BODY = rf"(?:{_dmy('/')}|{_dmy('-')}){_MIDNIGHT}"
VALID_ISO_BODY = rf"(?:{_YEAR}-(?:{_M31}-{_D31}|{_M30}-{_D30}|{_M2}-{_D28})|{_LEAP}-{_M2}-29){_MIDNIGHT}"
VALID_DATE_DMY = rf"^{VALID_DMY_BODY}$"
VALID_DATE_ISO = rf"^{VALID_ISO_BODY}$"

#: parse_date's answer for a value shaped like a date that does not exist (31/04/2024, 29/02/2023).
INVALID_DATE = object()


def clean(value: str | None) -> str:
    """The value trimmed of :data:`WHITESPACE` (``""`` for ``None``)."""
    return value.strip(WHITESPACE) if value else ""


def canonical_number(value: str, number_format: str) -> str:
    """The plain decimal text (``-1234.5``) of a trimmed value already known to match a number pattern of
    ``number_format``: its digits and decimal mark, with ``-`` in front if it has one."""
    pattern = _KEEP_RE[number_format]
    digits = pattern.sub("", value)
    if number_format == "colombiano":
        digits = digits.replace(",", ".")
    return "-" + digits if "-" in value else digits


def parse_date(value: str) -> dt.date | object | None:
    """The date of a trimmed value; :data:`INVALID_DATE` if it is shaped like a date (``31/04/2024``) that
    does not exist; ``None`` if it does not look like a date."""
    match = _DMY_RE.match(value)
    if match is not None:
        day, month, year = int(match.group(1)), int(match.group(3)), int(match.group(4))
    else:
        match = _ISO_RE.match(value)
        if match is None:
            return None
        year, month, day = int(match.group(1)), int(match.group(2)), int(match.group(3))
    try:
        return dt.date(year, month, day)
    except ValueError:
        return INVALID_DATE


def _number_format(column: Column) -> str:
    return column.number_format if column.number_format in NUMBER_FORMATS else "colombiano"


def convert(column: Column, value: str | None) -> int | decimal.Decimal | dt.date | str | None:
    """The Python value of one cell of ``column``: ``int`` (integer), ``decimal.Decimal`` (numeric),
    ``datetime.date`` (date) or ``str`` (text); ``None`` for an empty cell or a value that does not fit
    the column's type (see the module's docstring for the rules, the same as :func:`copy_text`'s)."""
    text = clean(value)
    if not text:
        return None
    kind = column.type
    if kind == "text":
        return text
    if kind == "date":
        parsed = parse_date(text)
        return parsed if isinstance(parsed, dt.date) else None
    fmt = _number_format(column)
    if len(text) > MAX_NUMBER_LENGTH or _NUMBER_RE[(kind, fmt)].match(text) is None:
        return None
    canonical = canonical_number(text, fmt)
    if kind == "integer":
        digits = canonical.lstrip("-").lstrip("0") or "0"
        if len(digits) > 19:
            return None
        number = -int(digits) if canonical.startswith("-") else int(digits)
        return number if INT8_MIN <= number <= INT8_MAX else None
    result = decimal.Decimal(canonical)
    return abs(result) if result.is_zero() else result  # no "-0" (PostgreSQL's numeric has none)


# ------------------------------------------------------------------------------------------------ COPY

#: Per number format: what a matching value loses to become PostgreSQL's input (sign, ``$``, ``%``,
#: spaces, thousands marks) and the decimal mark turned into a point; ``-`` stays where it is.
_COPY_TABLES = {
    "colombiano": str.maketrans({".": None, ",": ".", "+": None, "$": None, "%": None, " ": None, "\u00a0": None}),
    "plano": str.maketrans({",": None, "+": None, "$": None, "%": None, " ": None, "\u00a0": None}),
}
#: Distinct date values remembered per column while a file is written (dates repeat: cut-off dates, days).
_DATE_CACHE = 100_000


def copy_text(column: Column) -> Callable[[str], str | None] | None:
    """The function giving, for one trimmed, non-empty cell of ``column``, the text PostgreSQL reads as
    :func:`convert`'s value under ``column.pg_type`` (``-1234.5``, ``2024-03-05`` whatever the DateStyle),
    or ``None`` when the value does not fit the type — what a loader writes for ``COPY`` into a typed
    column. ``None`` (no function) for a text column: its cells are copied as they are.
    ``tests/test_tabular_sql.py`` runs a corpus through both ways."""
    kind = column.type
    if kind == "text":
        return None
    if kind == "date":
        cache: dict[str, str | None] = {}

        def date_text(text: str) -> str | None:
            try:
                return cache[text]
            except KeyError:
                parsed = parse_date(text)
                result = parsed.isoformat() if isinstance(parsed, dt.date) else None
                if len(cache) < _DATE_CACHE:
                    cache[text] = result
                return result

        return date_text
    fmt = _number_format(column)
    pattern = _NUMBER_RE[(kind, fmt)].match
    table = _COPY_TABLES[fmt]
    integer = kind == "integer"

    def number_text(text: str) -> str | None:
        if len(text) > MAX_NUMBER_LENGTH or pattern(text) is None:
            return None
        canonical = text.translate(table)
        if integer and len(canonical) > 18:  # perhaps beyond int8 (leading zeros included)
            number = int(canonical)
            return str(number) if INT8_MIN <= number <= INT8_MAX else None
        return canonical

    return number_text

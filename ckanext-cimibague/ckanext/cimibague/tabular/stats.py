"""What one column holds, gathered chunk by chunk: counts of each kind of value, ranges, a few examples.

:meth:`ColumnStats.observe` classifies one value (the reference); :meth:`ColumnStats.chunk` takes a chunk
of a column's values and, when the whole chunk is of one plain kind (all text, all digits, all Colombian
or all plain numbers, with or without one unit), counts it with a few C-level operations over the
values joined by NUL (which no text cell holds: text files with NUL bytes are refused, workbook strings
lose theirs); any other chunk goes value by value. Both ways give the same counts, ranges and examples
(``tests/test_tabular_analysis.py`` checks it), the bulk way several times faster.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Sequence
from typing import Any

from ckanext.cimibague.tabular import reader, rules

__all__ = ["EXAMPLES", "ColumnStats", "Range"]

EXAMPLES = 5
DATE_MEMO = 4096
#: Process chunks in bulk (tests turn it off to compare with the value-by-value way).
BULK = True

_NUMBER_START = frozenset("0123456789+-$")
_DIGITS = frozenset("0123456789")
_COL_RE = re.compile(rules.NUMBER_PATTERNS[("numeric", "colombiano")])
_PLAIN_RE = re.compile(rules.NUMBER_PATTERNS[("numeric", "plano")])

# Bulk patterns, over values joined by NUL. The bodies are rules' (sign, digits, decimals), units apart.
_SP = "[ \u00a0]*"
_COL_BODY = r"(?:[1-9][0-9]{0,2}(?:\.[0-9]{3})+|[0-9]+)(?:,[0-9]+)?"
_PLAIN_BODY = r"[0-9]+(?:\.[0-9]+)?"


def _all(pattern: str) -> re.Pattern[str]:
    """Values joined as NUL + value + NUL + value…, all matching ``pattern`` (use with fullmatch)."""
    return re.compile(rf"(?:\x00(?:{pattern}))+")


_BULK: dict[tuple[str, str], re.Pattern[str]] = {}
for _fmt, _body in (("colombiano", _COL_BODY), ("plano", _PLAIN_BODY)):
    _BULK[(_fmt, "")] = _all(rf"[+-]?{_body}")
    _BULK[(_fmt, "$")] = _all(rf"(?:[+-]?\${_SP}{_body}|\${_SP}[+-]{_body})")
    _BULK[(_fmt, "%")] = _all(rf"[+-]?{_body}{_SP}%")
_UNIT_STRIP = {"$": re.compile(rf"\${_SP}"), "%": re.compile(rf"{_SP}%")}
# Each value is preceded by NUL: the scans jump from NUL to NUL (a literal prefix), fast.
_NUMBER_START_RE = re.compile(r"\x00[0-9+\-$]")
_AMBIGUOUS_RE = re.compile(r"\x00[+-]?[1-9][0-9]{0,2}\.[0-9]{3}(?=\x00|$)")
_NEUTRAL_RE = re.compile(r"\x00[+-]?[0-9]+(?=\x00|$)")
_LEAD_RE = re.compile(r"\x00[+-]?0[0-9]")
_DMY_BULK = _all(rules.VALID_DMY_BODY)
_ISO_BULK = _all(rules.VALID_ISO_BODY)
_DMY_ALL = re.compile(r"\x00([0-9]{1,2})[/-]([0-9]{1,2})[/-]([0-9]{4})")
_ISO_ALL = re.compile(r"\x00([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_AMBIGUOUS_ONE = re.compile(r"^[+-]?[1-9][0-9]{0,2}\.[0-9]{3}$")
_NEUTRAL_ONE = re.compile(r"^[+-]?[0-9]+$")
_LEAD_ONE = re.compile(r"^[+-]?0[0-9]")

Example = tuple[int, str]


class Range:
    """The smallest and largest of some numbers: floats compared, the exact text of each kept."""

    __slots__ = ("high", "high_text", "low", "low_text")

    def __init__(self) -> None:
        self.low = math.inf
        self.high = -math.inf
        self.low_text = ""
        self.high_text = ""

    def add(self, value: float, text: str) -> None:
        if value < self.low:
            self.low, self.low_text = value, text
        if value > self.high:
            self.high, self.high_text = value, text

    def add_all(self, values: list[float], texts: Sequence[str]) -> None:
        low, high = min(values), max(values)
        if low < self.low:
            self.low, self.low_text = low, texts[values.index(low)]
        if high > self.high:
            self.high, self.high_text = high, texts[values.index(high)]

    def merge(self, other: Range) -> Range:
        merged = Range()
        for part in (self, other):
            if part.low_text:
                merged.add(part.low, part.low_text)
                merged.add(part.high, part.high_text)
        return merged


class ColumnStats:
    """Counters, ranges and the first examples (row, value) of one column.

    Counts: ``empty``; ``text``; ``num`` (numbers, ``num_str`` of them written as text, by ``unit``:
    ``""``, ``$``, ``%``), of which ``col`` only Colombian (``2,5``, ``1.234.567``), ``plain`` only
    plain (``0.5``), ``ambig`` either (``1.234``), ``lead`` with leading zeros; decimals ``frac_col``
    (read the Colombian way), ``frac_plain`` (the plain way), ``frac_typed`` (workbook floats); dates
    ``date`` (``date_dmy``, ``date_iso`` written so), ``date_bad`` (shaped like a date that does not
    exist); ``negative`` (only in a column named for counts) and ``future`` dates."""

    __slots__ = (
        "ambig",
        "col",
        "col_range",
        "countlike",
        "date",
        "date_bad",
        "date_dmy",
        "date_high",
        "date_iso",
        "date_low",
        "date_memo",
        "empty",
        "ex_bad_date",
        "ex_col",
        "ex_date",
        "ex_lead",
        "ex_num",
        "ex_plain",
        "ex_text",
        "ex_unit",
        "frac_col",
        "frac_plain",
        "frac_typed",
        "future",
        "future_ex",
        "lead",
        "negative",
        "negative_ex",
        "neutral_range",
        "num",
        "num_str",
        "plain",
        "plain_range",
        "text",
        "today",
        "unit",
    )

    def __init__(self, countlike: bool, today: dt.date) -> None:
        self.countlike = countlike
        self.today = today
        self.empty = self.text = self.num = self.num_str = 0
        self.col = self.plain = self.ambig = self.lead = 0
        self.frac_col = self.frac_plain = self.frac_typed = 0
        self.date = self.date_bad = self.date_dmy = self.date_iso = 0
        self.negative = self.future = 0
        self.unit = {"": 0, "$": 0, "%": 0}
        self.neutral_range = Range()
        self.col_range = Range()
        self.plain_range = Range()
        self.date_low: dt.date | None = None
        self.date_high: dt.date | None = None
        self.date_memo: dict[str, Any] = {}
        self.ex_text: list[Example] = []
        self.ex_num: list[Example] = []
        self.ex_date: list[Example] = []
        self.ex_bad_date: list[Example] = []
        self.ex_col: list[Example] = []
        self.ex_plain: list[Example] = []
        self.ex_lead: list[Example] = []
        self.ex_unit: dict[str, list[Example]] = {"": [], "$": [], "%": []}
        self.negative_ex: list[Example] = []
        self.future_ex: list[Example] = []

    @property
    def nonempty(self) -> int:
        return self.text + self.num + self.date + self.date_bad

    # ------------------------------------------------------------------------------------ chunk by chunk

    def chunk(self, values: Sequence[Any], rows: Sequence[int], strings: bool) -> None:
        """Count a chunk of trimmed values (``""`` for empty) found in ``rows``; ``strings``: all are
        ``str`` (a text file), else workbook cells (``str`` or typed)."""
        empty = values.count("")
        self.empty += empty
        if empty == len(values):
            return
        if strings and BULK:
            filled = [value for value in values if value] if empty else values
            if self._bulk(filled, "\x00" + "\x00".join(filled), values, rows):
                return
        for value, row in zip(values, rows, strict=True):
            if value == "":
                continue
            if type(value) is str:
                self.observe(value, row)
            else:
                self.typed(value, row)

    def _bulk(self, filled: Sequence[str], joined: str, values: Sequence[str], rows: Sequence[int]) -> bool:
        """Count the chunk at once if it is of one kind; False (nothing counted) if it is not. ``joined``:
        each value preceded by NUL."""
        count = len(filled)
        if _NUMBER_START_RE.search(joined) is None:
            self.text += count
            self._examples(self.ex_text, values, rows, bool)
            return True
        if max(map(len, filled)) > rules.MAX_NUMBER_LENGTH:
            return False
        bare = joined.replace("\x00", "")
        if bare.isdigit() and bare.isascii():
            self._bulk_numbers(filled, joined, values, rows, "", "colombiano", count, 0, count)
            return True
        if "/" in joined:
            return _DMY_BULK.fullmatch(joined) is not None and self._bulk_dates(joined, values, rows, count, True)
        if joined[5:6] == "-" and _ISO_BULK.fullmatch(joined) is not None:
            return self._bulk_dates(joined, values, rows, count, False)
        unit = ""
        if "$" in joined:
            unit = "$"
        elif "%" in joined:
            unit = "%"
        if unit and joined.count(unit) != count:
            return False
        for fmt in ("colombiano", "plano"):
            if _BULK[(fmt, unit)].fullmatch(joined) is None:
                continue
            if unit:
                joined = _UNIT_STRIP[unit].sub("", joined)
            ambiguous = len(_AMBIGUOUS_RE.findall(joined))
            neutral = len(_NEUTRAL_RE.findall(joined))
            self._bulk_numbers(filled, joined, values, rows, unit, fmt, count, ambiguous, neutral)
            return True
        return False

    def _bulk_numbers(
        self,
        filled: Sequence[str],
        joined: str,
        values: Sequence[str],
        rows: Sequence[int],
        unit: str,
        fmt: str,
        count: int,
        ambiguous: int,
        neutral: int,
    ) -> None:
        """A chunk of numbers, all in ``fmt`` (or either) with ``unit``; ``joined`` (each value preceded by
        NUL) without the unit."""
        only = count - ambiguous - neutral  # only Colombian (fmt colombiano) or only plain (fmt plano)
        self.num += count
        self.num_str += count
        self.unit[unit] += count
        self.ambig += ambiguous
        lead = len(_LEAD_RE.findall(joined))
        self.lead += lead
        self._examples(self.ex_num, values, rows, bool)
        self._examples(self.ex_unit[unit], values, rows, bool)
        if lead:
            self._examples(self.ex_lead, values, rows, lambda v: _LEAD_ONE.match(_bare(v, unit)) is not None)
        if only:
            kind = self.ex_col if fmt == "colombiano" else self.ex_plain
            self._examples(kind, values, rows, lambda v: _only(_bare(v, unit)))
        texts: Sequence[str]
        if fmt == "colombiano":
            self.col += only
            self.frac_col += joined.count(",")
            self.frac_plain += ambiguous
            texts = joined[1:].replace(".", "").replace(",", ".").split("\x00")
            numbers = list(map(float, texts))
            self.col_range.add_all(numbers, texts)
            if not only:  # ambiguous and neutral values only: the plain reading may be the column's
                texts = joined[1:].split("\x00") if unit else filled
                self.plain_range.add_all(list(map(float, texts)), texts)
        else:
            self.plain += only
            self.frac_plain += joined.count(".")
            texts = joined[1:].split("\x00") if unit else filled
            numbers = list(map(float, texts))
            self.plain_range.add_all(numbers, texts)
        if self.countlike and "-" in joined:
            for value, row in zip(values, rows, strict=True):
                if value and "-" in value and float(_canonical(_bare(value, unit), fmt)) < 0:
                    self._add_negative(value, row)

    def _bulk_dates(self, joined: str, values: Sequence[str], rows: Sequence[int], count: int, dmy: bool) -> bool:
        """A chunk of existing dates, all day/month/year (``dmy``) or all ISO: compared as ``aaaammdd``."""
        if dmy:
            keys = [year + month.zfill(2) + day.zfill(2) for day, month, year in _DMY_ALL.findall(joined)]
            self.date_dmy += count
        else:
            keys = [year + month.zfill(2) + day.zfill(2) for year, month, day in _ISO_ALL.findall(joined)]
            self.date_iso += count
        self.date += count
        self._examples(self.ex_date, values, rows, bool)
        low, high = _key_date(min(keys)), _key_date(max(keys))
        if self.date_low is None or low < self.date_low:
            self.date_low = low
        if self.date_high is None or high > self.date_high:
            self.date_high = high
        if high > self.today:
            today = f"{self.today.year:04d}{self.today.month:02d}{self.today.day:02d}"
            filled = [(row, value) for value, row in zip(values, rows, strict=True) if value]
            for key, (row, value) in zip(keys, filled, strict=True):
                if key > today:
                    self.future += 1
                    if len(self.future_ex) < EXAMPLES:
                        self.future_ex.append((row, value))
        return True

    @staticmethod
    def _examples(
        examples: list[Example], values: Sequence[str], rows: Sequence[int], wanted: Callable[[str], bool]
    ) -> None:
        if len(examples) >= EXAMPLES:
            return
        for value, row in zip(values, rows, strict=True):
            if value and wanted(value):
                examples.append((row, value))
                if len(examples) >= EXAMPLES:
                    return

    # ------------------------------------------------------------------------------------ value by value

    def observe(self, value: str, row: int) -> None:
        """One trimmed, non-empty value of a text cell."""
        if value[0] not in _NUMBER_START:
            self._add_text(value, row)
        elif value.isdigit() and value.isascii():
            self._digits(value, row)
        else:
            self._other(value, row)

    def _digits(self, value: str, row: int) -> None:
        if len(value) > rules.MAX_NUMBER_LENGTH:
            self._add_text(value, row)
            return
        self.num += 1
        self.num_str += 1
        self.unit[""] += 1
        if value[0] == "0" and len(value) > 1:
            self.lead += 1
            if len(self.ex_lead) < EXAMPLES:
                self.ex_lead.append((row, value))
        self.neutral_range.add(float(value), value)
        if len(self.ex_num) < EXAMPLES:
            self.ex_num.append((row, value))
        if len(self.ex_unit[""]) < EXAMPLES:
            self.ex_unit[""].append((row, value))

    def _other(self, value: str, row: int) -> None:
        if len(value) > rules.MAX_NUMBER_LENGTH:
            self._add_text(value, row)
            return
        if value[0] in _DIGITS and ("/" in value or "-" in value):
            self._maybe_date(value, row)
            return
        in_col = _COL_RE.match(value) is not None
        in_plain = _PLAIN_RE.match(value) is not None
        if not (in_col or in_plain):
            self._add_text(value, row)
            return
        self.num += 1
        self.num_str += 1
        unit = "$" if "$" in value else "%" if "%" in value else ""
        self.unit[unit] += 1
        if len(self.ex_unit[unit]) < EXAMPLES:
            self.ex_unit[unit].append((row, value))
        if len(self.ex_num) < EXAMPLES:
            self.ex_num.append((row, value))
        body = value.lstrip("+-$ \u00a0")
        if len(body) > 1 and body[0] == "0" and body[1] in _DIGITS:
            self.lead += 1
            if len(self.ex_lead) < EXAMPLES:
                self.ex_lead.append((row, value))
        if in_col and in_plain:
            if "." in value:  # 1.234: Colombian 1234 or plain 1.234
                self.ambig += 1
                self.frac_plain += 1
                text = rules.canonical_number(value, "colombiano")
                number = float(text)
                self.col_range.add(number, text)
                text = rules.canonical_number(value, "plano")
                self.plain_range.add(float(text), text)
            else:  # digits with a sign or a unit
                text = rules.canonical_number(value, "plano")
                number = float(text)
                self.neutral_range.add(number, text)
        elif in_col:
            self.col += 1
            if "," in value:
                self.frac_col += 1
            if len(self.ex_col) < EXAMPLES:
                self.ex_col.append((row, value))
            text = rules.canonical_number(value, "colombiano")
            number = float(text)
            self.col_range.add(number, text)
        else:
            self.plain += 1
            if "." in value:
                self.frac_plain += 1
            if len(self.ex_plain) < EXAMPLES:
                self.ex_plain.append((row, value))
            text = rules.canonical_number(value, "plano")
            number = float(text)
            self.plain_range.add(number, text)
        if number < 0 and self.countlike:
            self._add_negative(value, row)

    def _maybe_date(self, value: str, row: int) -> None:
        parsed = self.date_memo.get(value)
        if parsed is None:
            parsed = rules.parse_date(value)
            if len(self.date_memo) < DATE_MEMO:
                self.date_memo[value] = parsed if parsed is not None else False
        if parsed is None or parsed is False:
            self._add_text(value, row)
        elif parsed is rules.INVALID_DATE:
            self.date_bad += 1
            if len(self.ex_bad_date) < EXAMPLES:
                self.ex_bad_date.append((row, value))
        else:
            if value[4:5] == "-" and value[:4].isdigit():
                self.date_iso += 1
            else:
                self.date_dmy += 1
            self._add_date(parsed, value, row)

    def _add_text(self, value: str, row: int) -> None:
        self.text += 1
        if len(self.ex_text) < EXAMPLES:
            self.ex_text.append((row, value))

    def _add_date(self, value: dt.date, text: str, row: int) -> None:
        self.date += 1
        if len(self.ex_date) < EXAMPLES:
            self.ex_date.append((row, text))
        if self.date_low is None or value < self.date_low:
            self.date_low = value
        if self.date_high is None or value > self.date_high:
            self.date_high = value
        if value > self.today:
            self.future += 1
            if len(self.future_ex) < EXAMPLES:
                self.future_ex.append((row, text))

    def _add_negative(self, value: str, row: int) -> None:
        self.negative += 1
        if len(self.negative_ex) < EXAMPLES:
            self.negative_ex.append((row, value))

    def typed(self, value: Any, row: int) -> None:
        """One typed workbook cell (see ``reader.xlsx_value``): a number or a date in no format."""
        kind = type(value)
        if kind is int or kind is float:
            self.num += 1
            text = str(value) if kind is int else reader.format_float(value, ".")
            if kind is float:
                self.frac_typed += 1
            self.neutral_range.add(float(value), text)
            if len(self.ex_num) < EXAMPLES:
                self.ex_num.append((row, text))
            if value < 0 and self.countlike:
                self._add_negative(text, row)
        elif kind is dt.date:
            self._add_date(value, value.isoformat(), row)
        else:
            self._add_text(str(value), row)


def _key_date(key: str) -> dt.date:
    return dt.date(int(key[:4]), int(key[4:6]), int(key[6:8]))


def _bare(value: str, unit: str) -> str:
    """A number without its unit (``$ -1.200`` → ``-1.200``)."""
    return _UNIT_STRIP[unit].sub("", value) if unit else value


def _only(value: str) -> bool:
    """Whether a bare number (known to be in a chunk's format) is in that format only."""
    return _AMBIGUOUS_ONE.match(value) is None and _NEUTRAL_ONE.match(value) is None


def _canonical(value: str, fmt: str) -> str:
    return value.replace(".", "").replace(",", ".") if fmt == "colombiano" else value

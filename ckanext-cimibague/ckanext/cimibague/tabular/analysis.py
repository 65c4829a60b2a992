"""One pass over a CSV, TSV or XLSX file: the columns' types (Colombian conventions) and the quality report.

Header
    The first non-blank row, unless it has a single cell and, within the next rows (up to 10 one-cell
    rows), a row of several cells, all text, follows: spreadsheets put titles above their headers, so that
    row is the header and the rows before it are skipped, with a warning. Names are trimmed, inner
    whitespace collapsed, control characters dropped, ``"`` turned into ``'`` and leading ``_`` removed
    (the DataStore refuses both), cut to 63 bytes (PostgreSQL's identifier limit); an empty name becomes
    ``columna_N`` (N its position from 1), a repeated one ``nombre_2``, ``nombre_3``…: renamed, never
    refused, with a warning. Empty header cells after the last named one are not columns.

Rows
    Blank rows are skipped (and counted). A data row wider than the header whose extra cells are blank is
    fine; one with values past the header (their values are dropped), or a CSV row with fewer cells (it
    is padded with empty cells; a workbook row is never short), is *ragged*. Up to ``ragged_tolerance``
    (1 %) of the data rows, at least one row, may be ragged (with a warning); more, and the load is
    refused: the delimiter or the quoting is wrong. Row numbers are those a spreadsheet program shows
    (the header is row 1 when nothing precedes it).

Types (see ``rules.py`` for what each type accepts)
    Empty cells never decide. A column is ``integer``/``numeric`` when all its values are numbers,
    ``date`` when all are dates, ``text`` otherwise; when most (more than half) of its values looked
    typed, ``Column.reason`` says in Spanish why it stayed text:

    - text among numbers or dates («Valores mezclados: 812 números y 3 textos (p. ej. «N/D» en la fila 14)»);
    - dates that do not exist («Fechas inválidas: …», e.g. ``29/02/2023``);
    - numbers in both formats: some only Colombian (``2,5``, ``1.234.567``), some only plain (``0.5``,
      ``3.14159``);
    - some values with ``%`` or ``$`` and some without;
    - digits with leading zeros (``05001``: DANE codes), kept as text so that the zeros stay.

    Number format: ``plano`` if a value is only plain (``0.5``, ``3.14159``, ``0.500``), else
    ``colombiano`` if a value has ``,`` or ``.`` (so ``1.234`` alone in a column is 1234, with a warning),
    else (digits only) ``plano``. ``integer`` when no value has a decimal part and all fit in ``int8``,
    else ``numeric``. Date format: the more frequent of ``dd/mm/aaaa`` and ``iso`` (both are read).
    Workbook cells typed as numbers or dates count as such in any format (they have no text form), and
    booleans, times and date-times with a time are text.

Quality report (``Analysis.report``, JSON-serialisable; in Spanish, for the reviewers — its sentences are
data, like a municipal document, so they are written in Spanish here and not translated with ``_()``)::

    {"version": 1,
     "format": "csv" | "tsv" | "xlsx", "encoding": "utf-8" | ..., "delimiter": ";" | None,
     "sheet": "Hoja1" | None, "sheets": [...],
     "rows": 1200,                     # data rows loaded
     "columns": 8,
     "header_row": 1, "blank_rows": 0, "ragged_rows": 0,
     "fields": [{"name": "poblacion", "header": "Población" | None, "type": "integer",
                 "pg_type": "int8", "number_format": "colombiano" | "plano" | None,
                 "date_format": "dd/mm/aaaa" | "iso" | None, "unit": "%" | "$" | None,
                 "empty": 3,           # empty cells
                 "type_errors": 0,     # non-empty values that do not fit the type (for a column that
                                       # stayed text because of mixed values: the minority values)
                 "type_error_examples": [{"row": 14, "value": "N/D"}],   # up to 5
                 "min": 12 | 0.5 | "2024-01-31" | None, "max": ...,      # numbers and dates only
                 "reason": "Valores mezclados: …" | None}],
     "duplicated_rows": {"count": 2, "examples": [{"row": 57, "same_as": 12}]},   # up to 5
     "suspicious": [{"column": "poblacion", "row": 9, "value": "-35", "message": "…"}],  # up to 50
     "suspicious_total": 1,
     "warnings": ["El archivo no estaba en UTF-8: …"]}

Suspicious values: negative numbers in a number column whose name speaks of people or counts
(población, habitantes, personas, cantidad, número, total, hogares, viviendas, estudiantes, edad, …;
accents and case ignored), and dates after ``today`` in a date column.

Cost: one streaming pass (after the byte-level encoding check of text files), in chunks of rows counted
column by column (``stats.py``); memory is bounded but for one small entry per distinct row (duplicate
detection: a 64-bit hash of the row, so two different rows are taken for duplicates with a probability
of about one in 10⁹ for a million rows).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import itertools
import math
import pathlib
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from ckanext.cimibague.tabular import reader, rules, stats
from ckanext.cimibague.tabular.errors import TabularError
from ckanext.cimibague.tabular.reader import quote

__all__ = ["Analysis", "Column", "analyse"]

REPORT_VERSION = 1
EXAMPLES = stats.EXAMPLES
MAX_SUSPICIOUS = 50
RAGGED_TOLERANCE = 0.01
MAX_NAME_BYTES = 63
#: Word stems (accents removed, lower case) of column names that count things or people.
# fmt: off
COUNT_STEMS = (
    "poblac", "habitant", "persona", "cantidad", "numero", "num", "nro", "total", "hogar", "vivienda", "estudiant",
    "alumn", "matricul", "afiliad", "beneficiari", "victima", "caso", "nacimiento", "nacido", "defuncion", "muerte",
    "fallecid", "hombre", "mujer", "nino", "nina", "joven", "adolescent", "adulto", "familia", "predio", "empleado",
    "trabajador", "usuario", "conteo", "censo", "edad", "inscrit", "docente", "paciente", "votant", "voto",
)
# fmt: on
#: Longest example value kept in the report (characters).
MAX_EXAMPLE = 200
CHUNK_ROWS = 4096
#: How many one-cell rows may precede the header as titles.
TITLE_ROWS = 10
_UNITS = ("", "$", "%")


@dataclass(frozen=True)
class Column:
    """A column: its ``name`` (as loaded), ``type`` (``integer``, ``numeric``, ``date``, ``text``) and
    ``pg_type`` (``int8``, ``numeric``, ``date``, ``text``: always the type's), ``number_format``
    (``colombiano``, ``plano`` or None), ``date_format`` (``dd/mm/aaaa``, ``iso`` or None), ``reason``
    (Spanish: why it stayed text although most values looked typed), ``unit`` (``%`` or ``$`` when every
    number had it) and ``header`` (the header cell as written, when it differs from ``name``)."""

    name: str
    type: str = "text"
    pg_type: str = ""
    number_format: str | None = None
    date_format: str | None = None
    reason: str | None = None
    unit: str | None = None
    header: str | None = None

    def __post_init__(self) -> None:
        if self.type not in rules.TYPES:
            raise ValueError(f"unknown column type {self.type!r}")
        object.__setattr__(self, "pg_type", rules.PG_TYPES[self.type])

    def with_type(self, type: str, *, number_format: str | None = None, date_format: str | None = None) -> Column:
        """The same column with another type (e.g. one staff chose in the data dictionary): numbers keep
        the column's number format or take ``number_format`` (default ``colombiano``)."""
        if type in ("integer", "numeric"):
            number_format = number_format or self.number_format or "colombiano"
            date_format = None
        elif type == "date":
            date_format = date_format or self.date_format or "dd/mm/aaaa"
            number_format = None
        else:
            number_format = date_format = None
        return dataclasses.replace(
            self, type=type, number_format=number_format, date_format=date_format, reason=None, unit=None
        )


@dataclass(frozen=True)
class Analysis:
    """What :func:`analyse` found: how the file was read (``format``, ``encoding`` and ``delimiter`` of
    text, ``sheet`` used and all ``sheets`` of a workbook, ``header_row``), the ``columns``, the number
    of data ``rows`` and the quality ``report`` (see the module's docstring)."""

    encoding: str | None
    delimiter: str | None
    sheet: str | None
    sheets: list[str]
    columns: list[Column]
    rows: int
    report: dict[str, Any]
    format: str = "csv"
    header_row: int = 1


# ------------------------------------------------------------------------------------------------ names


def _fold(text: str) -> str:
    """Lower case without accents."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).lower()


def _countlike(name: str) -> bool:
    words = re.split(r"[^a-z0-9]+", _fold(name))
    return any(word.startswith(stem) for word in words if word for stem in COUNT_STEMS)


def _header_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        return reader.format_float(value, ",")
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


def _clean_name(text: str) -> str:
    name = "".join(c for c in text if not unicodedata.category(c).startswith("C") or c.isspace())
    name = " ".join(name.split()).replace('"', "'").lstrip("_ ")
    encoded = name.encode("utf-8")
    if len(encoded) > MAX_NAME_BYTES:
        name = encoded[:MAX_NAME_BYTES].decode("utf-8", "ignore").rstrip()
    return name


def _suffixed(name: str, number: int) -> str:
    suffix = f"_{number}"
    base = name.encode("utf-8")[: MAX_NAME_BYTES - len(suffix)].decode("utf-8", "ignore").rstrip()
    return base + suffix


def column_names(headers: list[str]) -> tuple[list[str], list[str]]:
    """The names of the columns for the header cells ``headers``, and the Spanish warnings of renames."""
    cleaned = [_clean_name(text) for text in headers]
    taken = set(cleaned)
    names: list[str] = []
    found: list[str] = []
    for position, name in enumerate(cleaned, start=1):
        if not name:
            name = f"columna_{position}"
            number = 2
            while name in taken or name in names:
                name = _suffixed(f"columna_{position}", number)
                number += 1
            found.append(f"La columna {position} no tiene nombre: se llamará {quote(name)}.")
        elif name in names:
            number = 2
            while _suffixed(name, number) in taken or _suffixed(name, number) in names:
                number += 1
            renamed = _suffixed(name, number)
            found.append(f"El nombre {quote(name)} se repite: la columna {position} se llamará {quote(renamed)}.")
            name = renamed
        names.append(name)
        taken.add(name)
    return names, found


# --------------------------------------------------------------------------------------------- analyse


def analyse(
    path: pathlib.Path,
    fmt: str,
    *,
    max_bytes: int | None = None,
    today: dt.date | None = None,
    sheet: str | None = None,
    ragged_tolerance: float = RAGGED_TOLERANCE,
) -> Analysis:
    """Read ``path`` once (declared as ``fmt``: ``csv``, ``tsv``, ``xlsx`` or their media types) and return
    its columns, typed by the Colombian conventions, and the quality report; :class:`TabularError` with a
    Spanish message if it must not be loaded (see the module's docstring, ``reader`` and ``errors``).
    ``today`` (default: the current date) dates the "future dates" check; ``sheet`` picks a workbook's
    sheet (default: the first visible one with data)."""
    path = pathlib.Path(path)
    today = today or dt.date.today()
    with reader.open_table(path, fmt, max_bytes=max_bytes, sheet=sheet) as (source, rows):
        scan = _Scan(source, today)
        for number, row in enumerate(rows, start=1):
            if scan.header is None:
                scan.before_header(row, number)
            elif row:
                scan.add(row, number)
            else:
                scan.blank += 1
    scan.end()
    return scan.finish(ragged_tolerance)


class _Scan:
    """The state of one pass: header, column statistics, row counts, duplicates; rows are buffered in
    chunks of :data:`CHUNK_ROWS` and counted column by column."""

    def __init__(self, source: reader.Source, today: dt.date) -> None:
        self.source = source
        self.today = today
        self.strings = source.format != "xlsx"  # every cell a str (text); else typed workbook cells
        self.warnings = list(source.warnings)
        self.header: list[str] | None = None
        self.names: list[str] = []
        self.header_row = 0
        self.width = 0
        self.stats: list[stats.ColumnStats] = []
        self.rows = 0
        self.blank = 0
        self.short: list[int] = []
        self.short_count = 0
        self.long: list[tuple[int, Any]] = []
        self.long_count = 0
        self.seen: dict[int, int] = {}
        self.duplicates = 0
        self.duplicate_ex: list[tuple[int, int]] = []
        self.buffer: list[list[Any]] = []
        self.numbers: list[int] = []
        self.shorts: list[int] = []  # positions in the buffer of rows that were short
        self.pending: list[tuple[int, list[Any]]] = []  # rows read while the header is undecided

    def before_header(self, row: list[Any], number: int) -> None:
        """A row before the header is known. The first non-blank row is the header, unless it has a single
        cell (a title, as spreadsheets often have) and, within the next rows, one with several cells, all
        text, follows: that one is the header and the rows before it are skipped as titles."""
        filled = [cell for cell in row if not _is_blank(cell)]
        if not self.pending:
            if len(filled) > 1:
                self._set_header(row, number)
            elif filled:
                self.pending.append((number, row))
            return
        self.pending.append((number, row))
        if len(filled) > 1:
            if all(type(cell) is str and not _looks_typed(cell) for cell in filled):
                first_number, first_row = self.pending[0]
                title = next(cell for cell in first_row if not _is_blank(cell))
                self.pending = []
                self._set_header(row, number)
                self.warnings.append(
                    f"Los encabezados están en la fila {number}: las filas anteriores se tomaron como títulos y no "
                    f"se cargaron ({quote(_header_text(title).strip())} en la fila {first_number})."
                )
            else:
                self._first_pending_is_header()
        elif sum(1 for _, pending in self.pending if any(not _is_blank(cell) for cell in pending)) >= TITLE_ROWS:
            self._first_pending_is_header()

    def _first_pending_is_header(self) -> None:
        pending, self.pending = self.pending, []
        number, row = pending[0]
        self._set_header(row, number)
        for number, row in pending[1:]:
            if row:
                self.add(row, number)
            else:
                self.blank += 1

    def end(self) -> None:
        """The file is read: decide the header if it is still pending, count the last chunk."""
        if self.pending:
            self._first_pending_is_header()
        self.flush()

    def _set_header(self, row: list[Any], number: int) -> None:
        header = [_header_text(cell) for cell in row]
        width = len(header)
        while width and not header[width - 1].strip(rules.WHITESPACE):
            width -= 1
        self.header = header[:width]
        self.header_row = number
        self.width = width
        self.names, renames = column_names(self.header)
        self.warnings.extend(renames)
        self.stats = [stats.ColumnStats(_countlike(name), self.today) for name in self.names]

    def add(self, row: list[Any], number: int) -> None:
        width = self.width
        size = len(row)
        if size > width:
            extra = next((cell for cell in itertools.islice(row, width, None) if not _is_blank(cell)), None)
            if extra is not None:
                self.long_count += 1
                if len(self.long) < EXAMPLES:
                    self.long.append((number, extra))
            row = row[:width]
        elif size < width:
            if self.strings:  # a workbook row simply ends at its last cell
                self.shorts.append(len(self.buffer))
            row = row + [""] * (width - size)
        self.buffer.append(row)
        self.numbers.append(number)
        if len(self.buffer) >= CHUNK_ROWS:
            self.flush()

    def flush(self) -> None:
        """Count the buffered rows: blank ones out, ragged and duplicated ones noted, columns counted."""
        if not self.buffer:
            return
        numbers = self.numbers
        if self.strings:
            columns = [
                list(map(str.strip, column, itertools.repeat(rules.WHITESPACE)))
                for column in zip(*self.buffer, strict=True)
            ]
            trimmed = list(zip(*columns, strict=True))
            filled = list(map(any, trimmed))
        else:
            columns = [[_trim(cell) for cell in column] for column in zip(*self.buffer, strict=True)]
            trimmed = list(zip(*columns, strict=True))
            filled = [any(cell != "" for cell in row) for row in trimmed]
        shorts = set(self.shorts)
        if not all(filled):
            self.blank += filled.count(False)
            kept = [index for index, full in enumerate(filled) if full]
            trimmed = [trimmed[index] for index in kept]
            numbers = [numbers[index] for index in kept]
            shorts = {position for position, index in enumerate(kept) if index in shorts}
            columns = [list(column) for column in zip(*trimmed, strict=True)] if trimmed else []
        for position in sorted(shorts):
            self.short_count += 1
            if len(self.short) < EXAMPLES:
                self.short.append(numbers[position])
        self.rows += len(trimmed)
        seen = self.seen
        for key, number in zip(map(hash, trimmed), numbers, strict=True):
            first = seen.setdefault(key, number)
            if first != number:
                self.duplicates += 1
                if len(self.duplicate_ex) < EXAMPLES:
                    self.duplicate_ex.append((number, first))
        for column_stats, values in zip(self.stats, columns, strict=False):
            column_stats.chunk(values, numbers, self.strings)
        self.buffer, self.numbers, self.shorts = [], [], []

    def finish(self, ragged_tolerance: float) -> Analysis:
        if self.header is None:
            raise TabularError("El archivo no tiene datos: todas sus filas están vacías.", code="empty")
        rows = self.rows
        if rows == 0:
            raise TabularError(
                f"El archivo solo tiene la fila de encabezados (fila {self.header_row}): no hay datos que cargar.",
                code="header_only",
            )
        ragged = self.short_count + self.long_count
        warnings = self.warnings
        if ragged > max(1, math.floor(rows * ragged_tolerance)):
            examples = sorted(self.short + [row for row, _ in self.long])[:EXAMPLES]
            raise TabularError(
                f"{ragged} de {rows} filas ({_percent(ragged, rows)}) no tienen el mismo número de columnas que "
                f"el encabezado ({self.width}) (p. ej. {_rows_text(examples)}): revise el separador de columnas "
                "y las comillas del archivo.",
                code="ragged",
            )
        if self.short:
            warnings.append(
                f"{_plural(self.short_count, 'fila tenía', 'filas tenían')} menos valores que el encabezado "
                f"(p. ej. {_rows_text(self.short)}): se "
                + ("completó" if self.short_count == 1 else "completaron")
                + " con celdas vacías."
            )
        if self.long:
            row, value = self.long[0]
            warnings.append(
                f"{_plural(self.long_count, 'fila tenía', 'filas tenían')} valores después de la última columna "
                f"del encabezado (p. ej. {_rows_text([r for r, _ in self.long])}; {quote(_header_text(value))} "
                f"en la fila {row}): esos valores no se cargaron."
            )
        if self.blank:
            warnings.append(f"Se omitieron {_plural(self.blank, 'fila vacía', 'filas vacías')}.")
        return _finish(
            self.source,
            self.header,
            self.names,
            self.header_row,
            self.stats,
            rows,
            self.blank,
            ragged,
            self.duplicates,
            self.duplicate_ex,
            warnings,
            self.today,
        )


def _trim(cell: Any) -> Any:
    return cell.strip(rules.WHITESPACE) if type(cell) is str else cell


def _is_blank(cell: Any) -> bool:
    if type(cell) is str:
        return not cell.strip(rules.WHITESPACE)
    return cell is None


def _percent(part: int, whole: int) -> str:
    value = 100 * part / whole
    text = f"{value:.1f}".replace(".", ",")
    return (text[:-2] if text.endswith(",0") else text) + " %"


def _rows_text(numbers: list[int]) -> str:
    if len(numbers) == 1:
        return f"la fila {numbers[0]}"
    return "las filas " + ", ".join(str(n) for n in numbers[:-1]) + f" y {numbers[-1]}"


def _example(examples: list[tuple[int, str]]) -> str:
    row, value = min(examples)
    return f"p. ej. {quote(value)} en la fila {row}"


def _merge(*lists: list[tuple[int, str]]) -> list[tuple[int, str]]:
    return sorted(example for part in lists for example in part)[:EXAMPLES]


def _short(value: str) -> str:
    return value if len(value) <= MAX_EXAMPLE else value[: MAX_EXAMPLE - 1] + "…"


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _json_number(text: str, integer: bool) -> int | float | str:
    value = decimal.Decimal(text)
    if integer:
        return int(value)
    number = float(value)
    return number if math.isfinite(number) else text


def _decide(name: str, st: stats.ColumnStats) -> tuple[Column, dict[str, Any], list[str]]:
    """The column's type, its report entry and its warnings, from its counters."""
    nonempty = st.nonempty
    dates_like = st.date + st.date_bad
    column = Column(name=name)
    errors: list[tuple[int, str]] = []
    error_count = 0
    found: list[str] = []
    low: Any = None
    high: Any = None
    if st.num and st.num >= dates_like and 2 * st.num > nonempty:
        others = nonempty - st.num
        units = [unit for unit in _UNITS if st.unit[unit]]
        if others:
            errors = _merge(st.ex_text, st.ex_date, st.ex_bad_date)
            error_count = others
            reason = (
                f"Valores mezclados: {_plural(st.num, 'número', 'números')} y "
                f"{_plural(others, 'texto', 'textos')} ({_example(errors)})"
            )
            column = Column(name=name, reason=reason)
        elif st.col and st.plain:
            minority, examples = (st.plain, st.ex_plain) if st.plain <= st.col else (st.col, st.ex_col)
            errors, error_count = examples, minority
            reason = (
                f"Números en dos formatos: {st.col} con coma decimal o punto de miles ({_example(st.ex_col)}) y "
                f"{st.plain} con punto decimal ({_example(st.ex_plain)})"
            )
            column = Column(name=name, reason=reason)
        elif len(units) > 1:
            majority = max(units, key=lambda unit: st.unit[unit])
            minority_units = [unit for unit in units if unit != majority]
            errors = _merge(*(st.ex_unit[unit] for unit in minority_units))
            error_count = sum(st.unit[unit] for unit in minority_units)
            described = " y ".join(
                f"{st.unit[unit]} {'sin unidad' if not unit else 'con ' + quote(unit)}" for unit in units
            )
            reason = f"Valores con y sin unidad: {described} ({_example(errors)})"
            column = Column(name=name, reason=reason)
        elif st.lead:
            reason = f"Códigos con ceros a la izquierda ({_example(st.ex_lead)}): se conservan como texto"
            column = Column(name=name, reason=reason)
        else:
            fmt = "plano" if st.plain else "colombiano" if (st.col or st.ambig) else "plano"
            fractions = (st.frac_col if fmt == "colombiano" else st.frac_plain) + st.frac_typed
            span = st.neutral_range.merge(st.col_range if fmt == "colombiano" else st.plain_range)
            integer = not fractions
            if integer and not (
                decimal.Decimal(span.low_text) >= rules.INT8_MIN and decimal.Decimal(span.high_text) <= rules.INT8_MAX
            ):
                integer = False
            unit = units[0] if units and units[0] else None
            column = Column(name=name, type="integer" if integer else "numeric", number_format=fmt, unit=unit or None)
            low, high = _json_number(span.low_text, integer), _json_number(span.high_text, integer)
            if fmt == "colombiano" and not st.col and st.ambig:
                found.append(
                    f"En la columna {quote(name)} todos los números con punto son como «1.234»: se leyeron con "
                    "punto de miles («1.234» = 1234); si el punto era decimal, escríbalos con coma («1,234»)."
                )
            if unit:
                found.append(
                    f"La columna {quote(name)} tiene el signo {quote(unit)} en sus valores: se guardan como números "
                    "sin el signo."
                )
    elif dates_like and 2 * dates_like > nonempty:
        others = nonempty - st.date
        if others:
            errors = _merge(st.ex_text, st.ex_num, st.ex_bad_date)
            error_count = others
            if others == st.date_bad:
                reason = (
                    f"Fechas inválidas: {st.date_bad} de {nonempty} valores no son fechas que existan "
                    f"({_example(st.ex_bad_date)})"
                )
            else:
                reason = (
                    f"Valores mezclados: {_plural(st.date, 'fecha', 'fechas')} y "
                    f"{_plural(others, 'texto', 'textos')} ({_example(errors)})"
                )
            column = Column(name=name, reason=reason)
        else:
            date_format = "iso" if st.date_iso >= st.date_dmy else "dd/mm/aaaa"
            column = Column(name=name, type="date", date_format=date_format)
            low = st.date_low.isoformat() if st.date_low else None
            high = st.date_high.isoformat() if st.date_high else None
            if st.date_iso and st.date_dmy:
                found.append(
                    f"La columna {quote(name)} mezcla fechas dd/mm/aaaa ({st.date_dmy}) y aaaa-mm-dd ({st.date_iso}): "
                    "se leyeron ambas."
                )
    entry = {
        "name": name,
        "header": None,
        "type": column.type,
        "pg_type": column.pg_type,
        "number_format": column.number_format,
        "date_format": column.date_format,
        "unit": column.unit,
        "empty": st.empty,
        "type_errors": error_count,
        "type_error_examples": [{"row": row, "value": _short(value)} for row, value in errors[:EXAMPLES]],
        "min": low,
        "max": high,
        "reason": column.reason,
    }
    return column, entry, found


def _finish(
    source: reader.Source,
    header: list[str],
    names: list[str],
    header_row: int,
    columns_stats: list[stats.ColumnStats],
    rows: int,
    blank: int,
    ragged: int,
    duplicates: int,
    duplicate_ex: list[tuple[int, int]],
    warnings: list[str],
    today: dt.date,
) -> Analysis:
    columns: list[Column] = []
    fields: list[dict[str, Any]] = []
    suspicious: list[dict[str, Any]] = []
    suspicious_total = 0
    for name, text, st in zip(names, header, columns_stats, strict=True):
        column, entry, found = _decide(name, st)
        written = " ".join(text.split())
        if written != name:
            column = dataclasses.replace(column, header=written or None)
            entry["header"] = written or None
        columns.append(column)
        fields.append(entry)
        warnings.extend(found)
        if column.type in ("integer", "numeric") and st.negative:
            suspicious_total += st.negative
            message = "Número negativo en una columna de personas o conteos"
            suspicious += [
                {"column": name, "row": r, "value": _short(v), "message": message} for r, v in st.negative_ex
            ]
        if column.type == "date" and st.future:
            suspicious_total += st.future
            message = f"Fecha posterior a hoy ({today.strftime('%d/%m/%Y')})"
            suspicious += [{"column": name, "row": r, "value": _short(v), "message": message} for r, v in st.future_ex]
    if all(_looks_typed(text) for text in header):
        warnings.append(
            "La primera fila parece de datos y no de encabezados: revise que el archivo tenga los nombres de "
            "las columnas en la primera fila."
        )
    suspicious.sort(key=lambda item: item["row"])
    report = {
        "version": REPORT_VERSION,
        "format": source.format,
        "encoding": source.encoding,
        "delimiter": source.delimiter,
        "sheet": source.sheet,
        "sheets": list(source.sheets),
        "rows": rows,
        "columns": len(columns),
        "header_row": header_row,
        "blank_rows": blank,
        "ragged_rows": ragged,
        "fields": fields,
        "duplicated_rows": {
            "count": duplicates,
            "examples": [{"row": row, "same_as": same} for row, same in duplicate_ex],
        },
        "suspicious": suspicious[:MAX_SUSPICIOUS],
        "suspicious_total": suspicious_total,
        "warnings": warnings,
    }
    return Analysis(
        encoding=source.encoding,
        delimiter=source.delimiter,
        sheet=source.sheet,
        sheets=list(source.sheets),
        columns=columns,
        rows=rows,
        report=report,
        format=source.format,
        header_row=header_row,
    )


def _looks_typed(text: str) -> bool:
    value = text.strip(rules.WHITESPACE)
    if not value:
        return False
    return any(
        rules.convert(Column(name="x", type=kind, number_format="colombiano"), value) is not None
        for kind in ("numeric", "date")
    ) or (rules.convert(Column(name="x", type="numeric", number_format="plano"), value) is not None)

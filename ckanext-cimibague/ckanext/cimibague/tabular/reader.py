"""Reading a tabular file row by row: the format from its content, the encoding and delimiter of a text
file, the sheet of a workbook.

- **Format**: the declared one (``csv``, ``tsv``, ``xlsx``, their media types, ``txt``) is a hint; the
  content decides between a workbook (a ZIP: read as .xlsx), an old binary .xls (refused: it must be
  saved as .xlsx) and text. A file declared .xlsx that is not a ZIP is a broken workbook.
- **Encoding** of text: a BOM says UTF-8 (``utf-8-sig``) or UTF-16 (``utf-16``); otherwise the whole
  file is checked, chunk by chunk, as strict UTF-8 (``utf-8``: plain ASCII is reported so), then as
  Windows-1252 (``cp1252``, a superset of Latin-1's printable characters); a file that is neither, or has
  NUL bytes (a binary file), is refused. This byte-level check is the only other read of the file; it
  decodes without parsing and keeps nothing.
- **Delimiter**: sniffed from the first 64 KiB among ``;``, ``,``, tab and ``|``. Under each, the header
  is the first row of two cells or more (title rows may precede it); the candidate that gives most of
  the other sample rows the header's width wins, then the one whose header comes first, then the one
  with most columns (then ``;`` first for CSV, tab first for TSV). A single column is read with ``,``; a
  file whose rows are all blank under a candidate (``;;;`` lines) with that one.
- **Rows** come numbered from 1 as a spreadsheet program shows them: a CSV record (a quoted line break
  stays inside its cell) or a sheet row; blank rows are yielded too (as empty lists) so that numbers
  hold. CSV cells are strings; workbook cells are typed (see :func:`xlsx_value`).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import decimal
import io
import pathlib
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ckanext.cimibague.tabular.errors import TabularError

__all__ = ["Source", "format_float", "mb", "open_rows", "open_source", "open_table", "quote", "xlsx_value"]

CHUNK = 1 << 20
SAMPLE_CHARS = 1 << 16
SAMPLE_ROWS = 50
TITLE_ROWS = 10  # as many as the analysis lets precede the header
DELIMITERS = (";", ",", "\t", "|")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMATS = {
    "csv": "csv",
    "text/csv": "csv",
    "application/csv": "csv",
    "txt": "csv",
    "text/plain": "csv",
    "tsv": "tsv",
    "tab": "tsv",
    "text/tab-separated-values": "tsv",
    "xlsx": "xlsx",
    XLSX_MIME: "xlsx",
    # declared as old Excel: browsers on Windows send CSV uploads with this type; the content decides
    "xls": "csv",
    "application/vnd.ms-excel": "csv",
}
_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_UTF8_IN_CP1252 = re.compile(rb"[\xc2\xc3][\x80-\xbf]")
_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 (con BOM)", "utf-16": "UTF-16", "cp1252": "Windows-1252"}


@dataclass(frozen=True)
class Source:
    """How to read a file: its format (``csv``, ``tsv``, ``xlsx``), the encoding and delimiter of text,
    the sheet of a workbook (and all its sheets' names), and the warnings found on the way."""

    format: str
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def mb(size: int) -> str:
    """A size for people, Colombian style: ``104,9 MB`` (``100 MB`` when whole), ``120 KB`` under 1 MB."""
    if size < 1_000_000:
        return f"{round(size / 1000)} KB"
    text = f"{size / 1_000_000:.1f}".replace(".", ",")
    return f"{text.removesuffix(',0')} MB"


def quote(text: object) -> str:
    """Spanish quotation marks around a value, shortened past 60 characters."""
    value = str(text)
    return "«" + (value if len(value) <= 60 else value[:57] + "…") + "»"


def _declared_format(fmt: str) -> str:
    key = (fmt or "").split(";")[0].strip().lower().lstrip(".")
    if key not in _FORMATS:
        raise TabularError(
            f"El formato {quote(fmt)} no se puede cargar como tabla: use CSV, TSV o XLSX.", code="format"
        )
    return _FORMATS[key]


def open_source(path: pathlib.Path, fmt: str, *, max_bytes: int | None = None, sheet: str | None = None) -> Source:
    """Inspect ``path`` (declared as ``fmt``) and say how to read it; :class:`TabularError` if it cannot
    be read: over ``max_bytes``, empty, an old .xls, a broken workbook, undecodable text."""
    source, workbook = _inspect(path, fmt, max_bytes, sheet)
    if workbook is not None:
        workbook.close()
    return source


@contextlib.contextmanager
def open_table(
    path: pathlib.Path, fmt: str, *, max_bytes: int | None = None, sheet: str | None = None
) -> Iterator[tuple[Source, Iterator[list[Any]]]]:
    """:func:`open_source` and :func:`open_rows` at once (a workbook is loaded once: loading parses all its
    shared strings, the slowest part of reading it)."""
    source, workbook = _inspect(path, fmt, max_bytes, sheet)
    if workbook is None:
        with _text_rows(path, source) as rows:
            yield source, rows
        return
    try:
        yield source, _worksheet_rows(workbook[source.sheet])
    finally:
        workbook.close()


def _inspect(path: pathlib.Path, fmt: str, max_bytes: int | None, sheet: str | None) -> tuple[Source, Any]:
    """The source, and the workbook loaded (to be closed by the caller) or None for text."""
    path = pathlib.Path(path)
    declared = _declared_format(fmt)
    size = path.stat().st_size
    if max_bytes is not None and size > max_bytes:
        raise TabularError(
            f"El archivo pesa {mb(size)} y el máximo para cargarlo como tabla es {mb(max_bytes)}: "
            "divídalo en partes o publíquelo solo para descarga.",
            code="too_large",
        )
    if size == 0:
        raise TabularError("El archivo está vacío.", code="empty")
    with path.open("rb") as stream:
        head = stream.read(8)
    if head.startswith(_OLE2):
        raise TabularError(
            "El archivo es un libro de Excel 97-2003 (.xls), que no se puede cargar: ábralo en Excel y "
            "guárdelo como .xlsx o como CSV UTF-8.",
            code="xls",
        )
    if head.startswith(_ZIP):
        workbook = _load_workbook(path)
        try:
            source = _workbook_source(workbook, sheet)
        except BaseException:
            workbook.close()
            raise
        if declared != "xlsx":
            source.warnings.insert(
                0, "El archivo se declaró como texto (CSV), pero es un libro de Excel: se leyó como tal."
            )
        return source, workbook
    if declared == "xlsx":
        raise _broken_workbook()
    encoding, found = _detect_encoding(path)
    delimiter = _sniff_delimiter(path, encoding, prefer="\t" if declared == "tsv" else ";")
    return Source(format=declared, encoding=encoding, delimiter=delimiter, warnings=found), None


# ------------------------------------------------------------------------------------------------ text


def _detect_encoding(path: pathlib.Path) -> tuple[str, list[str]]:
    with path.open("rb") as stream:
        head = stream.read(4)
    if head.startswith(codecs.BOM_UTF8):
        _check_decodes(path, "utf-8-sig")
        return "utf-8-sig", []
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        _check_decodes(path, "utf-16")
        return "utf-16", ["El archivo estaba en UTF-16 (texto Unicode de Excel): se leyó como tal."]
    try:
        _check_decodes(path, "utf-8")
        return "utf-8", []
    except UnicodeDecodeError:
        pass
    try:
        mixed = _check_decodes(path, "cp1252")
    except UnicodeDecodeError as error:
        raise TabularError(
            "No se pudo leer el texto del archivo: no está en UTF-8 ni en Windows-1252 (Latin-1) "
            f"(byte 0x{error.object[error.start]:02X}). Guárdelo como «CSV UTF-8».",
            code="undecodable",
        ) from None
    found = ["El archivo no estaba en UTF-8: se leyó como Windows-1252 (Latin-1)."]
    if mixed:
        found.append(
            "El archivo parece mezclar UTF-8 y Windows-1252: revise las tildes y eñes (p. ej. «Ã±» en vez de «ñ»)."
        )
    return "cp1252", found


def _check_decodes(path: pathlib.Path, encoding: str) -> bool:
    """Decode the whole file strictly (UnicodeDecodeError if it does not decode) and refuse NUL bytes;
    for cp1252, whether it also holds UTF-8 sequences (a file of mixed encodings)."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    mixed = False
    position = 0
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            if encoding != "utf-16" and b"\x00" in chunk:
                raise TabularError(
                    "El archivo tiene caracteres nulos: no parece un archivo de texto (CSV).", code="binary"
                )
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError as error:
                error.start += position
                raise
            if encoding == "utf-16" and "\x00" in text:
                raise TabularError(
                    "El archivo tiene caracteres nulos: no parece un archivo de texto (CSV).", code="binary"
                )
            if encoding == "cp1252" and not mixed:
                mixed = _UTF8_IN_CP1252.search(chunk) is not None
            position += len(chunk)
        decoder.decode(b"", final=True)
    return mixed


def _sniff_delimiter(path: pathlib.Path, encoding: str, prefer: str) -> str:
    with path.open(encoding=encoding, newline="") as stream:
        sample = stream.read(SAMPLE_CHARS)
        complete = not stream.read(1)
    if not complete:  # drop the last, probably cut, line
        cut = max(sample.rfind("\n"), sample.rfind("\r"))
        sample = sample[:cut] if cut > 0 else sample
    order = (prefer, *(d for d in DELIMITERS if d != prefer))
    best: tuple[float, int, int, int] | None = None
    chosen = ","
    blank_under = None  # a delimiter under which every row is blank (";;;" lines): the file is empty
    for rank, delimiter in enumerate(order):
        raw = _sample_rows(sample, delimiter)
        rows = [row for row in raw if any(cell.strip() for cell in row)]
        if not rows:
            blank_under = blank_under or (delimiter if raw else None)
            continue
        # the header: the first row of two named cells or more (title rows may come before it)
        position, named = next(
            ((index, count) for index, row in enumerate(rows[: TITLE_ROWS + 1]) if (count := _named(row)) > 1),
            (-1, 0),
        )
        if position < 0:
            continue
        width = len(rows[position])
        others = [row for index, row in enumerate(rows[: SAMPLE_ROWS + 1]) if index != position]
        fitting = sum(1 for row in others if len(row) == width)
        score = (fitting / len(others) if others else 1.0, -position, named, -rank)
        if best is None or score > best:
            best, chosen = score, delimiter
    return blank_under if best is None and blank_under else chosen


def _named(row: list[str]) -> int:
    """The number of cells up to the last non-blank one."""
    count = len(row)
    while count and not row[count - 1].strip():
        count -= 1
    return count


def _sample_rows(sample: str, delimiter: str) -> list[list[str]]:
    rows: list[list[str]] = []
    try:
        for row in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter, strict=False):
            rows.append(row)
            if len(rows) > SAMPLE_ROWS:
                break
    except csv.Error:
        pass
    return rows


@contextlib.contextmanager
def _text_rows(path: pathlib.Path, source: Source) -> Iterator[Iterator[list[Any]]]:
    with path.open(encoding=source.encoding, newline="") as stream:
        reader = csv.reader(stream, delimiter=source.delimiter or ",", strict=False)
        try:
            yield reader
        except csv.Error as error:  # raised while the caller iterates
            raise TabularError(
                f"No se pudo leer el archivo cerca de la línea {reader.line_num}: una celda es demasiado larga "
                f"o unas comillas no se cierran ({error}).",
                code="csv",
            ) from None


# -------------------------------------------------------------------------------------------- workbook


def _broken_workbook() -> TabularError:
    return TabularError("El archivo no es un libro de Excel (.xlsx) válido o está dañado.", code="bad_xlsx")


def _load_workbook(path: pathlib.Path) -> Any:
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # unsupported extensions, data validation, ...
            return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # a bad ZIP, missing parts, bad XML: all the same to the user
        raise _broken_workbook() from None


def _sheet_rows(worksheet: Any) -> Iterator[tuple[Any, ...]]:
    worksheet.reset_dimensions()  # some writers declare a wrong size ("A1"): read every row there is
    try:
        yield from worksheet.iter_rows(values_only=True)
    except TabularError:
        raise
    except Exception:
        raise _broken_workbook() from None


def _has_data(worksheet: Any) -> bool:
    return any(any(_blank(value) is False for value in row) for row in _sheet_rows(worksheet))


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _workbook_source(workbook: Any, sheet: str | None) -> Source:
    worksheets = workbook.worksheets
    names = [ws.title for ws in worksheets]
    if sheet is not None:
        if sheet not in names:
            listed = ", ".join(quote(name) for name in names)
            raise TabularError(f"El libro no tiene una hoja {quote(sheet)} (hojas: {listed}).", code="sheet")
        if not _has_data(workbook[sheet]):
            raise TabularError(f"La hoja {quote(sheet)} del libro está vacía.", code="empty")
        chosen = sheet
    else:
        visible = [ws for ws in worksheets if ws.sheet_state == "visible"]
        hidden = [ws for ws in worksheets if ws.sheet_state != "visible"]
        chosen = next((ws.title for ws in visible + hidden if _has_data(ws)), None)
        if chosen is None:
            raise TabularError("El libro no tiene hojas con datos.", code="empty")
    found = []
    others = [name for name in names if name != chosen]
    if others:
        found.append(
            f"El libro tiene {len(names)} hojas: se cargó {quote(chosen)}; no se cargaron "
            + ", ".join(quote(name) for name in others)
            + "."
        )
    return Source(format="xlsx", sheet=chosen, sheets=names, warnings=found)


@contextlib.contextmanager
def _workbook_rows(path: pathlib.Path, source: Source) -> Iterator[Iterator[list[Any]]]:
    workbook = _load_workbook(path)
    try:
        yield _worksheet_rows(workbook[source.sheet])
    finally:
        workbook.close()


def _worksheet_rows(worksheet: Any) -> Iterator[list[Any]]:
    return ([xlsx_value(value) for value in row] for row in _sheet_rows(worksheet))


def xlsx_value(value: Any) -> Any:
    """A workbook cell as the analysis reads it: text as ``str`` (empty for none), numbers as ``int`` (a
    whole float too) or ``float``, dates as ``datetime.date`` (a date-time at midnight too); booleans,
    times and date-times with a time become text (``VERDADERO``, ``14:30:00``, ``2024-03-05 14:30:00``)."""
    if value is None:
        return ""
    kind = type(value)
    if kind is str:
        return value.replace("\x00", "")
    if kind is bool:
        return "VERDADERO" if value else "FALSO"
    if kind is int:
        return value
    if kind is float or kind is decimal.Decimal:
        number = float(value)
        if number != number or number in (float("inf"), float("-inf")):
            return str(value)
        return int(number) if number.is_integer() and abs(number) < 2**63 else number
    if kind is dt.datetime:
        return value.date() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if kind is dt.date:
        return value
    if kind is dt.time:
        return value.isoformat()
    return str(value)


def format_float(value: float, decimal_mark: str) -> str:
    """A workbook float as plain text with ``decimal_mark`` (15 significant digits, as Excel shows it; no
    exponent): 0.1 → ``0,1``; 1e-05 → ``0,00001``."""
    text = format(decimal.Decimal(format(value, ".15g")), "f")
    return text.replace(".", decimal_mark) if decimal_mark != "." else text


@contextlib.contextmanager
def open_rows(path: pathlib.Path, source: Source) -> Iterator[Iterator[list[Any]]]:
    """The rows of ``path`` as ``source`` says to read them (a context manager: the file or workbook is
    closed on exit); CSV cells are ``str``, workbook cells as :func:`xlsx_value` gives them."""
    opener = _workbook_rows if source.format == "xlsx" else _text_rows
    with opener(pathlib.Path(path), source) as rows:
        yield rows

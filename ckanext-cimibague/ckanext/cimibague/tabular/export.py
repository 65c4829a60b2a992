"""The analysed file as a UTF-8, comma-delimited CSV, for a loader that copies text into PostgreSQL."""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import pathlib
from typing import Any

from ckanext.cimibague.tabular import reader, rules
from ckanext.cimibague.tabular.analysis import Analysis

__all__ = ["write_utf8_csv"]


def _text(cell: Any, decimal_mark: str) -> str:
    if type(cell) is str:
        return cell.strip(rules.WHITESPACE) if cell else ""
    if type(cell) is float:
        return reader.format_float(cell, decimal_mark)
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return str(cell)


def write_utf8_csv(analysis: Analysis, path_in: pathlib.Path, path_out: pathlib.Path) -> None:
    """Write the data of ``path_in``, read as ``analysis`` says (encoding, delimiter or sheet, header
    row), to ``path_out``: UTF-8 without BOM, ``,``-delimited, ``\\n`` line ends, the header being the
    columns' names, then exactly ``analysis.rows`` rows as the analysis counted them (blank rows left
    out, short rows padded, cells past the header dropped). Cells are trimmed; workbook numbers and dates
    are written in forms :func:`~ckanext.cimibague.tabular.convert` and ``sql_cast`` accept under the
    column's type (a decimal comma in a ``colombiano`` column, a point otherwise; ISO dates)."""
    source = reader.Source(
        format=analysis.format,
        encoding=analysis.encoding,
        delimiter=analysis.delimiter,
        sheet=analysis.sheet,
        sheets=analysis.sheets,
    )
    width = len(analysis.columns)
    marks = ["," if column.number_format == "colombiano" else "." for column in analysis.columns]
    strings = analysis.format != "xlsx"
    with (
        reader.open_rows(pathlib.Path(path_in), source) as rows,
        pathlib.Path(path_out).open("w", encoding="utf-8", newline="") as out,
    ):
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([column.name for column in analysis.columns])
        for number, row in enumerate(rows, start=1):
            if number <= analysis.header_row:
                continue
            if strings:
                cells = list(map(str.strip, row[:width], itertools.repeat(rules.WHITESPACE)))
            else:
                cells = [_text(cell, mark) for cell, mark in zip(row[:width], marks, strict=False)]
            if not any(cells):
                continue
            if len(cells) < width:
                cells += [""] * (width - len(cells))
            writer.writerow(cells)

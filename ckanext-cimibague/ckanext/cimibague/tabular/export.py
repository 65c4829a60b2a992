"""The analysed file as the CSV a loader COPYs into typed PostgreSQL columns."""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import pathlib
from collections.abc import Sequence
from typing import Any

from ckanext.cimibague.tabular import reader, rules
from ckanext.cimibague.tabular.analysis import Analysis, Column

__all__ = ["END_OF_DATA", "write_copy_csv"]

#: PostgreSQL's end-of-data marker in COPY's CSV input, when unquoted and alone on a line.
END_OF_DATA = "\\."


def _text(cell: Any, decimal_mark: str) -> str:
    if type(cell) is str:
        return cell.strip(rules.WHITESPACE) if cell else ""
    if type(cell) is float:
        return reader.format_float(cell, decimal_mark)
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return str(cell)


def write_copy_csv(
    analysis: Analysis, path_in: pathlib.Path, path_out: pathlib.Path, columns: Sequence[Column] | None = None
) -> dict[str, int]:
    """Write the data of ``path_in``, read as ``analysis`` says (encoding, delimiter or sheet, header
    row), to ``path_out`` for PostgreSQL's ``COPY … (FORMAT csv, HEADER true, FORCE_NULL (…))``: UTF-8
    without BOM, ``,``-delimited, ``\\n`` line ends, the header being the columns' names, then exactly
    ``analysis.rows`` rows as the analysis counted them (blank rows left out, short rows padded, cells
    past the header dropped). Cells are trimmed, and each cell of a typed column is written as
    :func:`~ckanext.cimibague.tabular.copy_text` gives it (``35.120`` → ``35120``, ``05/03/2024`` →
    ``2024-03-05``); an empty cell is empty (``NULL``).

    ``columns`` (default: the analysis' own) gives the type of each column, e.g. one staff chose in the
    data dictionary (``Column.with_type``). Returns, per column name, how many non-empty cells did not
    fit its type and were written empty (only a type the analysis did not choose has any)."""
    columns = list(columns if columns is not None else analysis.columns)
    if len(columns) != len(analysis.columns):
        raise ValueError("one column type per analysed column")
    source = reader.Source(
        format=analysis.format,
        encoding=analysis.encoding,
        delimiter=analysis.delimiter,
        sheet=analysis.sheet,
        sheets=analysis.sheets,
    )
    width = len(columns)
    marks = ["," if column.number_format == "colombiano" else "." for column in columns]
    converters = [(i, f) for i, f in enumerate(map(rules.copy_text, columns)) if f is not None]
    misfits = [0] * width
    strings = analysis.format != "xlsx"
    with (
        reader.open_rows(pathlib.Path(path_in), source) as rows,
        pathlib.Path(path_out).open("w", encoding="utf-8", newline="") as out,
    ):
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([column.name for column in columns])
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
            for i, convert in converters:
                cell = cells[i]
                if cell:
                    value = convert(cell)
                    if value is None:
                        misfits[i] += 1
                        cells[i] = ""
                    else:
                        cells[i] = value
            if cells == [END_OF_DATA]:
                out.write(f'"{END_OF_DATA}"\n')  # alone on a line, it would end COPY's input
            else:
                writer.writerow(cells)
    return {column.name: count for column, count in zip(columns, misfits, strict=True) if count}

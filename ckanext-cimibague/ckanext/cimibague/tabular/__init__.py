"""Tabular files the Colombian way: the pure core of the Data API's loading (no CKAN, no DataStore).

- ``analyse(path, fmt, *, max_bytes=None, today=None, sheet=None, ragged_tolerance=0.01) -> Analysis``
  reads a CSV, TSV or XLSX file once: how it was read (``encoding``, ``delimiter``, ``sheet``/``sheets``,
  ``format``, ``header_row``), its ``columns`` (:class:`Column`: ``name``, ``type``, ``pg_type``,
  ``number_format``, ``date_format``, ``reason``, ``unit``, ``header``) typed by the Colombian conventions
  (``35.120``, ``2,5``, ``dd/mm/aaaa``, …), the number of data ``rows`` and the quality ``report`` for the
  reviewers (format in ``analysis.py``); or raises :class:`TabularError` (``message`` in Spanish for the
  resource page, ``code`` for programs): empty file, header only, ragged rows, size limit, old .xls,
  broken xlsx, undecodable text, …
- ``convert(column, value)`` (the Python value) and ``copy_text(column)(value)`` (the text PostgreSQL's
  ``COPY`` reads as that value) convert one cell of a column under its type with the same rules
  (``rules.py``); ``Column.with_type(type)`` gives the column under a type staff chose in the data
  dictionary.
- ``write_copy_csv(analysis, path_in, path_out, columns=None)`` writes the data as UTF-8, comma-delimited
  CSV with the columns' names and every typed cell converted, for ``COPY`` into typed columns.

The rules are in ``rules.py`` (values), ``reader.py`` (formats, encodings, delimiters, sheets),
``analysis.py`` (header, rows, types, the report's format) and ``stats.py`` (counting a column). The
Spanish sentences (messages, reasons, warnings) are written in Spanish in this package, not wrapped in
``_()``: they are data about a municipal file, stored with its report, like the file itself.
"""

from __future__ import annotations

from ckanext.cimibague.tabular.analysis import Analysis, Column, analyse, column_names
from ckanext.cimibague.tabular.errors import TabularError
from ckanext.cimibague.tabular.export import write_copy_csv
from ckanext.cimibague.tabular.rules import PG_TYPES, TYPES, WHITESPACE, convert, copy_text

__all__ = [
    "PG_TYPES",
    "TYPES",
    "WHITESPACE",
    "Analysis",
    "Column",
    "TabularError",
    "analyse",
    "column_names",
    "convert",
    "copy_text",
    "write_copy_csv",
]

"""The one exception of the tabular package."""

from __future__ import annotations

__all__ = ["TabularError"]


class TabularError(Exception):
    """A file that must not be loaded, with the reason in Spanish for the resource page (``str(error)`` or
    ``error.message``) and a short ``code`` for programs: ``format`` (not CSV/TSV/XLSX), ``too_large``,
    ``empty`` (no rows, or an empty workbook or sheet), ``header_only``, ``ragged``, ``xls`` (old Excel),
    ``bad_xlsx`` (a broken workbook), ``sheet`` (no such sheet), ``undecodable``, ``binary`` (NUL bytes),
    ``csv`` (a cell over the CSV reader's limit, usually an unclosed quote)."""

    def __init__(self, message: str, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code

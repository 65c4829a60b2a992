"""The columns of a table to load: their DataStore ids, the type each one takes, its data-dictionary entry.

The analysis (``tabular.analyse``) chooses a type per column; CKAN's data dictionary
(``/dataset/<id>/dictionary/<resource_id>``, the ``info`` of each DataStore field) records, per column:

- ``label``: the column's header as the file wrote it (the column ids are transliterated to ASCII);
- ``type_override``: the type applied; ``cim_tipo``: the type the analysis chose. A ``type_override`` that
  differs from ``cim_tipo`` is a correction by staff: the next load applies it instead of the analysis
  (values that do not fit it are loaded empty, and the notes say how many);
- ``notes``: why a column stayed text or lost values (``cim_motivo``), unless staff wrote notes of their own.

Labels and notes written by staff survive every reload of a column with the same id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.cimibague import tabular
from ckanext.cimibague.data_api.messages import N_, message
from ckanext.datastore.helpers import is_valid_field_name
from ckanext.xloader import loader

__all__ = ["PG_TYPES", "Field", "bad_ids", "column_id", "fields", "previous", "with_misfits"]

#: The column types a table may take (anything else from a data dictionary is loaded as text).
PG_TYPES = frozenset({"text", "int8", "numeric", "date"})
_TABULAR = {"int8": "integer", "numeric": "numeric", "date": "date", "text": "text"}

#: SQLAlchemy's bind parameter (``sqlalchemy.sql.elements.TextClause``), which CKAN's ``create_table`` does
#: not escape in column names.
_BIND = re.compile(r"(?<![:\w\\]):\w")

MISFITS = N_("Values that are not of type %(type)s, loaded empty: %(count)s")


@dataclass(frozen=True)
class Field:
    """A column to load: its DataStore ``id``, the ``column`` under the type it takes (for
    ``tabular.write_copy_csv``) and the ``info`` of its data-dictionary entry."""

    id: str
    column: tabular.Column
    info: dict[str, Any]

    @property
    def type(self) -> str:
        return self.column.pg_type

    def as_datastore(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "info": self.info}


def column_id(column: tabular.Column) -> str:
    """The DataStore id of a column: its name written as xloader writes headers (transliterated to ASCII,
    trimmed, at most 63 characters), so that tables loaded before keep their ids."""
    return loader.encode_headers([column.name])[0].strip()[: loader.MAX_COLUMN_LENGTH].strip()


def bad_ids(analysis: tabular.Analysis) -> list[str]:
    """The ids the DataStore would refuse: invalid, repeated once written (``Año`` and ``Ano``), or with a
    colon CKAN's ``datastore_create`` takes for a bind parameter (``Valor :total``)."""
    ids = [column_id(column) for column in analysis.columns]
    invalid = [name for name in ids if not is_valid_field_name(name) or _BIND.search(name)]
    return invalid + sorted({n for n in ids if ids.count(n) > 1})


def previous(resource_id: str) -> dict[str, dict[str, Any]]:
    """The data dictionary of the resource's current table, per column id (empty when it has none)."""
    try:
        info = tk.get_action("datastore_info")({"ignore_auth": True}, {"id": resource_id})
    except tk.ObjectNotFound:
        return {}
    return {field["id"]: dict(field.get("info") or {}) for field in info["fields"]}


def _corrected(info: dict[str, Any]) -> bool:
    """Whether staff corrected the type in the data dictionary (a type_override the analysis did not set)."""
    return bool(info.get("type_override")) and info.get("type_override") != info.get("cim_tipo")


def _typed(column: tabular.Column, info: dict[str, Any]) -> tabular.Column:
    if not _corrected(info):
        return column
    target = info["type_override"] if info["type_override"] in PG_TYPES else "text"
    return column if target == column.pg_type else column.with_type(_TABULAR[target])


def _entry(column: tabular.Column, info: dict[str, Any], reason: str) -> dict[str, Any]:
    entry = dict(info)
    entry["label"] = info.get("label") or column.header or column.name
    entry["type_override"] = info["type_override"] if _corrected(info) else column.pg_type
    entry["cim_tipo"] = column.pg_type
    if not info.get("notes") or info.get("notes") == info.get("cim_motivo"):
        entry["notes"] = reason
    entry["cim_motivo"] = reason
    return entry


def fields(analysis: tabular.Analysis, dictionary: dict[str, dict[str, Any]]) -> list[Field]:
    """The columns of ``analysis`` to load, typed by the analysis or by a staff correction found in
    ``dictionary`` (:func:`previous`), with their data-dictionary entries."""
    result = []
    for column in analysis.columns:
        ident = column_id(column)
        info = dictionary.get(ident, {})
        result.append(Field(ident, _typed(column, info), _entry(column, info, column.reason or "")))
    return result


def with_misfits(loaded: list[Field], misfits: dict[str, int]) -> list[Field]:
    """The fields with the notes of the columns that lost values (``tabular.write_copy_csv``'s count per
    column name) saying how many."""
    result = []
    for item in loaded:
        count = misfits.get(item.column.name)
        if count:
            reason = message(MISFITS, count=count, type=item.type)
            info = dict(item.info)
            if not info.get("notes") or info.get("notes") == info.get("cim_motivo"):
                info["notes"] = reason
            info["cim_motivo"] = reason
            item = replace(item, info=info)
        result.append(item)
    return result

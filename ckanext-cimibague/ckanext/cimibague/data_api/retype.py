"""Typing a loaded table in PostgreSQL, and writing the types to CKAN's data dictionary.

xloader COPYs every column as text. ``retype`` then converts, in one ``ALTER TABLE`` (one rewrite of the
table, in PostgreSQL, inside one transaction), each column to the type the analysis chose, with the
analysis' own conversion expression (``tabular.sql_cast``: Colombian thousands and decimal marks,
``dd/mm/aaaa``...). The data dictionary (``info`` of each field, CKAN's form at
``/dataset/<id>/dictionary/<resource_id>``) gets:

- ``label``: the column's header as the file wrote it (xloader's column ids are transliterated to ASCII);
- ``type_override``: the type applied; ``cim_tipo``: the type the analysis chose. A ``type_override`` that
  differs from ``cim_tipo`` is a correction by staff: the next load applies it instead of the analysis;
- ``notes``: why a column stayed text (``cim_motivo``), unless staff wrote notes of their own.

A staff correction that a column's values cannot take (an error of PostgreSQL's cast) leaves that column
as text, and says so; the other columns are typed all the same.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa

from ckanext.cimibague import tabular
from ckanext.cimibague.data_api.messages import N_, message
from ckanext.datastore.backend.postgres import get_write_engine, identifier

__all__ = ["PG_TYPES", "columns", "retype", "table_exists"]

log = logging.getLogger(__name__)

#: The column types a table may take (anything else from an analysis or a data dictionary stays text).
PG_TYPES = frozenset({"text", "int8", "numeric", "date"})
Cast = Callable[[Any, str], str]


CANNOT_CAST = N_("Its values could not be converted to %(type)s: it stays text")


def table_exists(resource_id: str) -> bool:
    with get_write_engine().connect() as conn:
        return bool(
            conn.execute(
                sa.text("SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tablename = :name"),
                {"name": resource_id},
            ).first()
        )


def columns(conn: Any, resource_id: str) -> list[tuple[str, str]]:
    rows = conn.execute(
        sa.text(
            "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a"
            " JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'public' AND c.relname = :name AND a.attnum > 0 AND NOT a.attisdropped"
            " ORDER BY a.attnum"
        ),
        {"name": resource_id},
    )
    return [(name, {"bigint": "int8"}.get(kind, kind)) for name, kind in rows if not name.startswith("_")]


def _dictionary(resource_id: str) -> dict[str, dict[str, Any]]:
    info = tk.get_action("datastore_info")({"ignore_auth": True}, {"id": resource_id})
    return {field["id"]: dict(field.get("info") or {}) for field in info["fields"]}


def _corrected(info: dict[str, Any]) -> bool:
    """Whether staff corrected the type in the data dictionary (a type_override the analysis did not set)."""
    return bool(info.get("type_override")) and info.get("type_override") != info.get("cim_tipo")


def _target(column: Any, info: dict[str, Any]) -> str:
    if _corrected(info):
        return info["type_override"] if info["type_override"] in PG_TYPES else "text"
    return column.pg_type if column.pg_type in PG_TYPES else "text"


def _expression(column: Any, ident: str, target: str, cast: Cast) -> str:
    if target == column.pg_type:
        return cast(column, ident)
    # a correction by staff: the analysis' rules under the corrected type (tabular's Column.with_type)
    tabular_type = {"int8": "integer", "numeric": "numeric", "date": "date"}.get(target)
    if tabular_type and hasattr(column, "with_type"):
        return cast(column.with_type(tabular_type), ident)
    return f"NULLIF(btrim({ident}), '')::{target}"


def _alter(conn: Any, resource_id: str, clauses: dict[str, str]) -> set[str]:
    """Apply the clauses in one statement; if PostgreSQL refuses, one by one. The columns it refused."""
    if not clauses:
        return set()
    table = identifier(resource_id)
    try:
        with conn.begin_nested():
            conn.execute(sa.text(f"ALTER TABLE {table} {', '.join(clauses.values())}".replace(":", r"\:")))
        return set()
    except sa.exc.DBAPIError:
        refused = set()
        for name, clause in clauses.items():
            try:
                with conn.begin_nested():
                    conn.execute(sa.text(f"ALTER TABLE {table} {clause}".replace(":", r"\:")))
            except sa.exc.DBAPIError as error:
                log.warning("retype %s: column %s: %s", resource_id, name, error.orig)
                refused.add(name)
        return refused


def retype(resource_id: str, analysis: Any, cast: Cast | None = None) -> list[dict[str, str]]:
    """Type the DataStore table of ``resource_id`` after ``analysis`` (its ``columns``, in the table's
    order, each with ``name``, ``type``, ``pg_type`` and ``reason``) and write the data dictionary.

    ``cast(column, quoted_identifier)`` is the PostgreSQL expression converting a text column (default:
    ``tabular.sql_cast``). Returns, per column, its ``id``, the ``type`` applied and the ``reason`` it
    stayed text (empty when typed). Columns already of their type are left alone (a second call does
    nothing)."""
    cast = cast or tabular.sql_cast
    analysed = list(analysis.columns)
    info = _dictionary(resource_id)
    with get_write_engine().begin() as conn:
        current = columns(conn, resource_id)
        if len(current) != len(analysed):
            log.warning("retype %s: %s columns in the table, %s analysed", resource_id, len(current), len(analysed))
            return []
        clauses: dict[str, str] = {}
        targets: dict[str, str] = {}
        for (name, kind), column in zip(current, analysed, strict=True):
            targets[name] = _target(column, info.get(name, {}))
            if targets[name] != kind and targets[name] != "text":
                ident = identifier(name)
                expression = _expression(column, ident, targets[name], cast)
                clauses[name] = f"ALTER COLUMN {ident} TYPE {targets[name]} USING {expression}"
        refused = _alter(conn, resource_id, clauses)
        applied = dict(columns(conn, resource_id))
    results = []
    fields = []
    for (name, _kind), column in zip(current, analysed, strict=True):
        reason = column.reason or ""
        if name in refused:
            reason = message(CANNOT_CAST, type=targets[name])
        previous = info.get(name, {})
        chosen = column.pg_type if column.pg_type in PG_TYPES else "text"
        entry = dict(previous)
        entry["label"] = previous.get("label") or getattr(column, "header", None) or column.name
        entry["type_override"] = previous["type_override"] if _corrected(previous) else chosen
        entry["cim_tipo"] = chosen
        if not previous.get("notes") or previous.get("notes") == previous.get("cim_motivo"):
            entry["notes"] = reason
        entry["cim_motivo"] = reason
        fields.append({"id": name, "type": applied[name], "info": entry})
        results.append({"id": name, "type": applied[name], "reason": reason})
    tk.get_action("datastore_create")(
        {"ignore_auth": True}, {"resource_id": resource_id, "force": True, "fields": fields}
    )
    return results

"""Writing a checked file into its DataStore table: typed columns, one COPY, one swap.

``replace(resource_id, fields, csv_path, logger)`` (the CSV from ``tabular.write_copy_csv``: every typed
cell already in PostgreSQL's input form):

1. ``COPY`` into a temporary table with the final column types, on the write connection. PostgreSQL
   refusing a value (it should not: the file was converted by the same rules), or reading another number
   of rows than the analysis counted, stops the load here, with the DataStore untouched.
2. The DataStore table: kept when its columns are the same (ids and types, in order); otherwise dropped
   (``datastore_delete``) and created with the new columns and their data dictionary
   (``datastore_create``: CKAN's own table, full-text trigger and indexes). Only here, for the moment
   between the two calls, is a table missing or empty — and only when the columns changed.
3. The swap, in one transaction: ``TRUNCATE``, the full-text trigger off and the non-unique indexes
   dropped (as xloader does before its COPY), ``INSERT … SELECT`` from the temporary table with
   ``_full_text`` computed as xloader's ``_populate_fulltext`` computes it, the trigger on again, CKAN's
   indexes rebuilt (``create_indexes``). Readers keep the previous rows until the commit (they wait on
   the table's lock meanwhile): a half-loaded table is never served, and a failure leaves the previous
   one whole.
4. The data dictionary of a kept table (``datastore_create`` on the same columns) and ``ANALYZE``
   (xloader's ``calculate_record_count``).

Compared with xloader's ``load_csv`` (a second pass over the file in Python, COPY of text, then an
``UPDATE`` of every row for the full-text column), the rows are written once into the table, typed.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa

from ckanext.cimibague.data_api.dictionary import Field
from ckanext.datastore.backend.postgres import _drop_indexes, create_indexes, get_write_engine, identifier
from ckanext.xloader import loader

__all__ = ["StagingError", "columns", "replace", "table_exists"]

log = logging.getLogger(__name__)

STAGING = "cim_carga"
#: How long the swap waits for readers of the previous table to finish before giving up (the load fails,
#: the previous table stays).
LOCK_TIMEOUT = "15s"


class StagingError(Exception):
    """PostgreSQL refused the file in the temporary table: the DataStore table was not touched."""


def table_exists(conn: Any, resource_id: str) -> bool:
    return bool(
        conn.execute(
            sa.text("SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tablename = :name"),
            {"name": resource_id},
        ).first()
    )


def columns(conn: Any, resource_id: str) -> list[tuple[str, str]]:
    """The user columns of a DataStore table (``_id`` and ``_full_text`` left out), with their types as
    CKAN names them (``int8``, ``numeric``, ``date``, ``text``...), in order."""
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


def _stage(conn: Any, fields: list[Field], csv_path: Path, rows: int | None) -> None:
    names = ", ".join(identifier(field.id) for field in fields)
    definition = ", ".join(f"{identifier(field.id)} {field.type}" for field in fields)
    with conn.begin():
        conn.execute(sa.text(f"DROP TABLE IF EXISTS pg_temp.{STAGING}"))
        conn.execute(sa.text(f"CREATE TEMP TABLE {STAGING} ({definition})"))
        cursor = conn.connection.cursor()
        try:
            with csv_path.open("rb") as stream:
                cursor.copy_expert(
                    f"COPY {STAGING} ({names}) FROM STDIN"
                    f" WITH (FORMAT csv, HEADER true, ENCODING 'UTF8', FORCE_NULL ({names}))",
                    stream,
                )
        except Exception as error:  # psycopg2's DataError and kin: the message names the line and value
            raise StagingError(str(error).strip().splitlines()[0] if str(error).strip() else repr(error)) from error
        finally:
            cursor.close()
        copied = conn.execute(sa.text(f"SELECT count(*) FROM {STAGING}")).scalar()
        if rows is not None and copied != rows:
            raise StagingError(f"PostgreSQL leyó {copied} filas de {rows}")


def _site_context() -> dict[str, Any]:
    user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"ignore_auth": True, "user": user["name"]}


def _prepare(conn: Any, resource_id: str, fields: list[Field]) -> bool:
    """Make the DataStore table have ``fields``' columns. True when the existing table was kept."""
    wanted = [(field.id, field.type) for field in fields]
    with conn.begin():
        exists = table_exists(conn, resource_id)
        current = columns(conn, resource_id) if exists else []
    if exists and current == wanted:
        return True
    if exists:
        tk.get_action("datastore_delete")(_site_context(), {"resource_id": resource_id, "force": True})
    tk.get_action("datastore_create")(
        _site_context(),
        {"resource_id": resource_id, "force": True, "fields": [field.as_datastore() for field in fields]},
    )
    return False


def _full_text(fields: list[Field]) -> str:
    parts = [f"coalesce({identifier(field.id)}{'::text' if field.type != 'text' else ''}, '')" for field in fields]
    return "to_tsvector(" + " || ' ' || ".join(parts) + ")"


def _swap(conn: Any, resource_id: str, fields: list[Field]) -> None:
    table = identifier(resource_id)
    names = ", ".join(identifier(field.id) for field in fields)
    with conn.begin():
        conn.execute(sa.text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))
        conn.execute(sa.text(f"TRUNCATE TABLE {table} RESTART IDENTITY"))
        conn.execute(sa.text(f"ALTER TABLE {table} DISABLE TRIGGER zfulltext"))
        context: Any = {"connection": conn}
        data_dict = {"resource_id": resource_id, "fields": [field.as_datastore() for field in fields]}
        _drop_indexes(context, data_dict, False)
        conn.execute(
            sa.text(f"INSERT INTO {table} ({names}, _full_text) SELECT {names}, {_full_text(fields)} FROM {STAGING}")
        )
        conn.execute(sa.text(f"ALTER TABLE {table} ENABLE TRIGGER zfulltext"))
        create_indexes(context, data_dict)


def replace(
    resource_id: str, fields: list[Field], csv_path: Path, logger: logging.Logger, rows: int | None = None
) -> None:
    """Load ``csv_path`` into the DataStore table of ``resource_id`` (see the module's docstring); with
    ``rows``, the number of rows the file must give (else nothing is touched)."""
    with get_write_engine().connect() as conn:
        try:
            logger.info("Copying the rows into PostgreSQL")
            _stage(conn, fields, csv_path, rows)
            kept = _prepare(conn, resource_id, fields)
            logger.info("Replacing the rows of the table" if kept else "Table created with the new columns")
            _swap(conn, resource_id, fields)
        finally:
            conn.rollback()
            with conn.begin():
                conn.execute(sa.text(f"DROP TABLE IF EXISTS pg_temp.{STAGING}"))
    if kept:
        tk.get_action("datastore_create")(
            _site_context(),
            {"resource_id": resource_id, "force": True, "fields": [field.as_datastore() for field in fields]},
        )
    loader.calculate_record_count(resource_id=resource_id, logger=logger)

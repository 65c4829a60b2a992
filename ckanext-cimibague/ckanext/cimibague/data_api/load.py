"""Loading a tabular resource into the DataStore: read, check, convert, load typed.

``submit`` replaces the body of ``xloader_submit`` (chained: xloader's triggers on resource create and
update, its «Upload to DataStore» button and its CLI all come here) and enqueues ``load_resource`` on
xloader's queue. The job, on the CKAN jobs worker:

1. reads the file once: an upload from CKAN's storage, a URL with a timeout and a size limit
   (``ckanext.xloader.max_content_length``);
2. analyses it (``tabular.analyse``: encoding, delimiter, header, rows, Colombian types) and refuses, with
   a Spanish message, an empty file, a header alone, ragged rows, a broken workbook...; until then the
   table is not touched, so the previous table (if any) keeps answering;
3. takes each column's type from the analysis, or from a correction by staff in the data dictionary
   (``dictionary.py``), and writes the rows once more with every typed cell converted
   (``tabular.write_copy_csv``: ``35.120`` → ``35120``, ``05/03/2024`` → ``2024-03-05``);
4. COPYs them into typed columns and swaps them into the table in one transaction (``tables.py``: the
   previous rows answer until the commit), with the data dictionary written;
5. reports through ``xloader_hook`` (task status shown by xloader's badge and DataStore page, IXloader
   ``after_upload``, the default datastore views).

xloader's job logs go to its jobs database (``ckanext.xloader.jobs_db.uri``: CKAN's own database unless
configured), so its DataStore page shows them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import requests
from ckan.lib import uploader
from ckan.types import Context, DataDict

from ckanext.cimibague import tabular
from ckanext.cimibague.data_api import dictionary, quality, tables
from ckanext.cimibague.data_api.messages import N_, message
from ckanext.xloader import db as xloader_db
from ckanext.xloader import jobs as xloader_jobs
from ckanext.xloader.utils import XLoaderFormats

__all__ = ["FORMATS", "Refused", "jobs_database", "load_resource", "submit"]

log = logging.getLogger(__name__)

FORMATS = ("csv", "tsv", "xlsx")  # also in ckanext.xloader.formats (config/common.ini)
XLOADER_SQLITE = "sqlite:////tmp/xloader_jobs.db"  # xloader's declared default


TOO_LARGE = N_("The file is larger than %(limit)s MB: it is not loaded into the DataStore")
NO_FILE = N_("The uploaded file is not in the site's storage")
NOT_HTTP = N_("Only http and https addresses are loaded into the DataStore")
TIMEOUT = N_("The address %(url)s did not answer within %(seconds)s seconds")
HTTP_ERROR = N_("The address %(url)s answered with the error %(status)s")
UNREACHABLE = N_("The file could not be downloaded from %(url)s")
FAILED = N_("The table could not be loaded into the DataStore: %(reason)s")
BAD_NAMES = N_("The DataStore cannot name these columns (repeated or invalid once written without accents): %(names)s")


class Refused(Exception):
    """The file is not loaded; the message says why (in the site's language)."""


# ------------------------------------------------------------------------------------------------ submit


def _format(resource: dict[str, Any] | model.Resource) -> str | None:
    value = (resource.get("format") if isinstance(resource, dict) else resource.format) or ""
    value = value.lower().strip().lstrip(".")
    return value if value in FORMATS and XLoaderFormats.is_it_an_xloader_format(value) else None


def _task(resource_id: str, state: str, job_id: str) -> None:
    """xloader's task status of the resource (its badge and DataStore page read it)."""
    task: dict[str, Any] = {
        "entity_id": resource_id,
        "entity_type": "resource",
        "task_type": "xloader",
        "key": "xloader",
        "state": state,
        "last_updated": str(dt.datetime.utcnow()),
        "value": json.dumps({"job_id": job_id}),
        "error": "{}",
    }
    current = quality.xloader_task(resource_id)
    if current:
        task["id"] = current["id"]
    tk.get_action("task_status_update")(
        {"session": model.meta.create_local_session(), "ignore_auth": True},  # type: ignore[typeddict-item]
        task,
    )


def _queued(resource_id: str) -> bool:
    """Whether a load of the resource waits in the queue (not started, and not forgotten)."""
    task = quality.xloader_task(resource_id)
    if not task:
        return False
    stale = dt.timedelta(seconds=int(tk.config.get("ckanext.xloader.job_timeout")))
    updated = dt.datetime.fromisoformat(task["last_updated"])
    return task["state"] == "pending" and dt.datetime.utcnow() - updated < stale


def submit(context: Context, data_dict: DataDict) -> bool:
    """Queue the CIM load of a CSV, TSV or XLSX resource (see the module's docstring). False when the
    resource is not one to load."""
    resource_id = data_dict.get("resource_id") or data_dict.get("id")
    tk.check_access("xloader_submit", context, {"resource_id": resource_id})
    resource = model.Resource.get(resource_id or "")
    if resource is None or resource.state != "active" or _format(resource) is None:
        return False
    if resource.url_type in ("datastore", "datapusher", "xloader"):
        return False  # a table written through the DataStore API, or a dump of one: nothing to load
    if _queued(resource.id):
        return True  # creating a resource notifies xloader more than once: one load is enough
    job = tk.enqueue_job(
        load_resource,
        [resource.id],
        title=f"cimibague_datos: resource {resource.id}",
        queue=xloader_jobs.get_default_queue_name(resource.package_id),
        rq_kwargs={"timeout": tk.config.get("ckanext.xloader.job_timeout")},
    )
    _task(resource.id, "pending", job.id)
    return True


# ------------------------------------------------------------------------------------------- the job


def _limit() -> int:
    return int(tk.config.get("ckanext.xloader.max_content_length"))


def _too_large() -> Refused:
    return Refused(message(TOO_LARGE, limit=round(_limit() / 1024 / 1024)))


def _download(url: str, target: Path) -> None:
    if not url.lower().startswith(("http://", "https://")):
        raise Refused(message(NOT_HTTP))
    seconds = tk.config.get("ckanext.cimibague.datos.download_timeout")
    try:
        with requests.get(url, stream=True, timeout=seconds) as response:
            response.raise_for_status()
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > _limit():
                raise _too_large()
            size = 0
            with target.open("wb") as out:
                for chunk in response.iter_content(64 * 1024):
                    size += len(chunk)
                    if size > _limit():
                        raise _too_large()
                    out.write(chunk)
    except requests.Timeout as error:
        raise Refused(message(TIMEOUT, url=url, seconds=seconds)) from error
    except requests.HTTPError as error:
        raise Refused(message(HTTP_ERROR, url=url, status=error.response.status_code)) from error
    except requests.RequestException as error:
        raise Refused(message(UNREACHABLE, url=url)) from error


@contextlib.contextmanager
def _fetched(resource: dict[str, Any], fmt: str) -> Iterator[Path]:
    """The resource's file on local disk, named with its format's extension."""
    with tempfile.TemporaryDirectory(prefix="cimibague-datos-") as folder:
        target = Path(folder) / f"datos.{fmt}"
        if resource.get("url_type") == "upload":
            stored = uploader.get_resource_uploader(resource).get_path(resource["id"])
            if not stored or not os.path.isfile(stored):
                raise Refused(message(NO_FILE))
            if os.path.getsize(stored) > _limit():
                raise _too_large()
            target.symlink_to(stored)
        else:
            _download(resource.get("url") or "", target)
        yield target


def _analyse(path: Path, fmt: str) -> tabular.Analysis:
    try:
        analysis = tabular.analyse(path, fmt, max_bytes=_limit())
    except tabular.TabularError as error:
        raise Refused(str(error)) from error
    wrong = dictionary.bad_ids(analysis)
    if wrong:
        raise Refused(message(BAD_NAMES, names=", ".join(f"«{name}»" for name in wrong)))
    return analysis


def _converted(analysis: tabular.Analysis, path: Path, fields: list[dictionary.Field]) -> Path:
    """The CSV to COPY (next to the file), and the fields with the count of values that did not fit."""
    canonical = path.parent / "canonico.csv"
    try:
        misfits = tabular.write_copy_csv(analysis, path, canonical, [field.column for field in fields])
    except tabular.TabularError as error:
        raise Refused(str(error)) from error
    fields[:] = dictionary.with_misfits(fields, misfits)
    return canonical


def _site_user() -> dict[str, Any]:
    return tk.get_action("get_site_user")({"ignore_auth": True}, {})


def jobs_database(config: Any) -> None:
    """xloader keeps its job logs in SQLite under /tmp unless told otherwise: CKAN's own database here."""
    if config.get("ckanext.xloader.jobs_db.uri") in (None, "", XLOADER_SQLITE):
        config["ckanext.xloader.jobs_db.uri"] = config.get("sqlalchemy.url")


def _job_id() -> str:
    from rq import get_current_job

    job = get_current_job()
    return job.id if job is not None else str(uuid.uuid4())


def _flask_app() -> Any:
    """The site's Flask app: the current one, or, in the jobs worker (``ckan jobs worker``, whose job
    processes are forks of the command, with no context pushed), the one CKAN's command line built."""
    import click
    import flask

    if flask.has_app_context():
        return flask.current_app._get_current_object()  # type: ignore[attr-defined]
    command = click.get_current_context(silent=True)
    return command.meta.get("flask_app") if command is not None else None


@contextlib.contextmanager
def _site_language() -> Iterator[None]:
    """A request in the site's language around what CKAN translates while the job runs: the titles of the
    default views (CKAN's ``_`` answers in English outside a request, and the titles are stored)."""
    import flask

    app = None if flask.has_request_context() else _flask_app()
    if app is None:
        yield
        return
    with app.test_request_context():
        yield


def _hook(resource_id: str, status: str, started: str, error: str | None = None) -> None:
    """xloader's own callback, called in-process: task status, IXloader ``after_upload``, default views."""
    user = _site_user()
    data = {"metadata": {"resource_id": resource_id, "task_created": started}, "status": status}
    if error:
        data["error"] = json.dumps({"message": error})
    with _site_language():
        tk.get_action("xloader_hook")({"ignore_auth": True, "user": user["name"]}, data)


def load_resource(resource_id: str) -> None:
    """The job (see the module's docstring)."""
    job_id = _job_id()
    started = str(dt.datetime.utcnow())
    xloader_db.init(tk.config)
    # no key: nothing calls back over HTTP (xloader's own job stores one to post its status to the site)
    xloader_db.add_pending_job(job_id, "xloader_to_datastore", None, metadata={"resource_id": resource_id})
    logger = logging.getLogger(f"{__name__}.{job_id}")
    handler = xloader_jobs.StoringHandler(job_id, {})
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    _task(resource_id, "running", job_id)
    try:
        loaded = _load(resource_id, logger)
    except Refused as refused:
        reason = str(refused)
        logger.error(reason)
        quality.save(resource_id, "rechazado", message=reason)
        xloader_db.mark_job_as_errored(job_id, {"message": reason})
        _hook(resource_id, "error", started, reason)
    except Exception as error:
        log.exception("cimibague_datos: loading %s failed", resource_id)
        reason = message(FAILED, reason=str(error).splitlines()[0] if str(error) else type(error).__name__)
        logger.error(reason)
        model.Session.rollback()
        quality.save(resource_id, "rechazado", message=reason)
        xloader_db.mark_job_as_errored(job_id, {"message": reason})
        _hook(resource_id, "error", started, reason)
    else:
        xloader_db.mark_job_as_completed(job_id)
        if loaded:
            _hook(resource_id, "complete", started)
        elif model.Resource.get(resource_id) is not None:
            _task(resource_id, "complete", job_id)  # no longer CSV, TSV or XLSX: nothing to load
    finally:
        logger.removeHandler(handler)


def _load(resource_id: str, logger: logging.Logger) -> bool:
    try:
        resource = tk.get_action("resource_show")({"ignore_auth": True}, {"id": resource_id})
    except tk.ObjectNotFound:
        logger.info("The resource %s no longer exists", resource_id)
        return False
    fmt = _format(resource)
    if fmt is None:
        logger.info("The resource %s is not CSV, TSV or XLSX", resource_id)
        return False
    logger.info("Reading the %s file of resource %s", fmt.upper(), resource_id)
    with _fetched(resource, fmt) as path:
        analysis = _analyse(path, fmt)
        logger.info("Checked: %s rows, %s columns", analysis.rows, len(analysis.columns))
        fields = dictionary.fields(analysis, dictionary.previous(resource_id))
        canonical = _converted(analysis, path, fields)
        try:
            tables.replace(resource_id, fields, canonical, logger, rows=analysis.rows)
        except tables.StagingError as error:
            raise Refused(message(FAILED, reason=str(error))) from error
    for field in fields:
        logger.info("Column %s: %s %s", field.id, field.type, field.info.get("cim_motivo") or "")
    tk.get_action("resource_patch")(
        {"ignore_auth": True, "user": _site_user()["name"]},
        {"id": resource_id, "datastore_active": True, "datastore_contains_all_records_of_source_file": True},
    )
    quality.save(resource_id, "cargado", report=analysis.report)
    logger.info("Loaded: the table of resource %s answers", resource_id)
    return True

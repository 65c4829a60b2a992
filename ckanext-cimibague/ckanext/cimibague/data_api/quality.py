"""The quality report of each tabular resource (tabular's one-pass analysis: rows, columns, empty cells,
duplicated rows, type errors, suspicious values, warnings), kept in ``cimibague_quality_report`` (one row
per resource, replaced at every load; a refused load keeps its message) and shown to the node's staff on
the dataset's workflow panel while the dataset is under review; the latest load's outcome (and a refusal's
message) is shown to them on the resource's page (``latest_load``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from sqlalchemy import Column, DateTime, UnicodeText
from sqlalchemy.dialects.postgresql import JSONB

__all__ = ["QualityReport", "for_package", "latest_load", "save", "xloader_task"]


class QualityReport(tk.BaseModel):
    __tablename__ = "cimibague_quality_report"

    resource_id = Column(UnicodeText, primary_key=True)
    package_id = Column(UnicodeText, nullable=False, index=True)
    created = Column(DateTime, nullable=False)
    status = Column(UnicodeText, nullable=False)  # cargado, rechazado
    message = Column(UnicodeText, nullable=True)  # why a load was refused
    report = Column(JSONB, nullable=True)


def save(resource_id: str, status: str, *, report: dict[str, Any] | None = None, message: str | None = None) -> None:
    """Keep the report of the latest load of the resource (committed at once: the job's own log is too)."""
    resource = model.Resource.get(resource_id)
    if resource is None:
        return
    row = model.Session.get(QualityReport, resource_id) or QualityReport(resource_id=resource_id)
    row.package_id = resource.package_id
    row.created = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    row.status = status
    row.message = message
    if report is not None or status != "rechazado":
        row.report = report
    model.Session.add(row)
    model.Session.commit()


def for_package(package_id: str) -> list[dict[str, Any]]:
    """The reports of the dataset's active resources, in the resources' order."""
    resources = (
        model.Session.query(model.Resource)
        .filter(model.Resource.package_id == package_id, model.Resource.state == "active")
        .order_by(model.Resource.position)
        .all()
    )
    found = {
        r.resource_id: r for r in model.Session.query(QualityReport).filter(QualityReport.package_id == package_id)
    }
    result = []
    for resource in resources:
        row = found.get(resource.id)
        if row is None:
            continue
        result.append(
            {
                "resource_id": resource.id,
                "resource_name": resource.name or resource.id,
                "created": row.created.isoformat(),
                "status": row.status,
                "message": row.message,
                "report": row.report or {},
            }
        )
    return result


def latest_load(resource_id: str) -> dict[str, Any]:
    """The latest load of the resource, for its page: ``state`` ``cargando`` (queued or running, from
    xloader's task status), ``rechazado`` (with the Spanish ``message``), ``cargado``, or None; and
    ``created`` (when the outcome was recorded)."""
    task = xloader_task(resource_id)
    if task.get("state") in ("pending", "running", "submitting"):
        return {"state": "cargando", "message": None, "created": task.get("last_updated")}
    row = model.Session.get(QualityReport, resource_id)
    if row is None:
        return {"state": None, "message": None, "created": None}
    return {"state": row.status, "message": row.message, "created": row.created.isoformat()}


def xloader_task(resource_id: str) -> dict[str, Any]:
    """xloader's task status of the resource (its state: pending, running, complete, error), or {}."""
    try:
        return tk.get_action("task_status_show")(
            {"ignore_auth": True}, {"entity_id": resource_id, "task_type": "xloader", "key": "xloader"}
        )
    except tk.ObjectNotFound:
        return {}

"""The cronograma: for every periodic dataset, the request of its next update, and what is due per node.

``generate`` reads the index (each dataset's ``fecha_esperada_date``, set by the freshness of
``freshness.py``), never loops over the database at request time, and is idempotent: the request of a
dataset for a period (its expected date) is created once — a unique index of the table also refuses a
second open one — and annulled requests do not count.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.cimibague import search
from ckanext.cimibague.planning import solicitudes
from ckanext.cimibague.planning.model import Request

__all__ = ["Plan", "candidates", "due_datasets", "generate", "late_datasets", "lead_days"]

log = logging.getLogger(__name__)


def lead_days() -> int:
    """Days before a dataset's expected update that its request is prepared (configurable)."""
    return tk.config.get("ckanext.cimibague.requests.lead_days")


def _solr_date(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _search(fq: list[str], fl: str, batch: int = 500) -> Iterator[dict[str, Any]]:
    """Index documents of every visibility (the callers restrict to nodes), page by page, each with its
    node's id as ``owner_org`` (the index stores the node's name, ``organization``)."""
    node_ids: dict[str, str | None] = {}
    for doc in search.every_doc(
        " ".join(["-dataset_type:harvest", "-cim_estado:retirado", *fq]),
        f"{fl} organization",
        "fecha_esperada_date asc, id asc",
        batch,
    ):
        name = doc.get("organization")
        if name and name not in node_ids:
            group = model.Group.get(name)
            node_ids[name] = group.id if group else None
        doc["owner_org"] = node_ids.get(name) if name else None
        yield doc


def candidates(until: dt.date) -> Iterator[dict[str, Any]]:
    """Datasets with a source entity whose next update is expected on or before ``until``."""
    fl = "id name title cim_entidad fecha_esperada_date"
    fq = [f"fecha_esperada_date:[* TO {_solr_date(until)}]", "cim_entidad:[* TO *]"]
    yield from _search(fq, fl)


def due_datasets(owner_orgs: list[str] | None, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """Datasets of these nodes (None: all) whose next update is expected between ``start`` and ``end``,
    or already overdue (``start`` is then ignored for them): the calendar's other half."""
    fq = [f"fecha_esperada_date:[* TO {_solr_date(end)}]"]
    if owner_orgs is not None:
        fq.append("owner_org:(" + " OR ".join(f'"{o}"' for o in owner_orgs or ["-"]) + ")")
    fl = "id name title dataset_type cim_entidad cim_actualizacion fecha_esperada_date"
    return list(_search(fq, fl))


def late_datasets() -> list[dict[str, Any]]:
    """Datasets «vencido» or «por vencer» today (as indexed by the daily freshness update), every node."""
    fq = ["cim_actualizacion:(vencido OR por_vencer)"]
    return list(_search(fq, "id name title cim_actualizacion fecha_esperada_date"))


@dataclass
class Plan:
    created: list[str] = field(default_factory=list)  # request ids
    existing: int = 0  # datasets whose request for that period already exists
    skipped: list[str] = field(default_factory=list)  # why some datasets got no request


def _subject(doc: dict[str, Any], expected: dt.date) -> str:
    return f"Actualización de «{doc.get('title') or doc['name']}» (fecha esperada {expected.strftime('%d/%m/%Y')})"


def generate(
    today: dt.date | None = None, *, lead: int | None = None, progress: Callable[[int], None] | None = None
) -> Plan:
    """Create, as drafts, the requests of the updates expected within ``lead`` days (or overdue) that have
    none yet for their period. Their due date is the expected date, or ``lead`` days from today for an
    update already overdue (a due date in the past helps nobody)."""
    today = today or solicitudes.today()
    lead = lead_days() if lead is None else lead
    plan = Plan()
    docs = list(candidates(today + dt.timedelta(days=lead)))
    if progress:
        progress(0)
    for doc in docs:
        _plan_one(doc, today, lead, plan)
        if progress:
            progress(1)
    return plan


def _plan_one(doc: dict[str, Any], today: dt.date, lead: int, plan: Plan) -> None:
    expected = dt.date.fromisoformat(str(doc["fecha_esperada_date"])[:10])
    periodo = expected.isoformat()
    exists = (
        model.Session.query(Request.id)
        .filter(Request.package_id == doc["id"], Request.periodo == periodo, Request.estado != "anulada")
        .first()
    )
    if exists:
        plan.existing += 1
        return
    entity = (doc.get("cim_entidad") or [None])[0]
    if not doc.get("owner_org"):
        plan.skipped.append(f"{doc['name']}: sin nodo")
        return
    data = {
        "owner_org": doc["owner_org"],
        "entidad": entity,
        "asunto": _subject(doc, expected),
        "package_id": doc["id"],
        "fecha_limite": expected if expected >= today else today + dt.timedelta(days=lead),
        "periodo": periodo,
        "_generada": True,
    }
    try:
        request = solicitudes.create(None, data)
    except tk.ValidationError as error:
        model.Session.rollback()
        reasons = "; ".join(" ".join(map(str, v)) for v in (error.error_dict or {}).values())
        plan.skipped.append(f"{doc['name']}: {reasons}")
        return
    plan.created.append(request.id)

"""The entity scorecard (staff): per source entity, requests sent / answered / overdue and the median days
to answer (one grouped SQL query over the requests the caller's nodes made), and its published datasets
and share up to date (one Solr query with a pivot, published datasets only). Kept ``CACHE_SECONDS``.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

import ckan.model as model
import sqlalchemy as sa

from ckanext.cimibague import freshness, transparency
from ckanext.cimibague.planning import solicitudes

__all__ = ["CACHE_SECONDS", "clear_cache", "scorecard"]

CACHE_SECONDS = 60
_CACHE: dict[tuple[Any, ...], tuple[float, list[dict[str, Any]]]] = {}
_LOCK = threading.Lock()

REQUESTS_SQL = sa.text(
    """
    WITH first_answer AS (
        SELECT solicitud_id, min(fecha) AS fecha
        FROM cimibague_solicitud_evento WHERE kind = 'respuesta' GROUP BY solicitud_id
    )
    SELECT s.entidad_id,
           count(*) FILTER (WHERE s.estado NOT IN ('borrador', 'anulada')) AS sent,
           count(*) FILTER (WHERE s.estado = 'respondida') AS answered,
           count(*) FILTER (WHERE s.estado = 'respondida_parcial') AS partial,
           count(*) FILTER (WHERE s.estado = 'vencida'
                            OR (s.estado IN ('enviada', 'respondida_parcial') AND s.fecha_limite < :today))
               AS overdue,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY fa.fecha - s.fecha_solicitud) AS median_days
    FROM cimibague_solicitud s LEFT JOIN first_answer fa ON fa.solicitud_id = s.id
    WHERE :all_nodes OR s.owner_org = ANY(:nodes)
    GROUP BY s.entidad_id
    """
)


def clear_cache() -> None:
    with _LOCK:
        _CACHE.clear()


def _published() -> dict[str, dict[str, int]]:
    """Published datasets per entity name, by freshness state."""
    found = transparency._search(
        {
            "rows": 0,
            "facet": "true",
            "facet.pivot": "cim_entidad,cim_actualizacion",
            "facet.limit": -1,
            "facet.mincount": 1,
        }
    )
    return {
        pivot["value"]: {sub["value"]: sub["count"] for sub in pivot.get("pivot", [])}
        for pivot in found.facets.get("facet_pivot", {}).get("cim_entidad,cim_actualizacion", [])
    }


def _compute(nodes: list[str] | None, today: dt.date) -> list[dict[str, Any]]:
    rows = model.Session.execute(
        REQUESTS_SQL, {"today": today, "all_nodes": nodes is None, "nodes": nodes or []}
    ).mappings()
    requests = {row["entidad_id"]: row for row in rows}
    published = _published()
    entities = (
        model.Session.query(model.Group)
        .filter(model.Group.type == "entidad", model.Group.state == "active")
        .order_by(model.Group.title)
    )
    result = []
    for entity in entities:
        asked = requests.get(entity.id)
        states = published.get(entity.name, {})
        periodic = sum(n for state, n in states.items() if state != freshness.SIN_PERIODICIDAD)
        current = sum(states.get(state, 0) for state in transparency.UP_TO_DATE)
        median = asked["median_days"] if asked else None
        result.append(
            {
                "entidad": entity.name,
                "entidad_title": entity.display_name,
                "sent": asked["sent"] if asked else 0,
                "answered": asked["answered"] if asked else 0,
                "partial": asked["partial"] if asked else 0,
                "overdue": asked["overdue"] if asked else 0,
                "median_days_to_answer": float(median) if median is not None else None,
                "published": sum(states.values()),
                "periodic": periodic,
                "up_to_date": current,
                "share_up_to_date": current / periodic if periodic else None,
            }
        )
    return result


def scorecard(user: model.User | None, max_age: float = CACHE_SECONDS) -> list[dict[str, Any]]:
    """The scorecard as ``user`` sees it: requests of the user's nodes (all for sysadmins)."""
    nodes = solicitudes.node_ids_of(user)
    today = solicitudes.today()
    key = (None if nodes is None else tuple(sorted(nodes)), today)
    with _LOCK:
        cached = _CACHE.get(key)
        if cached and time.monotonic() - cached[0] < max_age:
            return cached[1]
    result = _compute(nodes, today)
    with _LOCK:
        _CACHE[key] = (time.monotonic(), result)
    return result

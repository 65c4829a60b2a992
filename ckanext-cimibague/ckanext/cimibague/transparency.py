"""The figures of the public transparency page (``/transparencia``): what the CIM publishes, from whom, how
up to date, how long review takes, and the Índice de Información Clasificada y Reservada (Ley 1712 de 2014,
art. 20).

Only published datasets count, whoever asks: every Solr query carries the anonymous visitor's permission
label and ``cim_estado:publicado``, every SQL query keeps to the public, active, published datasets. The
figures come from one Solr query with facets and pivots and two SQL queries (the publications per month
with the median in one grouped query; the índice), and are kept for ``CACHE_SECONDS`` (the page is
public and cheap to serve).
"""

from __future__ import annotations

import csv
import io
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan.lib.search.common import make_connection
from ckan.lib.search.query import solr_literal

from ckanext.cimibague import freshness, vocabularies

__all__ = ["CACHE_SECONDS", "Figures", "as_csv", "clear_cache", "figures"]

CACHE_SECONDS = 60
PUBLISHED_FQ = "+capacity:public +cim_estado:publicado -dataset_type:harvest"
UP_TO_DATE = (freshness.AL_DIA, freshness.POR_VENCER)
FIELD_STATE = "estado_flujo"
RESTRICTED = ("clasificada", "reservada")
INDEX_FIELDS = (
    "clasificacion_fundamento",
    "clasificacion_excepcion",
    "clasificacion_fecha",
    "clasificacion_plazo",
)


@dataclass
class Figures:
    total: int = 0
    per_eje: list[dict[str, Any]] = field(default_factory=list)  # name, count, up_to_date, periodic, share
    per_entity: list[dict[str, Any]] = field(default_factory=list)  # name, count
    per_month: list[dict[str, Any]] = field(default_factory=list)  # month (aaaa-mm), count
    up_to_date: int = 0
    periodic: int = 0
    median_days_to_publish: float | None = None
    indice: list[dict[str, Any]] = field(default_factory=list)

    @property
    def share_up_to_date(self) -> float | None:
        return self.up_to_date / self.periodic if self.periodic else None


_CACHE: dict[str, tuple[float, Figures]] = {}
_LOCK = threading.Lock()
_REFRESHING = threading.Event()
log = logging.getLogger(__name__)


def clear_cache() -> None:
    with _LOCK:
        _CACHE.clear()


def figures(max_age: float = CACHE_SECONDS, *, background: bool = False) -> Figures:
    """The page's figures, computed at most once every ``max_age`` seconds per process. With
    ``background`` (the page), figures older than that are served once more while a thread recomputes
    them, so that no visitor waits for the computation except the first one after the process starts."""
    with _LOCK:
        cached = _CACHE.get("figures")
        if cached and time.monotonic() - cached[0] < max_age:
            return cached[1]
        if cached and background:
            if not _REFRESHING.is_set():
                _REFRESHING.set()
                threading.Thread(target=_refresh, name="cimibague-transparencia", daemon=True).start()
            return cached[1]
    return _store(_compute())


def _store(result: Figures) -> Figures:
    with _LOCK:
        _CACHE["figures"] = (time.monotonic(), result)
    return result


def _refresh() -> None:
    """Recompute the figures in a thread of its own (its own database session, removed at the end)."""
    try:
        _store(_compute())
    except Exception:  # the stale figures stay; the next request tries again
        log.exception("transparency figures could not be recomputed")
    finally:
        model.Session.remove()
        _REFRESHING.clear()


def _search(params: dict[str, Any]) -> Any:
    """A Solr query over published datasets only, as the anonymous visitor sees them (pysolr's raw answer:
    CKAN's query class drops facet pivots)."""
    fq = [
        PUBLISHED_FQ,
        "+state:active",
        f"+site_id:{solr_literal(tk.config.get('ckan.site_id'))}",
        '+permission_labels:"public"',
        *params.pop("fq", []),
    ]
    return make_connection(decode_dates=False).search(q="*:*", fq=fq, **params)


def _facet(response: Any, name: str) -> dict[str, int]:
    values = response.facets.get("facet_fields", {}).get(name, [])
    return dict(zip(values[0::2], values[1::2], strict=True))


def _compute() -> Figures:
    result = Figures()
    found = _search(
        {
            "rows": 0,
            "facet": "true",
            "facet.field": ["organization", "cim_entidad", "cim_actualizacion"],
            "facet.pivot": "organization,cim_actualizacion",
            "facet.limit": -1,
            "facet.mincount": 1,
        }
    )
    result.total = found.hits
    per_org = _facet(found, "organization")
    pivots = {
        pivot["value"]: {sub["value"]: sub["count"] for sub in pivot.get("pivot", [])}
        for pivot in found.facets.get("facet_pivot", {}).get("organization,cim_actualizacion", [])
    }
    for eje in vocabularies.ejes():
        states = pivots.get(eje["name"], {})
        periodic = sum(n for state, n in states.items() if state != freshness.SIN_PERIODICIDAD)
        current = sum(states.get(state, 0) for state in UP_TO_DATE)
        result.per_eje.append(
            {
                "name": eje["name"],
                "title": eje["title"],
                "count": per_org.get(eje["name"], 0),
                "periodic": periodic,
                "up_to_date": current,
                "share": current / periodic if periodic else None,
            }
        )
    overall = _facet(found, "cim_actualizacion")
    result.periodic = sum(n for state, n in overall.items() if state != freshness.SIN_PERIODICIDAD)
    result.up_to_date = sum(overall.get(state, 0) for state in UP_TO_DATE)
    result.per_entity = sorted(
        ({"name": name, "count": count} for name, count in _facet(found, "cim_entidad").items()),
        key=lambda item: (-item["count"], item["name"]),
    )
    result.per_month, result.median_days_to_publish = _publications()
    result.indice = _indice()
    return result


PUBLICATIONS_SQL = sa.text(
    """
    WITH first AS (
        SELECT e.package_id, min(e.created) AS first
        FROM cimibague_workflow_event e JOIN package p ON p.id = e.package_id
        WHERE e.kind = 'transicion' AND e.to_state = 'publicado'
          AND p.state = 'active' AND NOT p.private AND p.type <> 'harvest'
        GROUP BY e.package_id
    )
    SELECT to_char(date_trunc('month', f.first), 'YYYY-MM') AS month, count(*) AS n,
           percentile_cont(0.5) WITHIN GROUP (
               ORDER BY extract(epoch FROM f.first - p.metadata_created) / 86400.0) AS median_days
    FROM first f JOIN package p ON p.id = f.package_id
    GROUP BY GROUPING SETS ((1), ())
    ORDER BY 1 NULLS FIRST
    """
)


def _publications() -> tuple[list[dict[str, Any]], float | None]:
    """Published datasets per month of their first publication, and the median days from reception (the
    dataset's creation, in ``recibido``) to its first publication: one grouped query (the first
    publications are computed once)."""
    per_month, median = [], None
    for month, count, days in model.Session.execute(PUBLICATIONS_SQL):
        if month is None:  # the grand total's row
            median = round(float(days), 1) if days is not None else None
        else:
            per_month.append({"month": month, "count": count})
    return per_month, median


def _indice() -> list[dict[str, Any]]:
    """The Índice de Información Clasificada y Reservada: of each published dataset whose access level is
    not pública, the metadata the law asks for, and nothing else. Every one of them (no page limit), from
    the public active datasets' fields in one query."""
    extras = model.Package.extras
    level = extras["nivel_acceso"].astext
    query = (
        sa.select(
            model.Package.name,
            model.Package.title,
            level,
            model.Group.name,
            *(extras[key].astext for key in INDEX_FIELDS),
        )
        .outerjoin(model.Group, model.Group.id == model.Package.owner_org)
        .where(
            model.Package.state == "active",
            model.Package.private.is_(False),
            model.Package.type != "harvest",
            extras[FIELD_STATE].astext == "publicado",
            level.in_(RESTRICTED),
        )
        .order_by(model.Package.title, model.Package.name)
    )
    return [
        {
            "name": name,
            "title": title,
            "nivel_acceso": nivel,
            "eje": eje,
            **{key: value or "" for key, value in zip(INDEX_FIELDS, values, strict=True)},
        }
        for name, title, nivel, eje, *values in model.Session.execute(query)
    ]


def as_csv(result: Figures, labels: dict[str, str]) -> str:
    """The page's tables as one CSV (UTF-8 with BOM, ``;`` separated, as Colombian spreadsheets open it):
    section, item, published datasets, up to date, with periodicity."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([labels["section"], labels["item"], labels["count"], labels["up_to_date"], labels["periodic"]])
    for row in result.per_eje:
        writer.writerow([labels["eje"], row["name"], row["count"], row["up_to_date"], row["periodic"]])
    for row in result.per_entity:
        writer.writerow([labels["entity"], row["name"], row["count"], "", ""])
    for row in result.per_month:
        writer.writerow([labels["month"], row["month"], row["count"], "", ""])
    return out.getvalue()

"""The figures of the public transparency page (``/transparencia``): what the CIM publishes, from whom, how
up to date, how long review takes, and the Índice de Información Clasificada y Reservada (Ley 1712 de 2014,
art. 20).

Only published datasets count, whoever asks: every Solr query carries the anonymous visitor's permission
label and ``cim_estado:publicado``, every SQL query joins the public, active datasets. The figures come
from one Solr query with facets and pivots, two grouped SQL queries and one Solr query for the índice, and
are kept for ``CACHE_SECONDS`` (the page is public and cheap to serve).
"""

from __future__ import annotations

import csv
import io
import json
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
from ckanext.cimibague.workflow.model import Event

__all__ = ["CACHE_SECONDS", "Figures", "as_csv", "clear_cache", "figures"]

CACHE_SECONDS = 60
PUBLISHED_FQ = "+capacity:public +cim_estado:publicado -dataset_type:harvest"
UP_TO_DATE = (freshness.AL_DIA, freshness.POR_VENCER)
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


def clear_cache() -> None:
    with _LOCK:
        _CACHE.clear()


def figures(max_age: float = CACHE_SECONDS) -> Figures:
    """The page's figures, computed at most once every ``max_age`` seconds per process."""
    with _LOCK:
        cached = _CACHE.get("figures")
        if cached and time.monotonic() - cached[0] < max_age:
            return cached[1]
    result = _compute()
    with _LOCK:
        _CACHE["figures"] = (time.monotonic(), result)
    return result


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
    result.per_month = _per_month()
    result.median_days_to_publish = _median_days()
    result.indice = _indice()
    return result


def _published_packages() -> Any:
    """The ids of the public, active datasets (what the catalogue shows to anyone)."""
    return (
        sa.select(model.Package.id)
        .where(model.Package.state == "active", model.Package.private.is_(False), model.Package.type != "harvest")
        .subquery()
    )


def _first_publication() -> Any:
    published = _published_packages()
    return (
        sa.select(Event.package_id, sa.func.min(Event.created).label("first"))
        .where(Event.kind == "transicion", Event.to_state == "publicado")
        .where(Event.package_id.in_(sa.select(published.c.id)))
        .group_by(Event.package_id)
        .subquery()
    )


def _per_month() -> list[dict[str, Any]]:
    """Published datasets per month of their first publication."""
    first = _first_publication()
    month = sa.func.to_char(sa.func.date_trunc("month", first.c.first), "YYYY-MM")
    rows = model.Session.execute(sa.select(month, sa.func.count()).group_by(month).order_by(month)).all()
    return [{"month": m, "count": n} for m, n in rows]


def _median_days() -> float | None:
    """Median days from reception (the dataset's creation, in ``recibido``) to its first publication."""
    first = _first_publication()
    days = sa.extract("epoch", first.c.first - model.Package.metadata_created) / 86400.0
    median = sa.func.percentile_cont(0.5).within_group(days)
    value = model.Session.execute(
        sa.select(median).select_from(first).join(model.Package, model.Package.id == first.c.package_id)
    ).scalar()
    return round(float(value), 1) if value is not None else None


def _indice() -> list[dict[str, Any]]:
    """The Índice de Información Clasificada y Reservada: of each published dataset whose access level is
    not pública, the metadata the law asks for, and nothing else."""
    found = _search(
        {
            "fq": ["+cim_nivel_acceso:(clasificada OR reservada)"],
            "fl": "name title cim_nivel_acceso organization validated_data_dict",
            "rows": 1000,
            "sort": "title_string asc",
            "facet": "false",
        }
    )
    rows = []
    for doc in found.docs:
        data = json.loads(doc.get("validated_data_dict") or "{}")
        rows.append(
            {
                "name": doc["name"],
                "title": doc["title"],
                "nivel_acceso": (doc.get("cim_nivel_acceso") or [""])[0],
                "eje": doc.get("organization"),
                **{key: data.get(key) or "" for key in INDEX_FIELDS},
            }
        )
    return rows


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

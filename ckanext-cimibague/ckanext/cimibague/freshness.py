"""Freshness of a dataset: when its next update is due, and whether it is up to date.

One pure function, :func:`freshness`, of the periodicity, the cut-off date (``fecha_corte``: the date the
data is current to) and the last update (the latest ``fecha_actualizacion`` of its resources):

- the next cut-off is one period after ``fecha_corte`` (months are calendar months; a cut-off on the last
  day of a month moves to the last day of the target month: 31 Jan → 28/29 Feb → 31 Mar; 29 Feb 2024 plus
  a year → 28 Feb 2025);
- the entity is expected to publish it with the same delay it took last time (last update minus cut-off,
  never negative, at most one period): ``fecha_esperada`` = next cut-off + that delay. Without a cut-off,
  ``fecha_esperada`` is one period after the last update;
- state on a given day: ``vencido`` after ``fecha_esperada``; ``por_vencer`` from ``warn_days`` before it
  up to that day (at most half a period before: a daily dataset is not "por vencer" all the time);
  ``al_dia`` before; ``sin_periodicidad`` when the periodicity sets no period (irregular,
  not updated, unknown) or there is no date to start from.

The state is indexed in Solr when a dataset is indexed (``cim_actualizacion``) and refreshed daily by
``ckan cimibague freshness update``; nothing loops over datasets at request time.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

from ckanext.cimibague import vocabularies

__all__ = [
    "AL_DIA",
    "POR_VENCER",
    "SIN_PERIODICIDAD",
    "STATES",
    "VENCIDO",
    "Freshness",
    "add_months",
    "dataset_freshness",
    "freshness",
    "last_update",
    "parse_date",
]

AL_DIA, POR_VENCER, VENCIDO, SIN_PERIODICIDAD = "al_dia", "por_vencer", "vencido", "sin_periodicidad"
STATES: dict[str, dict[str, str]] = {
    AL_DIA: {"es": "Al día", "en": "Up to date"},
    POR_VENCER: {"es": "Por vencer", "en": "Due soon"},
    VENCIDO: {"es": "Vencido", "en": "Overdue"},
    SIN_PERIODICIDAD: {"es": "Sin periodicidad", "en": "No update frequency"},
}
DEFAULT_WARN_DAYS = 15


@dataclass(frozen=True)
class Freshness:
    state: str
    expected: dt.date | None = None  # fecha esperada of the next update


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus whole calendar months; the last day of a month stays the last day of a month, and a
    day the target month lacks becomes its last day (31 Jan + 1 = 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    if day.day == calendar.monthrange(day.year, day.month)[1]:
        return dt.date(year, month, last)
    return dt.date(year, month, min(day.day, last))


def _period(periodicidad: str | None) -> tuple[int, int] | None:
    """(months, days) of a periodicity code, or None when it sets no period."""
    for item in vocabularies.load("periodicidades"):
        if item["code"] == periodicidad:
            if item.get("months") or item.get("days"):
                return int(item.get("months") or 0), int(item.get("days") or 0)
            return None
    return None


def _plus(day: dt.date, period: tuple[int, int]) -> dt.date:
    months, days = period
    return add_months(day, months) + dt.timedelta(days=days)


def freshness(
    periodicidad: str | None,
    fecha_corte: dt.date | None,
    ultima_actualizacion: dt.date | None,
    today: dt.date,
    warn_days: int = DEFAULT_WARN_DAYS,
) -> Freshness:
    """The expected date of the next update and the state on ``today`` (see the module's docstring)."""
    period = _period(periodicidad)
    if period is None or (fecha_corte is None and ultima_actualizacion is None):
        return Freshness(SIN_PERIODICIDAD)
    if fecha_corte is None:
        assert ultima_actualizacion is not None
        expected = _plus(ultima_actualizacion, period)
        span = expected - ultima_actualizacion
    else:
        next_cut = _plus(fecha_corte, period)
        span = next_cut - fecha_corte
        delay = dt.timedelta(0)
        if ultima_actualizacion is not None and ultima_actualizacion > fecha_corte:
            delay = min(ultima_actualizacion - fecha_corte, span)
        expected = next_cut + delay
    if today > expected:
        return Freshness(VENCIDO, expected)
    if today >= expected - dt.timedelta(days=max(min(warn_days, span.days // 2), 0)):
        return Freshness(POR_VENCER, expected)
    return Freshness(AL_DIA, expected)


def parse_date(value: Any) -> dt.date | None:
    """A date from a dataset field (``aaaa-mm-dd`` or an ISO timestamp); None when absent or unreadable."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def last_update(pkg_dict: dict[str, Any]) -> dt.date | None:
    """The latest ``fecha_actualizacion`` of the dataset's resources (when the data itself last changed:
    an edit of the metadata is not an update of the data)."""
    dates = [parse_date(r.get("fecha_actualizacion")) for r in pkg_dict.get("resources") or []]
    return max((d for d in dates if d is not None), default=None)


def dataset_freshness(pkg_dict: dict[str, Any], today: dt.date, warn_days: int = DEFAULT_WARN_DAYS) -> Freshness:
    """:func:`freshness` of a dataset dict (as package_show returns it)."""
    return freshness(
        pkg_dict.get("periodicidad"),
        parse_date(pkg_dict.get("fecha_corte")),
        last_update(pkg_dict),
        today,
        warn_days,
    )

"""The charts of DataStore tables (view ``cimibague_grafico``, chart_view.py): which columns can be charted,
the default choice, the figures and what the page shows.

- **Columns** come from ``datastore_info`` (never from the request): the x axis is a date/time column
  (grouped by day, month or year, depending on the span of its values) or a text column (categories);
  the y axis a number column. A table with at least one of each can be charted (``can_chart``, which
  decides with ``ignore_auth`` and reads no rows).
- **Default choice** (a view created by CKAN after a load has no options): the first date column, else the
  first text column with few distinct values (``CATEGORY_MAX``, counted in the first ``SAMPLE_ROWS`` rows);
  the first number column; its sum (the number of rows without a number column); lines for time, bars for
  categories. Options naming a column the table no longer has (a reload changed it) fall back to it, saying so.
- **Figures**: one SQL query on the DataStore's read-only engine, with a local statement timeout
  (``TIMEOUT_MS``): ``GROUP BY`` x, the value (``sum``, ``avg`` or ``count``), and the number of groups
  before the cap of ``MAX_GROUPS`` (the most recent periods; the categories of highest value).
- **Access**: ``chart`` reads nothing before ``datastore_search`` is allowed to the user on that resource
  (the workflow's visibility: the DataStore of an unpublished dataset answers nobody outside its node).
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan.types import Context
from markupsafe import Markup

from ckanext.cimibague import charts
from ckanext.cimibague.data_api.messages import N_
from ckanext.datastore.backend.postgres import get_read_engine, identifier

__all__ = [
    "AGGREGATIONS",
    "CHART_TYPES",
    "Chart",
    "Choice",
    "Column",
    "Columns",
    "Figures",
    "aggregate",
    "can_chart",
    "chart",
    "choose",
    "columns",
    "distinct_counts",
    "form_columns",
    "valid_aggregation",
    "valid_chart_type",
    "valid_x_column",
    "valid_y_column",
]

log = logging.getLogger(__name__)

TIME_TYPES = frozenset({"date", "timestamp", "timestamptz"})
TEXT_TYPES = frozenset({"text", "varchar", "bpchar"})
NUMBER_TYPES = frozenset({"int2", "int4", "int8", "numeric", "float4", "float8"})
AGGREGATIONS = ("suma", "promedio", "conteo")
CHART_TYPES = ("barras", "lineas")
MAX_GROUPS = 50
CATEGORY_MAX = 50
SAMPLE_ROWS = 10_000
TIMEOUT_MS = 5_000

CHART = N_("Chart")
NO_ACCESS = N_("The data of this resource is not available.")
NO_COLUMNS = N_("This table has nothing to chart: a chart needs a date or text column and a number column.")
NO_DATA = N_("There is nothing to chart: the chosen columns have no values.")
FAILED = N_(
    "The chart could not be computed: the query took too long or failed. Try again later, or look at the table."
)
FALLBACK = N_("The columns chosen for this chart are no longer in the table: a default chart is shown.")
CUT_TIME = N_("Showing the %(shown)s most recent periods of %(total)s.")
CUT_CATEGORIES = N_("Showing the %(shown)s categories with the highest values of %(total)s.")
BAD_X = N_("Choose a date or text column of the table")
BAD_Y = N_("Choose a number column of the table")
BAD_AGGREGATION = N_("Choose sum, average or count")
BAD_CHART_TYPE = N_("Choose bars or lines")
TITLES = {
    "suma": N_("Sum of «%(y)s» by «%(x)s»"),
    "promedio": N_("Average of «%(y)s» by «%(x)s»"),
    "conteo": N_("Number of rows by «%(x)s»"),
}
VALUE_HEADERS = {"suma": N_("Sum of %(y)s"), "promedio": N_("Average of %(y)s"), "conteo": N_("Number of rows")}
UNITS = {"year": N_("Grouped by year"), "month": N_("Grouped by month"), "day": N_("Grouped by day")}


# ------------------------------------------------------------------------------------------------ columns


@dataclass(frozen=True)
class Column:
    id: str
    type: str
    label: str

    @property
    def time(self) -> bool:
        return self.type in TIME_TYPES


@dataclass(frozen=True)
class Columns:
    """The columns a chart may use: ``x`` (date/time and text, in table order), ``y`` (numbers)."""

    x: tuple[Column, ...] = ()
    y: tuple[Column, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.x and self.y)

    def find(self, axis: str, column_id: Any) -> Column | None:
        return next((c for c in getattr(self, axis) if c.id == column_id), None)


def _may_read(resource_id: str, user: str) -> bool:
    """Whether ``user`` (a name; "" for anonymous) may ``datastore_search`` the resource's table."""
    import ckan.model as model

    context: Context = {"user": user, "auth_user_obj": model.User.get(user) if user else None}
    try:
        tk.check_access("datastore_search", context, {"resource_id": resource_id})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return False
    return True


def columns(resource_id: str) -> Columns:
    """The chartable columns of the resource's DataStore table, read with ``ignore_auth``: to *decide*
    only (whoever shows the result checks ``datastore_search`` first). Raises ``tk.ObjectNotFound``
    without a table."""
    context: Context = {"ignore_auth": True}
    info = tk.get_action("datastore_info")(
        context, {"id": resource_id, "include_meta": False, "include_fields_schema": False}
    )
    found: dict[str, list[Column]] = {"x": [], "y": []}
    for f in info.get("fields") or []:
        label = str((f.get("info") or {}).get("label") or "").strip() or f["id"]
        column = Column(id=f["id"], type=f.get("type") or "", label=label)
        if column.type in TIME_TYPES or column.type in TEXT_TYPES:
            found["x"].append(column)
        elif column.type in NUMBER_TYPES:
            found["y"].append(column)
    return Columns(x=tuple(found["x"]), y=tuple(found["y"]))


def can_chart(resource: dict[str, Any]) -> bool:
    """Whether a chart view fits the resource: a DataStore table with a date or text column and a number
    column (types only; no row is read)."""
    if not resource.get("datastore_active") or not resource.get("id"):
        return False
    try:
        return bool(columns(resource["id"]))
    except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError, sa.exc.SQLAlchemyError):
        return False


# ------------------------------------------------------------------------------------------------- choice


@dataclass(frozen=True)
class Choice:
    x: Column
    y: Column | None
    aggregation: str
    chart_type: str
    fallback: bool = False  # the view's options named columns the table no longer has


def choose(
    found: Columns, options: dict[str, Any], distinct: Callable[[Sequence[Column]], dict[str, int]]
) -> Choice | None:
    """The columns, aggregation and chart type of a view: its options where the table still has them, the
    defaults otherwise (module docstring). ``distinct`` counts the distinct values of text columns (only
    called when the default x is to be picked among several). None when there is no x column."""
    if not found.x:
        return None
    fallback = False
    x = found.find("x", options.get("columna_x")) if options.get("columna_x") else None
    if options.get("columna_x") and x is None:
        fallback = True
    if x is None:
        x = _default_x(found.x, distinct)
    y = found.find("y", options.get("columna_y")) if options.get("columna_y") else None
    if options.get("columna_y") and y is None:
        fallback = True
    if y is None and found.y:
        y = found.y[0]
    aggregation = options.get("agregacion") if options.get("agregacion") in AGGREGATIONS else "suma"
    if y is None:
        aggregation = "conteo"
    chart_type = options.get("tipo_grafico")
    if chart_type not in CHART_TYPES:
        chart_type = "lineas" if x.time else "barras"
    return Choice(x=x, y=y, aggregation=aggregation, chart_type=chart_type, fallback=fallback)


def _default_x(candidates: Sequence[Column], distinct: Callable[[Sequence[Column]], dict[str, int]]) -> Column:
    times = [c for c in candidates if c.time]
    if times:
        return times[0]
    if len(candidates) == 1:
        return candidates[0]
    counts = distinct(candidates)
    for column in candidates:
        if 2 <= counts.get(column.id, 0) <= CATEGORY_MAX:
            return column
    with_values = [c for c in candidates if counts.get(c.id, 0) > 0]
    return min(with_values, key=lambda c: counts[c.id]) if with_values else candidates[0]


# ------------------------------------------------------------------------------------------------ figures


def _name(column_id: str) -> str:
    """A quoted identifier for ``sa.text`` (where ``:name`` would be a bind parameter)."""
    return identifier(column_id).replace(":", r"\:")


def _rows(sql: str, **params: Any) -> list[Any]:
    """Run one statement on the DataStore's read-only engine, under a local statement timeout."""
    with get_read_engine().connect() as conn, conn.begin():
        conn.execute(sa.text(f"SET LOCAL statement_timeout = {int(TIMEOUT_MS)}"))
        return list(conn.execute(sa.text(sql), params))


def distinct_counts(resource_id: str, candidates: Sequence[Column]) -> dict[str, int]:
    """Distinct values of each column in the table's first ``SAMPLE_ROWS`` rows."""
    if not candidates:
        return {}
    inner = ", ".join(f"t.{_name(c.id)} AS c{i}" for i, c in enumerate(candidates))
    outer = ", ".join(f"count(DISTINCT s.c{i})" for i in range(len(candidates)))
    sql = f"SELECT {outer} FROM (SELECT {inner} FROM {_name(resource_id)} AS t LIMIT :sample) AS s"
    (row,) = _rows(sql, sample=SAMPLE_ROWS)
    return {c.id: int(n) for c, n in zip(candidates, row, strict=True)}


@dataclass(frozen=True)
class Figures:
    """``rows``: (group, value) in display order — a ``datetime.date`` (start of the period) or a text;
    ``total``: groups before the cap; ``unit``: ``year``, ``month`` or ``day`` for time, else None."""

    rows: list[tuple[Any, Decimal]]
    total: int
    unit: str | None


def _sql(resource_id: str, choice: Choice) -> str:
    table = _name(resource_id)
    x = f"t.{_name(choice.x.id)}"
    y = f"t.{_name(choice.y.id)}" if choice.y is not None else ""
    value = {"suma": f"sum({y})", "promedio": f"avg({y})", "conteo": "count(*)"}[choice.aggregation]
    if choice.x.time:
        where = f"{x} IS NOT NULL" + (f" AND {y} IS NOT NULL" if choice.aggregation != "conteo" else "")
        # the span decides the period: under 50 days by day, under 48 months by month, else by year
        return f"""
            WITH span AS (
                SELECT CASE
                    WHEN max({x})::date - min({x})::date < 50 THEN 'day'
                    WHEN (extract(year FROM max({x})) - extract(year FROM min({x}))) * 12
                         + extract(month FROM max({x})) - extract(month FROM min({x})) < 48 THEN 'month'
                    ELSE 'year' END AS unit
                FROM {table} AS t WHERE {where}
            )
            SELECT date_trunc(span.unit, {x}::timestamp)::date, {value}, span.unit, count(*) OVER ()
            FROM {table} AS t CROSS JOIN span
            WHERE {where}
            GROUP BY 1, 3 ORDER BY 1 DESC LIMIT :cap"""
    group = f"NULLIF(btrim({x}::text), '')"
    where = f"{group} IS NOT NULL" + (f" AND {y} IS NOT NULL" if choice.aggregation != "conteo" else "")
    return f"""
        SELECT {group}, {value}, NULL, count(*) OVER ()
        FROM {table} AS t
        WHERE {where}
        GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT :cap"""


def aggregate(resource_id: str, choice: Choice) -> Figures:
    """The chart's figures, in one query (module docstring). Raises ``sa.exc.SQLAlchemyError`` when the
    query fails or passes the timeout."""
    found = _rows(_sql(resource_id, choice), cap=MAX_GROUPS)
    every = [(group, Decimal(str(value))) for group, value, _unit, _total in found]
    # groups worth NaN or ±Infinity (numeric and float columns take them; PostgreSQL sorts them first)
    # are left out: nothing to draw
    rows = [(group, value) for group, value in every if value.is_finite()]
    if choice.x.time:
        rows.reverse()  # fetched newest first (the cap keeps the most recent periods)
    total = int(found[0][3]) - (len(every) - len(rows)) if found else 0
    return Figures(rows=rows, total=total, unit=found[0][2] if found else None)


# -------------------------------------------------------------------------------------------------- chart


@dataclass
class Chart:
    """What the view shows: a ``message`` instead of a chart, or the chart (``svg``), its title and notes,
    and its data (``rows`` of formatted (label, value), under ``x_label`` / ``y_label``)."""

    message: str = ""
    title: str = ""
    svg: Markup = field(default_factory=Markup)
    x_label: str = ""
    y_label: str = ""
    rows: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _period(value: Any, unit: str | None, locale: str) -> str:
    from babel.dates import format_date

    if not isinstance(value, datetime.date):
        return str(value)
    if unit == "year":
        return str(value.year)
    if unit == "month":
        return format_date(value, "MMM y", locale=locale)
    return format_date(value, "d MMM y", locale=locale)


def chart(resource: dict[str, Any], options: dict[str, Any], user: str, locale: str = "es") -> Chart:
    """The chart of a view (``options``: its configuration) of ``resource`` for ``user`` (a name, or ""
    for anonymous): nothing is read unless ``datastore_search`` is allowed to them on that resource."""
    resource_id = resource["id"]
    if not _may_read(resource_id, user):
        return Chart(message=tk._(NO_ACCESS))
    try:
        found = columns(resource_id)
        choice = choose(found, options, lambda candidates: distinct_counts(resource_id, candidates))
        if choice is None:
            return Chart(message=tk._(NO_COLUMNS))
        figures = aggregate(resource_id, choice)
    except tk.ObjectNotFound:
        return Chart(message=tk._(NO_COLUMNS))
    except sa.exc.SQLAlchemyError:
        log.warning("chart of resource %s failed", resource_id, exc_info=True)
        return Chart(message=tk._(FAILED))
    if not figures.rows:
        return Chart(message=tk._(NO_DATA))

    def fmt(value: Decimal) -> str:
        return charts.number_text(value, locale)

    names = {"x": choice.x.label, "y": choice.y.label if choice.y is not None else ""}
    title = tk._(TITLES[choice.aggregation]) % names
    points = [(_period(group, figures.unit, locale), value) for group, value in figures.rows]
    notes = [tk._(FALLBACK)] if choice.fallback else []
    if figures.unit:
        notes.append(tk._(UNITS[figures.unit]))
    if figures.total > len(points):
        cut = CUT_TIME if choice.x.time else CUT_CATEGORIES
        notes.append(tk._(cut) % {"shown": fmt(Decimal(len(points))), "total": fmt(Decimal(figures.total))})
    svg = charts.series_svg(
        points,
        title,
        kind="lines" if choice.chart_type == "lineas" else "bars",
        horizontal=choice.chart_type == "barras" and not choice.x.time,
        fmt=fmt,
        uid=f"grafico-{abs(hash((resource_id, title))) % 10**8}",
    )
    return Chart(
        title=title,
        svg=svg,
        x_label=choice.x.label,
        y_label=tk._(VALUE_HEADERS[choice.aggregation]) % names,
        rows=[(label, fmt(value)) for label, value in points],
        notes=notes,
    )


# -------------------------------------------------------------------------------------- form and validation


def form_columns(resource_id: str, user: str) -> dict[str, list[dict[str, str]]]:
    """The choices of the view form: x and y columns (value, text), for a user who may read the table."""
    if not _may_read(resource_id, user):
        return {"x": [], "y": []}
    try:
        found = columns(resource_id)
    except (tk.ObjectNotFound, tk.ValidationError, sa.exc.SQLAlchemyError):
        return {"x": [], "y": []}

    def option(c: Column) -> dict[str, str]:
        return {"value": c.id, "text": c.label if c.label == c.id else f"{c.label} ({c.id})"}

    return {"x": [option(c) for c in found.x], "y": [option(c) for c in found.y]}


def _view_resource_id(data: dict[Any, Any]) -> str | None:
    resource_id = data.get(("resource_id",))
    if resource_id:
        return str(resource_id)
    import ckan.model as model

    view = model.ResourceView.get(str(data.get(("id",)) or ""))
    return view.resource_id if view is not None else None


def _column_validator(axis: str, message: str) -> Callable[..., None]:
    def validator(key: Any, data: dict[Any, Any], errors: dict[Any, list[str]], context: Context) -> None:
        value = data.get(key)
        if not value:
            return
        resource_id = _view_resource_id(data)
        try:
            found = columns(resource_id) if resource_id else Columns()
        except (tk.ObjectNotFound, tk.ValidationError, sa.exc.SQLAlchemyError):
            found = Columns()
        if found.find(axis, value) is None:
            errors[key].append(tk._(message))

    return validator


valid_x_column = _column_validator("x", BAD_X)
valid_y_column = _column_validator("y", BAD_Y)


def _one_of(choices: Sequence[str], message: str) -> Callable[[Any], Any]:
    def validator(value: Any) -> Any:
        if value not in choices:
            raise tk.Invalid(tk._(message))
        return value

    return validator


valid_aggregation = _one_of(AGGREGATIONS, BAD_AGGREGATION)
valid_chart_type = _one_of(CHART_TYPES, BAD_CHART_TYPE)

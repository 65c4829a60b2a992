"""The chart view of DataStore tables (``cimibague_grafico``: data_api/chart_view.py, chart_data.py, SVG in
charts.py): which tables get one, which columns it takes, the figures (one grouped query), the cap at 50
groups, the page (SVG, data table, Colombian numbers, Spanish), its form, its faults, and no leaks: the
chart of an unpublished dataset's table shows nothing to anyone outside its node.

The tables are made with ``datastore_create`` (typed columns), not through the loader. The data is set up
once for the module: a node with an editor; an outsider (a citizen) and another node's editor; a hidden
dataset (``recibido``) whose table holds the secret ``zanahoria`` = 987.654 t; a published dataset with a
chart of categories and the default chart; a dataset of working tables for the figures.
"""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from decimal import Decimal
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest

from ckanext.cimibague import charts
from ckanext.cimibague.data_api import chart_data
from tests import cim_data
from tests.cim_data import call_as
from tests.datastore_support import empty_datastore, shared_client
from tests.test_browser import browser, live_server, visit  # noqa: F401 (fixtures)

SVG = "{http://www.w3.org/2000/svg}"
EDITOR = "editor-graficos"
OUTSIDERS = [None, "ciudadano-graficos", "editor-otro-nodo"]
SECRET_MARKS = ["987.654", "987654", "zanahoria"]

PUBLIC_FIELDS = [
    {"id": "Comuna", "type": "text"},
    {"id": "Fecha de corte", "type": "date"},
    {"id": "Valor: total (%)", "type": "numeric"},  # ":" and "%" are special to SQLAlchemy and psycopg2
    {"id": "Hogares", "type": "int8"},
]
PUBLIC_ROWS = [
    {"Comuna": "Comuna 1", "Fecha de corte": "2019-03-01", "Valor: total (%)": "1234567.5", "Hogares": 10},
    {"Comuna": "Comuna 1", "Fecha de corte": "2021-06-30", "Valor: total (%)": "0.25", "Hogares": 5},
    {"Comuna": "Comuna 2", "Fecha de corte": "2020-01-15", "Valor: total (%)": "1000", "Hogares": 7},
    {"Comuna": "Comuna 3", "Fecha de corte": "2024-12-31", "Valor: total (%)": "-50", "Hogares": 1},
    {"Comuna": "Comuna 2", "Fecha de corte": "2024-05-01", "Valor: total (%)": "2500.75", "Hogares": 2},
]
CATEGORIES = {"columna_x": "Comuna", "columna_y": "Valor: total (%)", "agregacion": "suma", "tipo_grafico": "barras"}


@pytest.fixture(scope="module")
def _module_db() -> dict:
    return {}


def _dataset(org: dict[str, Any], entidad: dict[str, Any], name: str) -> dict[str, Any]:
    data = cim_data.dataset("bases-de-datos", org, entidad, name=name, title=f"Tablas {name}", resources=[])
    return call_as(EDITOR, "package_create", **data)


def _resource(package_id: str, name: str) -> dict[str, Any]:
    """A resource given by URL as JSON (not loaded by xloader)."""
    return call_as(
        EDITOR,
        "resource_create",
        package_id=package_id,
        name=name,
        url=f"https://datos.ibague.gov.co/{name}.json",
        format="JSON",
        fecha_actualizacion="2024-01-31",
        tipo_recurso="datos",
    )


def _table(package_id: str, name: str, fields: list[dict[str, str]], records: list[dict[str, Any]]) -> dict:
    """A resource of the dataset with a DataStore table of typed columns."""
    res = _resource(package_id, name)
    cim_data.act("datastore_create", resource_id=res["id"], force=True, fields=fields, records=records)
    return helpers.call_action("resource_show", id=res["id"])


def _default_views(resource: dict[str, Any], datastore: bool = True) -> list[dict[str, Any]]:
    """What xloader's hook does after a load (as the site user): the default views that need the DataStore."""
    site_user = helpers.call_action("get_site_user", {"ignore_auth": True})["name"]
    return helpers.call_action(
        "resource_create_default_resource_views",
        {"ignore_auth": True, "user": site_user},
        resource=resource,
        create_datastore_views=datastore,
    )


def _view_of(resource_id: str, view_type: str = "cimibague_grafico") -> dict[str, Any]:
    (view,) = [v for v in helpers.call_action("resource_view_list", id=resource_id) if v["view_type"] == view_type]
    return view


@pytest.fixture
def world(_module_db, reset_site_db, reset_index):
    if _module_db.get("failed"):
        pytest.fail("the module's setup failed at its first test")
    if not _module_db:
        _module_db["failed"] = True
        reset_site_db()
        reset_index()
        empty_datastore()
        org, entidad = cim_data.nodes_and_entity()
        other = factories.Organization(name="nodo-otro", title="Otro nodo")
        tokens = {name: factories.UserWithToken(name=name)["token"] for name in [EDITOR, *OUTSIDERS[1:]]}
        helpers.call_action("organization_member_create", id=org["id"], username=EDITOR, role="editor")
        helpers.call_action("organization_member_create", id=other["id"], username="editor-otro-nodo", role="editor")

        hidden = _dataset(org, entidad, "oculto")
        secret = _table(
            hidden["id"],
            "secreto",
            [{"id": "Producto", "type": "text"}, {"id": "Toneladas", "type": "int8"}],
            [
                {"Producto": "zanahoria", "Toneladas": 987000},
                {"Producto": "zanahoria", "Toneladas": 654},
                {"Producto": "papa", "Toneladas": 3},
            ],
        )
        _default_views(secret)

        public = _dataset(org, entidad, "publico")
        shown = _table(public["id"], "comunas", PUBLIC_FIELDS, PUBLIC_ROWS)
        _default_views(shown)
        default = _view_of(shown["id"])
        categories = call_as(
            EDITOR, "resource_view_create", resource_id=shown["id"], view_type="cimibague_grafico",
            title="Por comuna", **CATEGORIES,
        )  # fmt: skip
        cim_data.publish(public["id"])

        work = _dataset(org, entidad, "trabajo")
        _module_db.update(
            tokens=tokens,
            hidden={"package": hidden["id"], "resource": secret["id"], "view": _view_of(secret["id"])["id"]},
            public={
                "package": public["id"],
                "resource": shown["id"],
                "default": default["id"],
                "categories": categories["id"],
            },
            work=work["id"],
            failed=False,
        )
    return _module_db


@pytest.fixture
def app():
    return shared_client()


def _headers(world: dict[str, Any], who: str | None) -> dict[str, str]:
    return {"Authorization": world["tokens"][who]} if who else {}


def _page(app: Any, world: dict[str, Any], url: str, who: str | None) -> tuple[int, str]:
    response = app.get(url, headers=_headers(world, who))
    return response.status_code, response.get_data(as_text=True)


def _urls(world: dict[str, Any], key: str, view: str = "view") -> dict[str, str]:
    d = world[key]
    base = f"/dataset/{d['package']}/resource/{d['resource']}"
    return {"view": f"{base}/view/{d[view]}", "resource": f"{base}?view_id={d[view]}"}


def _svg(html: str) -> ET.Element:
    start = html.index("<svg")
    return ET.fromstring(html[start : html.index("</svg>", start) + len("</svg>")])


def _figures(resource_id: str, **options: Any) -> tuple[chart_data.Choice, chart_data.Figures]:
    found = chart_data.columns(resource_id)
    choice = chart_data.choose(found, options, lambda c: chart_data.distinct_counts(resource_id, c))
    assert choice is not None
    return choice, chart_data.aggregate(resource_id, choice)


# ------------------------------------------------------------------------------------- which tables


def _can_view(resource: dict[str, Any]) -> bool:
    return p.get_plugin("cimibague_grafico").can_view({"resource": resource, "package": None})


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ([("nombre", "text"), ("total", "int8")], True),
        ([("fecha", "date"), ("tasa", "numeric")], True),
        ([("momento", "timestamp"), ("medida", "float8")], True),
        ([("nombre", "text"), ("barrio", "text")], False),  # no number (the table's own _id does not count)
        ([("total", "int8"), ("tasa", "numeric")], False),  # nothing to group by
        ([("activo", "bool"), ("total", "int4")], False),
    ],
)
def test_a_chart_fits_a_table_with_a_time_or_text_column_and_a_number(world, fields, expected):
    name = "-".join(f for f, _ in fields)
    res = _table(world["work"], f"puede-{name}", [{"id": f, "type": t} for f, t in fields], [])
    assert _can_view(res) is expected
    assert _can_view({**res, "datastore_active": False}) is False


def test_no_table_no_chart(world):
    res = _resource(world["work"], "sin-tabla")
    assert _can_view({**res, "datastore_active": True}) is False  # marked active, but there is no table


# ---------------------------------------------------------------------------------- default views


def test_a_chart_view_is_created_by_default_after_a_load(world):
    res = _table(world["work"], "por-defecto", [{"id": "barrio", "type": "text"}, {"id": "total", "type": "int8"}], [])
    assert "cimibague_grafico" not in [v["view_type"] for v in helpers.call_action("resource_view_list", id=res["id"])]
    created = _default_views(res)
    assert "cimibague_grafico" in [v["view_type"] for v in created]
    assert "datatables_view" in [v["view_type"] for v in created]
    assert _default_views(res) == []  # once


def test_only_views_of_the_datastore_wait_for_the_load(world):
    res = _table(world["work"], "sin-datastore", [{"id": "barrio", "type": "text"}, {"id": "n", "type": "int8"}], [])
    created = _default_views(res, datastore=False)
    assert "cimibague_grafico" not in [v["view_type"] for v in created]


def test_a_table_without_numbers_gets_no_chart_view(world):
    res = _table(world["work"], "solo-texto", [{"id": "barrio", "type": "text"}, {"id": "nota", "type": "text"}], [])
    created = _default_views(res)
    assert "datatables_view" in [v["view_type"] for v in created]
    assert "cimibague_grafico" not in [v["view_type"] for v in created]


# ---------------------------------------------------------------------------------- default choice

COL = chart_data.Column


@pytest.mark.unit
def test_the_default_choice():
    fecha, barrio, codigo = COL("fecha", "date", "Fecha"), COL("barrio", "text", "Barrio"), COL("codigo", "text", "C")
    total, tasa = COL("total", "int8", "Total"), COL("tasa", "numeric", "Tasa")

    def never(_columns):
        raise AssertionError("no distinct count needed")

    # a date column first, whatever its position; the first number; its sum; lines for time
    choice = chart_data.choose(chart_data.Columns(x=(barrio, fecha), y=(total, tasa)), {}, never)
    assert (choice.x, choice.y, choice.aggregation, choice.chart_type) == (fecha, total, "suma", "lineas")
    # no date: the first text column with few distinct values (codigo is unique per row); bars
    choice = chart_data.choose(
        chart_data.Columns(x=(codigo, barrio), y=(tasa,)), {}, lambda cols: {"codigo": 9000, "barrio": 13}
    )
    assert (choice.x, choice.y, choice.chart_type) == (barrio, tasa, "barras")
    # none has few: the one with fewest
    choice = chart_data.choose(
        chart_data.Columns(x=(codigo, barrio), y=(tasa,)), {}, lambda cols: {"codigo": 9000, "barrio": 400}
    )
    assert choice.x == barrio
    # no number column (a reload made it text): the number of rows
    choice = chart_data.choose(chart_data.Columns(x=(barrio,)), {"agregacion": "suma"}, never)
    assert (choice.y, choice.aggregation) == (None, "conteo")
    # nothing to group by: no chart
    assert chart_data.choose(chart_data.Columns(y=(total,)), {}, never) is None


@pytest.mark.unit
def test_the_options_win_while_the_table_has_their_columns():
    fecha, barrio = COL("fecha", "date", "Fecha"), COL("barrio", "text", "Barrio")
    total, tasa = COL("total", "int8", "Total"), COL("tasa", "numeric", "Tasa")
    found = chart_data.Columns(x=(fecha, barrio), y=(total, tasa))
    options = {"columna_x": "barrio", "columna_y": "tasa", "agregacion": "promedio", "tipo_grafico": "lineas"}
    choice = chart_data.choose(found, options, lambda c: {})
    assert (choice.x, choice.y, choice.aggregation, choice.chart_type, choice.fallback) == (
        barrio, tasa, "promedio", "lineas", False,
    )  # fmt: skip
    gone = chart_data.choose(found, {**options, "columna_x": "comuna", "columna_y": "barrio"}, lambda c: {})
    assert (gone.x, gone.y, gone.fallback) == (fecha, total, True)  # a text column is no y


def test_the_default_x_among_text_columns_is_read_from_the_table(world):
    rows = [{"codigo": f"C-{i:04d}", "comuna": f"Comuna {i % 3}", "total": i} for i in range(120)]
    fields = [{"id": "codigo", "type": "text"}, {"id": "comuna", "type": "text"}, {"id": "total", "type": "int8"}]
    res = _table(world["work"], "codigos", fields, rows)
    assert chart_data.distinct_counts(res["id"], chart_data.columns(res["id"]).x) == {"codigo": 120, "comuna": 3}
    choice, figures = _figures(res["id"])
    assert choice.x.id == "comuna" and figures.total == 3


# ---------------------------------------------------------------------------------------- figures


def test_sum_average_and_count_by_category(world):
    res = world["public"]["resource"]
    choice, figures = _figures(res, columna_x="Comuna", columna_y="Valor: total (%)")
    assert (choice.aggregation, figures.unit, figures.total) == ("suma", None, 3)
    # highest value first
    assert figures.rows == [
        ("Comuna 1", Decimal("1234567.75")),
        ("Comuna 2", Decimal("3500.75")),
        ("Comuna 3", Decimal("-50")),
    ]
    _, figures = _figures(res, columna_x="Comuna", columna_y="Hogares", agregacion="promedio")
    assert [(g, round(v, 2)) for g, v in figures.rows] == [
        ("Comuna 1", Decimal("7.50")),
        ("Comuna 2", Decimal("4.50")),
        ("Comuna 3", Decimal("1.00")),
    ]
    _, figures = _figures(res, columna_x="Comuna", agregacion="conteo")
    assert figures.rows == [("Comuna 1", 2), ("Comuna 2", 2), ("Comuna 3", 1)]


def test_values_that_are_no_number_are_left_out(world):
    res = _table(
        world["work"], "nan", [{"id": "barrio", "type": "text"}, {"id": "valor", "type": "numeric"}],
        [{"barrio": "Belén", "valor": "NaN"}, {"barrio": "Centro", "valor": "2.5"}, {"barrio": None, "valor": 4}],
    )  # fmt: skip
    _, figures = _figures(res["id"])
    assert figures.rows == [("Centro", Decimal("2.5"))] and figures.total == 1  # and no cut to announce


def test_dates_are_summed_by_year_over_a_long_span(world):
    choice, figures = _figures(world["public"]["resource"])  # the defaults: the date column, the first number
    assert (choice.x.id, choice.y.id, choice.aggregation) == ("Fecha de corte", "Valor: total (%)", "suma")
    assert figures.unit == "year"
    assert figures.rows == [
        (dt.date(2019, 1, 1), Decimal("1234567.5")),
        (dt.date(2020, 1, 1), Decimal("1000")),
        (dt.date(2021, 1, 1), Decimal("0.25")),
        (dt.date(2024, 1, 1), Decimal("2450.75")),
    ]


@pytest.mark.parametrize(
    ("dates", "unit", "periods"),
    [
        (["2023-01-05", "2023-01-20", "2023-03-10", "2024-02-01"], "month", ["2023-01-01", "2023-03-01", "2024-02-01"]),
        (["2024-03-01", "2024-03-01", "2024-03-09"], "day", ["2024-03-01", "2024-03-09"]),
    ],
)
def test_dates_are_grouped_by_month_or_day_over_a_short_span(world, dates, unit, periods):
    rows = [{"fecha": d, "n": i + 1} for i, d in enumerate(dates)]
    res = _table(world["work"], f"fechas-{unit}", [{"id": "fecha", "type": "date"}, {"id": "n", "type": "int4"}], rows)
    _, figures = _figures(res["id"])
    assert figures.unit == unit
    assert [g.isoformat() for g, _ in figures.rows] == periods
    assert sum(v for _, v in figures.rows) == sum(range(1, len(dates) + 1))


def test_at_most_50_groups(world):
    cats = _table(
        world["work"],
        "sesenta-categorias",
        [{"id": "barrio", "type": "text"}, {"id": "n", "type": "int8"}],
        [{"barrio": f"Barrio {i:02d}", "n": i} for i in range(60)],
    )
    _, figures = _figures(cats["id"])
    assert figures.total == 60 and len(figures.rows) == 50
    assert figures.rows[0] == ("Barrio 59", 59) and figures.rows[-1] == ("Barrio 10", 10)  # the highest values
    years = _table(
        world["work"],
        "sesenta-anios",
        [{"id": "fecha", "type": "date"}, {"id": "n", "type": "int8"}],
        [{"fecha": f"{1960 + i}-06-30", "n": 1} for i in range(60)],
    )
    _, figures = _figures(years["id"])
    assert (figures.unit, figures.total, len(figures.rows)) == ("year", 60, 50)
    assert [g.year for g, _ in figures.rows] == list(range(1970, 2020))  # the most recent, in order


def test_the_cap_is_said_on_the_chart(world, test_request_context):
    res = _table(
        world["work"],
        "mil-categorias",
        [{"id": "barrio", "type": "text"}, {"id": "n", "type": "int8"}],
        [{"barrio": f"Barrio {i:04d}", "n": i} for i in range(1200)],
    )
    with test_request_context():
        shown = chart_data.chart(res, {}, EDITOR)
        assert len(shown.rows) == 50 and shown.rows[0] == ("Barrio 1199", "1.199")
        assert tk._(chart_data.CUT_CATEGORIES) % {"shown": "50", "total": "1.200"} in shown.notes


# ------------------------------------------------------------------------------------------ pages


def test_the_view_page_draws_the_chart_with_colombian_numbers(app, world):
    status, html = _page(app, world, _urls(world, "public", "categories")["view"], None)
    assert status == 200
    svg = _svg(html)
    assert svg.get("role") == "img"
    title_id, desc_id = svg.get("aria-labelledby").split()
    assert svg.find(f"{SVG}title").get("id") == title_id and svg.find(f"{SVG}desc").get("id") == desc_id
    assert svg.find(f"{SVG}desc").text == "Comuna 1: 1.234.567,75; Comuna 2: 3.500,75; Comuna 3: -50"
    bars = [r for r in svg.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    widths = [float(b.get("width")) for b in bars]
    assert widths[0] > widths[1] > 0
    # the same numbers as a table, under a <details>
    details = html[html.index("<details>") : html.index("</details>")]
    assert "1.234.567,75" in details and "3.500,75" in details and "Comuna 3" in details
    assert "<script" not in html[html.index('class="cimibague-grafico"') : html.index("</details>")]


def test_the_default_view_is_a_line_by_year(app, world):
    status, html = _page(app, world, _urls(world, "public", "default")["view"], "ciudadano-graficos")
    assert status == 200
    svg = _svg(html)
    assert svg.find(f"{SVG}desc").text == "2019: 1.234.567,5; 2020: 1.000; 2021: 0,25; 2024: 2.450,75"
    assert [e.get("class") for e in svg.iter(f"{SVG}polyline")] == ["cimibague-series"]


def test_the_resource_page_shows_the_chart(app, world):
    status, html = _page(app, world, _urls(world, "public", "categories")["resource"], None)
    assert status == 200
    assert _svg(html).get("class") == "cimibague-series-chart" and "1.234.567,75" in html


def test_the_view_speaks_spanish(app, world):
    """Our msgids in Spanish (the catalogue), Babel's month names, the view's default title."""
    status, html = _page(app, world, _urls(world, "public", "categories")["view"], None)
    assert status == 200
    assert "Ver los datos" in html
    assert "Suma de «Valor: total (%)» por «Comuna»" in html
    status, html = _page(app, world, _urls(world, "public", "default")["view"], None)
    assert "Agrupado por año" in html
    assert helpers.call_action("resource_view_show", id=world["public"]["default"])["title"] == "Gráfico"
    months = _table(
        world["work"], "meses", [{"id": "mes", "type": "date"}, {"id": "n", "type": "int8"}],
        [{"mes": "2023-01-31", "n": 1500}, {"mes": "2023-08-31", "n": 2}],
    )  # fmt: skip
    _default_views(months)
    view = _view_of(months["id"])
    status, html = _page(app, world, f"/dataset/{world['work']}/resource/{months['id']}/view/{view['id']}", EDITOR)
    assert _svg(html).find(f"{SVG}desc").text == "ene 2023: 1.500; ago 2023: 2"
    assert "Agrupado por mes" in html


# -------------------------------------------------------------------------------------------- form


def test_the_form_offers_the_columns_of_the_table(app, world):
    url = f"/dataset/{world['hidden']['package']}/resource/{world['hidden']['resource']}/new_view"
    status, html = _page(app, world, url + "?view_type=cimibague_grafico", EDITOR)
    assert status == 200
    x = html[html.index('id="field-columna_x"') : html.index("</select>", html.index('id="field-columna_x"'))]
    y = html[html.index('id="field-columna_y"') : html.index("</select>", html.index('id="field-columna_y"'))]
    assert '<option value="Producto">' in x and "Toneladas" not in x
    assert '<option value="Toneladas">' in y and "Producto" not in y
    for who in OUTSIDERS:
        status, html = _page(app, world, url + "?view_type=cimibague_grafico", who)
        assert status in (403, 404) and "Toneladas" not in html, who


def test_the_options_are_checked_against_the_table(world):
    res = world["hidden"]["resource"]
    good = {"resource_id": res, "view_type": "cimibague_grafico", "title": "Toneladas"}
    for bad in (
        {"columna_x": "Toneladas"},
        {"columna_y": "Producto"},
        {"columna_x": "no-existe"},
        {"agregacion": "mediana"},
        {"tipo_grafico": "torta"},
    ):
        with pytest.raises(tk.ValidationError) as refused:
            call_as(EDITOR, "resource_view_create", **good, **bad)
        assert set(refused.value.error_dict) == set(bad), bad
    view = call_as(EDITOR, "resource_view_create", **good, columna_x="Producto", agregacion="conteo", columna_y="")
    assert view["columna_x"] == "Producto" and view["agregacion"] == "conteo" and "columna_y" not in view
    call_as(EDITOR, "resource_view_update", id=view["id"], **good, columna_y="Toneladas", tipo_grafico="lineas")
    shown = helpers.call_action("resource_view_show", id=view["id"])
    assert (shown.get("columna_y"), shown.get("tipo_grafico")) == ("Toneladas", "lineas")
    call_as(EDITOR, "resource_view_delete", id=view["id"])


# ------------------------------------------------------------------------------------------ faults


def test_a_query_that_takes_too_long_says_so(world, monkeypatch, test_request_context):
    res = helpers.call_action("resource_show", id=world["public"]["resource"])
    with test_request_context():
        assert chart_data.chart(res, {}, "").rows  # it works…
        monkeypatch.setattr(chart_data, "TIMEOUT_MS", 50)
        monkeypatch.setattr(chart_data, "_sql", lambda *a: "SELECT current_date, pg_sleep(5), NULL, :cap")
        shown = chart_data.chart(res, {}, "")
        assert shown.message == tk._(chart_data.FAILED) and not shown.rows and not shown.svg  # …until the timeout


def test_the_timeout_is_set_on_the_query(world):
    assert chart_data._rows("SELECT current_setting('statement_timeout')") == [("5s",)]


def test_nothing_to_chart_is_said(world, test_request_context):
    fields = [{"id": "barrio", "type": "text"}, {"id": "n", "type": "int8"}]
    empty = _table(world["work"], "vacia", fields, [])
    reloaded = _table(
        world["work"], "recargada", [{"id": "barrio", "type": "text"}, {"id": "nota", "type": "text"}],
        [{"barrio": "Belén", "nota": "1"}, {"barrio": "Belén", "nota": "2"}, {"barrio": "Centro", "nota": "3"}],
    )  # fmt: skip
    with test_request_context():
        assert chart_data.chart(empty, {}, EDITOR).message == tk._(chart_data.NO_DATA)
        # the view's columns are gone (the table was reloaded without numbers): rows per barrio, said so
        gone = chart_data.chart(reloaded, {"columna_x": "Comuna", "columna_y": "Valor"}, EDITOR)
        assert gone.rows == [("Belén", "2"), ("Centro", "1")] and tk._(chart_data.FALLBACK) in gone.notes


# ---------------------------------------------------------------------------------------- no leaks


def test_the_node_sees_the_chart_of_its_unpublished_table(app, world):
    for page, url in _urls(world, "hidden").items():
        status, html = _page(app, world, url, EDITOR)
        assert status == 200, page
        assert "987.654" in html and "zanahoria" in html, page


@pytest.mark.parametrize("who", OUTSIDERS)
def test_the_chart_of_an_unpublished_table_shows_nothing_to_outsiders(app, world, who):
    for page, url in _urls(world, "hidden").items():
        status, html = _page(app, world, url, who)
        assert status in (403, 404), f"{page} as {who}: {status}"
        for mark in SECRET_MARKS:
            assert mark not in html, f"{page} as {who} shows {mark}"


@pytest.mark.parametrize("who", OUTSIDERS)
def test_a_view_given_in_the_address_charts_only_the_resource_of_the_address(app, world, who):
    """CKAN's view page also renders a view sent in the query string: naming the hidden resource in it
    charts the (public) resource of the address, never the hidden one."""
    forged = {
        "id": "forjada",
        "view_type": "cimibague_grafico",
        "title": "x",
        "resource_id": world["hidden"]["resource"],
        "package_id": world["hidden"]["package"],
        "columna_x": "Producto",
        "columna_y": "Toneladas",
    }
    query = {"resource_view": json.dumps(forged)}
    public = world["public"]
    response = app.get(
        f"/dataset/{public['package']}/resource/{public['resource']}/view",
        query_string=query,
        headers=_headers(world, who),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "1.234.567,5" in html  # the public table, its default chart
    for mark in SECRET_MARKS:
        assert mark not in html
    hidden = app.get(
        f"/dataset/{public['package']}/resource/{world['hidden']['resource']}/view",
        query_string=query,
        headers=_headers(world, who),
    )
    assert hidden.status_code == 404 and not any(m in hidden.get_data(as_text=True) for m in SECRET_MARKS)


@pytest.mark.parametrize("who", ["", "ciudadano-graficos", "editor-otro-nodo"])
def test_the_chart_itself_reads_nothing_for_outsiders(world, who, monkeypatch, test_request_context):
    """Even called past the page's checks, the chart reads no row for whoever may not datastore_search."""
    res = helpers.call_action("resource_show", id=world["hidden"]["resource"])
    read: list[str] = []
    real = chart_data._rows
    monkeypatch.setattr(chart_data, "_rows", lambda sql, **kw: read.append(sql) or real(sql, **kw))
    with test_request_context():
        shown = chart_data.chart(res, {}, who)
        assert shown.message == tk._(chart_data.NO_ACCESS) and not shown.rows and not read
        assert chart_data.form_columns(res["id"], who) == {"x": [], "y": []}
        inside = chart_data.chart(res, {}, EDITOR)
    assert inside.rows == [("zanahoria", "987.654"), ("papa", "3")] and read


# ------------------------------------------------------------------------------------------- drawing


@pytest.mark.unit
@pytest.mark.parametrize(
    ("value", "locale", "text"),
    [
        (Decimal("1234567.891"), "es", "1.234.567,89"),
        (35120, "es", "35.120"),
        (Decimal("-1234.5"), "es", "-1.234,5"),
        (Decimal("2.50"), "es", "2,5"),
        (Decimal("0.000123"), "es", "0,0001"),
        (Decimal("-0.00001"), "es", "0"),
        (12.0, "es", "12"),
        (Decimal("1234567.891"), "en", "1,234,567.89"),
        (Decimal("-123456789012345678901234567890.126"), "es", "-123.456.789.012.345.678.901.234.567.890,13"),
    ],
)
def test_numbers_are_written_the_colombian_way(value, locale, text):
    assert charts.number_text(value, locale) == text


@pytest.mark.unit
@pytest.mark.parametrize(("kind", "horizontal"), [("bars", False), ("bars", True), ("lines", False)])
def test_series_chart_marks_are_proportional_from_zero(kind, horizontal):
    points = [("Uno <b>", Decimal(40)), ("Dos", Decimal(20)), ("Tres", Decimal(-10))]
    svg = ET.fromstring(str(charts.series_svg(points, "Título & más", kind=kind, horizontal=horizontal)))
    assert svg.get("role") == "img" and svg.find(f"{SVG}title").text == "Título & más"
    assert svg.find(f"{SVG}desc").text == "Uno <b>: 40; Dos: 20; Tres: -10"  # escaped in the markup
    marks = [e for e in svg.iter() if e.tag in (f"{SVG}rect", f"{SVG}circle") and e.find(f"{SVG}title") is not None]
    assert [m.find(f"{SVG}title").text for m in marks] == ["Uno <b>: 40", "Dos: 20", "Tres: -10"]
    if kind == "lines":
        ys = [float(m.get("cy")) for m in marks]
        assert ys[0] < ys[1] < ys[2] and (ys[1] - ys[0]) / (ys[2] - ys[1]) == pytest.approx(20 / 30, abs=0.01)
    else:
        size = "width" if horizontal else "height"
        sizes = [float(m.get(size)) for m in marks]
        assert sizes[0] == pytest.approx(2 * sizes[1], abs=0.2) and sizes[2] == pytest.approx(sizes[1] / 2, abs=0.2)


@pytest.mark.unit
def test_series_chart_of_nothing_is_empty():
    assert str(charts.series_svg([], "x")) == ""


# ------------------------------------------------------------------------------- in a real browser (last:
# its clean_db empties the database the module's world lives in)


def test_the_chart_in_a_browser_is_accessible(visit, clean_db, clean_index):  # noqa: F811
    """The resource page of a published table with its default chart and a chart of categories: no
    JavaScript needed, no serious or critical axe-core violation, the data table opens."""
    org, entidad = cim_data.nodes_and_entity()
    factories.User(name=EDITOR)
    helpers.call_action("organization_member_create", id=org["id"], username=EDITOR, role="editor")
    pkg = _dataset(org, entidad, "graficos-navegador")
    res = _table(pkg["id"], "comunas", PUBLIC_FIELDS, PUBLIC_ROWS)
    _default_views(res)
    categories = call_as(
        EDITOR, "resource_view_create", resource_id=res["id"], view_type="cimibague_grafico",
        title="Por comuna", **CATEGORIES,
    )  # fmt: skip
    cim_data.publish(pkg["id"])
    page = visit.new_page("anónimo")
    for name, view_id in (("grafico-por-anio", _view_of_first(res["id"])), ("grafico-por-comuna", categories["id"])):
        visit.go(page, f"/dataset/{pkg['id']}/resource/{res['id']}?view_id={view_id}")
        chart = page.locator("svg.cimibague-series-chart")
        chart.wait_for(state="visible")
        assert chart.get_attribute("role") == "img"
        page.locator(".cimibague-grafico summary").click()
        page.locator(".cimibague-grafico details table").wait_for(state="visible")
        visit.check(page, name)
    visit.verify()


def _view_of_first(resource_id: str) -> str:
    views = helpers.call_action("resource_view_list", id=resource_id)
    return next(v["id"] for v in views if v["view_type"] == "cimibague_grafico")

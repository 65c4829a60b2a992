"""No leaks through the DataStore: the table of a resource whose dataset is not published answers nothing
to anyone outside its node, in every channel; a published dataset's table answers everyone; a withdrawn
one stops answering.

Node A holds three datasets with a DataStore table each: one never published (``recibido``), one
published, one withdrawn (published, then ``retirado``). The outsiders — anonymous, a logged-in citizen of
no node, the editor of another node (B) — try every channel: ``datastore_search`` (also on
``_table_metadata``), ``datastore_info``, ``datastore_search_sql`` (direct, joined to the public table,
subqueries, unions, CTEs — which CKAN refuses to all but sysadmins — and the catalog tricks), the dumps
in every format, the table preview's ajax and filtered download, and xloader's status and page. Node A's
member, its editor and a sysadmin read the hidden tables through the same channels (so a refusal is not
a broken request). ``datastore_search_sql`` is read-only and has a statement timeout. The data is set up
once for the module.
"""

from __future__ import annotations

import json
import re
from typing import Any

import ckan.plugins.toolkit as tk
import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest

from tests import cim_data
from tests.cim_data import call_as, publish
from tests.datastore_support import empty_datastore, shared_client

OUTSIDERS = ["anonimo", "ciudadano", "editor-b"]
INSIDERS = ["miembro-a", "editor-a", "cim-admin"]
HIDDEN = ["secret", "withdrawn"]
WORDS = {"secret": "zanahoria", "shown": "pepino", "withdrawn": "berenjena"}


@pytest.fixture(scope="module")
def _module_db() -> dict:
    return {}


def _table(resource_id: str, word: str) -> None:
    cim_data.act(
        "datastore_create",
        resource_id=resource_id,
        force=True,
        fields=[{"id": "producto", "type": "text"}, {"id": "toneladas", "type": "int8"}],
        records=[{"producto": f"{word} fresca", "toneladas": 12}, {"producto": f"{word} seca", "toneladas": 7}],
    )
    cim_data.act("resource_view_create", resource_id=resource_id, view_type="datatables_view", title="Tabla")


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
        org_b = factories.Organization(name="nodo-b", title="Nodo B")
        tokens = {}
        for name in ("editor-a", "miembro-a", "editor-b", "ciudadano"):
            tokens[name] = factories.UserWithToken(name=name)["token"]
        tokens["cim-admin"] = factories.SysadminWithToken(name="cim-admin")["token"]
        for name, node, role in (
            ("editor-a", org, "editor"),
            ("miembro-a", org, "member"),
            ("editor-b", org_b, "editor"),
        ):
            helpers.call_action("organization_member_create", id=node["id"], username=name, role=role)
        found: dict[str, Any] = {}
        for key, word in WORDS.items():
            data = cim_data.dataset(
                "bases-de-datos", org, entidad, name=f"{word}-conjunto", title=f"Producción de {word}"
            )
            data["resources"][0].update(name=f"Tabla {word}", format="JSON")  # not loaded by xloader
            pkg = call_as("editor-a", "package_create", **data)
            resource_id = pkg["resources"][0]["id"]
            _table(resource_id, word)
            views = helpers.call_action("resource_view_list", id=resource_id)
            found[key] = {"package": pkg, "resource": resource_id, "view": views[0]["id"]}
        publish(found["shown"]["package"]["id"])
        publish(found["withdrawn"]["package"]["id"])
        call_as(
            "cim-director",
            "cimibague_workflow_transition",
            id=found["withdrawn"]["package"]["id"],
            to="retirado",
            comment="Errores en las cifras",
        )
        marks: set[str] = set()
        for key in HIDDEN:
            marks |= {WORDS[key], found[key]["resource"], found[key]["package"]["id"], found[key]["package"]["name"]}
        _module_db.update(found, tokens=tokens, marks=marks, failed=False)
    return _module_db


@pytest.fixture
def app():
    return shared_client()


def _headers(world: dict[str, Any], who: str) -> dict[str, str]:
    token = world["tokens"].get(who)
    return {"Authorization": token} if token else {}


def _api(app: Any, world: dict[str, Any], who: str, action: str, **params: Any) -> Any:
    return app.post(f"/api/3/action/{action}", json=params, headers=_headers(world, who))


def _text(response: Any) -> str:
    return response.get_data(as_text=True)


def _assert_hidden(world: dict[str, Any], text: str, where: str) -> None:
    """None of the hidden datasets' marks in ``text`` but those the request itself carries (``where``)."""
    lowered = text.lower()
    for asked in (m.lower() for m in world["marks"] if m.lower() in where.lower()):
        lowered = lowered.replace(asked, "")
    leaked = sorted(m for m in world["marks"] if m.lower() in lowered)
    assert not leaked, f"{where} shows {leaked}"


def _refused(world: dict[str, Any], response: Any, where: str) -> None:
    assert response.status_code in (403, 404), f"{where}: {response.status_code} {_text(response)[:300]}"
    _assert_hidden(world, _text(response), where)


def _answered(response: Any, word: str, where: str) -> None:
    assert response.status_code == 200, f"{where}: {response.status_code} {_text(response)[:300]}"
    assert f"{word} fresca" in _text(response), where


# ------------------------------------------------------------------------------------- datastore_search


@pytest.mark.parametrize("who", OUTSIDERS)
def test_search_refuses_outsiders(app, world, who):
    for key in HIDDEN:
        where = f"datastore_search {world[key]['resource']} ({key}) as {who}"
        _refused(world, _api(app, world, who, "datastore_search", resource_id=world[key]["resource"]), where)
        q = _api(app, world, who, "datastore_search", resource_id=world[key]["resource"], q=WORDS[key])
        _refused(world, q, where + " (q)")
    _answered(_api(app, world, who, "datastore_search", resource_id=world["shown"]["resource"]), "pepino", who)


@pytest.mark.parametrize("who", INSIDERS)
def test_search_answers_the_node(app, world, who):
    _answered(_api(app, world, who, "datastore_search", resource_id=world["secret"]["resource"]), "zanahoria", who)


@pytest.mark.parametrize("who", [*OUTSIDERS, "editor-a"])
def test_search_of_the_table_list_reveals_nothing(app, world, who):
    """CKAN answers ``datastore_search`` on ``_table_metadata`` (every table's name) to anyone by default."""
    for name in ("_table_metadata", "_table_stats"):
        response = _api(app, world, who, "datastore_search", resource_id=name, limit=1000)
        assert response.status_code != 200, f"{name} as {who}"
        _assert_hidden(world, _text(response), f"datastore_search {name}")


# --------------------------------------------------------------------------------------- datastore_info


@pytest.mark.parametrize("who", OUTSIDERS)
def test_info_refuses_outsiders(app, world, who):
    for key in HIDDEN:
        where = f"datastore_info {world[key]['resource']} ({key}) as {who}"
        _refused(world, _api(app, world, who, "datastore_info", id=world[key]["resource"]), where)
    shown = _api(app, world, who, "datastore_info", id=world["shown"]["resource"])
    assert shown.status_code == 200 and "toneladas" in _text(shown)


@pytest.mark.parametrize("who", INSIDERS)
def test_info_answers_the_node(app, world, who):
    response = _api(app, world, who, "datastore_info", id=world["secret"]["resource"])
    assert response.status_code == 200 and "toneladas" in _text(response)


# -------------------------------------------------------------------------------- datastore_search_sql


def _sql(app: Any, world: dict[str, Any], who: str, sql: str) -> Any:
    return _api(app, world, who, "datastore_search_sql", sql=sql)


def _queries(world: dict[str, Any], key: str) -> dict[str, str]:
    hidden = f'"{world[key]["resource"]}"'
    shown = f'"{world["shown"]["resource"]}"'
    return {
        "direct": f"SELECT * FROM {hidden}",
        "join": f"SELECT s.producto, p.producto AS publico FROM {shown} p JOIN {hidden} s ON true",
        "subquery": f"SELECT * FROM {shown} WHERE producto IN (SELECT producto FROM {hidden})",
        "scalar subquery": f"SELECT (SELECT string_agg(producto, ',') FROM {hidden}) AS x FROM {shown}",
        "cte": f"WITH t AS (SELECT * FROM {hidden}) SELECT * FROM t",
        "union": f"SELECT producto FROM {shown} UNION ALL SELECT producto FROM {hidden}",
        "lateral": f"SELECT x.* FROM {shown} p, LATERAL (SELECT * FROM {hidden}) x",
        "exists": f"SELECT producto FROM {shown} WHERE EXISTS (SELECT 1 FROM {hidden} WHERE producto LIKE 'z%')",
    }


@pytest.mark.parametrize("who", OUTSIDERS)
def test_sql_refuses_outsiders(app, world, who):
    for key in HIDDEN:
        for name, sql in _queries(world, key).items():
            _refused(world, _sql(app, world, who, sql), f"{sql} ({name}, {key}) as {who}")


@pytest.mark.parametrize("who", INSIDERS)
def test_sql_answers_the_node(app, world, who):
    for name, sql in _queries(world, "secret").items():
        response = _sql(app, world, who, sql)
        if name == "cte" and who != "cim-admin":  # CKAN checks a CTE's name as a table's: only sysadmins pass
            assert response.status_code == 404
        elif name in ("subquery", "exists"):
            assert response.status_code == 200, f"{name}: {_text(response)[:300]}"
        else:
            _answered(response, "zanahoria", f"sql {name} as {who}")


@pytest.mark.parametrize("who", OUTSIDERS)
def test_sql_answers_the_published_table_to_anyone(app, world, who):
    _answered(_sql(app, world, who, f'SELECT * FROM "{world["shown"]["resource"]}"'), "pepino", who)


CATALOG = [
    "SELECT * FROM _table_metadata",
    'SELECT name FROM "_table_metadata"',
    "SELECT * FROM _table_stats",
    "SELECT relname FROM pg_class",
    "SELECT relname FROM pg_catalog.pg_class",
    "SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace",
    "SELECT tablename FROM pg_tables",
    "SELECT relname FROM pg_stat_user_tables",
    "SELECT table_name FROM information_schema.tables",
    "SELECT column_name, table_name FROM information_schema.columns",
    "SELECT obj_description(oid) FROM pg_class",
    "SELECT col_description(attrelid, attnum) FROM pg_attribute",
    "SELECT objoid, description FROM pg_description",
    "SELECT query FROM pg_stat_activity",
    "SELECT string_agg(relname, ',') FROM (SELECT relname FROM pg_class) x",
    "WITH t AS (SELECT relname FROM pg_class) SELECT * FROM t",
    "SELECT * FROM pg_catalog.pg_tables",
    "SELECT table_to_xml('_table_metadata', true, false, '')",
    "SELECT query_to_xml('SELECT name FROM _table_metadata', true, false, '')",
    "SELECT current_setting('search_path')",
    "SELECT pg_sleep(1)",
]


@pytest.mark.parametrize("who", [*OUTSIDERS, "miembro-a", "editor-a"])
def test_sql_catalog_tricks_reveal_nothing(app, world, who):
    for sql in CATALOG:
        response = _sql(app, world, who, sql)
        assert response.status_code != 200, f"{sql} as {who}: {_text(response)[:300]}"
        _assert_hidden(world, _text(response), sql)


@pytest.mark.parametrize(
    "sql",
    [
        'DELETE FROM "{shown}"',
        'UPDATE "{shown}" SET toneladas = 0',
        "INSERT INTO \"{shown}\" (producto) VALUES ('x')",
        'CREATE TABLE copia AS SELECT * FROM "{shown}"',
        'DROP TABLE "{shown}"',
        'SELECT * INTO copia FROM "{shown}"',
        'SELECT 1; DELETE FROM "{shown}"',
        'WITH d AS (DELETE FROM "{shown}" RETURNING *) SELECT * FROM d',
        'SELECT * FROM "{shown}" FOR UPDATE',
    ],
)
def test_sql_is_read_only(app, world, sql):
    response = _sql(app, world, "cim-admin", sql.format(shown=world["shown"]["resource"]))
    assert response.status_code in (400, 403, 409), _text(response)[:300]
    rows = helpers.call_action("datastore_search", resource_id=world["shown"]["resource"])["records"]
    assert [r["toneladas"] for r in rows] == [12, 7]


def test_sql_has_a_statement_timeout(app, world, monkeypatch):
    monkeypatch.setitem(tk.config, "ckanext.cimibague.datos.sql_timeout", 200)
    shown = world["shown"]["resource"]
    slow = f'SELECT count(*) FROM "{shown}", generate_series(1, 200000000) g'
    response = _sql(app, world, "cim-admin", slow)
    assert response.status_code == 409, _text(response)[:300]
    assert "too long" in _text(response)
    assert _sql(app, world, "anonimo", "SELECT pg_sleep(5)").status_code == 403  # not an allowed function


# ---------------------------------------------------------------------------------------------- dumps


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "xml"])
def test_dumps_refuse_outsiders_in_every_format(app, world, fmt):
    for who in OUTSIDERS:
        for key in HIDDEN:
            url = f"/datastore/dump/{world[key]['resource']}?format={fmt}"
            _refused(world, app.get(url, headers=_headers(world, who)), f"{url} as {who}")
        shown = app.get(f"/datastore/dump/{world['shown']['resource']}?format={fmt}", headers=_headers(world, who))
        _answered(shown, "pepino", f"dump shown {fmt} as {who}")
    for who in INSIDERS:
        response = app.get(f"/datastore/dump/{world['secret']['resource']}?format={fmt}", headers=_headers(world, who))
        _answered(response, "zanahoria", f"dump {fmt} as {who}")


# -------------------------------------------------------------------------------------------- previews


def _csrf(app: Any) -> str:
    page = _text(app.get("/user/login"))
    return re.search(r'name="_csrf_token" value="([^"]+)"', page).group(1)


def _ajax(app: Any, world: dict[str, Any], who: str, view_id: str) -> Any:
    form = {"draw": "1", "search[value]": "", "start": "0", "length": "50", "_csrf_token": _csrf(app)}
    return app.post(f"/datatables/ajax/{view_id}", data=form, headers=_headers(world, who))


def _filtered_download(app: Any, world: dict[str, Any], who: str, view_id: str) -> Any:
    params = {"search": {"value": ""}, "order": [], "visible": [True, True, True], "columns": []}
    form = {"params": json.dumps(params), "format": "csv", "_csrf_token": _csrf(app)}
    return app.post(
        f"/datatables/filtered-download/{view_id}", data=form, headers=_headers(world, who), follow_redirects=True
    )


@pytest.mark.parametrize("who", OUTSIDERS)
def test_table_preview_refuses_outsiders(app, world, who):
    for key in HIDDEN:
        for call in (_ajax, _filtered_download):
            response = call(app, world, who, world[key]["view"])
            assert response.status_code != 200, f"{call.__name__} {key} as {who}: {_text(response)[:300]}"
            _assert_hidden(world, _text(response), f"{call.__name__} {world[key]['view']}")
    _answered(_ajax(app, world, who, world["shown"]["view"]), "pepino", f"ajax shown as {who}")
    _answered(_filtered_download(app, world, who, world["shown"]["view"]), "pepino", f"download shown as {who}")


@pytest.mark.parametrize("who", INSIDERS)
def test_table_preview_answers_the_node(app, world, who):
    _answered(_ajax(app, world, who, world["secret"]["view"]), "zanahoria", f"ajax as {who}")
    _answered(_filtered_download(app, world, who, world["secret"]["view"]), "zanahoria", f"download as {who}")


# ------------------------------------------------------------------------------------- xloader's pages


@pytest.mark.parametrize("who", OUTSIDERS)
def test_xloader_status_and_page_refuse_outsiders(app, world, who):
    for key in HIDDEN:
        resource_id = world[key]["resource"]
        _refused(world, _api(app, world, who, "xloader_status", resource_id=resource_id), f"status {resource_id}")
        url = f"/dataset/{world[key]['package']['id']}/resource_data/{resource_id}"
        _refused(world, app.get(url, headers=_headers(world, who)), f"{url} as {who}")


# --------------------------------------------------------------------------- the DataStore's own pages


def _datastore_pages(world: dict[str, Any], key: str) -> list[str]:
    resource_id = world[key]["resource"]
    return [f"/datastore/api_info/{resource_id}", f"/dataset/{world[key]['package']['id']}/dictionary/{resource_id}"]


@pytest.mark.parametrize("who", OUTSIDERS)
def test_datastore_pages_refuse_outsiders(app, world, who):
    for key in HIDDEN:
        for url in _datastore_pages(world, key):
            _refused(world, app.get(url, headers=_headers(world, who)), f"{url} as {who}")


def test_datastore_pages_answer_the_node(app, world):
    api_info, dictionary = _datastore_pages(world, "secret")
    assert app.get(api_info, headers=_headers(world, "miembro-a")).status_code == 200
    page = app.get(dictionary, headers=_headers(world, "editor-a"))
    assert page.status_code == 200 and "toneladas" in _text(page)

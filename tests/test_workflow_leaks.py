"""No leaks: what is not published stays invisible to outsiders in every channel of the site.

One node (A) with an editor and an administrator holds three datasets: one never published (``recibido``),
one published and one withdrawn (published, then ``retirado``). Three outsiders — anonymous, the
administrator of another node (B) and a logged-in user of no node — must see nothing of the first and the
third (neither id, name, title, tag nor resource) and must see the second, in every channel: pages, the
Action API, activity streams, DCAT, feeds, entity and node pages, the workflow's own actions and what a
CKAN harvester of another site requests. The data is set up once for the module.
"""

from __future__ import annotations

import io
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest

from tests import cim_data
from tests.cim_data import call_as, publish

OUTSIDERS = ["anonimo", "admin-b", "forastero"]
HIDDEN_WORDS = ("zanahoria", "berenjena")  # in the names, titles, tags, resources and files of the hidden two
SHOWN_WORD = "pepino"


@pytest.fixture(scope="module")
def _module_db() -> dict:
    return {}


def _upload(app: Any, token: str, package_id: str, name: str, content: bytes, fmt: str) -> dict[str, Any]:
    """resource_create with a file, multipart through the API, as a client uploads it."""
    data = {
        "package_id": package_id,
        "name": name,
        "format": fmt,
        "fecha_actualizacion": "2024-01-31",
        "tipo_recurso": "datos",
        "upload": (io.BytesIO(content), f"{name.split()[-1].lower()}.csv"),
    }
    response = app.post(
        "/api/3/action/resource_create", data=data, headers={"Authorization": token}, content_type="multipart/form-data"
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json["result"]


def _create(app: Any, setup: dict[str, Any], word: str, dataset_type: str = "bases-de-datos") -> dict[str, Any]:
    """A dataset of node A created by its editor, with a URL resource and an uploaded file."""
    data = cim_data.dataset(
        dataset_type,
        setup["org"],
        setup["entidad"],
        name=f"{word}-conjunto",
        title=f"{word.capitalize()} secreta del nodo",
        notes=f"Notas sobre {word}.",
        tags=[{"name": f"{word}tag"}],
    )
    data["resources"][0].update(name=f"Enlace {word}", url=f"https://www.ibague.gov.co/{word}.csv")
    pkg = call_as("a-editor", "package_create", **data)
    _upload(app, setup["tokens"]["a-editor"], pkg["id"], f"Archivo {word}", f"{word},1\n".encode(), f"{word}fmt")
    return helpers.call_action("package_show", id=pkg["id"])


def _anonymous_search(q: str) -> int:
    return helpers.call_action("package_search", context={"user": ""}, q=q)["count"]


@pytest.fixture
def world(_module_db, reset_site_db, reset_index, app):
    """Node A (editor, admin), node B (admin), an outsider of no node and a future sector actor; in node A
    one dataset never published, one published and one withdrawn."""
    if _module_db.get("failed"):
        pytest.fail("the module's setup failed at its first test")
    if not _module_db:
        _module_db["failed"] = True
        reset_site_db()
        reset_index()
        org, entidad = cim_data.nodes_and_entity()
        org_b = factories.Organization(name="nodo-b", title="Nodo B")
        tokens = {}
        for name in ("a-editor", "a-admin", "admin-b", "forastero", "actor-sector"):
            tokens[name] = factories.UserWithToken(name=name, email=f"{name}@ibague.gov.co")["token"]
        for name, node, role in (("a-editor", org, "editor"), ("a-admin", org, "admin"), ("admin-b", org_b, "admin")):
            helpers.call_action("organization_member_create", id=node["id"], username=name, role=role)
        setup: dict[str, Any] = {"org": org, "org_b": org_b, "entidad": entidad, "tokens": tokens}
        secret = _create(app, setup, "zanahoria")
        shown = _create(app, setup, SHOWN_WORD)
        publish(shown["id"])
        withdrawn = _create(app, setup, "berenjena", "observatorios")
        publish(withdrawn["id"])
        found_while_published = _anonymous_search("berenjena")
        call_as("cim-director", "cimibague_workflow_transition", id=withdrawn["id"], to="retirado", comment="Errores")
        hidden = [helpers.call_action("package_show", id=p["id"]) for p in (secret, withdrawn)]
        marks = {f"{word}fmt" for word in HIDDEN_WORDS} | {f"{word},1" for word in HIDDEN_WORDS}  # format, file
        for pkg in hidden:
            marks |= {pkg["id"], pkg["name"], pkg["title"], pkg["notes"]} | {t["name"] for t in pkg["tags"]}
            marks |= {r["id"] for r in pkg["resources"]} | {r["name"] for r in pkg["resources"]}
        _module_db.update(
            setup,
            secret=hidden[0],
            withdrawn=hidden[1],
            shown=helpers.call_action("package_show", id=shown["id"]),
            marks=marks,
            found_while_published=found_while_published,
            failed=False,
        )
    return _module_db


def _headers(world: dict[str, Any], who: str) -> dict[str, str]:
    token = world["tokens"].get(who)
    return {"Authorization": token} if token else {}


def _get(app: Any, world: dict[str, Any], who: str, url: str, **kwargs: Any) -> Any:
    headers = {**_headers(world, who), **kwargs.pop("headers", {})}
    return app.get(url, headers=headers, follow_redirects=False, **kwargs)


def _api(app: Any, world: dict[str, Any], who: str, action: str, **params: Any) -> Any:
    """An Action API call as ``who`` (JSON POST: lists and booleans as they are)."""
    return app.post(f"/api/3/action/{action}", json=params, headers=_headers(world, who))


def _assert_hidden(world: dict[str, Any], text: str, where: str) -> None:
    """None of the hidden datasets' marks in ``text``, except those the request itself carries (``where``:
    the URL or the call), which pages and errors may echo."""
    lowered = text.lower()
    for asked in (m.lower() for m in world["marks"] if m.lower() in where.lower()):
        lowered = lowered.replace(asked, "")
    leaked = sorted(m for m in world["marks"] if m.lower() in lowered)
    assert not leaked, f"{where} shows {leaked}"


def _text(response: Any) -> str:
    return response.get_data(as_text=True)


# ------------------------------------------------------------------ dataset, resource and download pages


@pytest.mark.parametrize("who", OUTSIDERS)
def test_dataset_resource_and_download_pages(app, world, who):
    for key in ("secret", "withdrawn"):
        pkg = world[key]
        upload = next(r for r in pkg["resources"] if r["url_type"] == "upload")
        urls = [
            f"/dataset/{pkg['name']}",
            f"/dataset/{pkg['id']}",
            f"/{pkg['type']}/{pkg['name']}",
            f"/dataset/{pkg['id']}/resource/{upload['id']}",
            f"/{pkg['type']}/{pkg['id']}/resource/{upload['id']}",
            f"/dataset/{pkg['id']}/resource/{upload['id']}/download",
            f"/dataset/{pkg['id']}/resource/{upload['id']}/download/{upload['url'].rsplit('/', 1)[-1]}",
            f"/dataset/groups/{pkg['name']}",
            f"/dataset/{pkg['name']}/history",
        ]
        for url in urls:
            response = _get(app, world, who, url)
            assert response.status_code in (403, 404), (url, response.status_code)
            _assert_hidden(world, _text(response), url)
    shown = world["shown"]
    upload = next(r for r in shown["resources"] if r["url_type"] == "upload")
    assert shown["title"] in _text(_get(app, world, who, f"/{shown['type']}/{shown['name']}", status=200))
    _get(app, world, who, f"/dataset/{shown['id']}/resource/{upload['id']}", status=200)
    download = _get(app, world, who, upload["url"].replace(tk.config["ckan.site_url"], ""), status=200)
    assert _text(download) == "pepino,1\n"


# ------------------------------------------------------------------ Action API


@pytest.mark.parametrize("who", OUTSIDERS)
def test_api_show_actions_refuse_without_naming_the_dataset(app, world, who):
    for key in ("secret", "withdrawn"):
        pkg = world[key]
        resource = pkg["resources"][0]
        calls = [
            ("package_show", {"id": pkg["name"]}),
            ("package_show", {"id": pkg["id"]}),
            ("resource_show", {"id": resource["id"]}),
            ("resource_view_list", {"id": resource["id"]}),
            ("package_relationships_list", {"id": pkg["name"]}),
            ("package_collaborator_list", {"id": pkg["name"]}),
            ("dcat_dataset_show", {"id": pkg["name"]}),
            ("package_activity_list", {"id": pkg["name"]}),
        ]
        for action, params in calls:
            response = _api(app, world, who, action, **params)
            assert response.status_code in (403, 404), (action, response.status_code)
            _assert_hidden(world, _text(response), f"{action} {params}")
    shown = world["shown"]
    assert _api(app, world, who, "package_show", id=shown["name"]).json["result"]["id"] == shown["id"]
    assert _api(app, world, who, "resource_show", id=shown["resources"][0]["id"]).status_code == 200


SEARCHES: list[dict[str, Any]] = [
    {"q": "zanahoria"},
    {"q": "berenjena"},
    {"q": "zanahoria", "include_private": True, "include_drafts": True},
    {"q": "*:*", "include_private": True, "rows": 1000},
    {"fq": "name:zanahoria-conjunto", "include_private": True},
    {"fq": "capacity:private", "include_private": True},
    {"fq": "+permission_labels:*", "include_private": True},
    {"fq": "*:* OR capacity:private OR permission_labels:*", "include_private": True},
    {"fq": "cim_estado:retirado OR estado_flujo:retirado", "include_private": True},
    {"q": "tags:zanahoriatag OR tags:berenjenatag", "include_private": True},
    {"q": "res_name:zanahoria OR res_format:zanahoriafmt", "include_private": True},
    {
        "q": "*:*",
        "include_private": True,
        "facet": "true",
        "facet.field": ["tags", "name", "cim_estado", "res_format", "res_name", "permission_labels", "id"],
        "facet.limit": -1,
        "facet.mincount": 0,
    },
]


@pytest.mark.parametrize("who", OUTSIDERS)
def test_package_search(app, world, who):
    """One test for the channel (each query is a request; a test per query cost a plugin load each)."""
    for params in SEARCHES:
        response = _api(app, world, who, "package_search", **params)
        assert response.status_code in (200, 400, 409), (params, response.status_code)
        _assert_hidden(world, _text(response), f"package_search {params}")


@pytest.mark.parametrize("who", OUTSIDERS)
def test_package_search_by_id_and_the_published_one_is_found(app, world, who):
    for key in ("secret", "withdrawn"):
        response = _api(app, world, who, "package_search", fq=f"id:{world[key]['id']}", include_private=True)
        _assert_hidden(world, _text(response), f"package_search fq=id:{world[key]['id']}")
    found = _api(app, world, who, "package_search", q=SHOWN_WORD, include_private=True).json["result"]
    assert [d["name"] for d in found["results"]] == [world["shown"]["name"]]
    assert world["found_while_published"] == 1  # the withdrawn one was searchable while published


@pytest.mark.parametrize("who", OUTSIDERS)
def test_lists_autocompletes_and_tags(app, world, who):
    calls = [
        ("package_list", {}),
        ("current_package_list_with_resources", {"limit": 1000}),
        ("package_autocomplete", {"q": "zanahoria"}),
        ("package_autocomplete", {"q": "berenjena"}),
        ("format_autocomplete", {"q": "fmt"}),
        ("resource_search", {"query": "name:Archivo"}),
        ("tag_list", {}),
        ("tag_list", {"all_fields": True}),
        ("tag_list", {"query": "tag"}),
        ("tag_search", {"query": "tag"}),
        ("tag_autocomplete", {"q": "tag"}),
    ]
    for action, params in calls:
        response = _api(app, world, who, action, **params)
        assert response.status_code == 200, (action, response.status_code)
        _assert_hidden(world, _text(response), action)
    assert SHOWN_WORD in _text(_api(app, world, who, "tag_list"))
    assert world["shown"]["name"] in _api(app, world, who, "package_list").json["result"]
    for tag in ("zanahoriatag", "berenjenatag"):
        response = _api(app, world, who, "tag_show", id=tag, include_datasets=True)
        assert response.status_code == 404, (tag, response.status_code)
    assert _api(app, world, who, "tag_show", id="pepinotag").status_code == 200


@pytest.mark.parametrize("who", OUTSIDERS)
def test_groups_nodes_and_members(app, world, who):
    org, entidad = world["org"], world["entidad"]
    calls = [
        ("organization_show", {"id": org["name"], "include_datasets": True}),
        ("group_show", {"id": entidad["name"], "include_datasets": True}),
        ("group_package_show", {"id": entidad["name"]}),
        ("group_package_show", {"id": org["name"]}),
        ("member_list", {"id": org["name"]}),
        ("member_list", {"id": org["name"], "object_type": "package"}),
        ("member_list", {"id": entidad["name"], "object_type": "package"}),
        ("organization_list", {"all_fields": True, "include_dataset_count": True}),
        ("group_list", {"all_fields": True, "type": "entidad", "include_dataset_count": True}),
        ("organization_list_for_user", {}),
    ]
    for action, params in calls:
        response = _api(app, world, who, action, **params)
        _assert_hidden(world, _text(response), f"{action} {params}")
    shown = _api(app, world, who, "organization_show", id=org["name"], include_datasets=True).json["result"]
    assert shown["package_count"] == 1 and [d["name"] for d in shown["packages"]] == [world["shown"]["name"]]


# ------------------------------------------------------------------ activity


@pytest.mark.parametrize("who", OUTSIDERS)
def test_activity_streams(app, world, who):
    org, entidad = world["org"], world["entidad"]
    if who != "anonimo":  # an outsider may follow the node and the editor: their news feed must stay clean
        for action, params in (("follow_group", {"id": org["id"]}), ("follow_user", {"id": "a-editor"})):
            _api(app, world, who, action, **params)
    calls = [
        ("organization_activity_list", {"id": org["name"], "limit": 100}),
        ("group_activity_list", {"id": entidad["name"], "limit": 100}),
        ("user_activity_list", {"id": "a-editor", "limit": 100}),
        ("user_activity_list", {"id": "cim-director", "limit": 100}),
        ("recently_changed_packages_activity_list", {"limit": 100}),
    ]
    if who != "anonimo":
        calls.append(("dashboard_activity_list", {"limit": 100}))
    for action, params in calls:
        response = _api(app, world, who, action, **params)
        _assert_hidden(world, _text(response), action)
    recent = _api(app, world, who, "recently_changed_packages_activity_list", limit=100).json["result"]
    assert world["shown"]["id"] in {a["object_id"] for a in recent}
    for url in (
        f"/organization/activity/{org['name']}",
        f"/group/activity/{entidad['name']}",
        "/user/activity/a-editor",
        "/user/a-editor",
        "/dashboard/",
        "/",
    ):
        _assert_hidden(world, _text(_get(app, world, who, url)), url)
    for key in ("secret", "withdrawn"):
        response = _get(app, world, who, f"/dataset/activity/{world[key]['name']}")
        assert response.status_code in (403, 404)
        _assert_hidden(world, _text(response), f"/dataset/activity/{world[key]['name']}")


@pytest.mark.parametrize("who", OUTSIDERS)
def test_old_activities_of_the_withdrawn_dataset_stay_closed(app, world, who):
    from ckanext.activity.model import Activity

    activity_ids = [a.id for a in model.Session.query(Activity).filter(Activity.object_id == world["withdrawn"]["id"])]
    assert len(activity_ids) >= 4  # created, a file, the steps to publication, the withdrawal
    for activity_id in activity_ids:
        for action in ("activity_show", "activity_data_show"):
            response = _api(app, world, who, action, id=activity_id, include_data=True)
            assert response.status_code in (403, 404), (action, response.status_code)
        response = _get(app, world, who, f"/dataset/changes/{activity_id}")
        assert response.status_code in (403, 404)
        _assert_hidden(world, _text(response), "/dataset/changes")


# ------------------------------------------------------------------ DCAT, structured data, feeds


@pytest.mark.parametrize("who", OUTSIDERS)
def test_dcat_and_feeds(app, world, who):
    urls = [
        "/catalog.rdf",
        "/catalog.ttl",
        "/catalog.jsonld",
        "/catalog.xml",
        "/catalog.ttl?q=zanahoria",
        "/catalog.ttl?q=berenjena",
        "/catalog.ttl?fq=capacity:private",
        "/catalog.ttl?modified_since=2000-01-01",
        "/dcat.json",
        "/vocabulario/ejes.ttl",  # the CIM's scheme of ejes (dcat:theme): no dataset, count or title
        "/vocabulario/ejes/bases-de-datos.jsonld",
        "/vocabulario/ejes/observatorios.rdf",
        "/api/3/action/dcat_catalog_search?q=zanahoria",
        "/api/3/action/dcat_catalog_search?q=berenjena&format=jsonld",
        "/feeds/dataset.atom",
        "/feeds/custom.atom?q=zanahoria",
        "/feeds/custom.atom?q=berenjena",
        "/feeds/tag/zanahoriatag.atom",
        "/feeds/tag/berenjenatag.atom",
        f"/feeds/organization/{world['org']['name']}.atom",
        f"/feeds/group/{world['entidad']['name']}.atom",
    ]
    for url in urls:
        response = _get(app, world, who, url)
        _assert_hidden(world, _text(response), url)
    for key in ("secret", "withdrawn"):
        pkg = world[key]
        for url in (f"/dataset/{pkg['name']}.rdf", f"/dataset/{pkg['name']}.ttl", f"/dataset/{pkg['id']}.jsonld"):
            response = _get(app, world, who, url)
            assert response.status_code in (403, 404), (url, response.status_code)
            _assert_hidden(world, _text(response), url)
        response = _get(app, world, who, f"/dataset/{pkg['name']}", headers={"Accept": "text/turtle"})
        assert response.status_code in (403, 404)
    shown = world["shown"]
    assert shown["id"] in _text(_get(app, world, who, "/catalog.ttl", status=200))
    assert shown["title"] in _text(_get(app, world, who, f"/dataset/{shown['name']}.ttl", status=200))
    assert shown["title"] in _text(_get(app, world, who, "/feeds/dataset.atom", status=200))
    page = _text(_get(app, world, who, f"/dataset/{shown['name']}", status=200))
    assert "application/ld+json" in page  # structured_data's JSON-LD of the published one


# ------------------------------------------------------------------ entity, node and search pages


@pytest.mark.parametrize("who", OUTSIDERS)
def test_entity_node_and_search_pages(app, world, who):
    org, entidad = world["org"], world["entidad"]
    urls = [
        f"/entidad/{entidad['name']}",
        f"/entidad/{entidad['name']}?q=zanahoria",
        "/entidad/",
        f"/organization/{org['name']}",
        f"/organization/{org['name']}?q=berenjena",
        f"/organization/about/{org['name']}",
        "/organization/",
        "/dataset/?q=zanahoria",
        "/dataset/?q=berenjena",
        "/dataset/?q=*:*&include_private=True",
        "/dataset/?tags=zanahoriatag",
        "/dataset/?tags=berenjenatag",
        "/bases-de-datos/?q=zanahoria",
        "/observatorios/?q=berenjena",
        "/dataset/",
        "/api/2/util/resource/format_autocomplete?incomplete=fmt",
        "/api/2/util/dataset/autocomplete?incomplete=zanahoria",
        "/api/2/util/tag/autocomplete?incomplete=tag",
        "/user/a-editor",
    ]
    for url in urls:
        response = _get(app, world, who, url)
        _assert_hidden(world, _text(response), url)
    assert world["shown"]["title"] in _text(_get(app, world, who, f"/entidad/{entidad['name']}", status=200))
    assert world["shown"]["title"] in _text(_get(app, world, who, f"/organization/{org['name']}", status=200))
    assert world["shown"]["title"] in _text(_get(app, world, who, f"/dataset/?q={SHOWN_WORD}", status=200))


# ------------------------------------------------------------------ the workflow's own actions and files


@pytest.mark.parametrize("who", OUTSIDERS)
def test_workflow_actions(app, world, who):
    for key in ("secret", "withdrawn"):
        pkg = world[key]
        for action in (
            "cimibague_workflow_status",
            "cimibague_workflow_history",
            "cimibague_workflow_revision_list",
            "cimibague_workflow_revision_show",
            "cimibague_workflow_comment",
        ):
            response = _api(app, world, who, action, id=pkg["id"], comment="x")
            assert response.status_code in (403, 404), (action, response.status_code)
            _assert_hidden(world, _text(response), f"{action} {pkg['id']}")
    queue = _api(app, world, who, "cimibague_workflow_queue")
    _assert_hidden(world, _text(queue), "cimibague_workflow_queue")
    shown = world["shown"]
    assert _api(app, world, who, "cimibague_workflow_status", id=shown["name"]).json["result"]["state"] == "publicado"
    history = _api(app, world, who, "cimibague_workflow_history", id=shown["name"]).json["result"]
    assert [e["to_state"] for e in history] == ["publicado"]


def test_workflow_attachment_routes(app, world):
    rules = [r.rule for r in app.flask_app.url_map.iter_rules() if "/flujo/" in r.rule]
    if not rules:
        pytest.skip("no workflow attachment route yet (the UI is being built elsewhere)")
    pkg = world["secret"]
    for rule in rules:
        url = rule
        for arg in ("<id>", "<package_id>", "<dataset_id>"):
            url = url.replace(arg, pkg["id"])
        url = url.split("<", 1)[0] + "x" if "<" in url else url
        for who in OUTSIDERS:
            response = _get(app, world, who, url)
            assert response.status_code in (403, 404), (url, who, response.status_code)


# ------------------------------------------------------------------ a harvester of another site


def test_what_a_ckan_harvester_gets(app, world):
    """ckanext-harvest's CKAN harvester: package_search sorted by id with rows/start and, after the first
    run, fq=metadata_modified:[... TO *] (anonymous, GET with a query string)."""
    names = set()
    for params in (
        {"rows": "100", "start": "0", "sort": "id asc"},
        {"rows": "100", "start": "0", "sort": "id asc", "fq": "metadata_modified:[2000-01-01T00:00:00Z TO *]"},
        {"rows": "100", "start": "0", "sort": "id asc", "fq": "organization:nodo-pruebas"},
        {"rows": "100", "start": "0", "sort": "id asc", "fq": "-organization:nodo-b"},
    ):
        response = app.get("/api/3/action/package_search", query_string=params, status=200)
        _assert_hidden(world, _text(response), f"harvester search {params}")
        names |= {d["name"] for d in response.json["result"]["results"]}
    assert names == {world["shown"]["name"]}
    for endpoint in ("organization_show", "group_show"):
        name = world["org"]["name"] if endpoint == "organization_show" else world["entidad"]["name"]
        response = app.get(f"/api/3/action/{endpoint}", query_string={"id": name}, status=200)
        _assert_hidden(world, _text(response), endpoint)
    shown = app.get("/api/3/action/package_show", query_string={"id": world["shown"]["id"]}, status=200)
    assert shown.json["result"]["name"] == world["shown"]["name"]


# ------------------------------------------------------------------ sector actors


def test_sector_actor_reads_only_while_socialisation_lasts(app, world):
    data = cim_data.dataset("indicador", world["org"], world["entidad"], name="rabano-en-socializacion")
    pkg = call_as("a-editor", "package_create", **data)
    call_as("a-editor", "cimibague_workflow_transition", id=pkg["id"], to="en_revision")
    assert helpers.call_action("package_search", context={"user": "actor-sector"}, q="rabano")["count"] == 0
    call_as("a-admin", "cimibague_workflow_transition", id=pkg["id"], to="en_socializacion", actores=["actor-sector"])

    assert call_as("actor-sector", "package_show", id=pkg["id"])["name"] == pkg["name"]
    page = _get(app, world, "actor-sector", f"/indicador/{pkg['name']}")
    assert page.status_code == 200 and pkg["title"] in _text(page)
    found = _api(app, world, "actor-sector", "package_search", q="rabano", include_private=True).json["result"]
    assert [d["name"] for d in found["results"]] == [pkg["name"]]
    with pytest.raises(tk.NotAuthorized):
        call_as("actor-sector", "package_patch", id=pkg["id"], title="Cambiado por el actor")
    for who in OUTSIDERS:  # the other outsiders still see nothing
        assert _get(app, world, who, f"/indicador/{pkg['name']}").status_code in (403, 404)
        assert "rabano" not in _text(_api(app, world, who, "package_search", q="rabano", include_private=True))

    call_as("a-admin", "cimibague_workflow_transition", id=pkg["id"], to="en_ajuste", comment="Ajustar la meta")
    with pytest.raises(tk.NotAuthorized):
        call_as("actor-sector", "package_show", id=pkg["id"])
    assert _get(app, world, "actor-sector", f"/indicador/{pkg['name']}").status_code in (403, 404)
    found = _api(app, world, "actor-sector", "package_search", q="rabano", include_private=True).json["result"]
    assert found["count"] == 0
    assert helpers.call_action("package_show", id=pkg["id"])["title"] == pkg["title"]

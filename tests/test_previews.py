"""Map previews (ckanext-geoview): a GeoJSON, KML, WMS or WMTS resource given by URL gets its map view on
create; the view, the resource page and the proxy that brings the file to the map answer the node's staff
and nobody else while the dataset is unpublished, and anyone once it is published."""

from __future__ import annotations

import json
from typing import Any

import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest

from tests import cim_data
from tests.cim_data import call_as
from tests.datastore_support import shared_client
from tests.test_browser import browser, live_server, visit  # noqa: F401 (fixtures)

COMUNAS = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"nombre": "Comuna Topacio"},
            "geometry": {"type": "Point", "coordinates": [-75.23, 4.44]},
        }
    ],
}
# format -> the view CKAN must create for it
MAPS = {"GeoJSON": "geojson_view", "KML": "geo_view", "WMS": "geo_view", "WMTS": "wmts_view"}


@pytest.fixture(scope="module")
def _module_db() -> dict:
    return {}


@pytest.fixture
def world(_module_db, reset_site_db, reset_index, httpserver):
    """A node with an editor; a hidden dataset and a published one, each with a resource of every map
    format (the GeoJSON served by the test HTTP server, so the proxy has something to bring)."""
    if not _module_db:
        reset_site_db()
        reset_index()
        org, entidad = cim_data.nodes_and_entity()
        editor = factories.UserWithToken(name="editor-mapas")
        helpers.call_action("organization_member_create", id=org["id"], username="editor-mapas", role="editor")
        outsider = factories.UserWithToken(name="ciudadano-mapas")
        geojson_url = httpserver.url_for("/comunas.geojson")
        urls = {
            "GeoJSON": geojson_url,
            "KML": "http://mapas.example.org/comunas.kml",
            "WMS": "http://mapas.example.org/geoserver/wms",
            "WMTS": "http://mapas.example.org/geoserver/gwc/service/wmts",
        }
        found: dict[str, Any] = {}
        for key in ("oculto", "publico"):
            data = cim_data.dataset(
                "informacion-geografica", org, entidad, name=f"mapas-{key}", title=f"Mapas {key}", resources=[]
            )
            pkg = call_as("editor-mapas", "package_create", **data)
            resources = {}
            for fmt, url in urls.items():
                res = call_as(
                    "editor-mapas", "resource_create", package_id=pkg["id"], url=url, format=fmt, name=f"Comunas {fmt}"
                )
                views = call_as("editor-mapas", "resource_view_list", id=res["id"])
                resources[fmt] = {"id": res["id"], "views": {v["view_type"]: v["id"] for v in views}}
            found[key] = {"package": pkg["id"], "resources": resources}
        cim_data.publish(found["publico"]["package"])
        _module_db.update(found, tokens={"editor": editor["token"], "ciudadano": outsider["token"]})
    httpserver.expect_request("/comunas.geojson").respond_with_data(
        json.dumps(COMUNAS), content_type="application/geo+json"
    )
    return _module_db


@pytest.fixture
def app():
    return shared_client()


def _headers(world: dict[str, Any], who: str) -> dict[str, str]:
    token = world["tokens"].get(who)
    return {"Authorization": token} if token else {}


def _urls(world: dict[str, Any], key: str, fmt: str) -> dict[str, str]:
    pkg = world[key]["package"]
    res = world[key]["resources"][fmt]
    view = res["views"][MAPS[fmt]]
    return {
        "view": f"/dataset/{pkg}/resource/{res['id']}/view/{view}",
        "resource": f"/dataset/{pkg}/resource/{res['id']}?view_id={view}",
        "proxy": f"/dataset/{pkg}/resource/{res['id']}/proxy",
        "service_proxy": f"/dataset/{pkg}/resource/{res['id']}/service_proxy",
    }


@pytest.mark.parametrize("fmt", sorted(MAPS))
def test_a_map_resource_gets_its_map_view_and_no_other_map(world, fmt):
    for key in ("oculto", "publico"):
        views = world[key]["resources"][fmt]["views"]
        maps = {name for name in views if name in set(MAPS.values())}
        assert maps == {MAPS[fmt]}, f"{key} {fmt}: {views}"


@pytest.mark.parametrize("fmt", sorted(MAPS))
def test_the_node_sees_the_map_of_its_unpublished_dataset(app, world, fmt):
    urls = _urls(world, "oculto", fmt)
    for page in ("view", "resource"):
        response = app.get(urls[page], headers=_headers(world, "editor"))
        assert response.status_code == 200, f"{page} {fmt}: {response.status_code}"
    view = app.get(urls["view"], headers=_headers(world, "editor")).get_data(as_text=True)
    assert "Cargando" in view or MAPS[fmt] == "geo_view", view[:500]


@pytest.mark.parametrize("who", [None, "ciudadano"])
@pytest.mark.parametrize("fmt", sorted(MAPS))
def test_the_unpublished_map_answers_nothing_to_outsiders(app, world, fmt, who):
    for page, url in _urls(world, "oculto", fmt).items():
        if page == "service_proxy" and MAPS[fmt] != "geo_view":
            continue
        response = app.get(url, headers=_headers(world, who))
        text = response.get_data(as_text=True)
        assert response.status_code in (403, 404), f"{page} {fmt} as {who}: {response.status_code} {text[:300]}"
        assert "Comuna Topacio" not in text and "Mapas oculto" not in text, f"{page} {fmt} as {who}"


def test_the_proxy_brings_the_hidden_file_to_the_node_only(app, world):
    proxy = _urls(world, "oculto", "GeoJSON")["proxy"]
    response = app.get(proxy, headers=_headers(world, "editor"))
    assert response.status_code == 200
    assert "Comuna Topacio" in response.get_data(as_text=True)


@pytest.mark.parametrize("who", [None, "ciudadano", "editor"])
@pytest.mark.parametrize("fmt", sorted(MAPS))
def test_a_published_map_answers_anyone(app, world, fmt, who):
    urls = _urls(world, "publico", fmt)
    for page in ("view", "resource"):
        response = app.get(urls[page], headers=_headers(world, who))
        assert response.status_code == 200, f"{page} {fmt} as {who}: {response.status_code}"
    if fmt == "GeoJSON":
        response = app.get(urls["proxy"], headers=_headers(world, who))
        assert response.status_code == 200
        assert "Comuna Topacio" in response.get_data(as_text=True)


# ------------------------------------------------------------------------------- in a real browser

KML = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>Comuna Topacio</name>
<Point><coordinates>-75.23,4.44</coordinates></Point></Placemark></Document></kml>"""


def test_the_maps_draw_without_javascript_errors_when_the_tiles_are_blocked(visit, clean_db, clean_index, httpserver):  # noqa: F811
    """Chromium reaches only the test site (tests/test_browser.py: every other host unresolvable, so the
    base map's tiles never arrive): the GeoJSON and KML maps of a published dataset still load their
    features through the proxy and raise no JavaScript error, alone and inside the resource page."""
    httpserver.expect_request("/comunas.geojson").respond_with_data(
        json.dumps(COMUNAS), content_type="application/geo+json"
    )
    httpserver.expect_request("/comunas.kml").respond_with_data(
        KML, content_type="application/vnd.google-earth.kml+xml"
    )
    org, entidad = cim_data.nodes_and_entity()
    data = cim_data.dataset("informacion-geografica", org, entidad, name="mapas-navegador", resources=[])
    pkg = cim_data.act("package_create", **data)
    pages = []
    for fmt, path in (("GeoJSON", "/comunas.geojson"), ("KML", "/comunas.kml")):
        res = cim_data.act(
            "resource_create", package_id=pkg["id"], url=httpserver.url_for(path), format=fmt, name=f"Comunas {fmt}"
        )
        (view,) = [v for v in cim_data.act("resource_view_list", id=res["id"]) if v["view_type"] == MAPS[fmt]]
        pages.append((fmt, f"/dataset/{pkg['id']}/resource/{res['id']}", view["id"]))
    cim_data.publish(pkg["id"])
    page = visit.new_page("anónimo")
    for fmt, resource, view_id in pages:
        with page.expect_response(lambda r: r.url.split("?")[0].endswith("/proxy")) as proxied:
            visit.go(page, f"{resource}/view/{view_id}")
        assert proxied.value.status == 200 and "Comuna Topacio" in proxied.value.text(), fmt
        if fmt == "GeoJSON":
            page.locator(".leaflet-marker-icon").first.wait_for(state="attached")
        else:
            page.locator("#map canvas").first.wait_for(state="attached")
            page.wait_for_load_state("networkidle")
        visit.shot(page, f"mapa-{fmt.lower()}")
        visit.go(page, f"{resource}?view_id={view_id}")
        page.wait_for_load_state("networkidle")
        visit.shot(page, f"recurso-{fmt.lower()}")
    visit.verify()

"""The Socrata harvester (``cimibague_socrata``) against a fake datos.gov.co served by pytest-httpserver from
``tests/data/harvest/socrata/``: the discovery API in two pages (``catalog_page*.json``, six assets: four
datasets, one chart, and one dataset whose view is gone) and the views (``views/*.json``; r2vn-6hzc's is cut
short, x8fs-2jgu's answers 404 as Socrata does).

The discovery pages also list a chart, as a portal that ignores ``only=dataset`` would: the harvester's
own type filter must skip it.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any
from urllib.parse import urlparse

import ckan.plugins.toolkit as tk
import ckan.tests.helpers as helpers
import pytest
from werkzeug import Request, Response

from ckanext.cimibague.harvesters import socrata
from ckanext.cimibague.harvesters.config import SourceConfig
from ckanext.cimibague.site_i18n import gettext
from tests import harvest_support as hs

DATA = hs.DATA / "socrata"
DATASETS = ["7ax3-kq2m", "b9uq-3tdw", "m4kd-8wpe"]  # the three that import
FAILING = ["r2vn-6hzc", "x8fs-2jgu"]  # malformed view, view gone (404)
DEFAULTS = {
    "contact_email": "datosabiertos@ibague.gov.co",
    "cobertura_geografica": ["municipio"],
    "origen": "externa",
    "datos_personales": "no_contiene",
}
CONFIG = {"entidad": "dane", "tipo": "bases-de-datos", "dominio": "www.datos.gov.co", "valores_por_defecto": DEFAULTS}


def _json(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


class Portal:
    """A fake Socrata portal: the discovery API pages by ``offset``, the views by id; tests change its
    documents between harvests."""

    def __init__(self, server: Any) -> None:
        self.server = server
        self.pages = {0: _json("catalog_page1.json"), 3: _json("catalog_page2.json")}
        self.views = {p.stem: p.read_text(encoding="utf-8") for p in (DATA / "views").glob("*.json")}
        self.ignore_offset = False
        server.expect_request(re.compile(r"/.*")).respond_with_handler(self)

    def __call__(self, request: Request) -> Response:
        if request.path == "/api/catalog/v1":
            offset = 0 if self.ignore_offset else int(request.args.get("offset", "0"))
            size = self.pages[0]["resultSetSize"]
            page = self.pages.get(offset, {"results": [], "resultSetSize": size, "timings": {}, "warnings": []})
            return Response(json.dumps(page, ensure_ascii=False), content_type="application/json; charset=utf-8")
        match = re.fullmatch(r"/api/views/([a-z0-9]{4}-[a-z0-9]{4})\.json", request.path)
        if match and match[1] in self.views:
            return Response(self.views[match[1]], content_type="application/json; charset=utf-8")
        missing = match[1] if match else request.path
        body = {"code": "not_found", "error": True, "message": f"Cannot find view with id {missing}"}
        return Response(json.dumps(body), status=404, content_type="application/json; charset=utf-8")

    @property
    def base(self) -> str:
        return self.server.url_for("/").rstrip("/")

    def catalog_requests(self) -> list[dict[str, Any]]:
        return [
            {k: r.args.getlist(k) if len(r.args.getlist(k)) > 1 else r.args[k] for k in r.args}
            for r, _response in self.server.log
            if r.path == "/api/catalog/v1"
        ]

    def views_requested(self) -> list[str]:
        return sorted(
            m[1] for r, _ in self.server.log if (m := re.fullmatch(r"/api/views/(.+)\.json", r.path)) is not None
        )

    def result(self, guid: str) -> dict[str, Any]:
        return next(r for page in self.pages.values() for r in page["results"] if r["resource"]["id"] == guid)

    def drop(self, guid: str, *, recount: bool = True) -> None:
        for page in self.pages.values():
            page["results"] = [r for r in page["results"] if r["resource"]["id"] != guid]
            if recount:
                page["resultSetSize"] -= 1


@pytest.fixture
def portal(clean_db, clean_index, httpserver, monkeypatch):
    monkeypatch.setattr(socrata, "LIMIT", 3)  # two pages of the six fixture assets
    return Portal(httpserver)


@pytest.fixture
def harvested(portal):
    """A source on the portal and its first harvest."""
    _org, _entidad = hs.setup()
    source = hs.source(portal.base, "cimibague_socrata", CONFIG, _org)
    return {"source": source, "org": _org, "first": hs.run(source)}


def _datasets(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {guid: hs.show(obj["package_id"]) for guid, obj in result["objects"].items() if obj["package_id"]}


class TestFirstHarvest:
    def test_datasets_land_mapped_field_by_field(self, harvested, portal):
        result = harvested["first"]
        assert result["gather_errors"] == []
        assert sorted(result["objects"]) == sorted(DATASETS + FAILING)  # the chart is not harvested
        for guid in DATASETS:
            assert (result["objects"][guid]["state"], result["objects"][guid]["report_status"]) == (
                "COMPLETE",
                "added",
            )
        base = portal.base
        matricula = _datasets(result)["7ax3-kq2m"]
        assert matricula["type"] == "bases-de-datos"
        assert matricula["estado_flujo"] == "recibido"
        assert matricula["private"] is True
        assert matricula["owner_org"] == harvested["org"]["id"]
        assert matricula["entidad_fuente"] == "dane"
        assert matricula["title"] == "Matrícula escolar por comuna en Ibagué"
        assert matricula["notes"].startswith("Número de estudiantes matriculados en las instituciones educativas")
        # the category "Educación" is already a tag ("educación"): not twice
        assert sorted(t["name"] for t in matricula["tags"]) == ["comunas", "educación", "matrícula", "simat"]
        # by its termsLink (by-sa), not by its name, which also reads "Creative Commons Attribution"
        assert matricula["license_id"] == "cc-by-sa-4.0"
        assert matricula["periodicidad"] == "anual"
        # rowsUpdatedAt 2024-03-16T02:10:00Z is 21:10 of the 15th in Ibagué
        assert matricula["fecha_corte"] == "2024-03-15"
        assert matricula["area_dependencia"] == "Secretaría de Educación Municipal de Ibagué"
        assert matricula["contact_name"] == "Alcaldía de Ibagué"
        assert matricula["contact_email"] == "datosabiertos@ibague.gov.co"  # the source's default
        assert matricula["language"] == "es"
        assert matricula["cobertura_geografica"] == ["municipio"]  # "Municipal", entity in Ibagué
        assert matricula["origen"] == "externa"
        assert matricula["nivel_acceso"] == "publica"
        assert "observaciones_calidad" not in matricula or not matricula["observaciones_calidad"]
        assert matricula["provenance"] == (
            f"Cosechado de {urlparse(base).hostname}: {base}/d/7ax3-kq2m\n\n"
            "- Documentación: https://www.ibague.gov.co/portal/admin/archivos/publicaciones/2024/"
            "metodologia-matricula.pdf"
        )
        csv, api = matricula["resources"]
        assert (csv["name"], csv["url"], csv["format"], csv["fecha_actualizacion"], csv["tipo_recurso"]) == (
            "Datos (CSV)",
            f"{base}/api/views/7ax3-kq2m/rows.csv?accessType=DOWNLOAD",
            "CSV",
            "2024-03-15",
            "datos",
        )
        assert csv["description"].splitlines()[:5] == [
            "**Diccionario de datos**",
            "",
            "| Campo (API) | Nombre | Tipo | Descripción |",
            "|---|---|---|---|",
            "| `a_o` | Año | number | Año lectivo del reporte |",
        ]
        assert (
            "| `instituci_n_educativa` | Institución educativa | text | Nombre de la sede \\| institución |"
            in (csv["description"])
        )
        assert (api["name"], api["url"], api["format"], api["fecha_actualizacion"], api["tipo_recurso"]) == (
            "API (JSON)",
            f"{base}/resource/7ax3-kq2m.json",
            "JSON",
            "2024-03-15",
            "servicio",
        )

        dengue = _datasets(result)["b9uq-3tdw"]
        assert sorted(t["name"] for t in dengue["tags"]) == [
            "Salud y Protección Social",  # the portal's category
            "dengue",
            "salud pública",
            "sivigila",
        ]
        assert dengue["license_id"] == "cc-zero-1.0"  # Socrata's PUBLIC_DOMAIN
        assert dengue["periodicidad"] == "semanal"
        assert dengue["fecha_corte"] == "2023-12-31"
        assert dengue["cobertura_geografica"] == ["municipio"]  # "Ibagué - Tolima"
        assert dengue["area_dependencia"] == "Secretaría de Salud Municipal de Ibagué"
        assert dengue["provenance"].endswith(
            "- Normativa: https://www.minsalud.gov.co/Normatividad_Nuevo/Decreto%203518%20de%202006.pdf"
        )
        assert "| `casos` | Casos | number | Casos notificados en la semana |" in dengue["resources"][0]["description"]

        vias = _datasets(result)["m4kd-8wpe"]
        assert vias["contact_name"] == "Gobernación del Tolima"
        assert vias["periodicidad"] == "irregular"  # "Por demanda"
        assert vias["fecha_corte"] == "2022-02-01"  # rowsUpdatedAt, not the later metadata change
        # CC BY-NC has no equivalent in the portal's list: the schema's default applies and the note says so
        assert vias["license_id"] == "cc-by-4.0"
        assert vias["observaciones_calidad"] == (
            "Licencia en la fuente: Creative Commons Attribution | Noncommercial 4.0 International — "
            "https://creativecommons.org/licenses/by-nc/4.0/legalcode"
        )

    def test_datasets_are_indexed(self, harvested):
        found = hs.search(q="*:*", fq="+type:bases-de-datos", rows=10)
        assert found["count"] == 3
        assert sorted(d["title"] for d in found["results"]) == [
            "Casos de dengue notificados en Ibagué 2023",
            "Matrícula escolar por comuna en Ibagué",
            "Red vial secundaria del departamento del Tolima",
        ]
        assert {d["estado_flujo"] for d in found["results"]} == {"recibido"}
        assert hs.search(q="dengue")["count"] == 1

    def test_the_discovery_api_is_paged_by_offset(self, harvested, portal):
        expected = {
            "domains": "www.datos.gov.co",
            "search_context": "www.datos.gov.co",
            "only": "dataset",
            "limit": "3",
        }
        # resultSetSize (6) ends the listing after the second page: no third request
        assert portal.catalog_requests() == [{**expected, "offset": "0"}, {**expected, "offset": "3"}]
        assert portal.views_requested() == sorted(DATASETS + FAILING)  # never the chart's

    def test_a_missing_or_malformed_view_is_an_object_error(self, harvested, portal):
        objects = harvested["first"]["objects"]
        gone, cut = objects["x8fs-2jgu"], objects["r2vn-6hzc"]
        assert (gone["state"], gone["package_id"]) == ("ERROR", None)
        assert "404" in gone["errors"][0] and f"{portal.base}/api/views/x8fs-2jgu.json" in gone["errors"][0]
        assert (cut["state"], cut["package_id"]) == ("ERROR", None)
        assert cut["errors"][0].startswith(
            gettext("The source sent a malformed JSON document at %(url)s: %(error)s").split("%(url)s")[0]
        )
        assert f"{portal.base}/api/views/r2vn-6hzc.json" in cut["errors"][0]
        assert hs.search(q="Establecimientos de comercio")["count"] == 0


class TestReharvest:
    def test_only_views_updated_since_are_fetched(self, harvested, portal):
        first = _datasets(harvested["first"])
        portal.server.clear_log()
        portal.result("b9uq-3tdw")["resource"]["updatedAt"] = "2024-01-07T13:00:00.000Z"
        view = json.loads(portal.views["b9uq-3tdw"])
        view["rowsUpdatedAt"] = view["viewLastModified"] = 1704632400  # 2024-01-07T13:00:00Z
        portal.views["b9uq-3tdw"] = json.dumps(view)

        second = hs.run(harvested["source"])
        assert second["gather_errors"] == []
        # the updated view, and the two that failed last time (retried); not the unchanged ones
        assert portal.views_requested() == ["b9uq-3tdw", *FAILING]
        assert second["objects"]["b9uq-3tdw"]["report_status"] == "updated"
        assert second["objects"]["b9uq-3tdw"]["package_id"] == first["b9uq-3tdw"]["id"]
        assert hs.show(first["b9uq-3tdw"]["id"])["fecha_corte"] == "2024-01-07"
        assert hs.search(q="*:*", fq="+type:bases-de-datos")["count"] == 3  # no duplicates

    def test_a_changed_configuration_fetches_everything_again(self, harvested, portal):
        portal.server.clear_log()
        src = harvested["source"]
        helpers.call_action(
            "harvest_source_update",
            context={"user": "cim-admin"},
            **{k: src[k] for k in ("id", "name", "title", "url", "source_type", "owner_org")},
            config=json.dumps({**CONFIG, "timeout": 60}),
        )
        third = hs.run(harvested["source"])
        assert portal.views_requested() == sorted(DATASETS + FAILING)
        # the same content: the datasets are not written again
        assert {guid: third["objects"][guid]["report_status"] for guid in DATASETS} == dict.fromkeys(
            DATASETS, "not modified"
        )
        assert hs.search(q="*:*", fq="+type:bases-de-datos")["count"] == 3

    def test_a_record_gone_from_the_source_is_flagged_not_deleted(self, harvested, portal):
        vias_id = harvested["first"]["objects"]["m4kd-8wpe"]["package_id"]
        portal.drop("m4kd-8wpe")
        second = hs.run(harvested["source"])
        assert second["objects"]["m4kd-8wpe"]["state"] == "COMPLETE"
        history = helpers.call_action("cimibague_workflow_history", context={"user": "cim-admin"}, id=vias_id)
        assert [e["kind"] for e in history][-1] == "eliminado_en_fuente"
        assert "m4kd-8wpe" in history[-1]["comment"]
        shown = hs.show(vias_id)
        assert (shown["state"], shown["estado_flujo"]) == ("active", "recibido")
        assert hs.search(q="*:*", fq="+type:bases-de-datos")["count"] == 3

    def test_an_incomplete_listing_flags_nothing(self, harvested, portal):
        vias_id = harvested["first"]["objects"]["m4kd-8wpe"]["package_id"]
        portal.drop("m4kd-8wpe", recount=False)  # resultSetSize still says 6: a result was not listed
        second = hs.run(harvested["source"])
        assert "m4kd-8wpe" not in second["objects"]
        history = helpers.call_action("cimibague_workflow_history", context={"user": "cim-admin"}, id=vias_id)
        assert "eliminado_en_fuente" not in [e["kind"] for e in history]


class TestFaults:
    def test_a_discovery_api_that_ignores_the_offset_is_a_gather_error(self, portal):
        org, _entidad = hs.setup()
        portal.ignore_offset = True
        result = hs.run(hs.source(portal.base, "cimibague_socrata", CONFIG, org))
        assert result["objects"] == {}
        assert result["gather_errors"] == [
            gettext("The source sent page %(page)s again: its paging does not advance") % {"page": 2}
        ]
        assert [r["offset"] for r in portal.catalog_requests()] == ["0", "3"]
        assert portal.views_requested() == []

    def test_without_a_contact_email_the_records_are_object_errors(self, portal):
        org, _entidad = hs.setup()
        defaults = {k: v for k, v in DEFAULTS.items() if k != "contact_email"}
        result = hs.run(hs.source(portal.base, "cimibague_socrata", {**CONFIG, "valores_por_defecto": defaults}, org))
        for guid in DATASETS:
            obj = result["objects"][guid]
            assert (obj["state"], obj["package_id"]) == ("ERROR", None)
            assert "«Contacto (correo)» (contact_email)" in obj["errors"][0]
        assert hs.search(q="*:*", fq="+type:bases-de-datos")["count"] == 0

    def test_an_unknown_asset_type_is_refused_in_the_configuration(self, portal):
        org, _entidad = hs.setup()
        with pytest.raises(tk.ValidationError) as error:
            hs.source(portal.base, "cimibague_socrata", {**CONFIG, "tipos": ["dataset", "mapa"]}, org)
        assert "mapa" in str(error.value.error_dict)


@pytest.mark.unit
class TestMapping:
    """``map_view`` on the fixture views, without a site."""

    config = SourceConfig(entidad="dane", tipo="bases-de-datos")

    def _view(self, guid: str, **changes: Any) -> dict[str, Any]:
        view = json.loads((DATA / "views" / f"{guid}.json").read_text(encoding="utf-8"))
        return {**copy.deepcopy(view), **changes}

    def test_a_departmental_dataset_leaves_the_coverage_to_the_defaults(self):
        mapped = socrata.map_view(self._view("m4kd-8wpe"), self.config, "https://www.datos.gov.co")
        assert "cobertura_geografica" not in mapped
        assert "license_id" not in mapped
        assert mapped["provenance"] == "Cosechado de datos.gov.co: https://www.datos.gov.co/d/m4kd-8wpe"

    def test_the_portal_page_is_the_resource_of_a_non_tabular_asset(self):
        view = self._view("7ax3-kq2m", viewType="geo", displayType="map", id="7ax3-kq2m")
        (resource,) = socrata.map_view(view, self.config, "https://www.datos.gov.co")["resources"]
        assert resource == {
            "name": "Ver en www.datos.gov.co",
            "url": "https://www.datos.gov.co/d/7ax3-kq2m",
            "format": "HTML",
            "fecha_actualizacion": "2024-03-15",
            "tipo_recurso": "mapa",
        }

    def test_a_licence_name_alone_is_not_read_as_a_wider_licence(self):
        licence = {"name": "Creative Commons Attribution | Noncommercial 4.0 International"}
        mapped = socrata.map_view(
            self._view("m4kd-8wpe", license=licence, licenseId=None), self.config, "https://www.datos.gov.co"
        )
        assert "license_id" not in mapped
        assert mapped["observaciones_calidad"] == (
            "Licencia en la fuente: Creative Commons Attribution | Noncommercial 4.0 International"
        )

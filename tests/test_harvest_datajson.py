"""The data.json (DCAT-US 1.1) harvester, ``cimibague_datajson``: a datos.gov.co-style catalogue served by
pytest-httpserver from ``tests/data/harvest/datajson/``, harvested end to end (gather → fetch → import →
Solr), harvested again (no duplicates, changes updated in place), with records gone from the source
flagged, and the faults of this source: a repeated identifier, a malformed or foreign document, an
entry without identifier, a record missing a required field."""

from __future__ import annotations

import copy
import json
from typing import Any

import ckan.tests.helpers as helpers
import pytest

from ckanext.cimibague.harvesters import datajson
from ckanext.cimibague.harvesters.config import SourceConfig
from tests.cim_data import call_as
from tests.harvest_support import fixture, run, search, setup, show, source

POINT = {"type": "Point", "coordinates": [-75.2, 4.4]}
BOX = {
    "type": "Polygon",
    "coordinates": [[[-75.28, 4.4], [-75.12, 4.4], [-75.12, 4.48], [-75.28, 4.48], [-75.28, 4.4]]],
}

# The identifiers of the fixture's datasets (Socrata writes the dataset's API address)
MATRICULA = "https://www.datos.gov.co/api/views/7hq2-4mzk"
DENGUE = "https://www.datos.gov.co/api/views/k3dn-9w2p"  # no contact e-mail
PREDIOS = "https://www.datos.gov.co/api/views/p7rx-2c8v"  # restricted public, bbox, ArcGIS-style distributions
SISBEN = "https://www.datos.gov.co/api/views/s4bn-iv73"  # non-public, no distribution

CONFIG = {
    "entidad": "dane",
    "tipo": "bases-de-datos",
    "valores_por_defecto": {
        "cobertura_geografica": ["municipio"],
        "origen": "externa",
        "datos_personales": "no_contiene",
    },
}


def catalogue() -> dict[str, Any]:
    return json.loads(fixture("datajson/data.json"))


def serve(httpserver: Any, body: dict[str, Any] | list[Any] | str, status: int = 200) -> None:
    httpserver.clear_all_handlers()
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    httpserver.expect_request("/data.json").respond_with_data(
        text.encode(), status=status, content_type="application/json; charset=utf-8"
    )


def entry(doc: dict[str, Any], identifier: str) -> dict[str, Any]:
    return next(d for d in doc["dataset"] if d.get("identifier") == identifier)


def history_kinds(package_id: str) -> list[str]:
    return [e["kind"] for e in call_as("cim-admin", "cimibague_workflow_history", id=package_id)]


@pytest.fixture
def site(clean_db, clean_index, httpserver):
    org, _entidad = setup()
    serve(httpserver, catalogue())
    url = httpserver.url_for("/data.json")
    return {"org": org, "url": url, "source": source(url, "cimibague_datajson", CONFIG, org)}


class TestEndToEnd:
    def test_catalogue_lands_in_recibido_private_mapped_and_indexed(self, site):
        result = run(site["source"])
        assert result["status"] == "Finished"
        objects = result["objects"]
        assert set(objects) == {MATRICULA, DENGUE, PREDIOS, SISBEN}
        for guid in (MATRICULA, PREDIOS, SISBEN):
            assert (objects[guid]["report_status"], objects[guid]["errors"]) == ("added", []), guid

        # every created dataset: the source's type, node and entity, received and private, found in Solr
        for guid in (MATRICULA, PREDIOS, SISBEN):
            pkg = show(objects[guid]["package_id"])
            assert pkg["type"] == "bases-de-datos"
            assert pkg["owner_org"] == site["org"]["id"]
            assert pkg["entidad_fuente"] == "dane"
            assert pkg["estado_flujo"] == "recibido"
            assert pkg["private"] is True
            assert pkg["cobertura_geografica"] == ["municipio"]  # from valores_por_defecto
            assert pkg["origen"] == "externa"
            assert search(fq=f'id:"{pkg["id"]}"')["count"] == 1
        assert search(fq="type:bases-de-datos")["count"] == 3
        assert {r["id"] for r in search(q="matrícula simat")["results"]} == {objects[MATRICULA]["package_id"]}

        pkg = show(objects[MATRICULA]["package_id"])
        assert pkg["title"] == "Matrícula oficial por institución educativa de Ibagué 2024"
        assert pkg["notes"].startswith("Matrícula oficial por institución educativa, sede, grado y zona")
        assert sorted(t["name"] for t in pkg["tags"]) == ["educación", "ibagué", "matrícula", "simat"]
        assert pkg["fecha_corte"] == "2025-03-10"
        assert pkg["periodicidad"] == "anual"  # R/P1Y
        assert (pkg["temporal_start"], pkg["temporal_end"]) == ("2024-01-01", "2024-12-31")
        assert pkg["contact_name"] == "Oficina de Planeación Educativa"
        assert pkg["contact_email"] == "planeacion@semibague.gov.co"  # mailto: stripped
        assert pkg["license_id"] == "cc-by-sa-4.0"
        assert pkg["area_dependencia"] == "Secretaría de Educación"
        assert pkg["language"] == "es"  # es-CO
        assert pkg["nivel_acceso"] == "publica"
        assert pkg["provenance"] == (
            f"Cosechado del catálogo data.json {site['url']}: https://www.datos.gov.co/d/7hq2-4mzk"
        )
        assert "spatial" not in pkg  # "Ibagué, Tolima" is a place name, and the type has no such field
        base = "https://www.datos.gov.co/api/views/7hq2-4mzk/rows"
        assert [
            (r["name"], r["url"], r["format"], r["fecha_actualizacion"], r["tipo_recurso"]) for r in pkg["resources"]
        ] == [
            ("CSV", f"{base}.csv?accessType=DOWNLOAD", "CSV", "2025-03-10", "datos"),
            ("RDF", f"{base}.rdf?accessType=DOWNLOAD", "RDF", "2025-03-10", "datos"),
            ("JSON", f"{base}.json?accessType=DOWNLOAD", "JSON", "2025-03-10", "datos"),
            ("XML", f"{base}.xml?accessType=DOWNLOAD", "XML", "2025-03-10", "datos"),
        ]

        pkg = show(objects[PREDIOS]["package_id"])
        assert pkg["title"] == "Predios urbanos por comuna - catastro multipropósito de Ibagué"
        assert pkg["nivel_acceso"] == "clasificada"  # restricted public
        assert pkg["license_id"] == "uso-restringido"  # its licence URL is unknown, and access is restricted
        assert pkg["fecha_corte"] == "2025-01-31"  # a datetime
        assert pkg["periodicidad"] == "semestral"  # R/P6M
        assert (pkg["temporal_start"], pkg["temporal_end"]) == ("2023-01-01", "2024-12-31")  # "2023/2024"
        assert pkg["area_dependencia"] == "Gestión Catastral de Ibagué"
        assert pkg["contact_email"] == "catastro@ibague.gov.co"
        assert "https://www.datos.gov.co/terminos-y-condiciones" in pkg["provenance"]
        assert "restricted public" in pkg["provenance"]
        assert "Ley 1581 de 2012" in pkg["provenance"]  # rights
        assert [
            (r["name"], r["url"], r["format"], r["tipo_recurso"], r.get("description") or "") for r in pkg["resources"]
        ] == [
            (
                "Servicio ArcGIS de predios",
                "https://mapas.ibague.gov.co/arcgis/rest/services/Catastro/Predios/MapServer/0",
                "Esri REST",
                "servicio",
                "",
            ),
            (
                "Predios urbanos (GeoJSON)",
                "https://mapas.ibague.gov.co/datos/predios_urbanos.geojson",
                "GeoJSON",
                "datos",
                "Capa de predios urbanos en GeoJSON (EPSG:4326).",
            ),
            (
                "Diccionario de datos",
                "https://www.ibague.gov.co/catastro/diccionario-predios.pdf",
                "PDF",
                "documento",
                "",
            ),
        ]
        assert {r["fecha_actualizacion"] for r in pkg["resources"]} == {"2025-01-31"}

        pkg = show(objects[SISBEN]["package_id"])
        assert pkg["nivel_acceso"] == "reservada"  # non-public
        assert pkg["license_id"] == "uso-restringido"
        assert pkg["periodicidad"] == "irregular"
        assert pkg["resources"] == []
        assert "area_dependencia" not in pkg  # the publisher is Socrata's domain, not an office
        assert "non-public" in pkg["provenance"] and "Ley 1712 de 2014" in pkg["provenance"]

    def test_a_record_missing_a_required_field_is_an_object_error_naming_it(self, site):
        result = run(site["source"])
        dengue = result["objects"][DENGUE]
        assert dengue["report_status"] == "errored"
        assert dengue["package_id"] is None
        assert len(dengue["errors"]) == 1
        assert DENGUE in dengue["errors"][0]
        assert "(contact_email)" in dengue["errors"][0]
        assert search(q="dengue")["count"] == 0
        # with the address given as the source's default, the same record lands
        defaults = {**CONFIG["valores_por_defecto"], "contact_email": "salud@ibague.gov.co"}
        src = site["source"]
        helpers.call_action(
            "harvest_source_update",
            context={"user": "cim-admin"},
            **{k: src[k] for k in ("id", "name", "title", "url", "source_type", "owner_org")},
            config=json.dumps({**CONFIG, "valores_por_defecto": defaults}),
        )
        again = run(site["source"])
        assert again["objects"][DENGUE]["report_status"] == "added"
        pkg = show(again["objects"][DENGUE]["package_id"])
        assert (pkg["contact_name"], pkg["contact_email"]) == (
            "Grupo de Vigilancia en Salud Pública",
            "salud@ibague.gov.co",
        )
        assert pkg["periodicidad"] == "semanal"  # R/P1W

    def test_duplicate_identifier_is_a_gather_error_and_the_first_is_kept(self, site):
        result = run(site["source"])
        assert len(result["gather_errors"]) == 1
        assert MATRICULA in result["gather_errors"][0]
        assert [d for d in result["gather_errors"] if DENGUE in d or PREDIOS in d] == []
        pkg = show(result["objects"][MATRICULA]["package_id"])
        assert pkg["title"] == "Matrícula oficial por institución educativa de Ibagué 2024"
        assert search(q='title:"copia duplicada"')["count"] == 0
        assert search(q="matrícula")["count"] == 1


class TestReharvest:
    def test_again_without_duplicates_and_changes_updated_in_place(self, site, httpserver):
        first = run(site["source"])
        ids = {guid: o["package_id"] for guid, o in first["objects"].items()}

        second = run(site["source"])
        assert {g: o["report_status"] for g, o in second["objects"].items()} == {
            MATRICULA: "not modified",
            PREDIOS: "not modified",
            SISBEN: "not modified",
            DENGUE: "errored",
        }
        assert search(fq="type:bases-de-datos")["count"] == 3

        doc = catalogue()
        matricula = entry(doc, MATRICULA)  # the first of the two entries with this identifier
        matricula["modified"] = "2025-06-30"
        matricula["description"] = "Matrícula oficial por sede y grado, corte 30 de junio de 2025. Fuente: SIMAT."
        matricula["distribution"] = matricula["distribution"][:1]
        # the publisher corrected the title without touching «modified»: still an update
        entry(doc, PREDIOS)["title"] = "Predios urbanos por comuna de Ibagué (catastro multipropósito)"
        serve(httpserver, doc)

        third = run(site["source"])
        statuses = {g: o["report_status"] for g, o in third["objects"].items()}
        assert statuses == {MATRICULA: "updated", PREDIOS: "updated", SISBEN: "not modified", DENGUE: "errored"}
        for guid in (MATRICULA, PREDIOS):
            assert third["objects"][guid]["package_id"] == ids[guid]
        assert search(fq="type:bases-de-datos")["count"] == 3

        pkg = show(ids[MATRICULA])
        assert pkg["notes"] == "Matrícula oficial por sede y grado, corte 30 de junio de 2025. Fuente: SIMAT."
        assert pkg["fecha_corte"] == "2025-06-30"
        assert [(r["format"], r["fecha_actualizacion"]) for r in pkg["resources"]] == [("CSV", "2025-06-30")]
        assert pkg["estado_flujo"] == "recibido" and pkg["private"] is True
        assert show(ids[PREDIOS])["title"] == "Predios urbanos por comuna de Ibagué (catastro multipropósito)"
        assert search(q="junio 2025")["results"][0]["id"] == ids[MATRICULA]  # the index follows

    def test_a_record_gone_from_the_catalogue_is_flagged_not_deleted(self, site, httpserver):
        first = run(site["source"])
        sisben = first["objects"][SISBEN]["package_id"]
        doc = catalogue()
        doc["dataset"] = [d for d in doc["dataset"] if d.get("identifier") != SISBEN]
        serve(httpserver, doc)

        second = run(site["source"])
        assert second["objects"][SISBEN]["report_status"] == "deleted"
        assert history_kinds(sisben).count("eliminado_en_fuente") == 1
        pkg = show(sisben)
        assert (pkg["state"], pkg["estado_flujo"], pkg["private"]) == ("active", "recibido", True)
        assert search(fq=f'id:"{sisben}"')["count"] == 1
        for guid in (MATRICULA, PREDIOS):
            assert "eliminado_en_fuente" not in history_kinds(first["objects"][guid]["package_id"])

        third = run(site["source"])  # flagged once, not at every run
        assert SISBEN not in third["objects"]
        assert history_kinds(sisben).count("eliminado_en_fuente") == 1


class TestFaults:
    @pytest.mark.parametrize(
        ("body", "status", "expected"),
        [
            (fixture("datajson/malformed.json"), 200, "JSON"),
            (fixture("datajson/not_catalogue.json"), 200, "«dataset»"),
            (json.dumps(catalogue()["dataset"]), 200, "«dataset»"),  # a bare list of datasets (DCAT-US 1.0)
            ('{"error": true, "message": "not found"}', 404, "404"),
            (json.dumps({**catalogue(), "dataset": []}), 200, ""),  # an empty export flags nothing
        ],
        ids=["malformed", "not-a-catalogue", "bare-list", "http-404", "empty"],
    )
    def test_a_bad_document_is_a_gather_error_the_job_finishes_nothing_is_flagged(
        self, site, httpserver, body, status, expected
    ):
        first = run(site["source"])
        serve(httpserver, body, status)

        result = run(site["source"])
        assert result["status"] == "Finished"
        assert result["objects"] == {}
        assert len(result["gather_errors"]) == 1
        assert site["url"] in result["gather_errors"][0]
        assert expected in result["gather_errors"][0]
        for guid in (MATRICULA, PREDIOS, SISBEN):
            package_id = first["objects"][guid]["package_id"]
            assert "eliminado_en_fuente" not in history_kinds(package_id)
            assert show(package_id)["state"] == "active"

    def test_entries_without_identifier_are_a_gather_error_naming_them(self, site, httpserver):
        doc = catalogue()
        anonymous = copy.deepcopy(entry(doc, PREDIOS))
        del anonymous["identifier"]
        anonymous["title"] = "Nomenclatura vial de Ibagué"
        doc["dataset"].append(anonymous)
        doc["dataset"].append("no es un conjunto de datos")
        serve(httpserver, doc)

        result = run(site["source"])
        assert result["status"] == "Finished"
        assert set(result["objects"]) == {MATRICULA, DENGUE, PREDIOS, SISBEN}
        (error,) = [e for e in result["gather_errors"] if MATRICULA not in e]
        assert "«Nomenclatura vial de Ibagué»" in error
        assert f"#{len(doc['dataset'])}" in error  # the entry that is not an object, by its position
        assert search(q="nomenclatura")["count"] == 0


class TestGeographicSource:
    def test_bbox_becomes_the_spatial_extent_and_publishers_filter(self, clean_db, clean_index, httpserver):
        org, _entidad = setup()
        serve(httpserver, catalogue())
        config = {
            "entidad": "dane",
            "tipo": "informacion-geografica",
            "publicadores": ["alcaldia de ibague"],  # matches «Alcaldía de Ibagué» in subOrganizationOf
            "valores_por_defecto": {
                "cobertura_geografica": ["municipio"],
                "sistema_referencia": "EPSG:4686",
                "representacion": "vector",
            },
        }
        result = run(source(httpserver.url_for("/data.json"), "cimibague_datajson", config, org))
        assert set(result["objects"]) == {MATRICULA, PREDIOS}  # dengue and sisben have other publishers
        predios = result["objects"][PREDIOS]
        assert predios["report_status"] == "added"
        pkg = show(predios["package_id"])
        assert pkg["type"] == "informacion-geografica"
        assert json.loads(pkg["spatial"]) == BOX
        found = search(extras={"ext_bbox": "-75.3,4.3,-75.1,4.5"})
        assert [r["id"] for r in found["results"]] == [pkg["id"]]
        # a place name is not a geometry: the record lands without a spatial extent (the georeferencing step
        # of the workflow draws it)
        matricula = result["objects"][MATRICULA]
        assert matricula["report_status"] == "added"
        assert "spatial" not in show(matricula["package_id"])


@pytest.mark.unit
class TestConversions:
    @pytest.mark.parametrize(
        ("value", "code"),
        [
            ("R/P1Y", "anual"),
            ("R/P1M", "mensual"),
            ("R/P3M", "trimestral"),
            ("R/P1D", "diaria"),
            ("R/PT1H", "diaria"),
            ("R/P3.5D", "semanal"),
            ("R/P2W", "mensual"),
            ("R/P4M", "semestral"),
            ("R/P3Y", "cuatrienal"),
            ("irregular", "irregular"),
            ("R/P1Q", None),
            ("cada tanto", None),
            (None, None),
        ],
    )
    def test_periodicity(self, value, code):
        assert datajson.periodicity(value) == code

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("2020-01-01/2020-12-31", ("2020-01-01", "2020-12-31")),
            ("2000-01-15T00:45:00Z/2010-01-15T00:06:00Z", ("2000-01-15", "2010-01-15")),
            ("2019/2021", ("2019-01-01", "2021-12-31")),
            ("2024-02/2024-02", ("2024-02-01", "2024-02-29")),
            ("2020-01-01/P1Y", ("2020-01-01", "2020-12-31")),
            ("R/2020-01-15/P1M", ("2020-01-15", "2020-02-14")),
            ("2020-01-01/PT1H", ("2020-01-01", None)),
            ("2020", (None, None)),
            (None, (None, None)),
        ],
    )
    def test_temporal(self, value, expected):
        assert datajson.temporal(value) == expected

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("-75.28,4.40,-75.12,4.48", BOX),
            ("-75.2, 4.4, -75.2, 4.4", POINT),
            (json.dumps(POINT), POINT),
            ({"type": "Feature", "properties": {}, "geometry": POINT}, POINT),
            ("Ibagué, Tolima", None),
            ("http://sws.geonames.org/3680656/", None),
            ("{no es json", None),
            (None, None),
        ],
    )  # fmt: skip
    def test_geometry(self, value, expected):
        found = datajson.geometry(value)
        assert (json.loads(found) if found else None) == expected

    def test_language_and_contact(self):
        assert datajson.language(["es-CO"]) == "es"
        assert datajson.language(["en-US", "es"]) == "es"
        assert datajson.language("en") == "en"
        assert datajson.language(["pbb"]) == "otro"  # nasa yuwe
        assert datajson.language([]) is None
        assert datajson.contact({"fn": "CIM", "hasEmail": "mailto:cim@ibague.gov.co"}) == ("CIM", "cim@ibague.gov.co")
        assert datajson.contact({"fn": "CIM", "hasEmail": "cim@ibague.gov.co"}) == ("CIM", "cim@ibague.gov.co")
        assert datajson.contact({"fn": "CIM"}) == ("CIM", None)
        assert datajson.contact("CIM") == (None, None)

    def test_filters(self):
        doc = json.loads(fixture("datajson/data.json"))
        by_id = {d["identifier"]: d for d in doc["dataset"][:4]}

        def kept(**extra: Any) -> set[str]:
            config = SourceConfig(entidad="dane", tipo="bases-de-datos", extra=extra)
            return {guid for guid, d in by_id.items() if datajson.wanted(d, config)}

        assert kept() == {MATRICULA, DENGUE, PREDIOS, SISBEN}
        assert kept(solo_publicos=True) == {MATRICULA, DENGUE}
        assert kept(publicadores=["Secretaría de Salud de Ibagué"]) == {DENGUE}
        assert kept(publicadores=["ALCALDIA DE IBAGUE"]) == {MATRICULA, PREDIOS}
        assert kept(palabras_clave=["Cartografia", "sisben"]) == {PREDIOS, SISBEN}
        assert kept(palabras_clave=["ibagué"], publicadores=["alcaldía de ibagué"], solo_publicos=True) == {MATRICULA}

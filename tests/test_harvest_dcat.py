"""The DCAT harvester, ``cimibague_dcat``: DCAT-AP catalogues in Turtle (two hydra pages, as ckanext-dcat
2.4.4 serves ``/catalog.ttl?page=N``), RDF/XML and JSON-LD (with its context given by URL), served by
pytest-httpserver from ``tests/data/harvest/dcat/``, harvested end to end (gather → fetch → import →
Solr) and again (no duplicates, changes updated in place), with records gone from the source flagged, and
the faults of this source: a malformed document, a document that is not DCAT, a paging loop, a page that
fails, a record missing a required field, a wrong Content-Type (and «formato» forcing the parser).

The fixtures write ``{{SERVIDOR}}`` where the test server's address goes (hydra links, JSON-LD context)."""

from __future__ import annotations

import json
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import ckan.tests.helpers as helpers
import pytest
from werkzeug.wrappers import Request, Response

from ckanext.cimibague.harvesters import dcat
from ckanext.cimibague.site_i18n import gettext
from tests import harvest_support as hs

# Guids: the datasets' URIs, else their dct:identifier (blank node in the JSON-LD catalogue)
DENGUE = "https://datos.ibague.gov.co/dataset/casos-dengue-ibague"
VACUNACION = "https://datos.ibague.gov.co/dataset/cobertura-vacunacion-comunas"
MORTALIDAD = "https://datos.ibague.gov.co/dataset/mortalidad-materna-tolima"  # page 2, no contact e-mail
PERIMETRO = "https://planeacion.ibague.gov.co/datos/perimetro-urbano"
COMUNAS = "https://planeacion.ibague.gov.co/datos/comunas"
DESEMPLEO = "https://desarrolloeconomico.ibague.gov.co/datos/tasa-desempleo"
EMPRESAS = "SDE-OML-002"

SALUD = {
    "entidad": "dane",
    "tipo": "observatorios",
    "valores_por_defecto": {"observatorio": "salud", "cobertura_geografica": ["municipio"]},
}
PLANEACION = {
    "entidad": "dane",
    "tipo": "informacion-geografica",
    "valores_por_defecto": {
        "cobertura_geografica": ["municipio"],
        "sistema_referencia": "EPSG:4686",
        "representacion": "vector",
    },
}
EMPLEO = {
    "entidad": "dane",
    "tipo": "bases-de-datos",
    "valores_por_defecto": {
        "cobertura_geografica": ["municipio"],
        "origen": "externa",
        "datos_personales": "no_contiene",
    },
}
TURTLE = "text/turtle; charset=utf-8"


class Catalogue:
    """A DCAT endpoint: ``/catalog.ttl`` answers page ``?page=N`` (page 1 without the parameter) from
    ``pages``, as ckanext-dcat does; a page set to an int is answered with that HTTP status."""

    def __init__(self, httpserver: Any) -> None:
        self.base = httpserver.url_for("/").rstrip("/")
        self.pages: dict[str, str | int] = {"1": self.fixture("catalogo_p1.ttl"), "2": self.fixture("catalogo_p2.ttl")}
        self.content_type = TURTLE
        self.requests: list[str | None] = []
        httpserver.expect_request("/catalog.ttl").respond_with_handler(self.handler)

    def fixture(self, name: str) -> str:
        return hs.fixture(f"dcat/{name}").replace("{{SERVIDOR}}", self.base)

    def handler(self, request: Request) -> Response:
        page = request.args.get("page")
        self.requests.append(page)
        body = self.pages.get(page or "1", 404)
        if isinstance(body, int):
            return Response("Error", status=body)
        return Response(body.encode(), content_type=self.content_type)

    @property
    def url(self) -> str:
        return f"{self.base}/catalog.ttl"


def serve(httpserver: Any, path: str, name: str, content_type: str) -> str:
    """Serve a fixture (with the server's address in place) at ``path``; its URL."""
    base = httpserver.url_for("/").rstrip("/")
    body = hs.fixture(f"dcat/{name}").replace("{{SERVIDOR}}", base)
    httpserver.expect_request(path).respond_with_data(body.encode(), content_type=content_type)
    return f"{base}{path}"


def history(package_id: str) -> list[dict[str, Any]]:
    return helpers.call_action("cimibague_workflow_history", context={"user": "cim-admin"}, id=package_id)


def without_next_page(turtle: str) -> str:
    """Page 1 as the last page: the hydra links to page 2 gone (the catalogue fits in one page now)."""
    return "\n".join(line for line in turtle.splitlines() if "hydra:next" not in line)


@pytest.fixture
def salud(clean_db, clean_index, httpserver):
    org, _ = hs.setup()
    catalogue = Catalogue(httpserver)
    return catalogue, org


# ------------------------------------------------------------------------------------------- end to end
def test_turtle_catalogue_in_two_hydra_pages_lands_mapped_in_recibido(salud):
    catalogue, org = salud
    source = hs.source(catalogue.url, "cimibague_dcat", SALUD, org)
    result = hs.run(source)

    assert result["status"] == "Finished"
    assert result["gather_errors"] == []
    # page 1 (the source URL), then the hydra:next of page 1; page 2 has no next
    assert catalogue.requests == [None, "2"]
    objects = result["objects"]
    assert set(objects) == {DENGUE, VACUNACION, MORTALIDAD}
    assert (objects[DENGUE]["report_status"], objects[DENGUE]["errors"]) == ("added", [])
    assert (objects[VACUNACION]["report_status"], objects[VACUNACION]["errors"]) == ("added", [])

    # page 2's dataset has no contact e-mail: an error naming the field, and no dataset
    assert objects[MORTALIDAD]["state"] == "ERROR"
    (error,) = objects[MORTALIDAD]["errors"]
    assert "«Contacto (correo)» (contact_email)" in error
    assert objects[MORTALIDAD]["package_id"] is None
    assert model.Session.query(model.Package).filter_by(title="Razón de mortalidad materna en Ibagué").count() == 0

    dengue = hs.show(objects[DENGUE]["package_id"])
    assert dengue["type"] == "observatorios"
    assert dengue["estado_flujo"] == "recibido"
    assert dengue["private"] is True
    assert dengue["owner_org"] == org["id"]
    assert dengue["entidad_fuente"] == "dane"
    assert dengue["observatorio"] == "salud"  # from valores_por_defecto
    assert dengue["cobertura_geografica"] == ["municipio"]  # from valores_por_defecto
    assert dengue["title"] == "Casos de dengue notificados en Ibagué"
    assert dengue["name"] == "casos-de-dengue-notificados-en-ibague"
    assert dengue["notes"].startswith("Casos de dengue notificados al SIVIGILA")
    assert sorted(t["name"] for t in dengue["tags"]) == [
        "SIVIGILA",
        "dengue",
        "salud pública",
        "vigilancia epidemiológica",
    ]
    assert dengue["periodicidad"] == "semanal"  # EU frequency WEEKLY
    assert dengue["temporal_start"] == "2020-01-01"
    assert dengue["temporal_end"] == "2024-12-31"
    assert dengue["fecha_corte"] == "2025-01-15"  # dct:modified 2025-01-15T10:30:00-05:00
    assert dengue["contact_name"] == "Grupo de Vigilancia en Salud Pública"
    assert dengue["contact_email"] == "vigilancia.salud@ibague.gov.co"  # <mailto:…>
    assert dengue["license_id"] == "cc-by-4.0"  # the distributions' dct:license
    assert dengue["language"] == "es"
    assert dengue["area_dependencia"] == "Secretaría de Salud de Ibagué"  # dct:publisher foaf:name
    assert dengue["provenance"].startswith("Fichas de notificación del SIVIGILA (evento 210)")
    assert "spatial" not in dengue  # the type has no spatial field
    api, csv = dengue["resources"]  # sorted by URL
    assert csv["name"] == "Casos de dengue 2020-2024 (CSV)"
    assert csv["url"] == "https://datos.ibague.gov.co/descargas/dengue-2020-2024.csv"  # downloadURL wins
    assert csv["format"] == "CSV"
    assert csv["description"] == "Un registro por caso notificado, sin datos personales."
    assert csv["fecha_actualizacion"] == "2025-01-14"
    assert csv.get("url_type") in (None, "")
    assert api["name"] == "Servicio de consulta de casos"
    assert api["url"] == "https://datos.ibague.gov.co/api/dengue"  # accessURL when no downloadURL
    assert api["format"] == "JSON"
    assert api["fecha_actualizacion"] == "2025-01-15"  # no date of its own: the dataset's
    assert [e["kind"] for e in history(dengue["id"])] == ["creado"]

    vacunacion = hs.show(objects[VACUNACION]["package_id"])
    assert vacunacion["periodicidad"] == "mensual"
    assert (vacunacion["temporal_start"], vacunacion["temporal_end"]) == ("2023-01-01", "2024-12-31")  # schema.org
    assert vacunacion["contact_email"] == "pai.salud@ibague.gov.co"  # a literal, not a mailto: URI
    assert vacunacion["license_id"] == "cc-zero-1.0"
    assert vacunacion["fecha_corte"] == "2025-01-31"
    # no dct:provenance: where it was harvested from
    assert vacunacion["provenance"] == f"Cosechado del catálogo DCAT {catalogue.url}: {VACUNACION}"
    (xlsx,) = vacunacion["resources"]
    assert (xlsx["name"], xlsx["format"], xlsx["fecha_actualizacion"]) == (
        "Coberturas por comuna",
        "XLSX",
        "2025-01-31",
    )
    assert xlsx["url"] == "https://datos.ibague.gov.co/descargas/coberturas-pai.xlsx"

    # indexed in Solr: staff find them, the public does not
    found = hs.search(q="dengue", fq="estado_flujo:recibido")
    assert [d["id"] for d in found["results"]] == [dengue["id"]]
    assert helpers.call_action("package_search", context={"ignore_auth": False}, q="dengue")["count"] == 0


def test_a_default_of_the_source_completes_a_record_without_contact_email(salud):
    catalogue, org = salud
    config = json.loads(json.dumps(SALUD))
    config["valores_por_defecto"]["contact_email"] = "salud@ibague.gov.co"
    result = hs.run(hs.source(catalogue.url, "cimibague_dcat", config, org))

    assert result["objects"][MORTALIDAD]["report_status"] == "added"
    mortalidad = hs.show(result["objects"][MORTALIDAD]["package_id"])
    assert mortalidad["contact_email"] == "salud@ibague.gov.co"  # the default
    assert mortalidad["contact_name"] == "Oficina de Estadísticas Vitales"  # the source's
    assert mortalidad["periodicidad"] == "anual"
    (serie,) = mortalidad["resources"]  # a blank-node distribution
    assert (serie["format"], serie["fecha_actualizacion"]) == ("CSV", "2024-11-30")
    # the source's value always wins over a default
    assert hs.show(result["objects"][DENGUE]["package_id"])["contact_email"] == "vigilancia.salud@ibague.gov.co"


def test_rdfxml_catalogue_of_geographic_information(clean_db, clean_index, httpserver):
    org, _ = hs.setup()
    url = serve(httpserver, "/catalogo.rdf", "catalogo_planeacion.rdf", "application/rdf+xml")
    result = hs.run(hs.source(url, "cimibague_dcat", PLANEACION, org))

    assert result["status"] == "Finished"
    assert result["gather_errors"] == []
    assert {g: o["report_status"] for g, o in result["objects"].items()} == {PERIMETRO: "added", COMUNAS: "added"}

    perimetro = hs.show(result["objects"][PERIMETRO]["package_id"])
    assert perimetro["type"] == "informacion-geografica"
    assert (perimetro["estado_flujo"], perimetro["private"]) == ("recibido", True)
    assert perimetro["title"] == "Perímetro urbano de Ibagué"  # the site language's, of es and en
    assert perimetro["notes"].startswith("Límite del suelo urbano")
    assert perimetro["periodicidad"] == "irregular"
    assert perimetro["license_id"] == "cc-by-sa-4.0"  # dct:license of the dataset itself
    assert perimetro["fecha_corte"] == "2024-08-20"
    assert (perimetro["temporal_start"], perimetro["temporal_end"]) == ("2014-12-23", "2027-12-31")
    assert perimetro["contact_email"] == "ordenamiento@ibague.gov.co"
    assert perimetro["area_dependencia"] == "Secretaría de Planeación Municipal"
    assert perimetro["provenance"].startswith("Digitalizado de la cartografía oficial del POT")
    # locn:geometry as GeoJSON literal
    assert json.loads(perimetro["spatial"]) == {
        "type": "Polygon",
        "coordinates": [[[-75.26, 4.41], [-75.14, 4.41], [-75.14, 4.47], [-75.26, 4.47], [-75.26, 4.41]]],
    }
    assert perimetro["sistema_referencia"] == "EPSG:4686"
    wms, geojson = perimetro["resources"]  # sorted by URL
    assert (geojson["name"], geojson["format"], geojson["fecha_actualizacion"]) == (
        "Perímetro urbano (GeoJSON)",
        "GeoJSON",
        "2024-08-19",
    )
    assert geojson["description"] == "Polígono en MAGNA-SIRGAS geográficas."
    assert (wms["name"], wms["format"], wms["url"]) == (
        "Servicio WMS del POT",
        "WMS",
        "https://mapas.ibague.gov.co/geoserver/pot/wms",
    )

    comunas = hs.show(result["objects"][COMUNAS]["package_id"])
    # locn:geometry as WKT, turned into GeoJSON
    assert json.loads(comunas["spatial"])["coordinates"][0][0] == [-75.27, 4.4]
    assert comunas["periodicidad"] == "no_se_actualiza"  # EU NEVER
    assert comunas["fecha_corte"] == "2019-05-02"  # no dct:modified: dct:issued
    assert comunas["license_id"] == "cc-by-4.0"
    assert not comunas.get("area_dependencia")  # no publisher
    (shp,) = comunas["resources"]
    assert (shp["format"], shp["fecha_actualizacion"]) == ("SHP", "2019-05-02")


def test_jsonld_catalogue_with_its_context_read_through_our_http(clean_db, clean_index, httpserver):
    org, _ = hs.setup()
    url = serve(httpserver, "/catalogo.jsonld", "catalogo_empleo.jsonld", "application/ld+json")
    serve(httpserver, "/contextos/dcat-ap.jsonld", "contextos/dcat-ap.jsonld", "application/ld+json")
    result = hs.run(hs.source(url, "cimibague_dcat", EMPLEO, org))

    assert result["gather_errors"] == []
    assert {g: o["report_status"] for g, o in result["objects"].items()} == {DESEMPLEO: "added", EMPRESAS: "added"}
    assert [r.path for r, _ in httpserver.log].count("/contextos/dcat-ap.jsonld") == 1

    desempleo = hs.show(result["objects"][DESEMPLEO]["package_id"])
    assert desempleo["type"] == "bases-de-datos"
    assert desempleo["title"] == "Tasa de desempleo trimestral de Ibagué"
    assert desempleo["periodicidad"] == "trimestral"
    assert desempleo["fecha_corte"] == "2025-02-28"
    assert desempleo["contact_name"] == "Observatorio del Mercado Laboral"
    assert desempleo["contact_email"] == "observatorio.laboral@ibague.gov.co"
    assert desempleo["area_dependencia"] == "Secretaría de Desarrollo Económico de Ibagué"
    assert desempleo["license_id"] == "cc-by-4.0"
    assert sorted(t["name"] for t in desempleo["tags"]) == ["GEIH", "desempleo", "mercado laboral"]
    (csv,) = desempleo["resources"]
    assert (csv["name"], csv["format"], csv["fecha_actualizacion"]) == ("Serie trimestral (CSV)", "CSV", "2025-02-27")

    # a blank-node dataset: its dct:identifier is the guid
    empresas = hs.show(result["objects"][EMPRESAS]["package_id"])
    assert empresas["language"] == "es"  # English and Spanish: Spanish
    assert empresas["provenance"] == f"Cosechado del catálogo DCAT {url}: SDE-OML-002"
    assert "license_id" not in empresas or empresas["license_id"] == "cc-by-4.0"  # none given: the schema's default
    (xlsx,) = empresas["resources"]
    assert (xlsx["format"], xlsx["fecha_actualizacion"]) == ("XLSX", "2025-01-20")


def test_a_jsonld_context_that_cannot_be_read_is_a_gather_error(clean_db, clean_index, httpserver):
    org, _ = hs.setup()
    url = serve(httpserver, "/catalogo.jsonld", "catalogo_empleo.jsonld", "application/ld+json")
    httpserver.expect_request("/contextos/dcat-ap.jsonld").respond_with_data("No encontrado", status=404)
    result = hs.run(hs.source(url, "cimibague_dcat", EMPLEO, org))

    assert result["status"] == "Finished"
    (error,) = result["gather_errors"]
    assert "/contextos/dcat-ap.jsonld" in error
    assert "404" in error
    assert result["objects"] == {}


def test_formato_forces_the_parser_when_the_content_type_is_wrong(clean_db, clean_index, httpserver):
    org, _ = hs.setup()
    # RDF/XML announced as Turtle: read as Turtle, it is malformed
    url = serve(httpserver, "/catalogo", "catalogo_planeacion.rdf", "text/turtle")
    source = hs.source(url, "cimibague_dcat", PLANEACION, org)
    wrong = hs.run(source)
    (error,) = wrong["gather_errors"]
    assert url in error
    assert "Turtle" in error
    assert wrong["objects"] == {}

    # the same document with «formato»: xml
    forced = hs.source(url, "cimibague_dcat", {**PLANEACION, "formato": "xml"}, org, name="fuente-dcat-xml")
    right = hs.run(forced)
    assert right["gather_errors"] == []
    assert {g: o["report_status"] for g, o in right["objects"].items()} == {PERIMETRO: "added", COMUNAS: "added"}


def test_an_unknown_formato_is_refused_naming_the_key(clean_db):
    org, _ = hs.setup()
    with pytest.raises(tk.ValidationError) as error:
        hs.source("http://127.0.0.1:9/catalog.ttl", "cimibague_dcat", {**SALUD, "formato": "csv"}, org)
    assert "formato" in str(error.value.error_dict["config"])


# ------------------------------------------------------------------------------------------- re-harvest
def test_reharvest_updates_in_place_without_duplicates(salud):
    catalogue, org = salud
    source = hs.source(catalogue.url, "cimibague_dcat", SALUD, org)
    first = hs.run(source)
    dengue_id = first["objects"][DENGUE]["package_id"]

    again = hs.run(source)
    assert again["status"] == "Finished"
    assert {g: o["report_status"] for g, o in again["objects"].items() if g != MORTALIDAD} == {
        DENGUE: "not modified",
        VACUNACION: "not modified",
    }
    assert again["objects"][MORTALIDAD]["state"] == "ERROR"  # still missing its e-mail

    catalogue.pages["1"] = str(catalogue.pages["1"]).replace(
        '"Casos de dengue notificados en Ibagué"@es', '"Casos de dengue notificados en Ibagué (actualizado)"@es'
    )
    third = hs.run(source)
    assert third["objects"][DENGUE]["report_status"] == "updated"
    assert third["objects"][DENGUE]["package_id"] == dengue_id
    assert third["objects"][VACUNACION]["report_status"] == "not modified"
    updated = hs.show(dengue_id)
    assert updated["title"] == "Casos de dengue notificados en Ibagué (actualizado)"
    assert updated["estado_flujo"] == "recibido"
    assert model.Session.query(model.Package).filter(model.Package.title.like("Casos de dengue%")).count() == 1
    assert model.Session.query(model.Package).filter_by(type="observatorios").count() == 2


def test_a_record_removed_from_the_catalogue_is_flagged_not_deleted(salud):
    catalogue, org = salud
    config = json.loads(json.dumps(SALUD))
    config["valores_por_defecto"]["contact_email"] = "salud@ibague.gov.co"
    source = hs.source(catalogue.url, "cimibague_dcat", config, org)
    package_id = hs.run(source)["objects"][MORTALIDAD]["package_id"]

    # the catalogue now fits in one page: page 2's dataset is gone
    catalogue.pages = {"1": without_next_page(str(catalogue.pages["1"]))}
    result = hs.run(source)
    assert result["gather_errors"] == []
    assert result["objects"][MORTALIDAD]["report_status"] == "deleted"
    assert result["objects"][DENGUE]["report_status"] == "not modified"
    dataset = hs.show(package_id)
    assert dataset["state"] == "active"
    assert dataset["estado_flujo"] == "recibido"
    flagged = [e for e in history(package_id) if e["kind"] == "eliminado_en_fuente"]
    assert len(flagged) == 1
    assert MORTALIDAD in flagged[0]["comment"]


def test_a_page_that_fails_keeps_the_pages_before_it_and_flags_nothing(salud):
    catalogue, org = salud
    config = json.loads(json.dumps(SALUD))
    config["valores_por_defecto"]["contact_email"] = "salud@ibague.gov.co"
    source = hs.source(catalogue.url, "cimibague_dcat", config, org)
    package_id = hs.run(source)["objects"][MORTALIDAD]["package_id"]

    catalogue.pages["2"] = 500
    result = hs.run(source)
    assert result["status"] == "Finished"
    (error,) = result["gather_errors"]
    assert "500" in error
    assert "page=2" in error
    # page 1 still harvested; page 2's dataset not flagged as removed (the listing was incomplete)
    assert {g: o["report_status"] for g, o in result["objects"].items()} == {
        DENGUE: "not modified",
        VACUNACION: "not modified",
    }
    assert not [e for e in history(package_id) if e["kind"] == "eliminado_en_fuente"]


# ------------------------------------------------------------------------------------------------ faults
def test_a_malformed_document_is_a_gather_error_and_the_next_run_works(salud):
    catalogue, org = salud
    source = hs.source(catalogue.url, "cimibague_dcat", SALUD, org)
    catalogue.pages = {"1": catalogue.fixture("catalogo_malformado.ttl")}
    result = hs.run(source)

    assert result["status"] == "Finished"
    (error,) = result["gather_errors"]
    assert catalogue.url in error
    assert "Turtle" in error
    assert result["objects"] == {}
    assert model.Session.query(model.Package).filter_by(type="observatorios").count() == 0

    catalogue.pages = {"1": catalogue.fixture("catalogo_p1.ttl"), "2": catalogue.fixture("catalogo_p2.ttl")}
    fixed = hs.run(source)
    assert fixed["status"] == "Finished"
    assert fixed["gather_errors"] == []
    assert fixed["objects"][DENGUE]["report_status"] == "added"
    assert fixed["objects"][VACUNACION]["report_status"] == "added"


def test_a_document_that_is_not_dcat_is_a_gather_error_and_flags_nothing(salud):
    catalogue, org = salud
    source = hs.source(catalogue.url, "cimibague_dcat", SALUD, org)
    package_id = hs.run(source)["objects"][DENGUE]["package_id"]

    # a JSON answer (a maintenance page of an API) parses as an empty JSON-LD graph: not an empty catalogue
    catalogue.content_type = "application/json"
    catalogue.pages = {"1": '{"estado": "mantenimiento"}'}
    result = hs.run(source)
    (error,) = result["gather_errors"]
    assert error == gettext("The document at %(url)s is not a DCAT catalogue (no dcat:Catalog, no dcat:Dataset)") % {
        "url": catalogue.url
    }
    assert result["objects"] == {}
    assert not [e for e in history(package_id) if e["kind"] == "eliminado_en_fuente"]


def test_a_page_that_links_to_itself_is_a_gather_error(clean_db, clean_index, httpserver):
    org, _ = hs.setup()
    url = serve(httpserver, "/bucle.ttl", "catalogo_bucle.ttl", TURTLE)
    result = hs.run(hs.source(url, "cimibague_dcat", SALUD, org))

    assert result["status"] == "Finished"
    (error,) = result["gather_errors"]
    assert error == gettext("The catalogue page %(url)s was already read: its paging does not advance") % {"url": url}
    assert [r.path for r, _ in httpserver.log] == ["/bucle.ttl"]  # read once


def test_a_server_that_ignores_the_page_parameter_is_a_gather_error(salud):
    catalogue, org = salud
    catalogue.pages["2"] = catalogue.pages["1"]  # ?page=2 answers page 1 again, hydra:next and all
    result = hs.run(hs.source(catalogue.url, "cimibague_dcat", SALUD, org))

    assert result["status"] == "Finished"
    (error,) = result["gather_errors"]
    assert error == gettext("The source sent page %(page)s again: its paging does not advance") % {"page": 2}
    assert catalogue.requests == [None, "2"]


# ------------------------------------------------------------------------------------------------- units
@pytest.mark.unit
@pytest.mark.parametrize(
    ("forced", "content_type", "url", "body", "expected"),
    [
        ("xml", "text/turtle", "http://x/c.ttl", b"@prefix", "xml"),
        (None, "text/turtle; charset=utf-8", "http://x/c", b"", "turtle"),
        (None, "application/rdf+xml", "http://x/c", b"", "xml"),
        (None, "application/ld+json", "http://x/c", b"", "json-ld"),
        (None, "application/json", "http://x/c", b"", "json-ld"),
        (None, "application/octet-stream", "http://x/catalog.rdf", b"", "xml"),
        (None, "text/plain", "http://x/catalog.jsonld?page=2", b"", "json-ld"),
        (None, "", "http://x/dcat", b'  {"@graph": []}', "json-ld"),
        (None, "", "http://x/dcat", b'<?xml version="1.0"?><rdf:RDF/>', "xml"),
        (None, "", "http://x/dcat", b"@prefix dcat: <http://www.w3.org/ns/dcat#> .", "turtle"),
    ],
)
def test_the_serialisation_is_chosen_from_formato_content_type_extension_and_content(
    forced, content_type, url, body, expected
):
    assert dcat.rdf_format(forced, content_type, url, body) == expected


@pytest.mark.unit
@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ('["http://publications.europa.eu/resource/authority/language/SPA"]', "es"),
        (["http://publications.europa.eu/resource/authority/language/ENG"], "en"),
        ("en,es", "es"),
        (["es-CO"], "es"),
        (["http://publications.europa.eu/resource/authority/language/FRA"], "otro"),
        (None, None),
    ],
)
def test_dct_language_becomes_es_en_or_otro(values, expected):
    assert dcat.language(values) == expected


@pytest.mark.unit
def test_jsonld_contexts_by_url_are_inlined_and_a_nesting_loop_stops():
    contexts = {
        "http://x/a.jsonld": {"@context": ["b.jsonld", {"dct": "http://purl.org/dc/terms/"}]},
        "http://x/b.jsonld": {"@context": {"dcat": "http://www.w3.org/ns/dcat#"}},
        "http://x/loop.jsonld": {"@context": "loop.jsonld"},
    }
    document = {"@context": "a.jsonld", "@graph": [{"@context": {"@import": "b.jsonld", "x": "http://x/"}}]}
    inlined = dcat.inline_contexts(document, "http://x/catalog.jsonld", contexts.__getitem__)
    assert inlined["@context"] == [{"dcat": "http://www.w3.org/ns/dcat#"}, {"dct": "http://purl.org/dc/terms/"}]
    assert inlined["@graph"][0]["@context"] == {"dcat": "http://www.w3.org/ns/dcat#", "x": "http://x/"}
    with pytest.raises(dcat.http.SourceError):
        dcat.inline_contexts({"@context": "loop.jsonld"}, "http://x/", contexts.__getitem__)


def test_the_mapping_does_not_depend_on_the_order_of_the_graph():
    """rdflib's graphs have no order (keywords and distributions come in hash order, which changes from
    one process to the next): the same catalogue must map to the same dataset, or every run would update."""
    from ckanext.cimibague.harvesters.config import SourceConfig

    page = dcat.CatalogPage("observatorios")
    page.read(hs.fixture("dcat/catalogo_p1.ttl").replace("{{SERVIDOR}}", "http://fuente"), "turtle", "http://fuente")
    (parsed,) = [d for ref, d, _ in page.entries() if str(ref) == DENGUE]
    shuffled = json.loads(json.dumps(parsed))
    shuffled["tags"].reverse()
    shuffled["resources"].reverse()
    config = SourceConfig(entidad="dane", tipo="observatorios")
    mapped = dcat.map_dataset(parsed, config, "http://fuente/catalog.ttl")
    assert len(mapped["resources"]) == 2
    assert dcat.map_dataset(shuffled, config, "http://fuente/catalog.ttl") == mapped

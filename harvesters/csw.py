"""Harvester of CSW 2.0.2 catalogues with ISO 19139 records (ICDE, the IGAC's GeoNetwork, Cortolima …),
into the type ``informacion-geografica`` (unless the source configures another ``tipo``).

Own configuration keys: ``cql`` (a CQL filter of the catalogue's records, e.g.
``"AnyText like '%Ibagué%'"``, as ckanext-spatial's CSW harvester) and ``registros_por_pagina`` (records
asked per page, default 50).

Gather: KVP ``GetRecords`` (``resultType=results``, ``elementSetName=full``, ``outputSchema`` gmd), paged by
``startPosition`` following the answer's ``csw:SearchResults/@nextRecord``. Each page carries the full ISO
records, so there is no fetch request per record. Every request goes through ``http.get`` (the source's
timeout and size limit); ``http.pages`` stops more pages than ``max_paginas`` or the same page twice, and the
gather stops a ``nextRecord`` that does not move forward (a page of a GeoNetwork carries a new timestamp
each time, so a repeated page is not always a repeated body). ``owslib`` (ckanext-spatial's ``CswService``)
is not used: it sets its own timeout (10 s), reads whole answers into memory without a size limit and asks
for GetCapabilities first.

The identifier of a record is its ``gmd:fileIdentifier``. When the listing is complete (as many records as
``numberOfRecordsMatched``), the records a source no longer lists are flagged as removed.

Mapping (``cim_map``): ckanext-spatial's ``ISODocument`` reads the ISO 19139 record (with a few paths it
lacks: ``gmx:Anchor`` values, ``MD_LegalConstraints`` use limitations, the spatial representation type and
every reference system identifier); ``map_record`` turns its values into CIM fields.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ckanext.harvest.harvesters.base import HarvesterBase
from ckanext.harvest.model import HarvestJob, HarvestObject
from ckanext.scheming import helpers as sh
from ckanext.spatial.harvested_metadata import ISODocument, ISOElement
from lxml import etree

from ckanext.cimibague.harvesters import config as cfg
from ckanext.cimibague.harvesters import http, mapping
from ckanext.cimibague.harvesters.base import CimHarvester, MappingError, Record
from ckanext.cimibague.harvesters.config import SourceConfig
from ckanext.cimibague.site_i18n import gettext as _
from ckanext.cimibague.workflow.machine import N_

__all__ = ["CimCswHarvester", "CimISODocument", "map_record"]

PAGE_SIZE = 50  # records asked per GetRecords page by default (servers may send fewer: nextRecord decides)
CSW = "http://www.opengis.net/cat/csw/2.0.2"
GMD = "http://www.isotc211.org/2005/gmd"
GMI = "http://www.isotc211.org/2005/gmi"
RECORD_TAGS = (f"{{{GMD}}}MD_Metadata", f"{{{GMI}}}MI_Metadata")
# The KVP parameters this harvester sets (any other parameter of the source URL is kept)
OWN_PARAMS = {
    "service",
    "version",
    "request",
    "typenames",
    "resulttype",
    "elementsetname",
    "outputschema",
    "startposition",
    "maxrecords",
    "namespace",
    "constraintlanguage",
    "constraint_language_version",
    "constraint",
    "id",
    "outputformat",
}

# ISO 19115 MD_SpatialRepresentationTypeCode -> representacion
REPRESENTATION = {"vector": "vector", "grid": "raster", "tin": "vector", "stereoModel": "raster", "textTable": "tabla"}
# Names of the reference systems of the schema's choices, as catalogues write them (accents and case ignored)
CRS_NAMES = {
    "EPSG:9377": ("origen nacional", "ctm12", "ctm 12"),
    "EPSG:3116": ("magna sirgas colombia bogota", "magna colombia bogota", "magna sirgas bogota"),
}
CRS_EXACT = {
    "magna sirgas": "EPSG:4686",
    "magna sirgas geograficas": "EPSG:4686",
    "magna": "EPSG:4686",
    "wgs 84": "EPSG:4326",
    "wgs84": "EPSG:4326",
    "wgs 1984": "EPSG:4326",
}
DOCUMENTS = ("PDF", "DOC", "DOCX", "ODT")
LANGUAGES = {"spa": "es", "es": "es", "esp": "es", "eng": "en", "en": "en"}
# Roles of the responsible party preferred as the dataset's contact, in order
CONTACT_ROLES = ("pointOfContact", "custodian", "owner", "originator", "resourceProvider", "distributor", "publisher")
# Protocols of services (ISO 19139 gmd:protocol as GeoNetwork writes it: OGC:WMS, OGC:WMS-1.3.0-http-get-map …)
SERVICES = (("OGC:WMTS", "WMTS"), ("OGC:WMS", "WMS"), ("OGC:WFS", "WFS"), ("OGC:WCS", "WCS"), ("ESRI:", "Esri REST"))


class CimISODocument(ISODocument):
    """ckanext-spatial's ISO 19139 reader plus what GeoNetwork records carry and it does not read."""

    elements = [
        *ISODocument.elements,
        ISOElement(
            name="spatial-representation-type",
            search_paths=[
                "gmd:identificationInfo/*/gmd:spatialRepresentationType/gmd:MD_SpatialRepresentationTypeCode/"
                "@codeListValue",
                "gmd:identificationInfo/*/gmd:spatialRepresentationType/gmd:MD_SpatialRepresentationTypeCode/text()",
            ],
            multiplicity="*",
        ),
        ISOElement(
            name="reference-systems",
            search_paths=["gmd:referenceSystemInfo/gmd:MD_ReferenceSystem/gmd:referenceSystemIdentifier/*"],
            multiplicity="*",
            elements=[
                ISOElement(
                    name="code", search_paths=["gmd:code/gco:CharacterString/text()", "gmd:code/gmx:Anchor/text()"]
                ),
                ISOElement(name="href", search_paths=["gmd:code/gmx:Anchor/@xlink:href"]),
                ISOElement(name="code-space", search_paths=["gmd:codeSpace/gco:CharacterString/text()"]),
            ],
        ),
        ISOElement(
            name="constraint-links",
            search_paths=[
                "gmd:identificationInfo/*/gmd:resourceConstraints/*/gmd:otherConstraints/gmx:Anchor/@xlink:href"
                " | gmd:identificationInfo/*/gmd:resourceConstraints/*/gmd:useLimitation/gmx:Anchor/@xlink:href"
            ],
            multiplicity="*",
        ),
        ISOElement(
            name="constraint-texts",
            search_paths=[
                "gmd:identificationInfo/*/gmd:resourceConstraints/*/gmd:useLimitation/*/text()"
                " | gmd:identificationInfo/*/gmd:resourceConstraints/*/gmd:otherConstraints/*/text()"
            ],
            multiplicity="*",
        ),
        ISOElement(
            name="keyword-anchors",
            search_paths=[
                "gmd:identificationInfo/*/gmd:descriptiveKeywords/gmd:MD_Keywords/gmd:keyword/gmx:Anchor/text()"
            ],
            multiplicity="*",
        ),
    ]


def _parser() -> etree.XMLParser:
    # No entities, DTDs or network access: the documents come from outside
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_blank_text=True)


def parse_xml(body: bytes | str) -> etree._Element:
    if isinstance(body, str):
        body = body.encode("utf-8")
    return etree.fromstring(body, parser=_parser())


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def endpoint_url(url: str, params: Mapping[str, Any]) -> str:
    """The source URL with ``params`` (a KVP parameter of ours replaces the source's, whatever its case)."""
    parts = urlsplit(url.strip())
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() not in OWN_PARAMS]
    query = urlencode([*kept, *((k, str(v)) for k, v in params.items())])
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def getrecordbyid_url(url: str, guid: str) -> str:
    return endpoint_url(
        url,
        {
            "service": "CSW",
            "version": "2.0.2",
            "request": "GetRecordById",
            "elementSetName": "full",
            "outputSchema": GMD,
            "id": guid,
        },
    )


# ------------------------------------------------------------------------------------------------- gather
class Listing(NamedTuple):
    records: list[etree._Element]
    matched: int  # numberOfRecordsMatched of the first page


def _exception(root: etree._Element) -> str:
    """The text of an ows:ExceptionReport: code, locator and message of each exception."""
    parts = []
    for exc in root.iter():
        if _local(exc.tag) != "Exception":
            continue
        texts = [t.text.strip() for t in exc if _local(t.tag) == "ExceptionText" and t.text and t.text.strip()]
        head = " ".join(v for v in (exc.get("exceptionCode"), exc.get("locator")) if v)
        parts.append(f"{head}: {' '.join(texts)}" if head and texts else head or " ".join(texts))
    return "; ".join(p for p in parts if p) or _(N_("no details"))


def read_page(body: bytes, where: str) -> tuple[etree._Element, list[etree._Element]]:
    """The csw:SearchResults of a GetRecords answer and its ISO records; ``SourceError`` for a malformed
    document, an exception report, or an answer that is not GetRecords in ISO 19139."""
    try:
        root = parse_xml(body)
    except etree.XMLSyntaxError as error:
        raise http.SourceError(
            _(N_("The source sent a malformed XML document at %(url)s: %(error)s")) % {"url": where, "error": error}
        ) from None
    if _local(root.tag) == "ExceptionReport":
        raise http.SourceError(
            _(N_("The CSW service answered with an exception at %(url)s: %(error)s"))
            % {"url": where, "error": _exception(root)}
        )
    results = root.find(f"{{{CSW}}}SearchResults")
    if _local(root.tag) != "GetRecordsResponse" or results is None:
        raise http.SourceError(_(N_("The source is not a CSW GetRecords answer: %(url)s")) % {"url": where})
    records = [child for child in results if child.tag in RECORD_TAGS]
    others = [child for child in results if isinstance(child.tag, str) and child.tag not in RECORD_TAGS]
    if others and not records:
        raise http.SourceError(
            _(N_("The CSW service did not send ISO 19139 records (outputSchema gmd) at %(url)s")) % {"url": where}
        )
    return results, records


def _int(results: etree._Element, attribute: str, where: str) -> int:
    value = (results.get(attribute) or "0").strip()
    if not value.isdigit():
        raise http.SourceError(_(N_("The source is not a CSW GetRecords answer: %(url)s")) % {"url": where})
    return int(value)


def list_records(url: str, config: SourceConfig) -> Listing:
    """Every ISO record of the catalogue (GetRecords pages), following nextRecord."""
    state: dict[str, Any] = {"start": 1, "done": False, "matched": None}
    params: dict[str, Any] = {
        "service": "CSW",
        "version": "2.0.2",
        "request": "GetRecords",
        "typeNames": "csw:Record",
        "namespace": f"xmlns(csw={CSW})",
        "resultType": "results",
        "elementSetName": "full",
        "outputSchema": GMD,
    }
    size = config.get("registros_por_pagina", PAGE_SIZE)
    if config.get("cql"):
        params.update(constraintLanguage="CQL_TEXT", constraint_language_version="1.1.0", constraint=config.get("cql"))

    def page(number: int) -> tuple[bytes, list[Any]]:
        if state["done"]:
            return b"", []
        start = state["start"]
        where = endpoint_url(url, {**params, "startPosition": start, "maxRecords": size})
        body = http.get(where, config)
        results, records = read_page(body, where)
        matched = _int(results, "numberOfRecordsMatched", where)
        following = _int(results, "nextRecord", where)
        if state["matched"] is None:
            state["matched"] = matched
        if not records or following == 0 or following > matched:
            state["done"] = True
        elif following <= start:
            raise http.SourceError(
                _(N_("The CSW paging does not advance: asked from record %(start)s, the next is %(next)s"))
                % {"start": start, "next": following}
            )
        else:
            state["start"] = following
        return body, records

    records: list[etree._Element] = []
    for items in http.pages(page, config):
        records += items
    return Listing(records, state["matched"] or 0)


def _text_of(record: etree._Element, path: str) -> str | None:
    found = record.xpath(path, namespaces=ISOElement.namespaces)
    return mapping.text(found[0]) if found else None


# ---------------------------------------------------------------------------------------------- harvester
class CimCswHarvester(CimHarvester, HarvesterBase):
    default_tipo = "informacion-geografica"
    own_config = {"cql": cfg.text("cql"), "registros_por_pagina": cfg.integer("registros_por_pagina", 1, 500)}

    def info(self) -> dict[str, Any]:
        return {
            "name": "cimibague_csw",
            "title": _(N_("CSW catalogue (ISO 19139)")),
            "description": _(
                N_(
                    "Geographic metadata (ISO 19139) of a CSW 2.0.2 catalogue such as the ICDE or a GeoNetwork of "
                    "the IGAC, into Información Geográfica"
                )
            ),
            "form_config_interface": "Text",
        }

    def get_original_url(self, harvest_object_id: str) -> str | None:
        """The record as its catalogue serves it (GetRecordById), linked from the job report."""
        obj = HarvestObject.get(harvest_object_id)
        if obj is None or not obj.guid or obj.source is None:
            return None
        return getrecordbyid_url(obj.source.url, obj.guid)

    def gather_stage(self, harvest_job: HarvestJob) -> list[str] | None:
        config = self.cim_gather_config(harvest_job)
        if config is None:
            return None
        try:
            listing = list_records(harvest_job.source.url, config)
        except http.SourceError as error:
            self.cim_gather_error(harvest_job, str(error))
            return None
        if not listing.records:
            # As ckanext-spatial: an empty answer is more often a failing catalogue than an empty one
            self.cim_gather_error(
                harvest_job, _(N_("The catalogue lists no records: nothing was harvested and no removal was checked"))
            )
            return None
        records = []
        anonymous = 0
        for element in listing.records:
            guid = _text_of(element, "gmd:fileIdentifier/gco:CharacterString/text()")
            if not guid:
                anonymous += 1
                continue
            records.append(
                Record(
                    guid=guid,
                    content=etree.tostring(element, encoding="unicode"),
                    modified=_text_of(element, "gmd:dateStamp/*/text()"),
                )
            )
        if anonymous:
            self.cim_gather_error(
                harvest_job,
                _(N_("%(count)s records have no gmd:fileIdentifier and were not harvested")) % {"count": anonymous},
            )
        present: set[str] | None = {r.guid for r in records}
        if len(listing.records) < listing.matched:
            present = None
            self.cim_gather_error(
                harvest_job,
                _(
                    N_(
                        "The catalogue announced %(matched)s records but listed %(listed)s: records gone from the "
                        "source were not checked"
                    )
                )
                % {"matched": listing.matched, "listed": len(listing.records)},
            )
        return self.cim_objects(harvest_job, records, present=present)

    # ------------------------------------------------------------------------------------------ mapping
    def cim_map(self, harvest_object: HarvestObject, config: SourceConfig) -> dict[str, Any] | None:
        try:
            root = parse_xml(harvest_object.content)
        except etree.XMLSyntaxError as error:
            raise MappingError(_(N_("Malformed ISO 19139 record: %(error)s")) % {"error": error}) from None
        values = CimISODocument(xml_tree=root).read_values()
        source_url = (harvest_object.source or harvest_object.job.source).url
        return map_record(values, config, source_url, harvest_object.guid)


# ------------------------------------------------------------------------------------------------ mapping
def _first(values: Any) -> Any:
    if isinstance(values, list):
        return next((v for v in values if v not in (None, "")), None)
    return values


def _plain(value: str) -> str:
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", " ", value.lower()).strip()


def _choices(schema: dict[str, Any], field_name: str) -> set[str]:
    for field in schema.get("dataset_fields", []):
        if field["field_name"] == field_name:
            return {c["value"] for c in field.get("choices") or []}
    return set()


def reference_system(identifiers: list[dict[str, Any]]) -> str | None:
    """``EPSG:<code>`` of the first reference system identifier that names one: an EPSG code or URI
    (``EPSG:3116``, ``urn:ogc:def:crs:EPSG::3116``, ``http://www.opengis.net/def/crs/EPSG/0/9377``, a code
    with codeSpace EPSG) or a known name (``MAGNA-SIRGAS / Origen-Nacional``, ``MAGNA-SIRGAS``, ``WGS 84``)."""
    found: list[str] = []
    for identifier in identifiers:
        code = mapping.text(_first(identifier.get("code"))) or ""
        href = mapping.text(_first(identifier.get("href"))) or ""
        space = mapping.text(_first(identifier.get("code-space"))) or ""
        for candidate in (href, code, f"{space}:{code}" if space else ""):
            if "epsg" in candidate.lower() or (candidate == code and code.isdigit()):
                numbers = re.findall(r"\d{4,6}", candidate)
                if numbers:
                    found.append(f"EPSG:{numbers[-1]}")
        plain = _plain(code)
        for epsg, names in CRS_NAMES.items():
            if any(name in plain for name in names):
                found.append(epsg)
        if plain in CRS_EXACT:
            found.append(CRS_EXACT[plain])
    return found[0] if found else None


def geometry(boxes: list[dict[str, Any]]) -> str | None:
    """The GeoJSON of the records' bounding boxes (their union), as ckanext-spatial's harvesters build it; a
    box that is a point or a line becomes a Point or a LineString."""
    wests, easts, souths, norths = [], [], [], []
    for box in boxes:
        try:
            w, e, s, n = (float(box[k]) for k in ("west", "east", "south", "north"))
        except (KeyError, TypeError, ValueError):
            continue
        wests.append(w), easts.append(e), souths.append(s), norths.append(n)
    if not wests:
        return None
    west, east, south, north = min(wests), max(easts), min(souths), max(norths)
    if west == east and south == north:
        geojson: dict[str, Any] = {"type": "Point", "coordinates": [west, south]}
    elif west == east or south == north:
        geojson = {"type": "LineString", "coordinates": [[west, south], [east, north]]}
    else:
        ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
        geojson = {"type": "Polygon", "coordinates": [ring]}
    return json.dumps(geojson, separators=(",", ":"))


def _scale(denominators: list[str]) -> str | None:
    for value in denominators:
        digits = re.sub(r"[\s.,]", "", str(value))
        if digits.isdigit() and int(digits) > 0:
            return f"1:{int(digits)}"
    return None


def _representation(values: dict[str, Any], choices: set[str]) -> str | None:
    for code in values.get("spatial-representation-type") or []:
        mapped = REPRESENTATION.get(str(code).strip())
        if mapped in choices:
            return mapped
    if "service" in (values.get("resource-type") or []) and "servicio" in choices:
        return "servicio"
    return None


def _contact(parties: list[dict[str, Any]]) -> tuple[str | None, str | None, str | None]:
    """(name, e-mail, organisation) of the responsible party to contact."""
    parties = [p for p in parties if isinstance(p, dict)]
    if not parties:
        return None, None, None
    ranked = sorted(
        parties,
        key=lambda p: CONTACT_ROLES.index(p.get("role")) if p.get("role") in CONTACT_ROLES else len(CONTACT_ROLES),
    )
    party = ranked[0]

    def email(p: dict[str, Any]) -> str | None:
        info = p.get("contact-info")
        return mapping.text(info.get("email")) if isinstance(info, dict) else None

    organisation = mapping.text(party.get("organisation-name"))
    name = mapping.text(party.get("individual-name")) or organisation or mapping.text(party.get("position-name"))
    mail = email(party) or next((email(p) for p in ranked if email(p)), None)
    return name, mail, organisation


def _license(values: dict[str, Any]) -> str | None:
    candidates = [
        *(values.get("constraint-links") or []),
        *(values.get("constraint-texts") or []),
        *(values.get("use-constraints") or []),
        *(values.get("limitations-on-public-access") or []),
    ]
    return next((lic for lic in map(mapping.license_id, candidates) if lic), None)


def _language(codes: list[str]) -> str | None:
    code = mapping.text(_first(codes))
    if not code:
        return None
    return LANGUAGES.get(code.lower(), "otro")


def _keywords(values: dict[str, Any]) -> list[str]:
    words: list[str] = []
    for group in values.get("keywords") or []:
        words += group.get("keyword") or []
    return words + list(values.get("keyword-anchors") or [])


def _service(protocol: str, url: str) -> str | None:
    upper = protocol.upper()
    for prefix, name in SERVICES:
        if upper.startswith(prefix):
            return name
    query = url.lower()
    for kind in ("wmts", "wms", "wfs", "wcs"):
        if f"service={kind}" in query:
            return kind.upper()
    return "Esri REST" if "/arcgis/rest/services" in query else None


def map_resources(values: dict[str, Any], updated: str | None) -> list[dict[str, Any]]:
    """The record's online resources (distribution) as CIM resources: OGC/Esri services as ``servicio``,
    downloads as ``datos`` (PDF as ``documento``), information links as ``documento``; links that are not
    http(s) (file paths of the producer's own network) are left out."""
    formats = [mapping.text(f.get("name")) for f in values.get("data-format") or [] if isinstance(f, dict)]
    formats = [f for f in formats if f]
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for locator in values.get("resource-locator") or []:
        url = mapping.text(locator.get("url"))
        if not url or not re.match(r"https?://", url, re.I) or url in seen:
            continue
        seen.add(url)
        protocol = mapping.text(locator.get("protocol")) or ""
        function = mapping.text(locator.get("function")) or ""
        name = mapping.text(locator.get("name"))
        description = mapping.text(locator.get("description"))
        service = _service(protocol, url)
        if service:
            fmt, kind = service, "servicio"
        elif function == "information" or protocol.upper().startswith("WWW:LINK"):
            fmt = mapping.format_of(None, url) or "HTML"
            kind = "documento"
        else:
            fmt = mapping.format_of(None, url)
            kind = "datos"
            if len(formats) == 1 and (fmt or "").upper() not in DOCUMENTS:  # the record's declared format
                fmt = mapping.format_of(formats[0]) or fmt
        if (fmt or "").upper() in DOCUMENTS:
            kind = "documento"
        if service:  # a layer name (ibague_25k) is no name for people: its description is
            title = description or name or _(N_("%(format)s service")) % {"format": fmt}
            about = _(N_("Layer: %(layer)s")) % {"layer": name} if name and description else None
        else:
            title, about = name or description or url, description if name else None
        resource = {
            "name": title,
            "url": url,
            "description": about,
            "format": fmt,
            "tipo_recurso": kind,
            "fecha_actualizacion": updated,
        }
        out.append({k: v for k, v in resource.items() if v not in (None, "")})
    return out


def map_record(values: dict[str, Any], config: SourceConfig, source_url: str, guid: str) -> dict[str, Any]:
    """An ISO 19139 record (``CimISODocument`` values) as a dataset of the source's CIM type; only the
    fields of that type are kept."""
    schema = sh.scheming_get_dataset_schema(config.tipo) or {}
    fields = {f["field_name"] for f in schema.get("dataset_fields", [])}
    text = mapping.text
    updated = mapping.date(values.get("date-updated")) or mapping.date(values.get("date-released"))
    data: dict[str, Any] = {
        "title": text(values.get("title")),
        "notes": text(values.get("abstract")) or text(values.get("purpose")),
        "tag_string": mapping.tags(_keywords(values)),
        "spatial": geometry(values.get("bbox") or []),
        "escala": _scale(values.get("equivalent-scale") or []),
        "representacion": _representation(values, _choices(schema, "representacion")),
        "linaje": text(values.get("lineage")),
        "fecha_captura": mapping.date(values.get("date-created")),
        "fecha_corte": updated or mapping.date(values.get("date-created")),
        "periodicidad": mapping.frequency(values.get("frequency-of-update")),
        "license_id": _license(values),
        "language": _language(values.get("dataset-language") or []),
        "temporal_start": mapping.date(_first(values.get("temporal-extent-begin"))),
        "temporal_end": mapping.date(_first(values.get("temporal-extent-end"))),
        "provenance": f"Cosechado del catálogo CSW {source_url.split('?')[0]}: registro ISO 19139 «{guid}» "
        f"({getrecordbyid_url(source_url, guid)})",
    }
    crs = reference_system(values.get("reference-systems") or [])
    if crs in _choices(schema, "sistema_referencia"):
        data["sistema_referencia"] = crs
    data["contact_name"], data["contact_email"], data["area_dependencia"] = _contact(
        values.get("responsible-organisation") or []
    )
    resources = map_resources(
        values, updated or mapping.date(values.get("date-created")) or mapping.date(values.get("metadata-date"))
    )
    services = [r["url"] for r in resources if r.get("format") in ("WMS", "WFS")]
    data["servicio_url"] = services[0] if services else None
    out = {k: v for k, v in data.items() if k in fields and v not in (None, "", [])}
    out["resources"] = resources
    return out

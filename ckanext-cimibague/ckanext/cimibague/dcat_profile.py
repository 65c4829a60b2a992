"""The CIM's DCAT-AP profile for ckanext-dcat: our field names as DCAT-AP 3 for external portals.

Chained after ckanext-dcat's ``euro_dcat_ap_3`` (``ckanext.dcat.rdf.profiles = euro_dcat_ap_3 cimibague``),
which writes the core (title, description, identifier, keywords, dates, temporal coverage, provenance,
distributions). This profile adds what only the CIM's fields say and corrects what the core writes in a
form DCAT-AP does not accept (a literal language or format, an organization as publisher):

- ``entidad_fuente`` → dct:publisher (the entity's page as URI, name, NIT, e-mail, web site);
- ``periodicidad`` → dct:accrualPeriodicity (EU frequency authority);
- ``cobertura_geografica`` and ``spatial`` → dct:spatial (dct:Location: label, DIVIPOLA, geometry, bbox);
- the eje (``eje`` field, dataset type or node) → dcat:theme in the CIM's SKOS scheme of ejes
  (``{site_url}/vocabulario/ejes``, served by ``dcat_views``) plus the EU data theme;
- ``contact_name`` / ``contact_email`` → dcat:contactPoint (vcard:Kind), ``license_id`` → dct:license,
  ``nivel_acceso`` → dct:accessRights, ``language`` → dct:language, the dataset's page → dcat:landingPage,
  its first publication → dct:issued, resource formats → EU file types and IANA media types;
- the catalogue: publisher (the Alcaldía de Ibagué), language, spatial coverage, theme taxonomies.

Only published datasets reach it: ckanext-dcat serialises what ``package_show`` / ``package_search``
return to the requester (the catalogue adds ``+capacity:public``), and a CIM dataset is public only while
``publicado``. Parsing (``parse_dataset``) is left to ``euro_dcat_ap_3``: the DCAT harvester has its own
mapping (``harvesters/dcat.py``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.term import Node
from sqlalchemy import func, select

from ckanext.cimibague import vocabularies
from ckanext.cimibague.workflow.model import Event
from ckanext.dcat.profiles import DCAT, DCT, FOAF, LOCN, CleanedURIRef, RDFProfile
from ckanext.dcat.utils import resource_uri

__all__ = ["CimibagueDCATProfile", "eje_uri", "ejes_graph", "scheme_uri"]

EU = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"
DATA_THEME_SCHEME = URIRef(EU + "data-theme")

# The EU data theme of each eje (http://publications.europa.eu/resource/authority/data-theme/...).
EJE_EU_THEME: dict[str, str] = {
    "plan-de-desarrollo": "GOVE",
    "ordenamiento-territorial": "REGI",
    "observatorios": "SOCI",
    "politicas-publicas": "GOVE",
    "informacion-geografica": "REGI",
    "bases-de-datos": "SOCI",
    "planeacion-participativa": "GOVE",
}
EU_THEME_LABELS: dict[str, dict[str, str]] = {
    "GOVE": {"es": "Gobierno y sector público", "en": "Government and public sector"},
    "REGI": {"es": "Regiones y ciudades", "en": "Regions and cities"},
    "SOCI": {"es": "Población y sociedad", "en": "Population and society"},
}
SCHEME_TITLE = {"es": "Ejes temáticos del CIM de Ibagué", "en": "Thematic axes of the CIM of Ibagué"}
DATA_THEME_TITLE = {"es": "Temas de datos (UE)", "en": "Data theme (EU)"}

LANGUAGES = {"es": "SPA", "en": "ENG"}  # our `language` codes -> EU language authority
ACCESS_RIGHTS = {"publica": "PUBLIC", "clasificada": "RESTRICTED", "reservada": "NON_PUBLIC"}  # Ley 1712

# Resource format (upper case) -> (EU file type, IANA media type or None)
FORMATS: dict[str, tuple[str, str | None]] = {
    "CSV": ("CSV", "text/csv"),
    "XLSX": ("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "XLS": ("XLS", "application/vnd.ms-excel"),
    "ODS": ("ODS", "application/vnd.oasis.opendocument.spreadsheet"),
    "JSON": ("JSON", "application/json"),
    "GEOJSON": ("GEOJSON", "application/geo+json"),
    "XML": ("XML", "application/xml"),
    "PDF": ("PDF", "application/pdf"),
    "ZIP": ("ZIP", "application/zip"),
    "HTML": ("HTML", "text/html"),
    "TXT": ("TXT", "text/plain"),
    "DOCX": ("DOCX", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "DOC": ("DOC", "application/msword"),
    "KML": ("KML", "application/vnd.google-earth.kml+xml"),
    "KMZ": ("KMZ", "application/vnd.google-earth.kmz"),
    "SHP": ("SHP", None),
    "GPKG": ("GPKG", "application/geopackage+sqlite3"),
    "TIFF": ("TIFF", "image/tiff"),
    "WMS": ("WMS_SRVC", None),
    "WFS": ("WFS_SRVC", None),
}
SERVICE = "servicio"  # tipo_recurso of web services: an access point, not a download


def _site() -> str:
    return tk.config["ckan.site_url"].rstrip("/")


def scheme_uri() -> URIRef:
    """The CIM's SKOS concept scheme of ejes."""
    return URIRef(f"{_site()}/vocabulario/ejes")


def eje_uri(name: str) -> URIRef:
    """The concept of one eje in the CIM's scheme."""
    return URIRef(f"{_site()}/vocabulario/ejes/{name}")


def _add_labels(g: Graph, subject: Node, predicate: URIRef, labels: dict[str, str]) -> None:
    for lang, text in labels.items():
        g.add((subject, predicate, Literal(text, lang=lang)))


def _add_eje(g: Graph, eje: dict[str, Any], full: bool = False) -> URIRef:
    """The eje's concept (label, scheme); ``full`` adds its definition and the links a scheme document has."""
    concept = eje_uri(eje["name"])
    g.add((concept, RDF.type, SKOS.Concept))
    _add_labels(g, concept, SKOS.prefLabel, eje["title"])
    g.add((concept, SKOS.inScheme, scheme_uri()))
    if full:
        _add_labels(g, concept, SKOS.definition, eje["description"])
        g.add((concept, SKOS.notation, Literal(eje["name"])))
        g.add((concept, SKOS.topConceptOf, scheme_uri()))
        g.add((concept, SKOS.relatedMatch, _add_eu_theme(g, EJE_EU_THEME[eje["name"]])))
    return concept


def _add_eu_theme(g: Graph, code: str) -> URIRef:
    theme = URIRef(f"{EU}data-theme/{code}")
    g.add((theme, RDF.type, SKOS.Concept))
    _add_labels(g, theme, SKOS.prefLabel, EU_THEME_LABELS[code])
    g.add((theme, SKOS.inScheme, DATA_THEME_SCHEME))
    return theme


def _add_scheme(g: Graph, scheme: URIRef, title: dict[str, str]) -> URIRef:
    g.add((scheme, RDF.type, SKOS.ConceptScheme))
    _add_labels(g, scheme, DCT.title, title)
    _add_labels(g, scheme, SKOS.prefLabel, title)
    return scheme


def ejes_graph(name: str | None = None) -> Graph:
    """The CIM's scheme of ejes with all its concepts, or (``name``) one concept; empty for an unknown
    name. Static: built from ``schemas/vocabularies/ejes.yaml``, never from the datasets."""
    g = Graph()
    g.bind("skos", SKOS)
    g.bind("dct", DCT)
    scheme = scheme_uri()
    for eje in vocabularies.ejes():
        if name not in (None, eje["name"]):
            continue
        concept = _add_eje(g, eje, full=True)
        g.add((scheme, SKOS.hasTopConcept, concept))
    if len(g):
        _add_scheme(g, scheme, SCHEME_TITLE)
    return g


def _entity(name: str) -> dict[str, Any] | None:
    """A source entity's public registry data: the active group of type ``entidad``, else the initial
    registry (``entidades.yaml``) for entities not loaded yet."""
    group = model.Group.by_name(name)
    if group is not None and group.type == "entidad" and group.state == "active":
        return {"name": group.name, "title": group.title or group.name, **(group.extras or {})}
    return next((e for e in vocabularies.load("entidades") if e["name"] == name), None)


def _bbox(geojson: Any) -> dict[str, Any]:
    """The bounding box of a GeoJSON geometry, as a GeoJSON polygon."""
    from shapely.geometry import box, mapping, shape

    return dict(mapping(box(*shape(geojson).bounds)))


class CimibagueDCATProfile(RDFProfile):
    """DCAT-AP 3 for the CIM's datasets and catalogue (see the module's docstring for the mapping)."""

    # ------------------------------------------------------------------------------------------ dataset

    def graph_from_dataset(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        """Add the CIM's fields to the dataset the core profile wrote, and replace what it wrote wrong."""
        self._publisher(dataset_dict, dataset_ref)
        self._frequency(dataset_dict, dataset_ref)
        self._spatial(dataset_dict, dataset_ref)
        self._themes(dataset_dict, dataset_ref)
        self._contact(dataset_dict, dataset_ref)
        self._rights(dataset_dict, dataset_ref)
        self._page_and_dates(dataset_dict, dataset_ref)
        for resource in dataset_dict.get("resources", []):
            self._distribution(dataset_dict, resource, dataset_ref)

    def _publisher(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        """The source entity replaces the node the core falls back to (DCAT-AP: one publisher)."""
        entity = _entity(dataset_dict.get("entidad_fuente") or "")
        if entity is None:
            return
        self._drop(dataset_ref, DCT.publisher)
        self.g.add((dataset_ref, DCT.publisher, self._add_entity(entity)))

    def _add_entity(self, entity: dict[str, Any]) -> URIRef:
        agent = URIRef(f"{_site()}/entidad/{entity['name']}")
        for rdf_type in (FOAF.Agent, FOAF.Organization):
            self.g.add((agent, RDF.type, rdf_type))
        self.g.set((agent, FOAF.name, Literal(entity["title"])))
        if entity.get("nit"):
            self.g.set((agent, DCT.identifier, Literal(entity["nit"])))
        if entity.get("contacto_correo"):
            self.g.set((agent, FOAF.mbox, URIRef(f"mailto:{entity['contacto_correo']}")))
        if entity.get("sitio_web"):
            self.g.set((agent, FOAF.homepage, URIRef(entity["sitio_web"])))
        return agent

    def _frequency(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        eu = {p["code"]: p["eu"] for p in vocabularies.load("periodicidades")}.get(dataset_dict.get("periodicidad"))
        if eu:
            frequency = URIRef(f"{EU}frequency/{eu}")
            self.g.set((dataset_ref, DCT.accrualPeriodicity, frequency))
            self.g.add((frequency, RDF.type, DCT.Frequency))

    def _spatial(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        """One dct:Location per comuna, corregimiento or the whole municipality, plus the dataset's own
        extent (``spatial``) with its geometry and bounding box."""
        self._drop(dataset_ref, DCT.spatial)
        for code in _as_list(dataset_dict.get("cobertura_geografica")):
            location = self._add_place(code)
            if location is not None:
                self.g.add((dataset_ref, DCT.spatial, location))
        geometry = dataset_dict.get("spatial")
        if geometry:
            geojson = json.loads(geometry) if isinstance(geometry, str) else geometry
            extent = BNode()
            self.g.add((extent, RDF.type, DCT.Location))
            self._add_spatial_value_to_graph(extent, LOCN.geometry, geojson)
            self._add_spatial_value_to_graph(extent, DCAT.bbox, _bbox(geojson))
            self.g.add((dataset_ref, DCT.spatial, extent))

    def _add_place(self, code: str) -> BNode | None:
        """A comuna, corregimiento or the municipality (``municipio``) as a dct:Location."""
        territorio = vocabularies.territorio()
        municipio = territorio["municipio"]
        if code == "municipio":
            label, identifier = f"{municipio['name']}, {municipio['departamento']['name']}", municipio["code"]
        else:
            names = {i["code"]: i["name"] for i in territorio["comunas"]}
            names |= {i["code"]: f"Corregimiento {i['name']}" for i in territorio["corregimientos"]}
            if code not in names:
                return None
            label, identifier = f"{names[code]}, {municipio['name']}", code
        location = BNode()
        self.g.add((location, RDF.type, DCT.Location))
        self.g.add((location, SKOS.prefLabel, Literal(label, lang="es")))
        self.g.add((location, DCT.identifier, Literal(identifier)))
        return location

    def _themes(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        """The dataset's eje: the indicator's ``eje``, else its type, else its node (when they are ejes)."""
        ejes = {e["name"]: e for e in vocabularies.ejes()}
        organization = (dataset_dict.get("organization") or {}).get("name")
        candidates = (dataset_dict.get("eje"), dataset_dict.get("type"), organization)
        name = next((c for c in candidates if c in ejes), None)
        if name is None:
            return
        self.g.add((dataset_ref, DCAT.theme, _add_eje(self.g, ejes[name])))
        self.g.add((dataset_ref, DCAT.theme, _add_eu_theme(self.g, EJE_EU_THEME[name])))

    def _contact(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        """One vcard:Kind (the core types it vcard:Organization, which DCAT-AP's shapes do not accept)."""
        if not (dataset_dict.get("contact_name") or dataset_dict.get("contact_email")):
            return
        self._drop(dataset_ref, DCAT.contactPoint)
        contact = {"name": dataset_dict.get("contact_name"), "email": dataset_dict.get("contact_email")}
        self._add_contact_to_graph(dataset_ref, DCAT.contactPoint, contact)

    def _rights(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        """Licence, access rights and language as the EU authorities' URIs (the core writes literals)."""
        self._add_license(dataset_dict, dataset_ref)
        access = ACCESS_RIGHTS.get(dataset_dict.get("nivel_acceso") or "")
        if access:
            self._drop(dataset_ref, DCT.accessRights)
            rights = URIRef(f"{EU}access-right/{access}")
            self.g.add((dataset_ref, DCT.accessRights, rights))
            self.g.add((rights, RDF.type, DCT.RightsStatement))
        self._drop(dataset_ref, DCT.language)
        code = LANGUAGES.get(dataset_dict.get("language") or "es")
        if code:
            self.g.add((dataset_ref, DCT.language, _language(self.g, code)))

    def _add_license(self, dataset_dict: dict[str, Any], subject: URIRef) -> None:
        """The dataset's licence: its URL, or (a licence without one) a document with its title."""
        url, title = dataset_dict.get("license_url"), dataset_dict.get("license_title")
        if not (url or title):
            return
        self._drop(subject, DCT.license)
        if url:
            licence: URIRef | BNode = URIRef(url)
        else:
            licence = BNode()
            self.g.add((licence, RDFS.label, Literal(title)))
        self.g.add((licence, RDF.type, DCT.LicenseDocument))
        if url and title:
            self.g.set((licence, DCT.title, Literal(title)))
        self.g.add((subject, DCT.license, licence))

    def _page_and_dates(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        """The dataset's page on the portal and its first publication (the core writes the creation)."""
        page = URIRef(f"{_site()}/{dataset_dict.get('type') or 'dataset'}/{dataset_dict['name']}")
        self.g.add((dataset_ref, DCAT.landingPage, page))
        self.g.add((page, RDF.type, FOAF.Document))
        if not dataset_dict.get("notes"):  # DCAT-AP requires a description; the general type may lack one
            self.g.set((dataset_ref, DCT.description, Literal(dataset_dict.get("title") or dataset_dict["name"])))
        query = select(func.min(Event.created)).where(
            Event.package_id == dataset_dict["id"], Event.to_state == "publicado", Event.kind == "transicion"
        )
        published = model.Session.execute(query).scalar()
        if published is not None:
            self.g.remove((dataset_ref, DCT.issued, None))
            self._add_date_triple(dataset_ref, DCT.issued, published.isoformat())

    def _distribution(self, dataset_dict: dict[str, Any], resource: dict[str, Any], dataset_ref: URIRef) -> None:
        """Licence, download URL, update date, format and media type of one resource."""
        distribution = CleanedURIRef(resource_uri(resource))
        if (dataset_ref, DCAT.distribution, distribution) not in self.g:
            return
        self._add_license(dataset_dict, distribution)
        if resource.get("url") and resource.get("tipo_recurso") != SERVICE:
            self.g.set((distribution, DCAT.downloadURL, URIRef(resource["url"])))
        for predicate in (DCAT.accessURL, DCAT.downloadURL):  # typed, as DCAT-AP's range shapes ask
            for url in self.g.objects(distribution, predicate):
                self.g.add((url, RDF.type, RDFS.Resource))
        if resource.get("fecha_actualizacion"):
            self.g.remove((distribution, DCT.modified, None))
            self._add_date_triple(distribution, DCT.modified, resource["fecha_actualizacion"])
        self._format(resource, distribution)

    def _format(self, resource: dict[str, Any], distribution: URIRef) -> None:
        """dct:format as an EU file type (a labelled node for others) and dcat:mediaType as an IANA URI."""
        self._drop(distribution, DCT["format"])
        self._drop(distribution, DCAT.mediaType)
        label = (resource.get("format") or "").strip()
        file_type, media_type = FORMATS.get(label.upper(), (None, None))
        mimetype = resource.get("mimetype") or media_type
        if file_type:
            fmt: URIRef | BNode = URIRef(f"{EU}file-type/{file_type}")
        elif label:
            fmt = BNode()
            self.g.add((fmt, RDFS.label, Literal(label)))
        if label:
            self.g.add((distribution, DCT["format"], fmt))
            self.g.add((fmt, RDF.type, DCT.MediaTypeOrExtent))
        if mimetype and "/" in mimetype and not mimetype.startswith("http"):
            media = URIRef(IANA + mimetype)
            self.g.add((distribution, DCAT.mediaType, media))
            self.g.add((media, RDF.type, DCT.MediaType))

    # ---------------------------------------------------------------------------------------- catalogue

    def graph_from_catalog(self, catalog_dict: dict[str, Any] | None, catalog_ref: URIRef) -> None:
        """The catalogue's publisher (the Alcaldía de Ibagué), language, coverage and theme taxonomies."""
        alcaldia = _entity("alcaldia-ibague")
        if alcaldia is not None:
            self._drop(catalog_ref, DCT.publisher)
            self.g.add((catalog_ref, DCT.publisher, self._add_entity(alcaldia)))
        self._drop(catalog_ref, DCT.language)
        self.g.add((catalog_ref, DCT.language, _language(self.g, "SPA")))
        for homepage in self.g.objects(catalog_ref, FOAF.homepage):
            self.g.add((homepage, RDF.type, FOAF.Document))
        self.g.add((catalog_ref, DCT.spatial, self._add_place("municipio")))
        self.g.add((catalog_ref, DCAT.themeTaxonomy, _add_scheme(self.g, scheme_uri(), SCHEME_TITLE)))
        self.g.add((catalog_ref, DCAT.themeTaxonomy, _add_scheme(self.g, DATA_THEME_SCHEME, DATA_THEME_TITLE)))

    # ------------------------------------------------------------------------------------------ helpers

    def _drop(self, subject: Node, predicate: URIRef) -> None:
        """Remove ``subject predicate *`` and the description of objects nothing else refers to."""
        for obj in list(self.g.objects(subject, predicate)):
            self.g.remove((subject, predicate, obj))
            _forget(self.g, obj)


def _forget(g: Graph, node: Node) -> None:
    """Remove what describes ``node`` when no triple refers to it any more (blank nodes recursively)."""
    if isinstance(node, Literal) or next(iter(g.subjects(None, node)), None) is not None:
        return
    for predicate, obj in list(g.predicate_objects(node)):
        g.remove((node, predicate, obj))
        if isinstance(obj, BNode):
            _forget(g, obj)


def _language(g: Graph, code: str) -> URIRef:
    language = URIRef(f"{EU}language/{code}")
    g.add((language, RDF.type, DCT.LinguisticSystem))
    return language


def _as_list(value: Any) -> Iterable[str]:
    """A multi-valued field as package_show gives it (a list, or a JSON list in a string)."""
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = None
        value = parsed if isinstance(parsed, list) else [value]
    return [str(v) for v in value or [] if v]

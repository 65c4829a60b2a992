"""Harvester of DCAT catalogues in RDF/XML, Turtle or JSON-LD (DCAT-AP, as ckanext-dcat serves them).

Gather: the source URL is the catalogue (e.g. another CKAN's ``/catalog.ttl``); its pages are followed
through hydra paging (``hydra:next`` / ``hydra:nextPage`` of a ``hydra:PagedCollection`` or
``hydra:PartialCollectionView``, as ckanext-dcat serves ``/catalog.ttl?page=N``). Every document comes
through ``http.get`` (timeout, size limit), JSON-LD contexts given by URL too, and the pages through
``http.pages`` (a page read twice is a paging loop). The serialisation is the source's ``formato`` when
set, else the Content-Type, else the URL's extension, else the document's first character.

Each page is parsed by ckanext-dcat's ``RDFParser`` with its ``euro_dcat_ap_3`` profile, which turns
every ``dcat:Dataset`` into a CKAN dataset dict (stored as the harvest object's content); the guid is
the dataset's URI, else its ``dct:identifier`` (as ckanext-dcat's own harvester decides). A dataset
read in full is ``present``: the ones no longer listed are flagged at import. A page that cannot be read
is a gather error; the datasets of the pages read before it are still harvested, without removal flags.

Import: ``cim_map`` turns the parsed dict into CIM fields (see ``map_dataset``; README, DCAT mapping)
and ``landing.land`` validates and stores it. ckanext-dcat's ``DCATRDFHarvester`` is not used: its
import creates datasets with its own schema, and its download has neither our size limit per request
nor our paging-loop protection.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin, urlparse

import rdflib.util
import requests
from ckanext.dcat.processors import RDFParser
from ckanext.harvest.harvesters.base import HarvesterBase
from ckanext.harvest.model import HarvestJob, HarvestObject
from ckanext.scheming import helpers as sh
from rdflib import RDF, BNode, Literal, Namespace, URIRef

from ckanext.cimibague.harvesters import http, mapping
from ckanext.cimibague.harvesters.base import CimHarvester, MappingError, Record, loads
from ckanext.cimibague.harvesters.config import SourceConfig
from ckanext.cimibague.site_i18n import gettext as _
from ckanext.cimibague.workflow.machine import N_

__all__ = ["CimDcatHarvester", "map_dataset"]

DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")

# ckanext-dcat's profile the mapping is written against (pinned: the site's serialisation profiles
# may change without changing what a harvested catalogue means)
PROFILES = ["euro_dcat_ap_3"]

# «formato» values and Content-Types → rdflib parser names
FORMATS = {
    "turtle": "turtle", "ttl": "turtle", "xml": "xml", "rdf": "xml", "rdfxml": "xml", "rdf+xml": "xml",
    "json-ld": "json-ld", "jsonld": "json-ld", "n-triples": "nt", "nt": "nt", "n3": "n3",
}  # fmt: skip
CONTENT_TYPES = {
    "text/turtle": "turtle", "application/x-turtle": "turtle", "application/turtle": "turtle",
    "application/rdf+xml": "xml", "application/xml": "xml", "text/xml": "xml",
    "application/ld+json": "json-ld", "application/json": "json-ld",
    "application/n-triples": "nt", "text/n3": "n3",
}  # fmt: skip
FORMAT_NAMES = {"turtle": "Turtle", "xml": "RDF/XML", "json-ld": "JSON-LD", "nt": "N-Triples", "n3": "N3"}
ACCEPT = "text/turtle, application/rdf+xml;q=0.9, application/ld+json;q=0.8, application/json;q=0.5, */*;q=0.1"
CONTEXT_DEPTH = 5  # JSON-LD contexts given by URL that include others by URL, at most

# EU language authority codes (dct:language) → the CIM's language codes
LANGUAGES = {"spa": "es", "es": "es", "eng": "en", "en": "en"}


def _formato(value: Any) -> str:
    if not isinstance(value, str) or value.strip().lower() not in FORMATS:
        raise ValueError(_(N_("«formato» must be one of %(formats)s")) % {"formats": "turtle, xml, json-ld, nt, n3"})
    return FORMATS[value.strip().lower()]


class _Session(requests.Session):
    """Remembers the Content-Type of the last answer (``http.get`` returns only the body)."""

    content_type: str = ""

    def get(self, url: str | bytes, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        response = super().get(url, **kwargs)
        self.content_type = response.headers.get("Content-Type", "")
        return response


def _error(message: str, **values: Any) -> http.SourceError:
    return http.SourceError(_(message) % values)


def _short(error: Exception) -> str:
    text = " ".join(str(error).split())
    return text if len(text) <= 300 else text[:300] + "…"


# ------------------------------------------------------------------------------------------ documents
def rdf_format(forced: str | None, content_type: str, url: str, body: bytes) -> str:
    """The rdflib parser for a document: the source's «formato», the Content-Type, the URL's extension
    or, last, the document's first character."""
    if forced:
        return forced
    media = content_type.split(";", 1)[0].strip().lower()
    if media in CONTENT_TYPES:
        return CONTENT_TYPES[media]
    guessed = rdflib.util.guess_format(urlparse(url).path)
    if guessed in FORMAT_NAMES:
        return guessed
    start = body.lstrip()[:200]
    if start[:1] in (b"{", b"["):
        return "json-ld"
    if start.startswith(b"<?xml") or start.startswith(b"<rdf:") or start.startswith(b"<RDF"):
        return "xml"
    return "turtle"


def inline_contexts(document: Any, base: str, fetch: Any, depth: int = 0) -> Any:
    """The JSON-LD ``document`` with every context given by URL (``"@context": "https://…"``, in a
    list, or ``@import``) replaced by that context, read with ``fetch(url)``: rdflib would otherwise
    download it itself, without our timeout nor size limit."""

    def context(value: Any, level: int, where: str) -> Any:
        if isinstance(value, str):
            url = urljoin(where, value)
            if level >= CONTEXT_DEPTH:
                too_deep = N_("JSON-LD contexts nested more than %(depth)s deep at %(url)s")
                raise _error(too_deep, depth=CONTEXT_DEPTH, url=url)
            remote = fetch(url)
            if not isinstance(remote, dict) or "@context" not in remote:
                raise _error(N_("The JSON-LD context %(url)s has no «@context»"), url=url)
            return context(remote["@context"], level + 1, url)  # relative to the context's own URL
        if isinstance(value, list):
            return [context(v, level, where) for v in value]
        if isinstance(value, dict):
            out = {k: walk(v, level, where) for k, v in value.items() if k != "@import"}
            if isinstance(value.get("@import"), str):
                imported = context(value["@import"], level, where)
                if isinstance(imported, dict):
                    out = {**imported, **out}
            return out
        return value

    def walk(node: Any, level: int, where: str) -> Any:
        if isinstance(node, dict):
            return {k: context(v, level, where) if k == "@context" else walk(v, level, where) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, level, where) for v in node]
        return node

    return walk(document, depth, base)


class CatalogPage(RDFParser):
    """One page of a DCAT catalogue: ckanext-dcat's parser, reading the document we downloaded (with its
    URL as the base of relative IRIs) and yielding each dataset with its graph node, one at a time (a
    dataset the profile cannot read does not stop the others)."""

    def __init__(self, dataset_type: str) -> None:
        super().__init__(profiles=PROFILES, dataset_type=dataset_type)

    def read(self, data: bytes | str, rdf_format: str, url: str) -> None:
        try:
            self.g.parse(data=data, format=rdf_format, publicID=url)
        except Exception as error:  # rdflib's parsers raise many kinds: all mean a malformed document
            raise _error(
                N_("The document at %(url)s is not valid %(format)s: %(error)s"),
                url=url,
                format=FORMAT_NAMES.get(rdf_format, rdf_format),
                error=_short(error),
            ) from None
        if not any(self.g.subjects(RDF.type, DCAT.Catalog)) and not any(self.g.subjects(RDF.type, DCAT.Dataset)):
            not_dcat = N_("The document at %(url)s is not a DCAT catalogue (no dcat:Catalog, no dcat:Dataset)")
            raise _error(not_dcat, url=url)

    def next_url(self, url: str) -> str | None:
        following = self.next_page()
        return urljoin(url, following) if following else None

    def entries(self) -> Iterator[tuple[Any, dict[str, Any] | None, Exception | None]]:
        """(node, dataset dict, None) or (node, None, error) for every dcat:Dataset of the page."""
        for ref in self._datasets():
            dataset: dict[str, Any] = {}
            try:
                for profile_class in self._profiles:
                    profile = profile_class(
                        self.g, dataset_type=self.dataset_type, compatibility_mode=self.compatibility_mode
                    )
                    profile.parse_dataset(dataset, ref)
            except Exception as error:  # a profile failing on one dataset's odd values
                yield ref, None, error
                continue
            # DCAT 2 allows dct:license on the dataset itself; the profile reads it only on distributions
            licenses = [str(o) for o in self.g.objects(ref, DCT.license) if isinstance(o, URIRef | Literal)]
            licenses += [
                str(title)
                for o in self.g.objects(ref, DCT.license)
                if isinstance(o, BNode)
                for title in [*self.g.objects(o, DCT.title), *self.g.objects(o, RDFS.label)]
            ]
            if licenses:
                dataset["cim_dataset_license"] = sorted(licenses)
            yield ref, dataset, None


# ---------------------------------------------------------------------------------------------- harvester
class CimDcatHarvester(CimHarvester, HarvesterBase):
    own_config = {"formato": _formato}

    def info(self) -> dict[str, Any]:
        return {
            "name": "cimibague_dcat",
            "title": _(N_("DCAT catalogue (RDF/XML, Turtle, JSON-LD)")),
            "description": _(
                N_(
                    "Datasets of a DCAT-AP catalogue (e.g. another CKAN's /catalog.ttl, with its hydra pages), "
                    "into the source's type and entity"
                )
            ),
            "form_config_interface": "Text",
        }

    # ------------------------------------------------------------------------------------------ gather
    def gather_stage(self, harvest_job: HarvestJob) -> list[str] | None:
        config = self.cim_gather_config(harvest_job)
        if config is None:
            return None
        records: list[Record] = []
        listed: set[str] = set()
        complete = True
        try:
            for entries in self._pages(harvest_job, config):
                for guid, dataset in entries:
                    if guid:
                        listed.add(guid)
                    if guid and dataset is not None:
                        records.append(Record(guid, json.dumps(dataset), _get(dataset, "modified")))
        except http.SourceError as error:
            self.cim_gather_error(harvest_job, str(error))
            complete = False  # an incomplete listing flags nothing as removed
        return self.cim_objects(harvest_job, records, present=listed if complete else None)

    def _pages(self, harvest_job: HarvestJob, config: SourceConfig) -> Iterator[list[tuple[str | None, Any]]]:
        """Every page's (guid, dataset dict) pairs: guid ``None`` when the dataset has none, dict ``None``
        when the profile could not read it (both are gather errors)."""
        state: dict[str, Any] = {"url": harvest_job.source.url.strip(), "read": set()}
        contexts: dict[str, Any] = {}

        def context(url: str) -> Any:
            if url not in contexts:
                contexts[url] = http.get_json(url, config)
            return contexts[url]

        def page(number: int) -> tuple[bytes, list[Any]]:
            url = state["url"]
            if not url:
                return b"", []
            if url in state["read"]:
                raise _error(N_("The catalogue page %(url)s was already read: its paging does not advance"), url=url)
            state["read"].add(url)
            with _Session() as session:
                body = http.get(url, config, headers={"Accept": ACCEPT}, session=session)
            fmt = rdf_format(config.get("formato"), session.content_type, url, body)
            data: bytes | str = body
            if fmt == "json-ld":
                try:
                    document = json.loads(body)
                except ValueError as error:
                    raise _error(
                        N_("The document at %(url)s is not valid %(format)s: %(error)s"),
                        url=url,
                        format="JSON-LD",
                        error=_short(error),
                    ) from None
                data = json.dumps(inline_contexts(document, url, context))
            catalog = CatalogPage(config.tipo)
            catalog.read(data, fmt, url)
            entries: list[tuple[str | None, Any]] = []
            for ref, dataset, error in catalog.entries():
                guid = _guid(ref, dataset)
                name = str(ref) if isinstance(ref, URIRef) else (_get(dataset or {}, "title") or str(ref))
                if error is not None:
                    self.cim_gather_error(
                        harvest_job,
                        _(N_("The dataset %(dataset)s of %(url)s could not be read: %(error)s"))
                        % {"dataset": name, "url": url, "error": _short(error)},
                    )
                elif not guid:
                    self.cim_gather_error(
                        harvest_job,
                        _(N_("The dataset %(dataset)s of %(url)s has no URI nor dct:identifier: not harvested"))
                        % {"dataset": name, "url": url},
                    )
                # every dataset counts, so that a page whose datasets all failed does not end the listing
                entries.append((guid, dataset))
            state["url"] = catalog.next_url(url)
            return body, entries

        yield from http.pages(page, config)

    # ------------------------------------------------------------------------------------------ mapping
    def cim_map(self, harvest_object: HarvestObject, config: SourceConfig) -> dict[str, Any] | None:
        parsed = loads(harvest_object.content)
        if not isinstance(parsed, dict):
            raise MappingError(_(N_("The record is not a DCAT dataset")))
        source = harvest_object.source or harvest_object.job.source
        return map_dataset(parsed, config, source.url.strip())


def _guid(ref: Any, dataset: dict[str, Any] | None) -> str | None:
    """The dataset's URI, else its dct:identifier (the order of ckanext-dcat's ``_get_guid``)."""
    if isinstance(ref, URIRef):
        return str(ref)
    return mapping.text(_get(dataset or {}, "identifier"))


def _get(dataset: dict[str, Any], key: str) -> Any:
    """A value of the parsed dict, at the root (scheming-style) or among the extras (with or without
    ckanext-dcat's compatibility prefix ``dcat_``)."""
    value = dataset.get(key)
    if value not in (None, "", []):
        return value
    for extra in dataset.get("extras") or []:
        if (
            isinstance(extra, dict)
            and extra.get("key") in (key, f"dcat_{key}")
            and extra.get("value") not in (None, "")
        ):
            return extra["value"]
    return None


def _list(value: Any) -> list[str]:
    """A list from a JSON-encoded list (ckanext-dcat's extras), a comma-separated text or a list."""
    if value in (None, ""):
        return []
    if isinstance(value, str):
        try:
            decoded = json.loads(value)
        except ValueError:
            decoded = value.split(",")
        value = decoded
    if not isinstance(value, list):
        value = [value]
    return [str(v).strip() for v in value if str(v).strip()]


def _agent(dataset: dict[str, Any], kind: str, key: str) -> str | None:
    """contact/publisher ``key`` (name, email): the flat extra (``contact_name``) or the scheming list."""
    value = _get(dataset, f"{kind}_{key}")
    if not value:
        agents = dataset.get(kind)
        if isinstance(agents, str):
            try:
                agents = json.loads(agents)
            except ValueError:
                agents = None
        if isinstance(agents, list) and agents and isinstance(agents[0], dict):
            value = agents[0].get(key)
    return mapping.text(value)


def language(values: Any) -> str | None:
    """es / en / otro from dct:language values (EU authority URIs, ISO 639 codes, language tags)."""
    codes = []
    for value in _list(values):
        tail = value.rstrip("/").rsplit("/", 1)[-1].lower()
        codes.append(LANGUAGES.get(tail) or LANGUAGES.get(re.split(r"[-_]", tail)[0]) or "otro")
    for code in ("es", "en", "otro"):
        if code in codes:
            return code
    return None


def email(value: Any) -> str | None:
    value = mapping.text(value)
    if value and value.lower().startswith("mailto:"):
        value = value[len("mailto:") :].strip()
    return value or None


def map_dataset(dataset: dict[str, Any], config: SourceConfig, source_url: str) -> dict[str, Any]:
    """A dataset dict parsed by ckanext-dcat (``euro_dcat_ap_3``) as a dataset of the source's CIM type."""
    schema = sh.scheming_get_dataset_schema(config.tipo) or {}
    fields = {f["field_name"] for f in schema.get("dataset_fields", [])}
    first = mapping.text
    tags = sorted({t.get("name") if isinstance(t, dict) else t for t in dataset.get("tags") or []} - {None, ""})
    modified = mapping.date(_get(dataset, "modified")) or mapping.date(_get(dataset, "issued"))
    data: dict[str, Any] = {
        "title": first(dataset.get("title")),
        "notes": first(dataset.get("notes")),
        "tag_string": mapping.tags(tags),
        "periodicidad": mapping.frequency(_get(dataset, "frequency")),
        "temporal_start": mapping.date(_get(dataset, "temporal_start")),
        "temporal_end": mapping.date(_get(dataset, "temporal_end")),
        "fecha_corte": modified,
        "contact_name": _agent(dataset, "contact", "name"),
        "contact_email": email(_agent(dataset, "contact", "email")),
        "language": language(_get(dataset, "language")),
        "license_id": _license(dataset),
        "provenance": first(_get(dataset, "provenance")),
    }
    if "area_dependencia" in fields:
        data["area_dependencia"] = _agent(dataset, "publisher", "name")
    if "spatial" in fields:
        data["spatial"] = first(_get(dataset, "spatial"))
    if not data["provenance"] and "provenance" in fields:
        where = first(dataset.get("url")) or first(_get(dataset, "uri")) or first(_get(dataset, "identifier"))
        data["provenance"] = f"Cosechado del catálogo DCAT {source_url}" + (f": {where}" if where else "")
    resources = [map_resource(r, modified) for r in dataset.get("resources") or [] if isinstance(r, dict)]
    # rdflib's graphs have no order: sort, so that the same catalogue always maps to the same dataset
    resources.sort(key=lambda r: (r.get("url") or "", r.get("name") or ""))
    return {k: v for k, v in data.items() if v not in (None, "", [])} | {"resources": resources}


def _license(dataset: dict[str, Any]) -> str | None:
    """The dataset's licence: the id ckanext-dcat matched, the dataset's dct:license, else the first
    distribution licence we know."""
    candidates = [dataset.get("license_id"), *(dataset.get("cim_dataset_license") or [])]
    candidates += sorted(
        str(r.get("license")) for r in dataset.get("resources") or [] if isinstance(r, dict) and r.get("license")
    )
    for candidate in candidates:
        found = mapping.license_id(candidate)
        if found:
            return found
    return None


def map_resource(resource: dict[str, Any], dataset_modified: str | None) -> dict[str, Any]:
    url = mapping.text(resource.get("url") or resource.get("download_url") or resource.get("access_url"))
    out = {
        "name": mapping.text(resource.get("name")) or mapping.text(resource.get("description")) or url,
        "url": url,
        "description": mapping.text(resource.get("description")),
        "format": mapping.format_of(resource.get("format"), None) or mapping.format_of(resource.get("mimetype"), url),
        "fecha_actualizacion": mapping.date(resource.get("modified"))
        or mapping.date(resource.get("issued"))
        or dataset_modified,
    }
    return {k: v for k, v in out.items() if v not in (None, "")}

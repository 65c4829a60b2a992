"""Harvester of ``data.json`` catalogues (Project Open Data / DCAT-US 1.1), as Socrata sites (datos.gov.co)
and ArcGIS Hub serve them at ``/data.json``: one document ``{"@type": "dcat:Catalog", "dataset": [...]}``.

Gather: the whole catalogue in one request through ``http.get`` (timeout, size limit); every dataset is
a record whose identifier is its ``identifier`` and whose content is the dataset's own JSON. The document
is the source's complete listing, so the datasets harvested before and gone from it are flagged
(``present``). A document that is not JSON, not a catalogue or an empty one is a gather error, and
nothing is flagged.
Optional filters of the source configuration (a national catalogue such as datos.gov.co lists every
entity of the country): ``publicadores`` (``publisher.name`` or one of the organizations it belongs to),
``palabras_clave`` (any of the ``keyword``), ``solo_publicos`` (leave out ``non-public`` and
``restricted public`` records).

Incremental harvests: every record is mapped again and ``landing.land`` compares the digest of the
mapped dataset with the last import (``unchanged`` → "not modified"). The ``modified`` date is not used
to skip records: publishers change titles, descriptions or distributions without touching it, and a
change of the source's configuration (``valores_por_defecto``) must reach the datasets too.

Mapping (``map_dataset``): see the README's table for data.json. ckanext-dcat's ``DCATJSONHarvester``
and ``converters.dcat_to_ckan`` are not reused: its gather reads without a timeout, pages with
``?page=N`` (data.json does not page) and deletes the datasets gone from the source; its converter
targets CKAN's core fields and ``dcat_*`` extras, treats a text ``keyword`` or ``language`` as a list of
characters and ignores contact, licence, access level, periodicity, temporal and spatial coverage.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from ckanext.harvest.harvesters.base import HarvesterBase
from ckanext.harvest.model import HarvestJob, HarvestObject
from ckanext.scheming import helpers as sh
from dateutil.relativedelta import relativedelta

from ckanext.cimibague import vocabularies
from ckanext.cimibague.harvesters import config as cfg
from ckanext.cimibague.harvesters import http, mapping
from ckanext.cimibague.harvesters.base import CimHarvester, MappingError, Record, loads
from ckanext.cimibague.harvesters.config import SourceConfig
from ckanext.cimibague.site_i18n import gettext as _
from ckanext.cimibague.workflow.machine import N_

__all__ = ["CimDataJsonHarvester"]

# DCAT-US accessLevel → nivel_acceso (Ley 1712 de 2014). "restricted public" (available under use
# restrictions) is «clasificada»; "non-public" (not available to the public) is «reservada». Such records
# are harvested by default: Ley 1712 asks entities to publish the index of their classified and reserved
# information, and every harvested dataset starts private in «recibido», where the reviewers decide.
ACCESS_LEVELS = {"public": "publica", "restricted public": "clasificada", "non-public": "reservada"}
RESTRICTED_LICENSE = "uso-restringido"
DOCUMENT_FORMATS = {"PDF", "DOC", "DOCX", "ODT", "TXT", "HTML"}


class CimDataJsonHarvester(CimHarvester, HarvesterBase):
    own_config = {
        "publicadores": cfg.string_list("publicadores"),
        "palabras_clave": cfg.string_list("palabras_clave"),
        "solo_publicos": cfg.boolean("solo_publicos"),
    }

    def info(self) -> dict[str, Any]:
        return {
            "name": "cimibague_datajson",
            "title": _(N_("data.json catalogue (DCAT-US)")),
            "description": _(
                N_(
                    "Datasets of a data.json catalogue (Project Open Data / DCAT-US 1.1, as Socrata and ArcGIS "
                    "Hub publish it), into the source's type and entity"
                )
            ),
            "form_config_interface": "Text",
        }

    # ------------------------------------------------------------------------------------------- gather
    def gather_stage(self, harvest_job: HarvestJob) -> list[str] | None:
        config = self.cim_gather_config(harvest_job)
        if config is None:
            return None
        url = harvest_job.source.url.strip()
        try:
            datasets = read_catalogue(url, config)
        except http.SourceError as error:
            self.cim_gather_error(harvest_job, str(error))
            return None
        records: list[Record] = []
        anonymous: list[str] = []
        for number, dataset in enumerate(datasets, start=1):
            guid = identifier_of(dataset)
            if guid is None:
                title = _str(dataset, "title") if isinstance(dataset, dict) else None
                anonymous.append(f"«{title}»" if title else f"#{number}")
                continue
            if not wanted(dataset, config):
                continue
            records.append(
                Record(guid=guid, content=json.dumps(dataset, ensure_ascii=False), modified=_str(dataset, "modified"))
            )
        if anonymous:
            self.cim_gather_error(
                harvest_job,
                _(N_("These entries of the catalogue have no «identifier» and were not harvested: %(entries)s"))
                % {"entries": ", ".join(anonymous[:50])},
            )
        return self.cim_objects(harvest_job, records, present={r.guid for r in records})

    # ------------------------------------------------------------------------------------------ mapping
    def cim_map(self, harvest_object: HarvestObject, config: SourceConfig) -> dict[str, Any] | None:
        dataset = loads(harvest_object.content)
        if not isinstance(dataset, dict):
            raise MappingError(_(N_("The catalogue entry is not a JSON object")))
        source = harvest_object.source or harvest_object.job.source
        return map_dataset(dataset, config, source.url.strip())


# ------------------------------------------------------------------------------------------------ gather
def read_catalogue(url: str, config: SourceConfig) -> list[Any]:
    """The ``dataset`` list of the data.json catalogue at ``url``; ``SourceError`` when it is not one."""
    document = http.get_json(url, config)
    if not isinstance(document, dict) or not isinstance(document.get("dataset"), list):
        raise http.SourceError(
            _(N_("The document at %(url)s is not a data.json catalogue (DCAT-US 1.1): it has no «dataset» list"))
            % {"url": url}
        )
    if not document["dataset"]:
        # a broken export far more often than a publisher who withdrew everything: nothing is flagged
        raise http.SourceError(
            _(N_("The catalogue at %(url)s lists no datasets: nothing was harvested and no removal was checked"))
            % {"url": url}
        )
    return document["dataset"]


def identifier_of(dataset: Any) -> str | None:
    if not isinstance(dataset, dict):
        return None
    value = dataset.get("identifier")
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    return str(value).strip() or None


def _str(record: Mapping[str, Any], key: str) -> str | None:
    value = record.get(key)
    return mapping.text(value) if isinstance(value, str | int | float) and not isinstance(value, bool) else None


def _plain(value: str) -> str:
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", " ", value.lower()).strip()


def _publishers(publisher: Any) -> list[str]:
    """The publisher's name and those of the organizations it belongs to (``subOrganizationOf``)."""
    names: list[str] = []
    for _depth in range(10):
        if isinstance(publisher, str):
            names.append(publisher)
            break
        if not isinstance(publisher, dict):
            break
        if isinstance(publisher.get("name"), str):
            names.append(publisher["name"])
        publisher = publisher.get("subOrganizationOf")
    return names


def _keywords(dataset: Mapping[str, Any]) -> list[str]:
    keywords = dataset.get("keyword")
    if isinstance(keywords, str):
        keywords = re.split(r"[,;]", keywords)
    return [k for k in keywords if isinstance(k, str)] if isinstance(keywords, list) else []


def access_level(dataset: Mapping[str, Any]) -> str | None:
    value = dataset.get("accessLevel")
    return re.sub(r"\s+", " ", value.strip().lower()) if isinstance(value, str) and value.strip() else None


def wanted(dataset: Mapping[str, Any], config: SourceConfig) -> bool:
    """Whether the dataset passes the source's filters (``publicadores``, ``palabras_clave``, ``solo_publicos``)."""
    if config.get("solo_publicos") and access_level(dataset) not in (None, "public"):
        return False
    publishers = config.get("publicadores")
    if publishers and not {_plain(p) for p in publishers} & {_plain(n) for n in _publishers(dataset.get("publisher"))}:
        return False
    keywords = config.get("palabras_clave")
    return not keywords or bool({_plain(k) for k in keywords} & {_plain(k) for k in _keywords(dataset)})


# ----------------------------------------------------------------------------------------------- mapping
def _type_fields(dataset_type: str) -> set[str]:
    schema = sh.scheming_get_dataset_schema(dataset_type) or {}
    return {f["field_name"] for f in schema.get("dataset_fields", [])}


def map_dataset(dataset: Mapping[str, Any], config: SourceConfig, source_url: str) -> dict[str, Any]:
    """A DCAT-US 1.1 dataset as a dataset of the source's CIM type (only the type's own fields)."""
    fields = _type_fields(config.tipo)
    modified = mapping.date(_str(dataset, "modified"))
    start, end = temporal(_str(dataset, "temporal"))
    name, email = contact(dataset.get("contactPoint"))
    level = access_level(dataset)
    license_text = _str(dataset, "license")
    license_id = mapping.license_id(license_text)
    unknown_license = license_text if license_id is None else None
    if license_id is None and level in ("non-public", "restricted public"):
        license_id = RESTRICTED_LICENSE
    publisher = next(iter(_publishers(dataset.get("publisher"))), None)
    data: dict[str, Any] = {
        "title": _str(dataset, "title"),
        "notes": _str(dataset, "description"),
        "tag_string": mapping.tags(_keywords(dataset)),
        "fecha_corte": modified,
        "periodicidad": periodicity(_str(dataset, "accrualPeriodicity")),
        "temporal_start": start,
        "temporal_end": end,
        "contact_name": name,
        "contact_email": email,
        "license_id": license_id,
        # a publisher that is a web domain (Socrata may write its own, datos.gov.co) is not an office
        "area_dependencia": publisher if publisher and not _hostname(publisher) else None,
        "language": language(dataset.get("language")),
        "nivel_acceso": ACCESS_LEVELS.get(level or ""),
        "provenance": provenance(dataset, source_url, unknown_license, level),
    }
    if "spatial" in fields:
        data["spatial"] = geometry(dataset.get("spatial"))
    data = {k: v for k, v in data.items() if v not in (None, "", []) and (k in fields or k == "tag_string")}
    data["resources"] = resources(dataset, modified)
    return data


def _hostname(value: str) -> bool:
    return bool(re.fullmatch(r"(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)+", value.strip().lower()))


def contact(point: Any) -> tuple[str | None, str | None]:
    """(name, e-mail) of a ``contactPoint`` (vCard: ``fn``, ``hasEmail`` as ``mailto:``)."""
    if not isinstance(point, dict):
        return None, None
    name = _str(point, "fn")
    email = _str(point, "hasEmail")
    if email and email.lower().startswith("mailto:"):
        email = email[len("mailto:") :].strip()
    return name, email or None


def language(value: Any) -> str | None:
    """``es``, ``en`` or ``otro`` from RFC 5646 codes (``es-CO``, ``spa``, …)."""
    values = value if isinstance(value, list) else [value]
    codes = [v.strip().lower().split("-")[0] for v in values if isinstance(v, str) and v.strip()]
    if not codes:
        return None
    if {"es", "spa"} & set(codes):
        return "es"
    if {"en", "eng"} & set(codes):
        return "en"
    return "otro"


_DURATION = re.compile(
    r"P(?:(?P<Y>\d+(?:\.\d+)?)Y)?(?:(?P<M>\d+(?:\.\d+)?)M)?(?:(?P<W>\d+(?:\.\d+)?)W)?(?:(?P<D>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?"
)
_DAYS = {"Y": 365.25, "M": 30.44, "W": 7, "D": 1, "h": 1 / 24, "m": 1 / 1440, "s": 1 / 86400}


def _duration(value: str) -> dict[str, float] | None:
    """The amounts of an ISO 8601 duration (``P1Y``, ``PT1H``) by unit; ``None`` when it is not one."""
    match = _DURATION.fullmatch(value.strip().upper())
    if not match or not any(match.groupdict().values()):
        return None
    return {unit: float(amount) for unit, amount in match.groupdict().items() if amount}


def periodicity(value: str | None) -> str | None:
    """Our periodicidad for ``accrualPeriodicity``: a known code or word, else an ISO 8601 repeating
    duration (``R/P2W``) taken to the shortest periodicidad not shorter than it (no false "overdue")."""
    code = mapping.frequency(value)
    if code or not value:
        return code
    text = value.strip()
    if not text.upper().startswith("R/"):
        return None
    parts = _duration(text[2:])
    if parts is None:
        return None
    days = sum(_DAYS[unit] * amount for unit, amount in parts.items())
    periods = sorted(
        (p.get("days") or p.get("months", 0) * 30.44, p["code"])
        for p in vocabularies.load("periodicidades")
        if p.get("days") or p.get("months")
    )
    for period, code in periods:
        if period >= days * 0.97:
            return code
    return periods[-1][1] if periods and days > 0 else None


def _bound(value: str, *, end: bool) -> dt.date | None:
    """A date of a temporal interval; a year or a month alone is its first or (``end``) last day."""
    value = value.strip()
    if end and re.fullmatch(r"\d{4}", value):
        return dt.date(int(value), 12, 31)
    if end and re.fullmatch(r"\d{4}-\d{2}", value):
        year, month = map(int, value.split("-"))
        if 1 <= month <= 12:
            return dt.date(year, month, 1) + relativedelta(months=1, days=-1)
        return None
    found = mapping.date(value)
    return dt.date.fromisoformat(found) if found else None


def _last_day(start: dt.date | None, duration: dict[str, float] | None) -> dt.date | None:
    """The last day of an interval of whole years, months, weeks or days from ``start``."""
    if start is None or not duration or not set(duration) <= {"Y", "M", "W", "D"}:
        return None
    if not all(amount.is_integer() for amount in duration.values()):
        return None
    units = {"Y": "years", "M": "months", "W": "weeks", "D": "days"}
    return start + relativedelta(**{units[u]: int(a) for u, a in duration.items()}) - relativedelta(days=1)


def temporal(value: str | None) -> tuple[str | None, str | None]:
    """(start, end) of a DCAT-US ``temporal``: ``start/end`` (dates, datetimes, years or months),
    ``start/duration`` or ``R/start/duration``."""
    if not value:
        return None, None
    parts = [p.strip() for p in value.split("/")]
    if parts and parts[0].upper().startswith("R"):
        parts = parts[1:]
    if len(parts) != 2:
        return None, None
    start = _bound(parts[0], end=False)
    end = _last_day(start, _duration(parts[1])) if parts[1].upper().startswith("P") else _bound(parts[1], end=True)
    return (start.isoformat() if start else None), (end.isoformat() if end else None)


def geometry(value: Any) -> str | None:
    """GeoJSON of a ``spatial`` that is a geometry: a bounding box ``west,south,east,north`` or GeoJSON
    (object or text). A place name or a gazetteer URI is not a geometry: ``None``."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("{"):
            try:
                value = json.loads(text)
            except ValueError:
                return None
        else:
            numbers = re.fullmatch(r"\s*(-?[\d.]+)\s*,\s*(-?[\d.]+)\s*,\s*(-?[\d.]+)\s*,\s*(-?[\d.]+)\s*", text)
            if not numbers:
                return None
            try:
                west, south, east, north = map(float, numbers.groups())
            except ValueError:
                return None
            if west == east and south == north:
                value = {"type": "Point", "coordinates": [west, south]}
            else:
                ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
                value = {"type": "Polygon", "coordinates": [ring]}
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    if isinstance(value, dict) and isinstance(value.get("type"), str) and "coordinates" in value:
        return json.dumps(value, separators=(",", ":"))
    if isinstance(value, dict) and value.get("type") == "GeometryCollection":
        return json.dumps(value, separators=(",", ":"))
    return None


def provenance(dataset: Mapping[str, Any], source_url: str, unknown_license: str | None, level: str | None) -> str:
    """Where the record comes from, and what of the source's terms the fields could not hold."""
    page = _str(dataset, "landingPage") or _str(dataset, "identifier")
    lines = [f"Cosechado del catálogo data.json {source_url}: {page}"]
    if unknown_license:
        lines.append(f"Licencia declarada en la fuente (no reconocida): {unknown_license}")
    if level and level != "public":
        lines.append(f"Nivel de acceso en la fuente: {level}")
    rights = _str(dataset, "rights")
    if rights:
        lines.append(f"Derechos y restricciones de acceso: {rights}")
    return "\n\n".join(lines)


def resources(dataset: Mapping[str, Any], modified: str | None) -> list[dict[str, Any]]:
    """The distributions (and the data dictionary, ``describedBy``) as resources updated on ``modified``."""
    out = []
    distributions = dataset.get("distribution")
    for distribution in distributions if isinstance(distributions, list) else []:
        if isinstance(distribution, dict):
            resource = map_distribution(distribution, modified)
            if resource:
                out.append(resource)
    dictionary = _str(dataset, "describedBy")
    if dictionary:
        out.append(
            _clean(
                {
                    "name": "Diccionario de datos",
                    "url": dictionary,
                    "format": mapping.format_of(_str(dataset, "describedByType"), dictionary),
                    "fecha_actualizacion": modified,
                    "tipo_recurso": "documento",
                }
            )
        )
    return out


def map_distribution(distribution: Mapping[str, Any], modified: str | None) -> dict[str, Any] | None:
    """A DCAT-US distribution as a resource; ``None`` when it has no URL at all."""
    download = _str(distribution, "downloadURL")
    url = download or _str(distribution, "accessURL")
    if not url:
        return None
    fmt = mapping.format_of(_str(distribution, "format")) or mapping.format_of(_str(distribution, "mediaType"), url)
    resource = {
        "name": _str(distribution, "title") or fmt or url,
        "url": url,
        "description": _str(distribution, "description"),
        "format": fmt,
        "fecha_actualizacion": modified,
    }
    if not download:  # indirect access: an API, a map service or a landing page
        resource["tipo_recurso"] = "servicio"
    elif fmt and fmt.upper() in DOCUMENT_FORMATS:
        resource["tipo_recurso"] = "documento"
    return _clean(resource)


def _clean(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v not in (None, "")}

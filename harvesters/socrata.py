"""Harvester of Socrata portals (datos.gov.co first); no upstream harvester exists, so it stands on
ckanext-harvest's ``HarvesterBase``.

Gather: the discovery API ``{url}/api/catalog/v1`` filtered by the source's domain (``dominio``, by default
the host of the source URL), ``busqueda``, ``entidad_publicadora`` (Socrata's attribution), ``categorias``
and asset types (``tipos``, datasets only by default), paged by ``limit``/``offset`` until an empty page or
``resultSetSize`` results. The identifier of a record is its Socrata id ("gt2j-8ykr"). Only the records
whose ``updatedAt`` is newer than the one last imported (kept in the harvest object's
``metadata_modified_date``) become harvest objects, plus every record whose last object did not complete
and all of them after the source's configuration changed. When the listing is complete (every result of
``resultSetSize`` read) it tells which records left the source.

Fetch: ``{url}/api/views/{id}.json``, the view's full metadata (columns and the portal's custom fields).

Mapping (``map_view``), view field → CIM field:

- ``name`` → title; ``description`` → notes; ``tags`` and ``category`` → tag_string;
- ``licenseId`` / ``license.termsLink`` / ``license.name`` → license_id (a licence with no equivalent in the
  portal's list is named in observaciones_calidad, for the review);
- custom fields "Información de Datos": "Frecuencia de Actualización" → periodicidad, "Idioma" → language,
  "Cobertura Geográfica" naming Ibagué (or "Municipal" from an entity of Ibagué) → cobertura_geografica
  ``["municipio"]`` (else the source's default), "URL Documentación" / "URL Normativa" → links in provenance;
- ``rowsUpdatedAt`` (else ``viewLastModified``), a date in Colombia → fecha_corte and the resources'
  fecha_actualizacion;
- ``attribution`` (else "Nombre de la Entidad") → area_dependencia; "Nombre de la Entidad" (else
  ``attribution``) → contact_name; views publish no e-mail: contact_email comes from ``valores_por_defecto``;
- resources: the full export ``/api/views/{id}/rows.csv?accessType=DOWNLOAD`` ("Datos (CSV)", its description
  the "Diccionario de datos" made of ``columns``) and the SODA endpoint ``/resource/{id}.json`` ("API (JSON)",
  a service: it pages by 1,000 rows); a non-tabular asset (chart, map, story) gets its portal page instead;
- provenance: "Cosechado de datos.gov.co: {url}/d/{id}".
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import unicodedata
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple
from urllib.parse import urlencode, urlparse

import ckan.model as model
from ckanext.harvest.harvesters.base import HarvesterBase
from ckanext.harvest.model import HarvestJob, HarvestObject

from ckanext.cimibague import vocabularies
from ckanext.cimibague.harvesters import config as cfg
from ckanext.cimibague.harvesters import http, landing, mapping
from ckanext.cimibague.harvesters.base import CimHarvester, MappingError, Record, loads
from ckanext.cimibague.harvesters.config import SourceConfig
from ckanext.cimibague.site_i18n import gettext as _
from ckanext.cimibague.workflow.machine import N_

__all__ = ["CimSocrataHarvester", "map_view"]

log = logging.getLogger(__name__)

LIMIT = 100  # results per discovery page
# Socrata's asset types (the discovery API's ``only`` values)
ASSET_TYPES = (
    "api", "calendar", "chart", "datalens", "dataset", "federated_href", "file", "filter", "form", "href",
    "link", "map", "measure", "story", "system_dataset", "visualization",
)  # fmt: skip
FOUR_BY_FOUR = re.compile(r"^[a-z0-9]{4}-[a-z0-9]{4}$")
# Colombia has no daylight saving time: Socrata's Unix times become the portal's calendar dates
BOGOTA = dt.timezone(dt.timedelta(hours=-5), "America/Bogota")

ENTIDAD = "Información de la Entidad"
DATOS = "Información de Datos"

# Words of datos.gov.co's "Frecuencia de Actualización" that mapping.frequency does not know
_FREQUENCY = {
    "por demanda": "irregular",
    "a demanda": "irregular",
    "segun demanda": "irregular",
    "cada 30 dias": "mensual",
    "cada mes": "mensual",
    "cada ano": "anual",
    "cada semana": "semanal",
    "cada dia": "diaria",
    "no aplica": None,
}
# Socrata's licenceId, when its name or link is not enough
_LICENCES = {
    "CC0_10": "cc-zero-1.0",
    "PUBLIC_DOMAIN": "cc-zero-1.0",
    "CC_40_BY": "cc-by-4.0",
    "CC_40_BY_SA": "cc-by-sa-4.0",
    "ODBL": "odc-odbl-1.0",
}
# Words of a licence name that restrict what CC BY allows (mapping.license_id reads names loosely)
_RESTRICTED = {
    "nc",
    "nd",
    "noncommercial",
    "noderivs",
    "noderivatives",
    "nocomercial",
    "comercial",
    "derivadas",
    "sinderivadas",
}
_LANGUAGES = {"espanol": "es", "castellano": "es", "spanish": "es", "ingles": "en", "english": "en"}


def _asset_types(value: Any) -> list[str]:
    values = cfg.string_list("tipos")(value)
    for item in values:
        if item not in ASSET_TYPES:
            raise ValueError(
                _(N_("«tipos»: «%(value)s» is not a Socrata asset type; use %(types)s"))
                % {"value": item, "types": ", ".join(ASSET_TYPES)}
            )
    return values


def _plain(value: Any) -> str:
    value = unicodedata.normalize("NFKD", str(value or "")).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", " ", value.lower()).strip()


def _when(value: Any) -> dt.datetime | None:
    """A Socrata time (ISO 8601 text, or Unix seconds) as naive UTC, as ckanext-harvest stores times."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return dt.datetime.fromtimestamp(value, dt.timezone.utc).replace(tzinfo=None)
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(dt.timezone.utc).replace(tzinfo=None) if parsed.tzinfo else parsed


class _Listing(NamedTuple):
    results: list[dict[str, Any]]
    complete: bool  # every result the source counts (resultSetSize) was read


class _Last(NamedTuple):
    modified: dt.datetime | None
    gathered: dt.datetime | None
    done: bool  # its import completed and it was not a removal


class CimSocrataHarvester(CimHarvester, HarvesterBase):
    own_config = {
        "dominio": cfg.text("dominio"),
        "busqueda": cfg.text("busqueda"),
        "entidad_publicadora": cfg.text("entidad_publicadora"),
        "categorias": cfg.string_list("categorias"),
        "tipos": _asset_types,
    }

    def info(self) -> dict[str, Any]:
        return {
            "name": "cimibague_socrata",
            "title": _(N_("Socrata portal (datos.gov.co)")),
            "description": _(
                N_(
                    "Datasets of a Socrata portal such as datos.gov.co (discovery API and views), into the "
                    "source's type and entity"
                )
            ),
            "form_config_interface": "Text",
        }

    # ------------------------------------------------------------------------------------------- gather
    def _discover(self, base: str, config: SourceConfig) -> _Listing:
        url = f"{base}/api/catalog/v1"
        domain = config.get("dominio") or urlparse(base).hostname or ""
        params: dict[str, Any] = {"domains": domain, "search_context": domain, "only": self._types(config)}
        if config.get("busqueda"):
            params["q"] = config.get("busqueda")
        if config.get("entidad_publicadora"):
            params["attribution"] = config.get("entidad_publicadora")
        if config.get("categorias"):
            params["categories"] = config.get("categorias")
        total: list[int | None] = [None]

        def page(number: int) -> tuple[bytes, list[Any]]:
            if total[0] is not None and number * LIMIT >= total[0]:
                return b"", []
            query = {**params, "limit": LIMIT, "offset": number * LIMIT}
            answer = http.get_json(url, config, params=query)
            try:
                results = answer["results"]
                assert isinstance(results, list) and all(isinstance(r, dict) for r in results)
            except (KeyError, TypeError, AssertionError):
                raise http.SourceError(
                    _(N_("The source is not a Socrata discovery API (api/catalog/v1) answer: %(url)s"))
                    % {"url": f"{url}?{urlencode(query, doseq=True)}"}
                ) from None
            size = answer.get("resultSetSize")
            if isinstance(size, int) and not isinstance(size, bool):
                total[0] = size
            # The results, not the raw body: the body's "timings" change at every request
            return json.dumps(results, sort_keys=True).encode(), results

        results = [r for items in http.pages(page, config) for r in items]
        ids = {_guid(r) for r in results} - {None}
        complete = bool(ids) and (total[0] is None or len(ids) >= total[0])
        return _Listing(results, complete)

    @staticmethod
    def _types(config: SourceConfig) -> list[str]:
        return config.get("tipos") or ["dataset"]

    def _last_objects(self, source_id: str) -> dict[str, _Last]:
        """Per identifier, what its newest harvest object of this source says."""
        rows = (
            model.Session.query(
                HarvestObject.guid,
                HarvestObject.metadata_modified_date,
                HarvestObject.gathered,
                HarvestObject.state,
                HarvestObject.report_status,
            )
            .filter(HarvestObject.harvest_source_id == source_id)
            .distinct(HarvestObject.guid)
            .order_by(HarvestObject.guid, HarvestObject.gathered.desc())
            .all()
        )
        return {
            guid: _Last(modified, gathered, state == "COMPLETE" and status != "deleted")
            for guid, modified, gathered, state, status in rows
        }

    def gather_stage(self, harvest_job: HarvestJob) -> list[str] | None:
        source = harvest_job.source
        try:
            config = self.cim_config(source)
        except ValueError as error:
            self.cim_gather_error(harvest_job, str(error))
            return None
        base = source.url.rstrip("/")
        try:
            listing = self._discover(base, config)
        except http.SourceError as error:
            self.cim_gather_error(harvest_job, str(error))
            return None
        types = set(self._types(config))
        wanted = [r for r in listing.results if _guid(r) and (r.get("resource") or {}).get("type") in types]
        skipped = len(listing.results) - len(wanted)
        if skipped:
            log.info("Socrata source %s: %s results skipped (not of the types %s)", base, skipped, sorted(types))
        last = self._last_objects(source.id)
        edited = getattr(model.Package.get(source.id), "metadata_modified", None)
        changed: dict[str, dt.datetime | None] = {}
        for result in wanted:
            guid = _guid(result)
            updated = _when((result.get("resource") or {}).get("updatedAt"))
            previous = last.get(guid)
            if (
                previous is None
                or not previous.done
                or previous.modified is None
                or updated is None
                or updated > previous.modified
                or (edited is not None and previous.gathered is not None and edited > previous.gathered)
            ):
                changed.setdefault(guid, updated)
        records = [Record(guid=_guid(r)) for r in wanted if _guid(r) in changed]
        present = {_guid(r) for r in wanted} if listing.complete else None
        if present is None:
            log.warning("Socrata source %s: incomplete or empty listing, no removal is flagged", base)
        ids = self.cim_objects(harvest_job, records, present=present)
        # Kept on the object for the next gather (the base's Record.modified is not stored)
        for obj in model.Session.query(HarvestObject).filter(HarvestObject.id.in_(ids)).all():
            if obj.guid in changed and not landing.is_removal(obj):
                obj.metadata_modified_date = changed[obj.guid]
        model.Session.commit()
        return ids

    # -------------------------------------------------------------------------------------------- fetch
    def cim_fetch(self, harvest_object: HarvestObject, config: SourceConfig) -> str:
        guid = harvest_object.guid
        if not FOUR_BY_FOUR.match(guid or ""):
            raise MappingError(_(N_("«%(guid)s» is not a Socrata identifier")) % {"guid": guid})
        base = (harvest_object.source or harvest_object.job.source).url.rstrip("/")
        url = f"{base}/api/views/{guid}.json"
        view = http.get_json(url, config)
        if not isinstance(view, dict) or view.get("id") != guid:
            raise MappingError(
                _(N_("The source did not send the Socrata view (api/views) of «%(guid)s»: %(url)s"))
                % {"guid": guid, "url": url}
            )
        return json.dumps(view, ensure_ascii=False)

    # ------------------------------------------------------------------------------------------ mapping
    def cim_map(self, harvest_object: HarvestObject, config: SourceConfig) -> dict[str, Any] | None:
        view = loads(harvest_object.content)
        if not isinstance(view, dict) or view.get("id") != harvest_object.guid:
            raise MappingError(_(N_("The record is not a Socrata view (api/views)")))
        return map_view(view, config, (harvest_object.source or harvest_object.job.source).url.rstrip("/"))


def _guid(result: Mapping[str, Any]) -> str | None:
    resource = result.get("resource")
    guid = resource.get("id") if isinstance(resource, dict) else None
    return guid if isinstance(guid, str) and FOUR_BY_FOUR.match(guid) else None


# ---------------------------------------------------------------------------------------------- mapping
def _section(custom: Mapping[str, Any], name: str) -> dict[str, Any]:
    """A custom-field section by name, whatever its accents or case ("Informacion de Datos")."""
    for key, value in custom.items():
        if _plain(key) == _plain(name) and isinstance(value, dict):
            return {_plain(k): v for k, v in value.items()}
    return {}


def _day(*values: Any) -> str | None:
    """The first Unix time (or ISO date) of ``values`` as a date in Colombia."""
    for value in values:
        if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
            return dt.datetime.fromtimestamp(value, BOGOTA).date().isoformat()
        day = mapping.date(value)
        if day:
            return day
    return None


def _frequency(value: Any) -> str | None:
    plain = _plain(value)
    if plain in _FREQUENCY:
        return _FREQUENCY[plain]
    return mapping.frequency(value)


def _licence(view: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(our licence id, a note naming the source's licence when it has no equivalent here)."""
    licence = view.get("license") if isinstance(view.get("license"), dict) else {}
    name, link = mapping.text(licence.get("name")), mapping.text(licence.get("termsLink"))
    found = _LICENCES.get(str(view.get("licenseId") or "")) or mapping.license_id(link)
    if not found and name and not _RESTRICTED & set(_plain(name).split()):
        found = mapping.license_id(name)  # a name alike "Creative Commons Attribution" may hide an NC/ND
    if found or not (name or link):
        return found, None
    return None, f"Licencia en la fuente: {' — '.join(v for v in (name, link) if v)}"


def _language(value: Any) -> str | None:
    """es / en / otro for "Español", "Inglés", "Español, Inglés", "Wayuunaiki"…"""
    words = _plain(value).split()
    if not words:
        return None
    return next((_LANGUAGES[w] for w in words if w in _LANGUAGES), "otro")


def _coverage(datos: Mapping[str, Any], entidad: Mapping[str, Any]) -> list[str] | None:
    """["municipio"] when the source says the data covers Ibagué; else nothing (the source's defaults)."""
    municipio = vocabularies.territorio()["municipio"]
    ours = {_plain(municipio["name"]), municipio["code"]}
    coverage = _plain(datos.get(_plain("Cobertura Geográfica")))
    if ours & set(re.findall(r"[a-z0-9]+", coverage)):
        return ["municipio"]
    if coverage == "municipal" and _plain(entidad.get("municipio")) in ours:
        return ["municipio"]
    return None


def _cell(value: Any) -> str:
    return re.sub(r"\s+", " ", str(value or "")).replace("|", "\\|").strip()


def dictionary(columns: Any) -> str | None:
    """The view's columns as a Markdown table (system columns such as ":id" left out)."""
    rows = [
        c for c in columns or [] if isinstance(c, dict) and c.get("fieldName") and not c["fieldName"].startswith(":")
    ]
    if not rows:
        return None
    lines = [
        "**Diccionario de datos**",
        "",
        "| Campo (API) | Nombre | Tipo | Descripción |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| `{_cell(c['fieldName'])}` | {_cell(c.get('name'))} | {_cell(c.get('dataTypeName'))} "
        f"| {_cell(c.get('description'))} |"
        for c in rows
    ]
    return "\n".join(lines)


def _resources(view: Mapping[str, Any], base: str, permalink: str) -> Iterator[dict[str, Any]]:
    guid = view["id"]
    data_day = _day(view.get("rowsUpdatedAt"), view.get("viewLastModified"), view.get("createdAt"))
    if view.get("viewType", "tabular") == "tabular":
        yield {
            "name": "Datos (CSV)",
            "url": f"{base}/api/views/{guid}/rows.csv?accessType=DOWNLOAD",
            "format": "CSV",
            "description": dictionary(view.get("columns")),
            "fecha_actualizacion": data_day,
            "tipo_recurso": "datos",
        }
        yield {
            "name": "API (JSON)",
            "url": f"{base}/resource/{guid}.json",
            "format": "JSON",
            "description": (
                "API SODA de Socrata: entrega 1.000 filas por consulta si no se indica otra cosa; "
                "use los parámetros $limit y $offset (https://dev.socrata.com/docs/queries/)."
            ),
            "fecha_actualizacion": data_day,
            "tipo_recurso": "servicio",
        }
    else:  # charts, maps, stories, links: the portal's page is the resource
        is_map = view.get("viewType") == "geo" or view.get("displayType") in ("map", "intensitymap", "geomap")
        yield {
            "name": f"Ver en {urlparse(base).hostname}",
            "url": permalink,
            "format": "HTML",
            "fecha_actualizacion": _day(view.get("viewLastModified"), view.get("createdAt")),
            "tipo_recurso": "mapa" if is_map else "documento",
        }


def map_view(view: Mapping[str, Any], config: SourceConfig, base: str) -> dict[str, Any]:
    """A Socrata view (``api/views/{id}.json``) as a dataset of the source's CIM type."""
    custom = (view.get("metadata") or {}).get("custom_fields") or {}
    entidad, datos = _section(custom, ENTIDAD), _section(custom, DATOS)
    text = mapping.text
    host = urlparse(base).hostname or base
    permalink = f"{base}/d/{view['id']}"
    nombre_entidad = text(entidad.get(_plain("Nombre de la Entidad")))
    licence, licence_note = _licence(view)
    links = [
        f"- {label}: {url}"
        for label, key in (("Documentación", "URL Documentación"), ("Normativa", "URL Normativa"))
        if (url := text(datos.get(_plain(key)))) and url.startswith(("http://", "https://"))
    ]
    tags = [t for t in view.get("tags") or [] if isinstance(t, str)]
    data: dict[str, Any] = {
        "title": text(view.get("name")),
        "notes": text(view.get("description")),
        "tag_string": mapping.tags([*tags, *([view["category"]] if isinstance(view.get("category"), str) else [])]),
        "license_id": licence,
        "periodicidad": _frequency(datos.get(_plain("Frecuencia de Actualización"))),
        "fecha_corte": _day(view.get("rowsUpdatedAt"), view.get("viewLastModified")),
        "area_dependencia": text(view.get("attribution")) or nombre_entidad,
        "contact_name": nombre_entidad or text(view.get("attribution")),
        "language": _language(datos.get(_plain("Idioma"))),
        "cobertura_geografica": _coverage(datos, entidad),
        "provenance": "\n\n".join([f"Cosechado de {host.removeprefix('www.')}: {permalink}", "\n".join(links)]).strip(),
        "observaciones_calidad": licence_note,
        "resources": [{k: v for k, v in r.items() if v not in (None, "")} for r in _resources(view, base, permalink)],
    }
    return {k: v for k, v in data.items() if v not in (None, "", [])} | {"resources": data["resources"]}

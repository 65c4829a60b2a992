"""Harvester of CKAN portals, on ckanext-harvest's ``CKANHarvester``.

Gather: ``package_search`` paged by ``rows``/``start`` sorted by id (as upstream), filtered by the
source's organization/group filters; after a first complete harvest only the datasets modified since the
last error-free job (``metadata_modified``, an hour of margin) are fetched, and a light listing of ids
(``fl=id``) tells which records left the source. Every request goes through ``http.get`` (timeout, size
limit); a repeated page or too many pages stop the listing.

Mapping (``cim_map``): a field of the target CIM type found in the remote dataset is taken as it is (so
another CIM portal, or any CKAN with ckanext-scheming and the same names, maps whole); the rest from
CKAN's core fields and the usual extras, see ``MAPPING`` in the README.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

from ckanext.harvest.harvesters.ckanharvester import CKANHarvester
from ckanext.harvest.model import HarvestJob, HarvestObject
from ckanext.scheming import helpers as sh

from ckanext.cimibague.harvesters import config as cfg
from ckanext.cimibague.harvesters import http, mapping
from ckanext.cimibague.harvesters.base import CimHarvester, Record, loads
from ckanext.cimibague.harvesters.config import SourceConfig
from ckanext.cimibague.site_i18n import gettext as _
from ckanext.cimibague.workflow.machine import N_

__all__ = ["CimCkanHarvester"]

ROWS = 100
FILTERS = (
    "organizations_filter_include",
    "organizations_filter_exclude",
    "groups_filter_include",
    "groups_filter_exclude",
)


def _extras(remote: dict[str, Any]) -> dict[str, Any]:
    extras = remote.get("extras") or []
    if isinstance(extras, dict):
        return extras
    return {e.get("key"): e.get("value") for e in extras if isinstance(e, dict)}


class CimCkanHarvester(CimHarvester, CKANHarvester):
    own_config = {
        **{key: cfg.string_list(key) for key in FILTERS},
        "api_key": cfg.text("api_key"),
        "force_all": cfg.boolean("force_all"),
        "filas_por_pagina": cfg.integer("filas_por_pagina", 1, 1000),
    }

    def info(self) -> dict[str, Any]:
        return {
            "name": "cimibague_ckan",
            "title": _(N_("CKAN portal")),
            "description": _(N_("Datasets of another CKAN portal (package_search), into the source's type and entity")),
            "form_config_interface": "Text",
        }

    # ------------------------------------------------------------------------------------------- gather
    def _fq(self, config: SourceConfig) -> list[str]:
        fq = []
        if config.get("organizations_filter_include"):
            fq.append(" OR ".join(f"organization:{o}" for o in config.get("organizations_filter_include")))
        fq += [f"-organization:{o}" for o in config.get("organizations_filter_exclude", [])]
        if config.get("groups_filter_include"):
            fq.append(" OR ".join(f"groups:{g}" for g in config.get("groups_filter_include")))
        fq += [f"-groups:{g}" for g in config.get("groups_filter_exclude", [])]
        return fq

    def _search(
        self, base: str, config: SourceConfig, fq: list[str], fl: str | None = None
    ) -> Iterator[dict[str, Any]]:
        url = f"{base}/api/3/action/package_search"
        headers = {"Authorization": config.get("api_key")} if config.get("api_key") else None

        def page(number: int) -> tuple[bytes, list[Any]]:
            rows = config.get("filas_por_pagina", ROWS)
            params = {"rows": rows, "start": number * rows, "sort": "id asc"}
            if fq:
                params["fq"] = " ".join(fq)
            if fl:
                params["fl"] = fl
            body = http.get(url, config, params=params, headers=headers)
            try:
                results = json.loads(body)["result"]["results"]
                assert isinstance(results, list)
            except (ValueError, KeyError, TypeError, AssertionError):
                raise http.SourceError(
                    _(N_("The source is not a CKAN package_search answer: %(url)s"))
                    % {"url": f"{url}?{urlencode(params)}"}
                ) from None
            return body, results

        for results in http.pages(page, config):
            yield from results

    def gather_stage(self, harvest_job: HarvestJob) -> list[str] | None:
        config = self.cim_gather_config(harvest_job)
        if config is None:
            return None
        base = harvest_job.source.url.rstrip("/")
        fq = self._fq(config)
        last = self.last_error_free_job(harvest_job)
        try:
            if last is None or config.get("force_all"):
                changed = list(self._search(base, config, fq))
                present = {d["id"] for d in changed if d.get("id")}
            else:
                since = (last.gather_started - dt.timedelta(hours=1)).isoformat()
                present = {d["id"] for d in self._search(base, config, fq, fl="id") if d.get("id")}
                changed = list(self._search(base, config, [*fq, f"metadata_modified:[{since}Z TO *]"]))
        except http.SourceError as error:
            self.cim_gather_error(harvest_job, str(error))
            return None
        records = (
            Record(guid=d["id"], content=json.dumps(d), modified=d.get("metadata_modified"))
            for d in changed
            if d.get("id") and d.get("type", "dataset") != "harvest"
        )
        return self.cim_objects(harvest_job, records, present=present)

    # ------------------------------------------------------------------------------------------ mapping
    def cim_map(self, harvest_object: HarvestObject, config: SourceConfig) -> dict[str, Any] | None:
        remote = loads(harvest_object.content)
        if not isinstance(remote, dict):
            return None
        return map_dataset(remote, config, harvest_object.source.url.rstrip("/"))


def map_dataset(remote: dict[str, Any], config: SourceConfig, base: str) -> dict[str, Any]:
    """A remote CKAN dataset (package_show form) as a dataset of the source's CIM type."""
    schema = sh.scheming_get_dataset_schema(config.tipo) or {}
    fields = {f["field_name"] for f in schema.get("dataset_fields", [])}
    extras = _extras(remote)
    data: dict[str, Any] = {}
    # Same-named fields (another CIM portal, a CKAN with scheming) are taken as they are
    for name in fields - cfg.RESERVED_FIELDS:
        value = remote.get(name, extras.get(name))
        if value not in (None, "", []):
            data[name] = value
    first = mapping.text
    data["title"] = first(remote.get("title")) or remote.get("name")
    data["name"] = remote.get("name")
    data["notes"] = first(remote.get("notes"))
    data["tag_string"] = mapping.tags(remote.get("tags") or [])
    license_id = mapping.license_id(remote.get("license_id")) or mapping.license_id(remote.get("license_title"))
    license_id = license_id or mapping.license_id(remote.get("license_url"))
    if license_id:
        data["license_id"] = license_id
    else:
        data.pop("license_id", None)
        theirs = mapping.text(remote.get("license_title") or remote.get("license_id") or remote.get("license_url"))
        if theirs and "observaciones_calidad" in fields and not data.get("observaciones_calidad"):
            data["observaciones_calidad"] = f"Licencia en la fuente no reconocida por el portal: {theirs}. Revísela."
    periodicidad = mapping.frequency(
        remote.get("periodicidad")
        or extras.get("frequency")
        or extras.get("accrual_periodicity")
        or extras.get("update_frequency")
        or remote.get("frequency")
    )
    data["periodicidad"] = periodicidad
    data["contact_name"] = first(
        remote.get("contact_name") or remote.get("maintainer") or remote.get("author") or extras.get("contact_name")
    )
    data["contact_email"] = first(
        remote.get("contact_email")
        or remote.get("maintainer_email")
        or remote.get("author_email")
        or extras.get("contact_email")
    )
    for ours, theirs in (("temporal_start", "temporal_start"), ("temporal_end", "temporal_end")):
        value = mapping.date(remote.get(theirs) or extras.get(theirs))
        data[ours] = value
    data["fecha_corte"] = mapping.date(remote.get("fecha_corte")) or mapping.date(remote.get("metadata_modified"))
    if "area_dependencia" in fields and not data.get("area_dependencia"):
        org = remote.get("organization") or {}
        data["area_dependencia"] = first(org.get("title")) if isinstance(org, dict) else None
    if "spatial" in fields or remote.get("spatial") or extras.get("spatial"):
        spatial = remote.get("spatial") or extras.get("spatial")
        if spatial:
            data["spatial"] = spatial if isinstance(spatial, str) else json.dumps(spatial)
    if not data.get("provenance") and "provenance" in fields:
        data["provenance"] = (
            f"Cosechado del portal CKAN {base}: {base}/dataset/{remote.get('name') or remote.get('id')}"
        )
    data["resources"] = [map_resource(r, remote) for r in remote.get("resources") or [] if isinstance(r, dict)]
    return {k: v for k, v in data.items() if v not in (None, "", [])} | {"resources": data["resources"]}


def map_resource(resource: dict[str, Any], remote: dict[str, Any]) -> dict[str, Any]:
    url = mapping.text(resource.get("url"))
    out = {
        "name": mapping.text(resource.get("name")) or mapping.text(resource.get("description")) or url,
        "url": url,
        "description": mapping.text(resource.get("description")),
        "format": mapping.format_of(resource.get("format") or resource.get("mimetype"), url),
        "fecha_actualizacion": mapping.date(
            resource.get("fecha_actualizacion")
            or resource.get("last_modified")
            or resource.get("metadata_modified")
            or resource.get("created")
            or remote.get("metadata_modified")
        ),
    }
    if resource.get("tipo_recurso"):
        out["tipo_recurso"] = resource["tipo_recurso"]
    return {k: v for k, v in out.items() if v not in (None, "")}

"""What every CIM harvester shares, mixed in before the ckanext-harvest harvester it extends:

    class CimCkanHarvester(CimHarvester, CKANHarvester): ...

- ``validate_config``: the common keys of ``config.py`` plus the harvester's ``own_config``;
- ``cim_config(source)``: the parsed configuration;
- ``cim_objects(job, records, present=...)``: harvest objects for a listing, refusing duplicate
  identifiers and flagging the records gone from the source's complete listing;
- ``import_stage``: flags removals, else ``cim_map`` (the harvester's mapping to CIM fields) and
  ``landing.land``; a ``MappingError`` or ``SourceError`` is the object's error.

Being first among the bases, the mixin's ``fetch_stage`` and ``import_stage`` win over the upstream
harvester's (whose imports validate with CKAN's lenient default schema): every record lands through
``landing.land``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

import ckan.model as model
from ckanext.harvest.model import HarvestGatherError, HarvestJob, HarvestObject, HarvestObjectError

from ckanext.cimibague.harvesters import config as cfg
from ckanext.cimibague.harvesters import landing
from ckanext.cimibague.harvesters.http import SourceError
from ckanext.cimibague.site_i18n import gettext as _
from ckanext.cimibague.workflow.machine import N_

__all__ = ["CimHarvester", "MappingError", "Record"]

log = logging.getLogger(__name__)


class MappingError(Exception):
    """A record that cannot become a CIM dataset (its message, in the site language, says why)."""


class Record(NamedTuple):
    guid: str
    content: str | None = None  # what the fetch stage would otherwise download (JSON, XML, …)
    modified: str | None = None  # the source's modification time of the record, when it gives one


class CimHarvester:
    """Mixin: put it first among the bases of a harvester plugin."""

    default_tipo: str | None = None
    own_config: Mapping[str, cfg.Check] = {}

    # ------------------------------------------------------------------------------------ configuration
    def validate_config(self, config: str | None) -> str:
        cfg.parse(config, default_tipo=self.default_tipo, own=self.own_config)
        return config or ""

    def cim_config(self, source: Any) -> cfg.SourceConfig:
        """The source's parsed configuration; kept per configuration text, since every record of a job
        reads it (parsing looks the entity and the node up)."""
        key = (source.id, source.config)
        cached = self._cim_configs.get(key) if hasattr(self, "_cim_configs") else None
        if cached is None:
            cached = cfg.parse(source.config, default_tipo=self.default_tipo, own=self.own_config)
            self._cim_configs = {key: cached}  # only the last source's: a consumer harvests one job at a time
        return cached

    # --------------------------------------------------------------------------------------------- gather
    def cim_gather_error(self, harvest_job: HarvestJob, message: str) -> None:
        HarvestGatherError.create(message, harvest_job)

    def cim_gather_config(self, harvest_job: HarvestJob) -> cfg.SourceConfig | None:
        """The job's source configuration; ``None`` (and a gather error) when it is not valid any more."""
        try:
            return self.cim_config(harvest_job.source)
        except ValueError as error:
            self.cim_gather_error(harvest_job, str(error))
            return None

    def cim_objects(
        self, harvest_job: HarvestJob, records: Iterable[Record], *, present: Iterable[str] | None = None
    ) -> list[str]:
        """Harvest object ids for ``records``. A repeated identifier is a gather error (the first wins).
        ``present``: every identifier the source lists now (its complete catalogue; for a full harvest, the
        records' own): current datasets whose identifier is not in it get a removal object. ``None`` when
        the listing was not complete (nothing is flagged)."""
        objects: list[HarvestObject] = []
        seen: set[str] = set()
        repeated: list[str] = []
        for record in records:
            if not record.guid:
                continue
            if record.guid in seen:
                repeated.append(record.guid)
                continue
            seen.add(record.guid)
            obj = HarvestObject(guid=record.guid, job=harvest_job, content=record.content)
            model.Session.add(obj)
            objects.append(obj)
        model.Session.commit()  # one transaction for the whole listing (was a commit per record)
        ids = [obj.id for obj in objects]
        if repeated:
            self.cim_gather_error(
                harvest_job,
                _(N_("The source lists these identifiers more than once (only the first was harvested): %(ids)s"))
                % {"ids": ", ".join(sorted(set(repeated))[:50])},
            )
        if present is not None:
            ids += landing.removal_objects(harvest_job, set(present) | seen)
        return ids

    # ---------------------------------------------------------------------------------------------- fetch
    def fetch_stage(self, harvest_object: HarvestObject) -> bool | str:
        if landing.is_removal(harvest_object) or harvest_object.content is not None:
            return True
        try:
            harvest_object.content = self.cim_fetch(harvest_object, self.cim_config(harvest_object.source))
        except (SourceError, MappingError, ValueError) as error:
            HarvestObjectError.create(str(error), harvest_object, "Fetch")
            return False
        harvest_object.save()
        return True

    def cim_fetch(self, harvest_object: HarvestObject, config: cfg.SourceConfig) -> str:
        """The record's document, for harvesters whose listing does not carry it."""
        raise NotImplementedError

    # --------------------------------------------------------------------------------------------- import
    def import_stage(self, harvest_object: HarvestObject) -> bool | str:
        if landing.is_removal(harvest_object):
            return landing.flag_removed(harvest_object)
        if not harvest_object.content:
            HarvestObjectError.create(
                _(N_("The record «%(guid)s» arrived empty")) % {"guid": harvest_object.guid}, harvest_object, "Import"
            )
            return False
        try:
            config = self.cim_config(harvest_object.source or harvest_object.job.source)
            package_dict = self.cim_map(harvest_object, config)
        except (MappingError, SourceError, ValueError) as error:
            HarvestObjectError.create(
                _(N_("The record «%(guid)s» could not be mapped: %(error)s"))
                % {"guid": harvest_object.guid, "error": error},
                harvest_object,
                "Import",
            )
            return False
        if package_dict is None:  # the mapping decided to skip the record
            return "unchanged"
        return landing.land(harvest_object, package_dict, config)

    def cim_map(self, harvest_object: HarvestObject, config: cfg.SourceConfig) -> dict[str, Any] | None:
        """The record (``harvest_object.content``) as a dataset dict with CIM field names; ``None`` skips it."""
        raise NotImplementedError


def loads(content: str) -> Any:
    """Parse a stored JSON record; a malformed one is a ``MappingError``."""
    try:
        return json.loads(content)
    except ValueError as error:
        raise MappingError(_(N_("The record is not valid JSON: %(error)s")) % {"error": error}) from None

"""Chained ckanext-harvest actions. ``harvest_source_clear`` (the admin's "Clear" button, and
``harvest_source_delete`` with ``clear``) purges every dataset the source ever created with plain SQL,
past the review workflow: refused while any of them is published (withdraw them first), so that a
published dataset never disappears without its withdrawal being recorded."""

from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Action, Context, DataDict
from ckanext.harvest.model import HarvestObject, HarvestSource

from ckanext.cimibague.workflow import service
from ckanext.cimibague.workflow.machine import N_, PUBLIC_STATES

__all__ = ["harvest_source_clear"]

PUBLISHED_REFUSED = N_(
    "The source has published datasets (%(names)s): withdraw them through the review workflow before clearing it"
)


@tk.chained_action
def harvest_source_clear(up: Action, context: Context, data_dict: DataDict) -> Any:
    source = HarvestSource.get(data_dict.get("id") or "")
    if source is not None:
        packages = (
            model.Session.query(model.Package)
            .join(HarvestObject, HarvestObject.package_id == model.Package.id)
            .filter(HarvestObject.harvest_source_id == source.id)
            .filter(model.Package.state == "active")
            .distinct()
        )
        published = [p.name for p in packages if service.applies(p) and service.state_of(p) in PUBLIC_STATES]
        if published:
            raise tk.ValidationError({"id": [tk._(PUBLISHED_REFUSED) % {"names": ", ".join(sorted(published)[:10])}]})
    return up(context, data_dict)

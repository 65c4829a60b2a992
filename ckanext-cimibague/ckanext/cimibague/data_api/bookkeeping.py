"""The DataStore's own bookkeeping on a resource, let through the workflow's guard.

When a table is created, replaced or dropped, CKAN's DataStore (``datastore_create`` / ``datastore_delete``)
and ckanext-xloader (``set_resource_metadata`` and its ``after_resource_update`` resynchronisation) record it
on the resource with ``resource_patch``: ``datastore_active`` and
``datastore_contains_all_records_of_source_file``. That patch is a ``resource_update`` and so a
``package_update``, which the guard (workflow/guard.py) refuses on a published dataset (and turns into a
pending revision) and on a frozen one (``en_revision``, ``en_socializacion``, ``aprobado``): a table loaded
while a dataset was sent to review would fail half-way.

The exemption is as narrow as it can be: the call comes from code, not from a person (``ignore_auth`` in
the context, which no API request can set, or the site user, whose key only the jobs hold), and it changes
nothing of the resource but those two keys. Anything else a trusted caller changes, and anything any
person changes (a sysadmin included), still meets the guard.
"""

from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.cimibague.workflow import service

__all__ = ["KEYS", "as_workflow", "is_bookkeeping"]

KEYS = frozenset({"datastore_active", "datastore_contains_all_records_of_source_file"})
# What resource_patch drops from the dict it sends (and CKAN recomputes)
_IGNORED = frozenset({"metadata_modified"})


def _trusted(context: Context) -> bool:
    return bool(context.get("ignore_auth")) or (
        bool(context.get("user")) and context.get("user") == tk.config.get("ckan.site_id")
    )


def _current(resource: model.Resource) -> dict[str, Any]:
    """The resource as resource_patch reads it (package_show for update, at the resource's position)."""
    context: Context = {"ignore_auth": True, "for_update": True}  # type: ignore[typeddict-unknown-key]
    pkg = tk.get_action("package_show")(context, {"id": resource.package_id})
    for candidate in pkg["resources"]:
        if candidate["id"] == resource.id:
            return candidate
    return {}


def is_bookkeeping(context: Context, data_dict: DataDict) -> bool:
    """Whether this ``resource_update`` is the DataStore's bookkeeping: a trusted caller changing nothing
    but ``KEYS`` of an existing resource."""
    if not _trusted(context):
        return False
    resource = model.Resource.get(data_dict.get("id") or "")
    if resource is None or resource.state != "active":
        return False
    current = _current(resource)
    if not current:
        return False
    changed = {
        key
        for key in set(current) | set(data_dict)
        if key not in _IGNORED and _norm(current.get(key)) != _norm(data_dict.get(key))
    }
    if data_dict.get("resource_id") == resource.id:  # xloader's set_resource_metadata also stores this echo
        changed.discard("resource_id")
    return changed <= KEYS  # nothing changed at all: as harmless


def _norm(value: Any) -> Any:
    # package_show gives "" and None for the same missing value on some fields
    return None if value == "" else value


def as_workflow(context: Context) -> Context:
    """The context under which the guard lets the update through (as it does the workflow's own), in the
    site user's name when the caller gave none: CKAN's activity stream refuses an update by nobody, and
    xloader drops tables with an empty user (``loader.delete_datastore_resource``)."""
    context = {**context, service.WORKFLOW_CONTEXT: True}  # type: ignore[typeddict-unknown-key]
    if not context.get("user"):
        site_user = tk.get_action("get_site_user")({"ignore_auth": True, "defer_commit": True}, {})
        context["user"] = site_user["name"]
        context.pop("auth_user_obj", None)
    return context  # type: ignore[return-value]

"""Auth functions chained by the ``cimibague_datos`` plugin: the rows of a published dataset's tables, or
of one frozen for review, change only by loading its (approved) files again, never by writing rows.

CKAN lets whoever may update a resource write its DataStore table directly (``datastore_create``,
``datastore_upsert``, ``datastore_delete``, ``datastore_records_delete``; ``force`` passes xloader's
read-only mark): for a published dataset that changed what the public reads without any review. The
loads themselves run with ``ignore_auth`` (no auth function is called); sysadmins pass, as everywhere.
"""

from __future__ import annotations

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import AuthFunction, AuthResult, Context, DataDict

from ckanext.cimibague.data_api.messages import N_
from ckanext.cimibague.workflow import labels, service
from ckanext.cimibague.workflow.guard import LOCKED_STATES
from ckanext.cimibague.workflow.machine import PUBLIC_STATES

__all__ = ["datastore_create", "datastore_delete", "datastore_records_delete", "datastore_upsert"]

ROWS_FROZEN = N_(
    "The dataset is «%(state)s»: the rows of its tables change only by loading its files again, not by writing them"
)


def _frozen(data_dict: DataDict) -> AuthResult | None:
    resource_id = data_dict.get("resource_id") or data_dict.get("id")
    if not resource_id and isinstance(data_dict.get("resource"), dict):
        pkg = model.Package.get(data_dict["resource"].get("package_id") or "")
    else:
        resource = model.Resource.get(resource_id or "")
        pkg = model.Package.get(resource.package_id) if resource is not None else None
    if pkg is None or not service.applies(pkg):
        return None
    state = service.state_of(pkg)
    if state in PUBLIC_STATES or state in LOCKED_STATES:
        return {"success": False, "msg": tk._(ROWS_FROZEN) % {"state": labels.state_label(state)}}
    return None


def _chained(up: AuthFunction, context: Context, data_dict: DataDict) -> AuthResult:
    return _frozen(data_dict) or up(context, data_dict)  # type: ignore[call-arg]


@tk.chained_auth_function
def datastore_create(up: AuthFunction, context: Context, data_dict: DataDict) -> AuthResult:
    return _chained(up, context, data_dict)


@tk.chained_auth_function
def datastore_upsert(up: AuthFunction, context: Context, data_dict: DataDict) -> AuthResult:
    return _chained(up, context, data_dict)


@tk.chained_auth_function
def datastore_delete(up: AuthFunction, context: Context, data_dict: DataDict) -> AuthResult:
    return _chained(up, context, data_dict)


@tk.chained_auth_function
def datastore_records_delete(up: AuthFunction, context: Context, data_dict: DataDict) -> AuthResult:
    return _chained(up, context, data_dict)

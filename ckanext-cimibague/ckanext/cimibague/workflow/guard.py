"""Chained core actions: only the workflow changes a dataset's state and visibility.

- ``package_create``: every new dataset starts in ``recibido`` and private, whatever the caller sent
  (harvesters and ``ckanapi load`` included); the history gets its first row.
- harvest sources (type ``harvest``, outside the workflow) are created and changed only by sysadmins:
  otherwise a node's editor published any title and description at once as a public "source".
- ``package_update`` (and so ``package_patch``, ``package_revise``, the web form and resource changes):
  a different ``estado_flujo`` or ``private`` is refused; the content is frozen while ``en_revision``,
  ``en_socializacion`` and ``aprobado`` (what is approved is what gets published); an edit of a published
  dataset becomes a pending revision.
- ``bulk_update_public`` / ``bulk_update_private``: refused; ``bulk_update_delete`` / ``package_delete``:
  refused for published datasets (withdraw them first).
- resource changes on a published dataset: refused (they would bypass the review); propose them with
  ``package_update``. The DataStore's own bookkeeping (``datastore_active`` set by code when a table is
  loaded or dropped) passes, on published and frozen datasets alike (data_api/bookkeeping.py).
- resource views (``resource_view_create`` / ``update`` / ``delete`` / ``reorder``): refused
  while the dataset is published or frozen; their title, description and configuration (an image URL, a
  text) are shown with the dataset and never pass through ``package_update``. CKAN's own default views
  (created with ``ignore_auth`` by resource_create) are not affected.
"""

from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Action, Context, DataDict

from ckanext.cimibague.data_api import bookkeeping
from ckanext.cimibague.workflow import labels, revisions, service
from ckanext.cimibague.workflow.machine import INITIAL, N_, PUBLIC_STATES, State

__all__ = [
    "bulk_update_delete",
    "bulk_update_private",
    "bulk_update_public",
    "package_create",
    "package_delete",
    "package_resource_reorder",
    "package_update",
    "resource_create",
    "resource_delete",
    "resource_update",
    "resource_view_create",
    "resource_view_delete",
    "resource_view_reorder",
    "resource_view_update",
]


def _by_workflow(context: Context) -> bool:
    return bool(context.get(service.WORKFLOW_CONTEXT))


def _published(pkg: model.Package | None) -> bool:
    return pkg is not None and service.applies(pkg) and service.state_of(pkg) in PUBLIC_STATES


def _visibility_message() -> str:
    return tk._("Visibility changes only through the review workflow (cimibague_workflow_transition)")


HARVEST_SOURCES = N_("Only sysadmins create and change harvest sources")


def _refuse_exempt(context: Context, dataset_type: Any) -> None:
    """Datasets outside the workflow (harvest sources) are public at once: sysadmins only."""
    if dataset_type not in service.EXEMPT_TYPES or _by_workflow(context) or context.get("ignore_auth"):
        return
    user = service.user_of(context)
    if user is None or not user.sysadmin:
        raise tk.NotAuthorized(tk._(HARVEST_SOURCES))


@tk.chained_action
def package_create(up: Action, context: Context, data_dict: DataDict) -> Any:
    _refuse_exempt(context, data_dict.get("type"))
    if not _by_workflow(context) and data_dict.get("type") not in service.EXEMPT_TYPES:
        data_dict = dict(data_dict, private=True)
        data_dict[service.FIELD] = INITIAL.value
    result = up(context, data_dict)
    package_id = result if isinstance(result, str) else result["id"]
    pkg = model.Package.get(package_id)
    if pkg is not None and service.applies(pkg):
        service.record_creation(context, pkg.id)
    return result


@tk.chained_action
def package_update(up: Action, context: Context, data_dict: DataDict) -> Any:
    if _by_workflow(context):
        return up(context, data_dict)
    name_or_id = data_dict.get("id") or data_dict.get("name")
    pkg = model.Package.get(name_or_id) if name_or_id else None
    if pkg is not None and not service.applies(pkg):
        _refuse_exempt(context, pkg.type)
    if pkg is None or not service.applies(pkg):
        return up(context, data_dict)
    state = service.state_of(pkg)
    errors: dict[str, list[str]] = {}
    asked_state = data_dict.get(service.FIELD)
    if asked_state not in (None, "") and asked_state != state.value:
        errors[service.FIELD] = [
            tk._("The state changes only through the review workflow (cimibague_workflow_transition)")
        ]
    asked_private = data_dict.get("private")
    if asked_private not in (None, "") and tk.asbool(asked_private) != pkg.private:
        errors["private"] = [_visibility_message()]
    if errors:
        raise tk.ValidationError(errors)
    data_dict = dict(data_dict, private=pkg.private)
    data_dict[service.FIELD] = state.value
    if state in LOCKED_STATES:
        raise tk.ValidationError({"id": [tk._(LOCKED) % {"state": labels.state_label(state)}]})
    if state in PUBLIC_STATES:
        context["package"] = pkg
        tk.check_access("package_update", context, data_dict)
        return revisions.propose(context, pkg, data_dict)
    return up(context, data_dict)


# What is under review, in socialisation or approved is what gets published: its content is frozen until
# someone asks for adjustments (en_ajuste), so that nobody publishes what was not approved.
LOCKED_STATES = frozenset({State.EN_REVISION, State.EN_SOCIALIZACION, State.APROBADO})
LOCKED = N_(
    "The dataset is «%(state)s»: its content is frozen while it is reviewed and approved; ask for "
    "adjustments to change it"
)


def _refuse_bulk_visibility(context: Context) -> None:
    if not _by_workflow(context):
        raise tk.NotAuthorized(_visibility_message())


@tk.chained_action
def bulk_update_public(up: Action, context: Context, data_dict: DataDict) -> Any:
    _refuse_bulk_visibility(context)
    return up(context, data_dict)


@tk.chained_action
def bulk_update_private(up: Action, context: Context, data_dict: DataDict) -> Any:
    _refuse_bulk_visibility(context)
    return up(context, data_dict)


def _refuse_published(context: Context, pkg: model.Package | None, message: str) -> None:
    if not _by_workflow(context) and _published(pkg):
        raise tk.ValidationError({"id": [message % {"name": pkg.name}]})  # type: ignore[union-attr]


WITHDRAW_FIRST = N_("The dataset «%(name)s» is published: withdraw it through the review workflow first")
PROPOSE_INSTEAD = N_(
    "The dataset «%(name)s» is published: its resources change through a proposed revision "
    "(edit the dataset), not directly"
)


@tk.chained_action
def bulk_update_delete(up: Action, context: Context, data_dict: DataDict) -> Any:
    for package_id in data_dict.get("datasets") or []:
        _refuse_published(context, model.Package.get(package_id), tk._(WITHDRAW_FIRST))
    return up(context, data_dict)


@tk.chained_action
def package_delete(up: Action, context: Context, data_dict: DataDict) -> Any:
    _refuse_published(context, model.Package.get(data_dict.get("id") or ""), tk._(WITHDRAW_FIRST))
    return up(context, data_dict)


def _resource_package(data_dict: DataDict) -> model.Package | None:
    resource = model.Resource.get(data_dict.get("id") or "")
    return model.Package.get(resource.package_id) if resource is not None else None


@tk.chained_action
def resource_create(up: Action, context: Context, data_dict: DataDict) -> Any:
    _refuse_published(context, model.Package.get(data_dict.get("package_id") or ""), tk._(PROPOSE_INSTEAD))
    return up(context, data_dict)


@tk.chained_action
def resource_update(up: Action, context: Context, data_dict: DataDict) -> Any:
    if bookkeeping.is_bookkeeping(context, data_dict):  # the DataStore marking a table loaded or dropped
        return up(bookkeeping.as_workflow(context), data_dict)
    _refuse_published(context, _resource_package(data_dict), tk._(PROPOSE_INSTEAD))
    return up(context, data_dict)


@tk.chained_action
def resource_delete(up: Action, context: Context, data_dict: DataDict) -> Any:
    _refuse_published(context, _resource_package(data_dict), tk._(PROPOSE_INSTEAD))
    return up(context, data_dict)


@tk.chained_action
def package_resource_reorder(up: Action, context: Context, data_dict: DataDict) -> Any:
    _refuse_published(context, model.Package.get(data_dict.get("id") or ""), tk._(PROPOSE_INSTEAD))
    return up(context, data_dict)


VIEWS_FROZEN = N_(
    "The dataset «%(name)s» is «%(state)s»: its resource views change only while it is prepared or "
    "adjusted (withdraw it or ask for adjustments first)"
)


def _refuse_view_change(context: Context, resource_id: str | None) -> None:
    """Refuse a direct change of a resource view of a published or frozen dataset (not CKAN's internal
    calls with ``ignore_auth``, which create the default views of new resources)."""
    if _by_workflow(context) or context.get("ignore_auth"):
        return
    resource = model.Resource.get(resource_id or "")
    pkg = model.Package.get(resource.package_id) if resource is not None else None
    if pkg is None or not service.applies(pkg):
        return
    state = service.state_of(pkg)
    if state in PUBLIC_STATES or state in LOCKED_STATES:
        raise tk.ValidationError({"id": [tk._(VIEWS_FROZEN) % {"name": pkg.name, "state": labels.state_label(state)}]})


def _view_resource_id(data_dict: DataDict) -> str | None:
    view = model.ResourceView.get(data_dict.get("id") or "")
    return view.resource_id if view is not None else None


@tk.chained_action
def resource_view_create(up: Action, context: Context, data_dict: DataDict) -> Any:
    _refuse_view_change(context, data_dict.get("resource_id"))
    return up(context, data_dict)


@tk.chained_action
def resource_view_update(up: Action, context: Context, data_dict: DataDict) -> Any:
    _refuse_view_change(context, _view_resource_id(data_dict))
    return up(context, data_dict)


@tk.chained_action
def resource_view_delete(up: Action, context: Context, data_dict: DataDict) -> Any:
    _refuse_view_change(context, _view_resource_id(data_dict))
    return up(context, data_dict)


@tk.chained_action
def resource_view_reorder(up: Action, context: Context, data_dict: DataDict) -> Any:
    _refuse_view_change(context, data_dict.get("id"))
    return up(context, data_dict)

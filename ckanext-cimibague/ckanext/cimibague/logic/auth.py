"""Auth functions of ckanext-cimibague."""

from __future__ import annotations

import ckan.authz as authz
import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import AuthFunction, AuthResult, Context, DataDict

from ckanext.cimibague.planning import solicitudes
from ckanext.cimibague.workflow import service
from ckanext.cimibague.workflow.machine import N_

__all__ = [
    "cimibague_entity_scorecard",
    "cimibague_request_cancel",
    "cimibague_request_create",
    "cimibague_request_list",
    "cimibague_request_respond",
    "cimibague_request_show",
    "cimibague_request_update",
    "cimibague_vocabulary_list",
    "cimibague_vocabulary_show",
    "cimibague_workflow_comment",
    "cimibague_workflow_history",
    "cimibague_workflow_queue",
    "cimibague_workflow_revision_decide",
    "cimibague_workflow_revision_list",
    "cimibague_workflow_status",
    "cimibague_workflow_transition",
    "package_collaborator_list",
    "package_show",
]


@tk.auth_allow_anonymous_access
def cimibague_vocabulary_list(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": True}


@tk.auth_allow_anonymous_access
def cimibague_vocabulary_show(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": True}


def _refused(message: str) -> AuthResult:
    return {"success": False, "msg": tk._(message)}


def _staff(context: Context, data_dict: DataDict) -> bool:
    """A member (any capacity) of the dataset's node."""
    pkg = service.get_package(data_dict.get("id"))
    return service.role_of(service.user_of(context), pkg) is not None


@tk.auth_allow_anonymous_access
def cimibague_workflow_status(context: Context, data_dict: DataDict) -> AuthResult:
    """Whoever may read the dataset."""
    return authz.is_authorized("package_show", context, {"id": data_dict.get("id")})


@tk.auth_allow_anonymous_access
def cimibague_workflow_history(context: Context, data_dict: DataDict) -> AuthResult:
    """Whoever may read the dataset (the action shows the public only publication dates)."""
    return authz.is_authorized("package_show", context, {"id": data_dict.get("id")})


def cimibague_workflow_transition(context: Context, data_dict: DataDict) -> AuthResult:
    """The node's editors and administrators (the action checks each step against the procedure)."""
    pkg = service.get_package(data_dict.get("id"))
    if service.role_of(service.user_of(context), pkg) in ("editor", "admin"):
        return {"success": True}
    return _refused(N_("Only the node's editors and administrators move datasets through the procedure"))


def cimibague_workflow_comment(context: Context, data_dict: DataDict) -> AuthResult:
    """The node's members, and the sector actors while the socialisation lasts."""
    pkg = service.get_package(data_dict.get("id"))
    user = service.user_of(context)
    if service.role_of(user, pkg) is not None or service.is_actor(user, pkg):
        return {"success": True}
    return _refused(N_("Only the node's staff and the dataset's sector actors leave observations"))


def cimibague_workflow_queue(context: Context, data_dict: DataDict) -> AuthResult:
    """Any logged-in user (each sees only their own nodes' datasets)."""
    return {"success": True}


def cimibague_workflow_revision_list(context: Context, data_dict: DataDict) -> AuthResult:
    if _staff(context, data_dict):
        return {"success": True}
    return _refused(N_("Only the node's staff see proposed changes"))


def cimibague_workflow_revision_decide(context: Context, data_dict: DataDict) -> AuthResult:
    """The node's administrators (the action also refuses the proposer)."""
    pkg = service.get_package(data_dict.get("id"))
    if service.role_of(service.user_of(context), pkg) == "admin":
        return {"success": True}
    return _refused(N_("Only the node's administrators decide on proposed changes"))


# ------------------------------------------------------------------------------------------ planning


def _request_node(data_dict: DataDict) -> str:
    return solicitudes.get(data_dict.get("id")).owner_org


def cimibague_request_create(context: Context, data_dict: DataDict) -> AuthResult:
    """The editors and administrators of the node that asks (of some node, before one is chosen)."""
    user = service.user_of(context)
    nodes = solicitudes.node_ids_of(user, "manage")
    given = data_dict.get("owner_org")
    node = model.Group.get(given) if given else None
    if nodes is None or (node is not None and node.id in nodes) or (not given and nodes):
        return {"success": True}
    return _refused(solicitudes.REFUSED_WRITE)


def _manage_request(context: Context, data_dict: DataDict) -> AuthResult:
    if solicitudes.may(service.user_of(context), _request_node(data_dict), "manage"):
        return {"success": True}
    return _refused(solicitudes.REFUSED_WRITE)


def cimibague_request_update(context: Context, data_dict: DataDict) -> AuthResult:
    return _manage_request(context, data_dict)


def cimibague_request_respond(context: Context, data_dict: DataDict) -> AuthResult:
    return _manage_request(context, data_dict)


def cimibague_request_cancel(context: Context, data_dict: DataDict) -> AuthResult:
    return _manage_request(context, data_dict)


def cimibague_request_show(context: Context, data_dict: DataDict) -> AuthResult:
    """The members (any capacity) of the request's node."""
    if solicitudes.may(service.user_of(context), _request_node(data_dict)):
        return {"success": True}
    return _refused(solicitudes.REFUSED_READ)


def _node_staff(context: Context) -> bool:
    nodes = solicitudes.node_ids_of(service.user_of(context))
    return nodes is None or bool(nodes)


def cimibague_request_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Members of some node (each sees only their nodes' requests)."""
    if _node_staff(context):
        return {"success": True}
    return _refused(solicitudes.REFUSED_READ)


def cimibague_entity_scorecard(context: Context, data_dict: DataDict) -> AuthResult:
    """Members of some node."""
    if _node_staff(context):
        return {"success": True}
    return _refused(N_("Only the CIM's staff see the entity scorecard"))


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def package_show(up: AuthFunction, context: Context, data_dict: DataDict) -> AuthResult:
    """CKAN's check (permission labels), refusing without naming the dataset: CKAN's message gives its id,
    also to whoever asked by name (see workflow/leaks.py)."""
    result = up(context, data_dict)  # type: ignore[call-arg]
    if not result.get("success"):
        return _refused(N_("Not authorized to read this dataset"))
    return result


@tk.chained_auth_function
def package_collaborator_list(up: AuthFunction, context: Context, data_dict: DataDict) -> AuthResult:
    """CKAN's check, after refusing callers without an account: CKAN's asserts the user exists and so
    answered anonymous callers with an error 500 for existing datasets (404 for others)."""
    if service.user_of(context) is None:
        return _refused(N_("Not authorized to read this dataset"))
    return up(context, data_dict)  # type: ignore[call-arg]

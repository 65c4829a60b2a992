"""Actions of the review-and-approval workflow (``cimibague_workflow_*``)."""

from __future__ import annotations

from typing import Any

import ckan.authz as authz
import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan.types import Context, DataDict

from ckanext.cimibague.workflow import revisions, service
from ckanext.cimibague.workflow.machine import State
from ckanext.cimibague.workflow.model import Revision

__all__ = [
    "cimibague_workflow_comment",
    "cimibague_workflow_history",
    "cimibague_workflow_queue",
    "cimibague_workflow_revision_decide",
    "cimibague_workflow_revision_list",
    "cimibague_workflow_revision_show",
    "cimibague_workflow_status",
    "cimibague_workflow_transition",
]

PUBLIC_EVENTS = frozenset({State.PUBLICADO.value, State.RETIRADO.value})
# States whose next step is nobody's in particular: a published dataset, and one returned to its entity.
NOT_WAITING = frozenset({State.PUBLICADO, State.DEVUELTO})


def _package(data_dict: DataDict) -> model.Package:
    return service.get_package(data_dict.get("id") or data_dict.get("name"))


def _user(context: Context) -> model.User:
    user = service.user_of(context)
    if user is None:
        raise tk.NotAuthorized(tk._("You must log in"))
    return user


def cimibague_workflow_transition(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Move a dataset to another state of the CIM procedure, leaving a record in its history.

    The dataset is private until ``publicado``, public while ``publicado`` and private again when
    ``retirado``. Who may make each step depends on the user's role in the dataset's node (see the
    README's transition table); nobody approves what they sent to review themselves.

    :param id: the id or name of the dataset
    :type id: string
    :param to: the target state: ``recibido``, ``en_revision``, ``en_georreferenciacion``,
        ``en_socializacion``, ``en_ajuste``, ``aprobado``, ``publicado``, ``retirado`` or ``devuelto``
    :type to: string
    :param comment: the observation of this step (required to return, ask for adjustments, reopen and
        withdraw)
    :type comment: string
    :param attachment: (optional) a document of the step: an uploaded file (multipart/form-data) or an
        http(s) URL
    :type attachment: file or string
    :param actores: (only with ``to=en_socializacion``) the user names of the sector actors who may read
        the dataset and leave observations while the socialisation lasts
    :type actores: list of strings or comma-separated string

    :returns: the dataset's new status (as :py:func:`cimibague_workflow_status`)
    :rtype: dictionary
    """
    pkg = _package(data_dict)
    tk.check_access("cimibague_workflow_transition", context, {"id": pkg.id})
    target = data_dict.get("to")
    if not target:
        raise tk.ValidationError({"to": [tk._("Missing value")]})
    return service.transition(
        _user(context),
        pkg,
        target,
        comment=data_dict.get("comment"),
        attachment=data_dict.get("attachment") or data_dict.get("attachment_upload") or data_dict.get("attachment_url"),
        actors=data_dict.get("actores"),
    )


@tk.side_effect_free
def cimibague_workflow_status(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The dataset's state in the CIM procedure and the steps the calling user may take from it.

    :param id: the id or name of the dataset
    :type id: string

    :returns: ``state``, ``state_label``, ``private``, ``role`` (the caller's role in the node),
        ``transitions`` (each with ``to``, ``label`` and ``comment_required``) and
        ``pending_revisions`` (proposed changes of a published dataset waiting for review)
    :rtype: dictionary
    """
    pkg = _package(data_dict)
    tk.check_access("cimibague_workflow_status", context, {"id": pkg.id})
    return service.status(service.user_of(context), pkg)


@tk.side_effect_free
def cimibague_workflow_history(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """The dataset's history in the procedure, oldest first: one entry per step, observation and
    revision decision (``actor``, ``created``, ``kind``, ``from_state``, ``to_state``, ``comment``,
    ``attachment_url``). The CIM's staff and the sector actors see it all; the public sees only the dates
    of publication and withdrawal.

    :param id: the id or name of the dataset
    :type id: string

    :rtype: list of dictionaries
    """
    pkg = _package(data_dict)
    tk.check_access("cimibague_workflow_history", context, {"id": pkg.id})
    events = service.history(pkg)
    if authz.is_authorized("cimibague_workflow_comment", context, {"id": pkg.id})["success"]:
        return events
    return [
        {"created": e["created"], "kind": e["kind"], "to_state": e["to_state"]}
        for e in events
        if e["kind"] == "transicion" and e["to_state"] in PUBLIC_EVENTS
    ]


@tk.side_effect_free
def cimibague_workflow_queue(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """The datasets waiting for the calling user: those of the user's nodes (every node for sysadmins) in
    a state from which the user may take a step (published and returned datasets excluded), and the
    published ones with a proposed change the user may decide on. Oldest first.

    :returns: ``id``, ``name``, ``title``, ``type``, ``organization``, ``state``, ``state_label``,
        ``since`` (when it reached that state), ``transitions`` and ``pending_revisions``
    :rtype: list of dictionaries
    """
    tk.check_access("cimibague_workflow_queue", context, data_dict)
    user = _user(context)
    query = model.Session.query(model.Package).filter(model.Package.state == "active")
    if not user.sysadmin:
        orgs = tk.get_action("organization_list_for_user")(
            {"user": user.name}, {"id": user.id, "permission": "update_dataset"}
        )
        query = query.filter(model.Package.owner_org.in_([o["id"] for o in orgs] or [""]))
    # Only candidates leave the database: datasets in a waiting state (or private ones from before the
    # workflow, which count as recibido) and published ones with a pending revision.
    state = model.Package.extras[service.FIELD].astext
    waiting_states = [s.value for s in State if s not in NOT_WAITING]
    with_revision = sa.select(Revision.package_id).where(Revision.status == "pendiente")
    query = query.filter(
        model.Package.type.notin_(service.EXEMPT_TYPES),
        sa.or_(
            state.in_(waiting_states),
            sa.and_(state.is_(None), model.Package.private.is_(True)),
            model.Package.id.in_(with_revision),
        ),
    )
    waiting = []
    for pkg in query:
        state = service.state_of(pkg)
        item = service.status(user, pkg)
        admin = user.sysadmin or item["role"] == "admin"
        if (state in NOT_WAITING or not item["transitions"]) and not (item["pending_revisions"] and admin):
            continue
        since = service.state_since(pkg)
        waiting.append(
            {
                **item,
                "title": pkg.title,
                "type": pkg.type,
                "organization": pkg.owner_org and model.Group.get(pkg.owner_org).name,
                "since": since.isoformat() if since else None,
            }
        )
    waiting.sort(key=lambda d: d["since"] or "")
    return waiting


def cimibague_workflow_comment(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Record an observation on a dataset without changing its state (CIM staff of the node, and sector
    actors while the socialisation lasts).

    :param id: the id or name of the dataset
    :type id: string
    :param comment: the observation
    :type comment: string
    :param attachment: (optional) an uploaded file or an http(s) URL
    :type attachment: file or string

    :returns: the new history entry
    :rtype: dictionary
    """
    pkg = _package(data_dict)
    tk.check_access("cimibague_workflow_comment", context, {"id": pkg.id})
    return service.comment(
        _user(context),
        pkg,
        data_dict.get("comment"),
        data_dict.get("attachment") or data_dict.get("attachment_upload") or data_dict.get("attachment_url"),
    )


@tk.side_effect_free
def cimibague_workflow_revision_list(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """The changes proposed to a published dataset (pending first), with their field-by-field diff.

    :param id: the id or name of the dataset
    :type id: string
    :param status: (optional) only revisions in this status: ``pendiente``, ``aprobada``, ``rechazada``,
        ``reemplazada`` or ``anulada`` (closed when the dataset was withdrawn)
    :type status: string

    :rtype: list of dictionaries
    """
    pkg = _package(data_dict)
    tk.check_access("cimibague_workflow_revision_list", context, {"id": pkg.id})
    query = model.Session.query(Revision).filter(Revision.package_id == pkg.id)
    if data_dict.get("status"):
        query = query.filter(Revision.status == data_dict["status"])
    found = sorted(query, key=lambda r: (r.status != "pendiente", -r.created.timestamp()))
    return [revisions.revision_dict(r, with_diff=r.status == "pendiente") for r in found]


@tk.side_effect_free
def cimibague_workflow_revision_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """One proposed change of a published dataset, with its field-by-field diff against the published
    version and the proposed data.

    :param id: the id or name of the dataset
    :type id: string
    :param revision_id: the revision
    :type revision_id: string

    :rtype: dictionary
    """
    pkg = _package(data_dict)
    tk.check_access("cimibague_workflow_revision_list", context, {"id": pkg.id})
    revision = revisions.get(pkg, data_dict.get("revision_id") or "")
    return dict(revisions.revision_dict(revision), data=revision.data)


def cimibague_workflow_revision_decide(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Approve (apply to the published dataset) or reject a proposed change. The node's administrators
    and sysadmins decide; nobody approves their own proposal.

    :param id: the id or name of the dataset
    :type id: string
    :param revision_id: the revision
    :type revision_id: string
    :param decision: ``aprobar`` or ``rechazar``
    :type decision: string
    :param comment: why (required to reject)
    :type comment: string

    :rtype: dictionary
    """
    pkg = _package(data_dict)
    tk.check_access("cimibague_workflow_revision_decide", context, {"id": pkg.id})
    decision = data_dict.get("decision")
    if decision not in ("aprobar", "rechazar"):
        raise tk.ValidationError({"decision": [tk._("Choose «aprobar» or «rechazar»")]})
    revision = revisions.get(pkg, data_dict.get("revision_id") or "")
    return revisions.decide(_user(context), pkg, revision, decision == "aprobar", data_dict.get("comment"))

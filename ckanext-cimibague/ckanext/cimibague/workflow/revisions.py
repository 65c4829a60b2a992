"""Pending revisions: a change proposed to a published dataset waits for review while the public keeps
seeing the published version. Approving applies it (with package_update); rejecting keeps a comment.
Every proposal and decision is in the history."""

from __future__ import annotations

import datetime
import json
from typing import Any

import ckan.lib.plugins as lib_plugins
import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from ckanext.cimibague.workflow import notify, service
from ckanext.cimibague.workflow.machine import N_, PUBLIC_STATES, State
from ckanext.cimibague.workflow.model import Revision

__all__ = ["IGNORED", "close_on_withdrawal", "decide", "diff", "get", "pending", "propose", "revision_dict"]

# Fields that change on every save or are the workflow's own: never part of a proposal's diff.
IGNORED = frozenset(
    {
        "id",
        "metadata_created",
        "metadata_modified",
        "revision_id",
        "state",
        "creator_user_id",
        "num_resources",
        "num_tags",
        "organization",
        "relationships_as_object",
        "relationships_as_subject",
        "private",
        "type",
        service.FIELD,
    }
)
UPLOAD_REFUSED = N_(
    "The files of a published dataset cannot be replaced directly: propose a link, or withdraw the dataset first"
)
# A proposal changes the published content, never where the dataset lives or whether it exists: those
# fields are hidden from the diff (IGNORED), so an approval would apply them unseen.
MOVE_REFUSED = N_("A proposed change cannot move a published dataset to another node: withdraw it first")
STATE_REFUSED = N_("A proposed change cannot delete a published dataset or make it a draft: withdraw it first")
NOT_PUBLISHED = N_(
    "The dataset is no longer published: this proposed change cannot be applied (reject it, or change "
    "the dataset through the review workflow)"
)
RESOURCE_IGNORED = frozenset({"id", "package_id", "created", "metadata_modified", "position", "last_modified"})


def _has_upload(data_dict: dict[str, Any]) -> bool:
    return any(isinstance(v, FileStorage) for r in data_dict.get("resources") or [] for v in r.values())


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(data, default=str))


def pending(pkg: model.Package) -> list[Revision]:
    query = (
        select(Revision)
        .where(Revision.package_id == pkg.id, Revision.status == "pendiente")
        .order_by(Revision.created.desc())
    )
    return list(model.Session.execute(query).scalars())


def get(pkg: model.Package, revision_id: str) -> Revision:
    revision = model.Session.get(Revision, revision_id)
    if revision is None or revision.package_id != pkg.id:
        raise tk.ObjectNotFound(tk._("Revision not found"))
    return revision


def revision_dict(revision: Revision, with_diff: bool = True) -> dict[str, Any]:
    proposer = model.User.get(revision.proposed_by) if revision.proposed_by else None
    decider = model.User.get(revision.decided_by) if revision.decided_by else None
    result: dict[str, Any] = {
        "id": revision.id,
        "package_id": revision.package_id,
        "created": revision.created.isoformat(),
        "proposed_by": proposer.name if proposer else None,
        "status": revision.status,
        "decided_by": decider.name if decider else None,
        "decided": revision.decided.isoformat() if revision.decided else None,
        "comment": revision.comment,
    }
    if with_diff:
        pkg = model.Package.get(revision.package_id)
        result["diff"] = diff(pkg, revision.data) if pkg else []
    return result


def close_on_withdrawal(pkg: model.Package) -> int:
    """A withdrawn dataset's pending proposals can no longer be applied: they are closed (``anulada``)."""
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    closed = pending(pkg)
    for revision in closed:
        revision.status = "anulada"
        revision.decided = now
    return len(closed)


def propose(context: Context, pkg: model.Package, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Store ``data_dict`` (a package_update of a published dataset) as the pending revision, once it is
    valid. Returns the published dataset as it stays, with ``cimibague_revision`` naming the proposal."""
    if _has_upload(data_dict):
        raise tk.ValidationError({"resources": [tk._(UPLOAD_REFUSED)]})
    plugin = lib_plugins.lookup_package_plugin(pkg.type)
    validate_context = dict(context, package=pkg)
    _, errors = lib_plugins.plugin_validate(
        plugin, validate_context, dict(data_dict), plugin.update_package_schema(), "package_update"
    )
    if errors:
        raise tk.ValidationError(errors)
    _refuse_hidden_changes(pkg, data_dict)
    user = service.user_of(context)
    proposal = _jsonable({k: v for k, v in data_dict.items() if k not in ("private", "state", service.FIELD)})
    if "resources" not in proposal:
        proposal["resources"] = _current(pkg).get("resources", [])
    if not diff(pkg, proposal):
        return _current(pkg)
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    for older in pending(pkg):
        older.status = "reemplazada"
        older.decided = now
    revision = Revision(package_id=pkg.id, proposed_by=user.id if user else None, status="pendiente", data=proposal)
    model.Session.add(revision)
    model.Session.flush()
    service.record(
        pkg.id,
        user.id if user else None,
        "revision_propuesta",
        from_state=State.PUBLICADO,
        data={"revision": revision.id},
    )
    if not context.get("defer_commit"):
        model.repo.commit()
    notify.revision_proposed(pkg, user)
    result = _current(pkg)
    result["cimibague_revision"] = {"id": revision.id, "status": "pendiente"}
    return result


def _refuse_hidden_changes(pkg: model.Package, data_dict: dict[str, Any]) -> None:
    """A proposal may not move the dataset to another node nor change its CKAN ``state`` (deleted,
    draft): the diff does not show them and approving would delete or hand over a published dataset."""
    owner = data_dict.get("owner_org")
    if owner not in (None, ""):
        group = model.Group.get(owner)
        if group is None or group.id != pkg.owner_org:
            raise tk.ValidationError({"owner_org": [tk._(MOVE_REFUSED)]})
    if data_dict.get("state") not in (None, "", pkg.state):
        raise tk.ValidationError({"state": [tk._(STATE_REFUSED)]})


def _current(pkg: model.Package) -> dict[str, Any]:
    return tk.get_action("package_show")({"ignore_auth": True, "for_view": False}, {"id": pkg.id})


def _normal(value: Any) -> Any:
    if value in (None, "", [], {}):
        return None
    if isinstance(value, list) and value and isinstance(value[0], dict) and "name" in value[0] and len(value[0]) <= 5:
        return sorted(str(v.get("name")) for v in value)  # tags, groups
    if isinstance(value, (list, dict)):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return str(value).strip()


def _tag_set(value: Any) -> list[str] | None:
    if isinstance(value, list):
        value = ",".join(str(v) for v in value)
    names = sorted({t.strip() for t in str(value or "").split(",") if t.strip()})
    return names or None


def _labels(pkg: model.Package) -> dict[str, str]:
    try:
        schema = tk.h.scheming_get_dataset_schema(pkg.type) or {}
    except (AttributeError, RuntimeError):
        schema = {}
    lang = tk.h.lang() if tk.request else "es"
    result = {}
    for field in schema.get("dataset_fields", []):
        label = field.get("label", field["field_name"])
        result[field["field_name"]] = label.get(lang) or label.get("es") if isinstance(label, dict) else label
    return result


def diff(pkg: model.Package, proposal: dict[str, Any]) -> list[dict[str, Any]]:
    """Field by field: what the proposal changes in the published dataset."""
    current = _current(pkg)
    labels = _labels(pkg)
    changes = []
    if "tag_string" in proposal and "tag_string" not in current:
        # package_show gives the keywords as ``tags``; forms and harvesters send ``tag_string``
        current["tag_string"] = ",".join(t["name"] for t in current.get("tags") or [])
    for field in sorted(set(proposal) | set(current)):
        if field in IGNORED or field == "resources" or field not in proposal:
            continue
        before, after = _normal(current.get(field)), _normal(proposal.get(field))
        if field == "tag_string":
            before, after = _tag_set(current.get(field)), _tag_set(proposal.get(field))
        if before != after:
            changes.append({"field": field, "label": labels.get(field, field), "before": before, "after": after})
    old = current.get("resources") or []
    new = proposal.get("resources") or []
    for index in range(max(len(old), len(new))):
        a = old[index] if index < len(old) else {}
        b = new[index] if index < len(new) else {}
        for key in sorted((set(a) | set(b)) - RESOURCE_IGNORED):
            if key not in b and b:
                continue
            before, after = _normal(a.get(key)), _normal(b.get(key))
            if before != after:
                name = b.get("name") or a.get("name") or str(index + 1)
                changes.append(
                    {
                        "field": f"resources.{index}.{key}",
                        "label": f"{tk._('Resource')} «{name}»: {key}",
                        "before": before,
                        "after": after,
                    }
                )
    return changes


def decide(
    user: model.User, pkg: model.Package, revision: Revision, approve: bool, comment: str | None
) -> dict[str, Any]:
    """Approve (apply) or reject a pending revision. Only the node's admins and sysadmins decide, never
    the proposer (unless self-approval is allowed). A revision is applied only while the dataset is
    published (one left pending when it was withdrawn would otherwise change it under review or after its
    approval), and only to its content: the dataset, its node, state and visibility stay as they are."""
    if revision.status != "pendiente":
        raise tk.ValidationError({"revision": [tk._("This revision was already decided")]})
    if approve and service.state_of(pkg) not in PUBLIC_STATES:
        raise tk.ValidationError({"revision": [tk._(NOT_PUBLISHED)]})
    if not (user.sysadmin or service.role_of(user, pkg) == "admin"):
        raise tk.NotAuthorized(tk._("Only the node's administrators decide on proposed changes"))
    allow_self = tk.config.get("ckanext.cimibague.workflow.allow_self_approval")
    if approve and not allow_self and revision.proposed_by == user.id:
        raise tk.NotAuthorized(tk._("Nobody may approve a change they proposed themselves"))
    if not approve and not (comment or "").strip():
        raise tk.ValidationError({"comment": [tk._("Say why the change is rejected")]})
    if approve:
        data = dict(revision.data, id=pkg.id, private=pkg.private, owner_org=pkg.owner_org, state=pkg.state)
        data[service.FIELD] = service.state_of(pkg).value
        # Not defer_commit: CKAN 2.12's package_update then rolls its savepoint back (and skips the index).
        context = {"user": user.name, "ignore_auth": True, service.WORKFLOW_CONTEXT: True}
        tk.get_action("package_update")(context, data)
    revision.status = "aprobada" if approve else "rechazada"
    revision.decided_by = user.id
    revision.decided = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    revision.comment = (comment or "").strip() or None
    service.record(
        pkg.id,
        user.id,
        "revision_aprobada" if approve else "revision_rechazada",
        from_state=service.state_of(pkg),
        comment=comment,
        data={"revision": revision.id},
    )
    model.repo.commit()
    proposer = model.User.get(revision.proposed_by) if revision.proposed_by else None
    if proposer:
        notify.revision_decided(pkg, proposer, user, approve, comment)
    return revision_dict(revision, with_diff=False)

"""The workflow applied to CKAN datasets: where the state lives, who the user is in the dataset's node,
the history, and the one place where a dataset's state and visibility change (``transition``).

The state is the dataset field ``estado_flujo`` (a scheming field stored as an extra); ``private`` always
follows it: public only while ``publicado``. Both are written only here, with ``WORKFLOW_CONTEXT`` in the
context; the chained actions of ``guard.py`` refuse every other attempt.
"""

from __future__ import annotations

import logging
from typing import Any

import ckan.authz as authz
import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.model.types import make_uuid
from ckan.types import Context
from sqlalchemy import select

from ckanext.cimibague.workflow import attachments, labels, notify
from ckanext.cimibague.workflow.machine import (
    INITIAL,
    NEEDS_COMMENT,
    PUBLIC_STATES,
    State,
    allowed_transitions,
    decide,
    find,
)
from ckanext.cimibague.workflow.model import Actor, Event, Revision

__all__ = [
    "EXEMPT_TYPES",
    "FIELD",
    "KINDS",
    "WORKFLOW_CONTEXT",
    "active_actor_package_ids",
    "applies",
    "comment",
    "get_package",
    "history",
    "is_actor",
    "last_submitter",
    "record",
    "record_creation",
    "role_of",
    "state_of",
    "state_since",
    "status",
    "transition",
    "user_of",
]

log = logging.getLogger(__name__)

FIELD = "estado_flujo"
WORKFLOW_CONTEXT = "cimibague_workflow"
EXEMPT_TYPES = frozenset({"harvest"})  # ckanext-harvest's sources are datasets of this type
KINDS = (
    "creado",
    "transicion",
    "observacion",
    "revision_propuesta",
    "revision_aprobada",
    "revision_rechazada",
    "eliminado_en_fuente",  # harvesters: the record left its source (harvesters/landing.py)
)


def applies(pkg: model.Package) -> bool:
    """Whether the workflow governs this dataset (every CIM type; not harvest sources)."""
    return pkg.type not in EXEMPT_TYPES


def state_of(pkg: model.Package) -> State:
    """The dataset's state. Datasets created before the workflow existed have none: a public one counts as
    ``publicado``, a private one as ``recibido``."""
    value = (pkg.extras or {}).get(FIELD)
    try:
        return State(value)
    except ValueError:
        return INITIAL if pkg.private else State.PUBLICADO


def get_package(id_or_name: str | None) -> model.Package:
    pkg = model.Package.get(id_or_name) if id_or_name else None
    if pkg is None or pkg.state == "deleted" or not applies(pkg):
        raise tk.ObjectNotFound(tk._("Dataset not found"))
    return pkg


def user_of(context: Context) -> model.User | None:
    user = context.get("auth_user_obj")
    if isinstance(user, model.User):
        return user
    return model.User.get(context.get("user") or "") if context.get("user") else None


def role_of(user: model.User | None, pkg: model.Package) -> str | None:
    """The user's capacity (member, editor, admin) in the dataset's node; None for non-members."""
    if user is None or not pkg.owner_org:
        return None
    return authz.users_role_for_group_or_org(pkg.owner_org, user.name)


def is_actor(user: model.User | None, pkg: model.Package) -> bool:
    """Whether the user is a sector actor of this dataset's socialisation, while it lasts."""
    if user is None or state_of(pkg) is not State.EN_SOCIALIZACION:
        return False
    query = select(Actor.id).where(Actor.package_id == pkg.id, Actor.user_id == user.id, Actor.active.is_(True))
    return model.Session.execute(query).first() is not None


def active_actor_package_ids(user_id: str) -> list[str]:
    query = select(Actor.package_id).where(Actor.user_id == user_id, Actor.active.is_(True)).distinct()
    return list(model.Session.execute(query).scalars())


def last_submitter(package_id: str) -> str | None:
    """The id of the user who last sent the dataset to review."""
    query = (
        select(Event.actor_id)
        .where(Event.package_id == package_id, Event.kind == "transicion", Event.to_state == State.EN_REVISION)
        .order_by(Event.created.desc())
        .limit(1)
    )
    return model.Session.execute(query).scalar()


def record(
    package_id: str,
    actor_id: str | None,
    kind: str,
    *,
    from_state: str | None = None,
    to_state: str | None = None,
    comment: str | None = None,
    attachment: tuple[str, str] | None = None,
    data: dict[str, Any] | None = None,
    event_id: str | None = None,
) -> Event:
    """Add a row to the history (committed with the caller's transaction)."""
    event = Event(
        package_id=package_id,
        actor_id=actor_id,
        kind=kind,
        from_state=from_state,
        to_state=to_state,
        comment=(comment or "").strip() or None,
        attachment_url=attachment[0] if attachment else None,
        attachment_name=attachment[1] if attachment else None,
        data=data,
    )
    if event_id:
        event.id = event_id
    model.Session.add(event)
    return event


def history(pkg: model.Package) -> list[dict[str, Any]]:
    query = select(Event).where(Event.package_id == pkg.id).order_by(Event.created, Event.id)
    return [event.as_dict() for event in model.Session.execute(query).scalars()]


def state_since(pkg: model.Package) -> Any:
    """When the dataset reached its current state (None if the history does not say)."""
    query = (
        select(Event.created)
        .where(
            Event.package_id == pkg.id, Event.to_state == state_of(pkg).value, Event.kind.in_(("creado", "transicion"))
        )
        .order_by(Event.created.desc())
        .limit(1)
    )
    return model.Session.execute(query).scalar()


def _allow_self_approval() -> bool:
    return tk.config.get("ckanext.cimibague.workflow.allow_self_approval")


def status(user: model.User | None, pkg: model.Package) -> dict[str, Any]:
    """The dataset's state and the steps this user may take from it."""
    state = state_of(pkg)
    role = role_of(user, pkg)
    sysadmin = bool(user and user.sysadmin)
    steps = (
        allowed_transitions(
            state,
            role=role,
            sysadmin=sysadmin,
            user=user.id if user else None,
            last_submitter=last_submitter(pkg.id),
            allow_self_approval=_allow_self_approval(),
        )
        if user
        else []
    )
    pending = model.Session.execute(
        select(Revision.id).where(Revision.package_id == pkg.id, Revision.status == "pendiente")
    ).all()
    return {
        "id": pkg.id,
        "name": pkg.name,
        "state": state.value,
        "state_label": labels.state_label(state),
        "private": pkg.private,
        "role": "sysadmin" if sysadmin else role,
        "transitions": [
            {
                "to": step.target.value,
                "label": labels.step_label(step.source, step.target),
                "comment_required": step.comment_required,
            }
            for step in steps
        ],
        "pending_revisions": len(pending),
    }


def _workflow_context(user: model.User | None) -> Context:
    return {"user": user.name if user else "", "ignore_auth": True, WORKFLOW_CONTEXT: True}  # type: ignore[typeddict-unknown-key]


def _actors(names: Any) -> list[model.User]:
    if names in (None, "", []):
        return []
    if isinstance(names, str):
        names = [n.strip() for n in names.replace("\n", ",").split(",")]
    users, unknown = [], []
    for name in names:
        if not name:
            continue
        found = model.User.get(name)
        if found is None or found.state != "active":
            unknown.append(name)
        else:
            users.append(found)
    if unknown:
        raise tk.ValidationError({"actores": [tk._("Unknown users: %s") % ", ".join(unknown)]})
    return users


def transition(
    user: model.User,
    pkg: model.Package,
    target: str,
    *,
    comment: str | None = None,
    attachment: Any = None,
    actors: Any = None,
) -> dict[str, Any]:
    """Move the dataset to ``target`` if the procedure and the user's role allow it; record it, change the
    dataset's visibility with it and notify whoever must act next. Raises ValidationError / NotAuthorized
    with the reason (in the user's language)."""
    source = state_of(pkg)
    if target not in State.__members__.values():
        raise tk.ValidationError({"to": [tk._("Unknown state: %s") % target]})
    step = find(source, target)
    if step is None:
        raise tk.ValidationError(
            {
                "to": [
                    tk._("The procedure has no step from «%s» to «%s»")
                    % (labels.state_label(source), labels.state_label(target))
                ]
            }
        )
    decision = decide(
        source,
        target,
        role=role_of(user, pkg),
        sysadmin=user.sysadmin,
        user=user.id,
        last_submitter=last_submitter(pkg.id),
        allow_self_approval=_allow_self_approval(),
        comment=comment,
    )
    if not decision:
        if decision.reason == NEEDS_COMMENT:
            raise tk.ValidationError({"comment": [tk._(decision.reason)]})
        raise tk.NotAuthorized(tk._(decision.reason or "Not authorized"))
    new_actors = _actors(actors) if target == State.EN_SOCIALIZACION else []
    if actors and target != State.EN_SOCIALIZACION:
        raise tk.ValidationError({"actores": [tk._("Sector actors are named only when socialisation opens")]})

    event_id = make_uuid()
    stored = attachments.save(pkg.id, event_id, attachment)
    record(
        pkg.id,
        user.id,
        "transicion",
        from_state=source,
        to_state=target,
        comment=comment,
        attachment=stored,
        data={"actores": [u.name for u in new_actors]} if new_actors else None,
        event_id=event_id,
    )
    if source == State.EN_SOCIALIZACION:
        for actor in model.Session.execute(
            select(Actor).where(Actor.package_id == pkg.id, Actor.active.is_(True))
        ).scalars():
            actor.active = False
    for actor in new_actors:
        model.Session.add(Actor(package_id=pkg.id, user_id=actor.id, event_id=event_id, active=True))
    if source == State.PUBLICADO:
        from ckanext.cimibague.workflow import revisions  # revisions imports this module

        revisions.close_on_withdrawal(pkg)
    tk.get_action("package_patch")(
        _workflow_context(user), {"id": pkg.id, FIELD: target, "private": target not in PUBLIC_STATES}
    )
    pkg = model.Package.get(pkg.id)
    notify.transition_made(pkg, user, source, State(target), comment, new_actors)
    return status(user, pkg)


def comment(user: model.User, pkg: model.Package, text: str | None, attachment: Any = None) -> dict[str, Any]:
    """Record an observation without changing the state."""
    if not (text or "").strip():
        raise tk.ValidationError({"comment": [tk._("Write the observation")]})
    event_id = make_uuid()
    stored = attachments.save(pkg.id, event_id, attachment)
    event = record(
        pkg.id, user.id, "observacion", from_state=state_of(pkg), comment=text, attachment=stored, event_id=event_id
    )
    model.repo.commit()
    return event.as_dict()


def record_creation(context: Context, package_id: str) -> None:
    """The first row of a new dataset's history (``recibido``)."""
    user = user_of(context)
    record(package_id, user.id if user else None, "creado", to_state=INITIAL)
    if not context.get("defer_commit"):
        model.repo.commit()

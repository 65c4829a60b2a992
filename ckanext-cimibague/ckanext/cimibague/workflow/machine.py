"""The workflow's state machine: states, transitions and who may make each one. Pure: no CKAN calls.

Roles are the CKAN capacities in the dataset's node: ``editor`` is the Profesional Universitario (receives,
loads, adjusts, publishes what is approved), ``admin`` the Profesional Especializado (reviews, sends to
socialisation, asks for adjustments, approves); sysadmins (Dirección) may make every transition. Nobody
approves what they sent to review themselves, unless ``allow_self_approval`` is set.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "INITIAL",
    "NEEDS_COMMENT",
    "PUBLIC_STATES",
    "STATES",
    "TRANSITIONS",
    "Decision",
    "Role",
    "State",
    "Transition",
    "allowed_transitions",
    "decide",
    "find",
]


class State(StrEnum):
    RECIBIDO = "recibido"
    EN_REVISION = "en_revision"
    EN_GEORREFERENCIACION = "en_georreferenciacion"
    EN_SOCIALIZACION = "en_socializacion"
    EN_AJUSTE = "en_ajuste"
    APROBADO = "aprobado"
    PUBLICADO = "publicado"
    RETIRADO = "retirado"
    DEVUELTO = "devuelto"


class Role(StrEnum):
    MEMBER = "member"
    EDITOR = "editor"
    ADMIN = "admin"


STATES: tuple[State, ...] = tuple(State)
INITIAL = State.RECIBIDO
PUBLIC_STATES = frozenset({State.PUBLICADO})

EDITORS = frozenset({Role.EDITOR, Role.ADMIN})
ADMINS = frozenset({Role.ADMIN})


@dataclass(frozen=True)
class Transition:
    source: State
    target: State
    roles: frozenset[Role]
    comment_required: bool = False

    @property
    def is_approval(self) -> bool:
        return self.target is State.APROBADO


S = State
TRANSITIONS: tuple[Transition, ...] = (
    Transition(S.RECIBIDO, S.EN_REVISION, EDITORS),
    Transition(S.RECIBIDO, S.DEVUELTO, ADMINS, comment_required=True),
    Transition(S.EN_REVISION, S.DEVUELTO, ADMINS, comment_required=True),
    Transition(S.DEVUELTO, S.RECIBIDO, EDITORS),
    Transition(S.EN_REVISION, S.EN_AJUSTE, ADMINS, comment_required=True),
    Transition(S.EN_REVISION, S.EN_GEORREFERENCIACION, ADMINS),
    Transition(S.EN_GEORREFERENCIACION, S.EN_REVISION, EDITORS),
    Transition(S.EN_REVISION, S.EN_SOCIALIZACION, ADMINS),
    Transition(S.EN_SOCIALIZACION, S.EN_AJUSTE, ADMINS, comment_required=True),
    Transition(S.EN_AJUSTE, S.EN_REVISION, EDITORS),
    Transition(S.EN_REVISION, S.APROBADO, ADMINS),
    Transition(S.EN_SOCIALIZACION, S.APROBADO, ADMINS),
    Transition(S.APROBADO, S.PUBLICADO, EDITORS),
    Transition(S.APROBADO, S.EN_AJUSTE, ADMINS, comment_required=True),
    Transition(S.PUBLICADO, S.RETIRADO, ADMINS, comment_required=True),
    Transition(S.RETIRADO, S.EN_REVISION, EDITORS),
)
_BY_PAIR = {(t.source, t.target): t for t in TRANSITIONS}


def find(source: str, target: str) -> Transition | None:
    """The transition from ``source`` to ``target``, or None when the procedure has no such step."""
    try:
        return _BY_PAIR.get((State(source), State(target)))
    except ValueError:
        return None


def N_(text: str) -> str:
    """Marks a msgid for extraction; translated where it is shown."""
    return text


NEEDS_COMMENT = N_("This step needs a comment")


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str | None = None  # an English msgid, translated by the caller

    def __bool__(self) -> bool:
        return self.allowed


def decide(
    source: str,
    target: str,
    *,
    role: str | None,
    sysadmin: bool = False,
    user: str | None = None,
    last_submitter: str | None = None,
    allow_self_approval: bool = False,
    comment: str | None = None,
) -> Decision:
    """May this user move a dataset from ``source`` to ``target``? With the reason when not.

    ``role`` is the user's capacity in the dataset's node (None for non-members); ``last_submitter`` the
    user who last sent the dataset to review (from the history).
    """
    transition = find(source, target)
    if transition is None:
        return Decision(False, N_("The procedure has no step from this state to that one"))
    if not sysadmin and role not in transition.roles:
        return Decision(False, N_("Your role in this node cannot make this step"))
    if transition.is_approval and not allow_self_approval and user and user == last_submitter:
        return Decision(False, N_("Nobody may approve a dataset they sent to review themselves"))
    if transition.comment_required and not (comment or "").strip():
        return Decision(False, NEEDS_COMMENT)
    return Decision(True)


def allowed_transitions(
    source: str,
    *,
    role: str | None,
    sysadmin: bool = False,
    user: str | None = None,
    last_submitter: str | None = None,
    allow_self_approval: bool = False,
) -> list[Transition]:
    """The steps this user may take from ``source`` (a comment is assumed where one is required)."""
    return [
        t
        for t in TRANSITIONS
        if t.source == source
        and decide(
            t.source,
            t.target,
            role=role,
            sysadmin=sysadmin,
            user=user,
            last_submitter=last_submitter,
            allow_self_approval=allow_self_approval,
            comment="-",
        )
    ]

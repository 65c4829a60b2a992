"""The workflow's state machine against the transition table of the procedure (Workflow issue)."""

from __future__ import annotations

import itertools

import pytest

from ckanext.cimibague.workflow import machine
from ckanext.cimibague.workflow.machine import STATES, decide

pytestmark = pytest.mark.unit

E, A = {"editor", "admin"}, {"admin"}
# (from, to): roles that may, comment required — the table of the Workflow issue, written out again on purpose
TABLE = {
    ("recibido", "en_revision"): (E, False),
    ("recibido", "devuelto"): (A, True),
    ("en_revision", "devuelto"): (A, True),
    ("devuelto", "recibido"): (E, False),
    ("en_revision", "en_ajuste"): (A, True),
    ("en_revision", "en_georreferenciacion"): (A, False),
    ("en_georreferenciacion", "en_revision"): (E, False),
    ("en_revision", "en_socializacion"): (A, False),
    ("en_socializacion", "en_ajuste"): (A, True),
    ("en_ajuste", "en_revision"): (E, False),
    ("en_revision", "aprobado"): (A, False),
    ("en_socializacion", "aprobado"): (A, False),
    ("aprobado", "publicado"): (E, False),
    ("aprobado", "en_ajuste"): (A, True),
    ("publicado", "retirado"): (A, True),
    ("retirado", "en_revision"): (E, False),
}
ROLES = [None, "member", "editor", "admin"]


def test_every_pair_of_states_for_every_role():
    wrong = []
    for source, target in itertools.permutations([s.value for s in STATES], 2):
        rule = TABLE.get((source, target))
        for role in ROLES:
            decision = decide(source, target, role=role, user="ana", last_submitter="luis", comment="observación")
            if bool(decision) is not (rule is not None and role in rule[0]):
                wrong.append((source, target, role, decision.reason))
        sysadmin = decide(source, target, role=None, sysadmin=True, user="ana", last_submitter="luis", comment="ok")
        if bool(sysadmin) is not (rule is not None):
            wrong.append((source, target, "sysadmin", sysadmin.reason))
    assert wrong == []


@pytest.mark.parametrize(("pair", "rule"), TABLE.items())
def test_comment_required_where_the_procedure_asks_for_it(pair, rule):
    _roles, needs_comment = rule
    role = "admin"
    without = decide(*pair, role=role, user="ana", last_submitter="luis", comment="  ")
    assert bool(without) is not needs_comment
    if needs_comment:
        assert without.reason == "This step needs a comment"


@pytest.mark.parametrize("source", ["en_revision", "en_socializacion"])
def test_nobody_approves_their_own_submission(source):
    for kwargs in ({"role": "admin"}, {"role": None, "sysadmin": True}):
        refused = decide(source, "aprobado", user="ana", last_submitter="ana", **kwargs)
        assert not refused and refused.reason == "Nobody may approve a dataset they sent to review themselves"
        assert decide(source, "aprobado", user="ana", last_submitter="ana", allow_self_approval=True, **kwargs)
        assert decide(source, "aprobado", user="ana", last_submitter="luis", **kwargs)


def test_new_datasets_start_received_and_only_published_ones_are_public():
    assert machine.INITIAL == "recibido"
    assert {"publicado"} == machine.PUBLIC_STATES


def test_allowed_transitions_lists_what_the_user_may_do():
    targets = {t.target for t in machine.allowed_transitions("en_revision", role="admin", user="a", last_submitter="b")}
    assert targets == {"devuelto", "en_ajuste", "en_georreferenciacion", "en_socializacion", "aprobado"}
    assert [t.target for t in machine.allowed_transitions("en_revision", role="editor")] == []
    assert {t.target for t in machine.allowed_transitions("aprobado", role="editor")} == {"publicado"}


def test_unknown_states_are_refused():
    assert not decide("borrador", "publicado", role="admin", sysadmin=True)
    assert not decide("recibido", "publicado", role="admin", sysadmin=True)  # no skipping review


def test_unknown_roles_are_refused_not_crashing():
    assert not decide("recibido", "en_revision", role="colaborador")

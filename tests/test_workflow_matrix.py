"""Authorization matrix: every role × every transition of the procedure, through the HTTP API.

The allowed steps succeed; the rest fail with a Spanish message. Expectations come from the issue's
table, written out here independently of workflow/machine.py."""

from __future__ import annotations

import datetime

import ckan.model as model
import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest

from ckanext.cimibague.workflow.model import Actor
from ckanext.cimibague.workflow.service import record
from tests.cim_data import dataset, nodes_and_entity

EDITORS = {"editor", "admin", "sysadmin"}
ADMINS = {"admin", "sysadmin"}
TABLE = [
    ("recibido", "en_revision", EDITORS),
    ("recibido", "devuelto", ADMINS),
    ("en_revision", "devuelto", ADMINS),
    ("devuelto", "recibido", EDITORS),
    ("en_revision", "en_ajuste", ADMINS),
    ("en_revision", "en_georreferenciacion", ADMINS),
    ("en_georreferenciacion", "en_revision", EDITORS),
    ("en_revision", "en_socializacion", ADMINS),
    ("en_socializacion", "en_ajuste", ADMINS),
    ("en_ajuste", "en_revision", EDITORS),
    ("en_revision", "aprobado", ADMINS),
    ("en_socializacion", "aprobado", ADMINS),
    ("aprobado", "publicado", EDITORS),
    ("aprobado", "en_ajuste", ADMINS),
    ("publicado", "retirado", ADMINS),
    ("retirado", "en_revision", EDITORS),
]
STATES = sorted({s for row in TABLE for s in row[:2]})
ROLES = ["anonymous", "member", "editor", "admin", "sysadmin", "other_admin", "actor"]
SPANISH_REFUSALS = (
    "Solo los editores y administradores del nodo mueven conjuntos por el procedimiento",
    "Su rol en este nodo no puede dar este paso",
    "El procedimiento no tiene un paso de",
)


@pytest.fixture(scope="module")
def _cache() -> dict:
    return {}


@pytest.fixture
def site(_cache, reset_site_db, reset_index):
    """One database for the module, set up at its first test (once the plugins are loaded); each attempt
    puts the dataset back in the state it needs."""
    if not _cache:
        _cache.update(_setup(reset_site_db, reset_index))
    return _cache


def _setup(reset_site_db, reset_index) -> dict:
    reset_site_db()
    reset_index()
    org, entidad = nodes_and_entity()
    other = factories.Organization(name="otro-nodo")
    users = {role: factories.UserWithToken(name=f"u-{role.replace('_', '-')}") for role in ROLES[1:]}
    users["sysadmin"] = factories.SysadminWithToken(name="u-direccion")
    for role in ("member", "editor", "admin"):
        helpers.call_action("organization_member_create", id=org["id"], username=users[role]["name"], role=role)
    helpers.call_action(
        "organization_member_create", id=other["id"], username=users["other_admin"]["name"], role="admin"
    )
    submitter = factories.User(name="quien-envia")
    pkg = helpers.call_action(
        "package_create", context={"user": users["sysadmin"]["name"]}, **dataset("indicador", org, entidad)
    )
    return {"pkg": pkg, "users": users, "submitter": submitter}


def _put_in(site, state: str) -> None:
    model.Session.remove()
    pkg = model.Package.get(site["pkg"]["id"])
    pkg.extras = dict(pkg.extras, estado_flujo=state)
    pkg.private = state != "publicado"
    pkg.metadata_modified = datetime.datetime.utcnow()  # package_show's cached copy is stale now
    # someone else sent it to review, so approving it is not self-approval
    record(pkg.id, site["submitter"]["id"], "transicion", from_state="recibido", to_state="en_revision")
    model.Session.query(Actor).filter(Actor.package_id == pkg.id).delete()
    if state == "en_socializacion":
        actor = model.User.get("u-actor")
        model.Session.add(Actor(package_id=pkg.id, user_id=actor.id, event_id="matrix", active=True))
    model.repo.commit()


@pytest.mark.parametrize("role", ROLES)
def test_every_transition_for_every_role(app, site, role):
    headers = {} if role == "anonymous" else {"Authorization": site["users"][role]["token"]}
    outcomes = {}
    for source, target, allowed_roles in TABLE:
        _put_in(site, source)
        response = app.post(
            "/api/3/action/cimibague_workflow_transition",
            json={"id": site["pkg"]["id"], "to": target, "comment": "Observación del paso"},
            headers=headers,
        )
        body = response.json
        if role in allowed_roles:
            assert response.status_code == 200, (source, target, body)
            assert body["result"]["state"] == target
            assert model.Package.get(site["pkg"]["id"]).private is (target != "publicado")
        else:
            assert response.status_code == 403, (source, target, body)
            message = body["error"]["message"]
            assert any(text in message for text in SPANISH_REFUSALS), message
        outcomes[(source, target)] = response.status_code
    # and steps the procedure does not have are refused to everyone (here: straight to publicado)
    for source in STATES:
        if source in ("aprobado", "publicado"):
            continue
        _put_in(site, source)
        response = app.post(
            "/api/3/action/cimibague_workflow_transition",
            json={"id": site["pkg"]["id"], "to": "publicado"},
            headers=headers,
        )
        assert response.status_code in (403, 409), (source, response.json)
        assert model.Package.get(site["pkg"]["id"]).private is True


def test_self_approval_refused_with_spanish_message(app, site):
    _put_in(site, "en_revision")
    admin = site["users"]["admin"]
    record(site["pkg"]["id"], admin["id"], "transicion", from_state="recibido", to_state="en_revision")
    model.repo.commit()
    response = app.post(
        "/api/3/action/cimibague_workflow_transition",
        json={"id": site["pkg"]["id"], "to": "aprobado"},
        headers={"Authorization": admin["token"]},
    )
    assert response.status_code == 403
    assert "Nadie puede aprobar un conjunto que envió a revisión" in response.json["error"]["message"]


def test_missing_comment_refused_with_spanish_message(app, site):
    _put_in(site, "publicado")
    response = app.post(
        "/api/3/action/cimibague_workflow_transition",
        json={"id": site["pkg"]["id"], "to": "retirado"},
        headers={"Authorization": site["users"]["admin"]["token"]},
    )
    assert response.status_code == 409
    assert "Este paso requiere un comentario" in str(response.json["error"])

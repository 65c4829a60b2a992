"""The workflow's actions against the real database: a dataset walks the procedure through the API."""

from __future__ import annotations

import ckan.model as model
import ckan.plugins.toolkit as tk
import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest

from tests.cim_data import TYPES, call_as, dataset, nodes_and_entity, publish


@pytest.fixture
def node(clean_db, clean_index):
    org, entidad = nodes_and_entity()
    editor = factories.User(name="pu-editor", email="editor@ibague.gov.co")
    admin = factories.User(name="pe-admin", email="admin@ibague.gov.co")
    member = factories.User(name="miembro")
    for user, capacity in ((editor, "editor"), (admin, "admin"), (member, "member")):
        helpers.call_action("organization_member_create", id=org["id"], username=user["name"], role=capacity)
    pkg = call_as("pu-editor", "package_create", **dataset("indicador", org, entidad))
    return {"org": org, "entidad": entidad, "pkg": pkg}


def test_new_dataset_starts_received_and_private(node):
    pkg = node["pkg"]
    assert pkg["estado_flujo"] == "recibido"
    assert pkg["private"] is True
    history = call_as("pu-editor", "cimibague_workflow_history", id=pkg["id"])
    assert [(e["kind"], e["to_state"], e["actor"]) for e in history] == [("creado", "recibido", "pu-editor")]


def test_whole_procedure_through_the_api(node):
    pkg_id = node["pkg"]["id"]
    steps = [
        ("pu-editor", "en_revision", None),
        ("pe-admin", "en_georreferenciacion", None),
        ("pu-editor", "en_revision", None),
        ("pe-admin", "en_socializacion", None),
        ("pe-admin", "en_ajuste", "Ajustar la fórmula"),
        ("pu-editor", "en_revision", None),
        ("pe-admin", "aprobado", None),
        ("pu-editor", "publicado", None),
    ]
    for user, target, comment in steps:
        status = call_as(user, "cimibague_workflow_transition", id=pkg_id, to=target, comment=comment)
        assert status["state"] == target
        shown = helpers.call_action("package_show", id=pkg_id)
        assert shown["estado_flujo"] == target
        assert shown["private"] is (target != "publicado")
    history = call_as("pe-admin", "cimibague_workflow_history", id=pkg_id)
    assert [e["to_state"] for e in history] == ["recibido"] + [s[1] for s in steps]
    assert history[5]["comment"] == "Ajustar la fórmula"
    # withdrawn: private again, comment required
    with pytest.raises(tk.ValidationError):
        call_as("pe-admin", "cimibague_workflow_transition", id=pkg_id, to="retirado")
    call_as("pe-admin", "cimibague_workflow_transition", id=pkg_id, to="retirado", comment="Datos desactualizados")
    assert helpers.call_action("package_show", id=pkg_id)["private"] is True


def test_status_lists_the_callers_steps(node):
    pkg_id = node["pkg"]["id"]
    assert [t["to"] for t in call_as("pu-editor", "cimibague_workflow_status", id=pkg_id)["transitions"]] == [
        "en_revision"
    ]
    assert {t["to"] for t in call_as("pe-admin", "cimibague_workflow_status", id=pkg_id)["transitions"]} == {
        "en_revision",
        "devuelto",
    }
    assert call_as("miembro", "cimibague_workflow_status", id=pkg_id)["transitions"] == []


def test_self_approval_refused(node):
    pkg_id = node["pkg"]["id"]
    call_as("pe-admin", "cimibague_workflow_transition", id=pkg_id, to="en_revision")
    with pytest.raises(tk.NotAuthorized):
        call_as("pe-admin", "cimibague_workflow_transition", id=pkg_id, to="aprobado")
    steps = call_as("pe-admin", "cimibague_workflow_status", id=pkg_id)["transitions"]
    assert "aprobado" not in {t["to"] for t in steps}


@pytest.mark.ckan_config("ckanext.cimibague.workflow.allow_self_approval", "true")
def test_self_approval_allowed_by_config(node):
    pkg_id = node["pkg"]["id"]
    call_as("pe-admin", "cimibague_workflow_transition", id=pkg_id, to="en_revision")
    assert call_as("pe-admin", "cimibague_workflow_transition", id=pkg_id, to="aprobado")["state"] == "aprobado"


def test_comment_and_attachment_url(node):
    pkg_id = node["pkg"]["id"]
    event = call_as(
        "miembro", "cimibague_workflow_comment", id=pkg_id, comment="Falta la fuente", attachment="https://x.gov.co/acta.pdf"
    )
    assert event["kind"] == "observacion" and event["attachment_name"] == "acta.pdf"
    with pytest.raises(tk.ValidationError):
        call_as("miembro", "cimibague_workflow_comment", id=pkg_id, comment="x", attachment="ftp://x/y")


def test_queue(node):
    pkg_id = node["pkg"]["id"]
    assert [d["id"] for d in call_as("pu-editor", "cimibague_workflow_queue")] == [pkg_id]
    call_as("pu-editor", "cimibague_workflow_transition", id=pkg_id, to="en_revision")
    assert call_as("pu-editor", "cimibague_workflow_queue") == []  # waits for an admin now
    assert [d["state"] for d in call_as("pe-admin", "cimibague_workflow_queue")] == ["en_revision"]
    assert call_as("miembro", "cimibague_workflow_queue") == []


def test_publish_helper_walks_every_type(clean_db, clean_index):
    org, entidad = nodes_and_entity()
    for dataset_type in TYPES:
        pkg = call_as(factories.Sysadmin()["name"], "package_create", **dataset(dataset_type, org, entidad))
        assert publish(pkg["id"])["state"] == "publicado"
        assert model.Package.get(pkg["id"]).private is False

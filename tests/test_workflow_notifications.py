"""E-mail to whoever must act next, through CKAN's mailer, received by a real local SMTP server."""

from __future__ import annotations

import time

import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest

from tests.cim_data import call_as, dataset, nodes_and_entity
from tests.smtp_inbox import body_of as _body
from tests.smtp_inbox import free_port as _free_port
from tests.smtp_inbox import subject_of as _subject


@pytest.fixture
def node(clean_db, clean_index):
    org, entidad = nodes_and_entity()
    users = {
        "pu-editor": ("editor", "editor@ibague.gov.co"),
        "pe-admin": ("admin", "admin@ibague.gov.co"),
        "pe-admin2": ("admin", "admin2@ibague.gov.co"),
    }
    for name, (capacity, address) in users.items():
        factories.User(name=name, email=address)
        helpers.call_action("organization_member_create", id=org["id"], username=name, role=capacity)
    factories.User(name="actor-sectorial", email="actor@cortolima.gov.co")
    return call_as("pu-editor", "package_create", **dataset("indicador", org, entidad))


def test_whoever_must_act_next_is_mailed(inbox, node):
    call_as("pu-editor", "cimibague_workflow_transition", id=node["id"], to="en_revision")
    inbox.wait(2)
    assert {m["X-Envelope-To"] for m in inbox.messages} == {"admin@ibague.gov.co", "admin2@ibague.gov.co"}
    assert "En revisión" in _subject(inbox.messages[0])
    assert "pasó el conjunto de datos" in _body(inbox.messages[0])
    assert "/dataset/prueba-indicador" in _body(inbox.messages[0])

    inbox.messages.clear()
    call_as("pe-admin", "cimibague_workflow_transition", id=node["id"], to="en_ajuste", comment="Corregir la meta")
    inbox.wait(1)
    (message,) = inbox.messages
    assert message["X-Envelope-To"] == "editor@ibague.gov.co"
    assert "Corregir la meta" in _body(message)

    call_as("pu-editor", "cimibague_workflow_transition", id=node["id"], to="en_revision")
    inbox.messages.clear()
    call_as(
        "pe-admin", "cimibague_workflow_transition", id=node["id"], to="en_socializacion", actores=["actor-sectorial"]
    )
    inbox.wait(1)
    (message,) = inbox.messages
    assert message["X-Envelope-To"] == "actor@cortolima.gov.co"
    assert "actor sectorial" in _body(message)

    inbox.messages.clear()
    call_as("pe-admin2", "cimibague_workflow_transition", id=node["id"], to="aprobado")
    inbox.wait(1)
    assert [m["X-Envelope-To"] for m in inbox.messages] == ["editor@ibague.gov.co"]
    assert "Aprobado" in _subject(inbox.messages[0])


@pytest.mark.ckan_config("ckanext.cimibague.workflow.notifications", "false")
def test_notifications_can_be_switched_off(inbox, node):
    call_as("pu-editor", "cimibague_workflow_transition", id=node["id"], to="en_revision")
    time.sleep(0.5)
    assert inbox.messages == []


def test_a_mail_server_that_fails_does_not_undo_the_step(ckan_config, monkeypatch, node):
    monkeypatch.setitem(ckan_config, "smtp.server", f"127.0.0.1:{_free_port()}")  # nobody listens
    status = call_as("pu-editor", "cimibague_workflow_transition", id=node["id"], to="en_revision")
    assert status["state"] == "en_revision"

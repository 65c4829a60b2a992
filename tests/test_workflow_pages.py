"""The review workflow through its web pages: the panel on the dataset page, the forms that move a
dataset, observations, attachments, the Pendientes page and proposed changes of published datasets."""

from __future__ import annotations

import io
import re
from typing import Any

import ckan.model as model
import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest

from tests.cim_data import call_as, dataset, nodes_and_entity, publish

pytestmark = pytest.mark.ckan_config("WTF_CSRF_ENABLED", False)


@pytest.fixture
def node(clean_db, clean_index):
    """A node with its editor, admin and member; a sector actor and an admin of another node (with API
    tokens for the web requests); an indicator dataset just received."""
    org, entidad = nodes_and_entity()
    users = {
        "editor": factories.UserWithToken(name="pu-editor", email="editor@ibague.gov.co"),
        "admin": factories.UserWithToken(name="pe-admin", email="admin@ibague.gov.co"),
        "member": factories.UserWithToken(name="miembro"),
        "actor": factories.UserWithToken(name="actor-sector"),
        "other": factories.UserWithToken(name="otro-nodo"),
    }
    for role in ("editor", "admin", "member"):
        helpers.call_action("organization_member_create", id=org["id"], username=users[role]["name"], role=role)
    other = factories.Organization(name="otro-nodo")
    helpers.call_action("organization_member_create", id=other["id"], username="otro-nodo", role="admin")
    pkg = call_as("pu-editor", "package_create", **dataset("indicador", org, entidad))
    return {"org": org, "entidad": entidad, "pkg": pkg, "users": users}


def _auth(node: dict[str, Any], who: str) -> dict[str, str]:
    return {"Authorization": node["users"][who]["token"]}


def _page(app, node, who: str | None, status: int = 200) -> str:
    headers = _auth(node, who) if who else {}
    response = app.get(f"/indicador/{node['pkg']['name']}", headers=headers, status=status)
    return response.get_data(as_text=True)


def _step(app, node, who: str, to: str, **form: Any) -> str:
    """Post a step through the panel's form, as ``who``; the page shown after the redirect."""
    response = app.post(
        f"/dataset/{node['pkg']['name']}/flujo/transicion",
        data={"to": to, **form},
        headers=_auth(node, who),
        follow_redirects=True,
    )
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _state(node) -> str:
    return helpers.call_action("package_show", id=node["pkg"]["id"])["estado_flujo"]


def _buttons(body: str) -> set[str]:
    """The steps offered by the panel (the hidden ``to`` of each form)."""
    return set(re.findall(r'<input type="hidden" name="to" value="([a-z_]+)">', body))


def test_whole_procedure_through_the_web(app, node):
    steps = [
        ("editor", "en_revision", {}),
        ("admin", "en_georreferenciacion", {}),
        ("editor", "en_revision", {}),
        ("admin", "en_socializacion", {"actores": "actor-sector", "comment": "Mesa con el sector"}),
    ]
    for who, to, form in steps:
        body = _step(app, node, who, to, **form)
        assert _state(node) == to
        assert "El conjunto de datos quedó" in body
    # the sector actor reads the dataset and leaves an observation through the form
    body = _page(app, node, "actor")
    assert "En socialización" in body and "Agregar observación" in body
    assert _buttons(body) == set()
    response = app.post(
        f"/dataset/{node['pkg']['name']}/flujo/observacion",
        data={"comment": "Falta desagregar por comuna"},
        headers=_auth(node, "actor"),
        follow_redirects=True,
    )
    assert "Su observación quedó registrada." in response.get_data(as_text=True)
    for who, to, form in [
        ("admin", "en_ajuste", {"comment": "Desagregar por comuna"}),
        ("editor", "en_revision", {}),
        ("admin", "aprobado", {}),
        ("editor", "publicado", {}),
    ]:
        _step(app, node, who, to, **form)
        assert _state(node) == to
    history = call_as("pe-admin", "cimibague_workflow_history", id=node["pkg"]["id"])
    assert [e["kind"] for e in history].count("observacion") == 1
    observation = next(e for e in history if e["kind"] == "observacion")
    assert (observation["actor"], observation["comment"]) == ("actor-sector", "Falta desagregar por comuna")
    # the staff's timeline, in Spanish
    body = _page(app, node, "admin")
    assert "Historial del flujo" in body
    assert "En socialización → En ajuste" in body and "Desagregar por comuna" in body
    assert "Actores sectoriales: actor-sector" in body
    # the public: the publication date, nothing of the staff's work
    body = _page(app, node, None)
    assert "Publicado el" in body
    for staff_only in ("Historial del flujo", "Desagregar por comuna", "Agregar observación", "flujo/transicion"):
        assert staff_only not in body, staff_only


def test_refused_step_shows_the_spanish_error_and_changes_nothing(app, node):
    _step(app, node, "editor", "en_revision")
    before = call_as("pe-admin", "cimibague_workflow_history", id=node["pkg"]["id"])
    body = _step(app, node, "editor", "aprobado")  # crafted: the editor has no such button
    assert "Su rol en este nodo no puede dar este paso" in body
    assert _state(node) == "en_revision"
    body = _step(app, node, "admin", "en_ajuste")  # a comment is required
    assert "Este paso requiere un comentario" in body
    body = _step(app, node, "admin", "publicado")  # no such step from en_revision
    assert "El procedimiento no tiene un paso de «En revisión» a «Publicado»" in body
    assert _state(node) == "en_revision"
    assert call_as("pe-admin", "cimibague_workflow_history", id=node["pkg"]["id"]) == before


def test_panel_offers_only_the_users_steps(app, node):
    body = _page(app, node, "editor")
    assert "Flujo de revisión" in body and "Recibido" in body
    assert _buttons(body) == {"en_revision"}
    assert _buttons(_page(app, node, "admin")) == {"en_revision", "devuelto"}
    body = _page(app, node, "member")
    assert _buttons(body) == set() and "Agregar observación" in body
    _step(app, node, "editor", "en_revision")
    assert _buttons(_page(app, node, "editor")) == set()
    body = _page(app, node, "admin")
    assert _buttons(body) == {"devuelto", "en_ajuste", "en_georreferenciacion", "en_socializacion", "aprobado"}
    assert 'name="actores"' in body  # the socialisation step names its sector actors
    assert re.search(r'name="comment" rows="2"\s+required', body)  # devuelto / en_ajuste need a comment
    assert 'enctype="multipart/form-data"' in body


def test_anonymous_and_other_nodes(app, node):
    _page(app, node, None, status=404)
    _page(app, node, "other", status=404)
    publish(node["pkg"]["id"])
    for who in (None, "other"):
        body = _page(app, node, who)
        assert "Publicado el" in body
        assert "Flujo de revisión" not in body and "Historial del flujo" not in body
    call_as("pe-admin", "cimibague_workflow_transition", id=node["pkg"]["id"], to="retirado", comment="Desactualizado")
    _page(app, node, None, status=404)


def test_attachment_is_stored_and_served_only_to_staff(app, node):
    response = app.post(
        f"/dataset/{node['pkg']['name']}/flujo/transicion",
        data={"to": "en_revision", "attachment": (io.BytesIO(b"%PDF-1.4 acta"), "acta de entrega.pdf")},
        headers=_auth(node, "editor"),
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert response.status_code == 200
    event = call_as("pe-admin", "cimibague_workflow_history", id=node["pkg"]["id"])[-1]
    assert event["attachment_url"] == "adjunto:acta_de_entrega.pdf"
    url = f"/dataset/{node['pkg']['name']}/flujo/adjunto/{event['id']}"
    assert url in response.get_data(as_text=True)  # the timeline links it
    for who in ("admin", "member"):
        download = app.get(url, headers=_auth(node, who))
        assert download.status_code == 200
        assert download.data == b"%PDF-1.4 acta"
        assert download.headers["X-Content-Type-Options"] == "nosniff"
        assert download.headers["Content-Disposition"].startswith("attachment")
    assert app.get(url).status_code in (403, 404)
    assert app.get(url, headers=_auth(node, "other")).status_code in (403, 404)
    assert app.get(url, headers=_auth(node, "actor")).status_code in (403, 404)
    # once published, the public reads the dataset but not the staff's attachments
    call_as("pe-admin", "cimibague_workflow_transition", id=node["pkg"]["id"], to="aprobado")
    call_as("pu-editor", "cimibague_workflow_transition", id=node["pkg"]["id"], to="publicado")
    assert app.get(url).status_code == 403
    assert app.get(url, headers=_auth(node, "other")).status_code == 403
    missing = f"/dataset/{node['pkg']['name']}/flujo/adjunto/no-existe"
    assert app.get(missing, headers=_auth(node, "admin")).status_code == 404


def test_observation_with_an_attachment_url(app, node):
    response = app.post(
        f"/dataset/{node['pkg']['name']}/flujo/observacion",
        data={"comment": "Ver el oficio", "attachment_url": "https://www.ibague.gov.co/oficio.pdf"},
        headers=_auth(node, "member"),
        follow_redirects=True,
    )
    body = response.get_data(as_text=True)
    assert 'href="https://www.ibague.gov.co/oficio.pdf"' in body and "Ver el oficio" in body
    body = app.post(
        f"/dataset/{node['pkg']['name']}/flujo/observacion",
        data={"comment": "  "},
        headers=_auth(node, "member"),
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Escriba la observación" in body
    body = app.post(
        f"/dataset/{node['pkg']['name']}/flujo/observacion",
        data={"comment": "Intruso"},
        headers=_auth(node, "other"),
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Intruso" not in body
    assert [e["kind"] for e in call_as("pe-admin", "cimibague_workflow_history", id=node["pkg"]["id"])] == [
        "creado",
        "observacion",
    ]


def _queue(app, node, who: str) -> str:
    return app.get("/pendientes", headers=_auth(node, who)).get_data(as_text=True)


def test_pendientes_lists_what_waits_for_each_user(app, node):
    assert app.get("/pendientes", follow_redirects=False).status_code == 302  # to the login page
    title = node["pkg"]["title"]
    body = _queue(app, node, "editor")
    home = app.get("/dataset/", headers=_auth(node, "editor")).get_data(as_text=True)
    assert re.search(r'<a href="/pendientes"[^>]*aria-label="Pendientes"', home)  # the link in the account menu
    assert 'href="/pendientes"' not in app.get("/dataset/").get_data(as_text=True)
    assert title in body and "Recibido" in body and "Enviar a revisión" in body
    assert "Nodo de pruebas" in body or "nodo-pruebas" in body
    assert title not in _queue(app, node, "member")
    assert "Nada espera por usted." in _queue(app, node, "other")
    _step(app, node, "editor", "en_revision")
    assert title not in _queue(app, node, "editor")
    body = _queue(app, node, "admin")
    assert title in body and "En revisión" in body and "Aprobar" in body


def test_revision_page_shows_the_diff_and_the_admin_approves(app, node):
    pkg_id = node["pkg"]["id"]
    call_as("pu-editor", "cimibague_workflow_transition", id=pkg_id, to="en_revision")
    call_as("pe-admin", "cimibague_workflow_transition", id=pkg_id, to="aprobado")
    call_as("pu-editor", "cimibague_workflow_transition", id=pkg_id, to="publicado")
    shown = helpers.call_action("package_show", id=pkg_id)
    call_as("pu-editor", "package_update", **dict(shown, title="Indicador corregido"))
    assert helpers.call_action("package_show", id=pkg_id)["title"] == node["pkg"]["title"]
    revision = call_as("pe-admin", "cimibague_workflow_revision_list", id=pkg_id)[0]
    url = f"/dataset/{node['pkg']['name']}/flujo/revision/{revision['id']}"
    # the notice on the dataset page, for staff only
    assert url in _page(app, node, "admin")
    assert url not in _page(app, node, None)
    # the diff
    body = app.get(url, headers=_auth(node, "editor")).get_data(as_text=True)
    assert "Valor publicado" in body and "Valor propuesto" in body
    assert node["pkg"]["title"] in body and "Indicador corregido" in body
    assert 'value="aprobar"' not in body  # the editor does not decide
    assert app.get(url).status_code in (403, 404)
    assert app.get(url, headers=_auth(node, "other")).status_code == 403
    body = app.get(url, headers=_auth(node, "admin")).get_data(as_text=True)
    assert 'value="aprobar"' in body and 'value="rechazar"' in body
    # rejecting needs a comment
    body = app.post(url, data={"decision": "rechazar"}, headers=_auth(node, "admin"), follow_redirects=True).get_data(
        as_text=True
    )
    assert "Indique por qué se rechaza el cambio" in body
    response = app.post(url, data={"decision": "aprobar"}, headers=_auth(node, "admin"), follow_redirects=True)
    assert "El cambio fue aprobado y aplicado." in response.get_data(as_text=True)
    model.Session.remove()
    assert helpers.call_action("package_show", id=pkg_id)["title"] == "Indicador corregido"
    body = app.get(url, headers=_auth(node, "admin")).get_data(as_text=True)
    assert 'value="aprobar"' not in body and "Aplicado" in body


def test_state_facet_for_staff_only(app, node):
    publish(
        call_as("pu-editor", "package_create", **dataset("indicador", node["org"], node["entidad"], name="otro"))["id"]
    )
    staff = app.get("/dataset/", headers=_auth(node, "member")).get_data(as_text=True)
    assert "Estado en el procedimiento" in staff
    assert "Recibido" in staff and "Publicado" in staff
    public = app.get("/dataset/").get_data(as_text=True)
    assert "Estado en el procedimiento" not in public
    outsider = app.get("/dataset/", headers=_auth(node, "actor")).get_data(as_text=True)
    assert "Estado en el procedimiento" not in outsider

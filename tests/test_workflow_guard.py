"""Only the workflow changes a dataset's state and visibility: every other path tries and fails."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import ckan.model as model
import ckan.plugins.toolkit as tk
import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest

from tests.cim_data import call_as, dataset, nodes_and_entity, publish

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def node(clean_db, clean_index):
    org, entidad = nodes_and_entity()
    editor = factories.UserWithToken(name="pu-editor")
    admin = factories.UserWithToken(name="pe-admin")
    for user, capacity in ((editor, "editor"), (admin, "admin")):
        helpers.call_action("organization_member_create", id=org["id"], username=user["name"], role=capacity)
    pkg = call_as("pu-editor", "package_create", **dataset("indicador", org, entidad))
    return {"org": org, "entidad": entidad, "pkg": pkg, "editor": editor, "admin": admin}


def _stored(pkg_id: str) -> tuple[str, bool]:
    model.Session.remove()
    pkg = model.Package.get(pkg_id)
    return pkg.extras.get("estado_flujo"), pkg.private


def test_package_create_cannot_start_public_or_elsewhere(node):
    created = call_as(
        "pe-admin",
        "package_create",
        **dataset("indicador", node["org"], node["entidad"], name="otro", private=False, estado_flujo="publicado"),
    )
    assert (created["estado_flujo"], created["private"]) == ("recibido", True)
    assert _stored(created["id"]) == ("recibido", True)


@pytest.mark.parametrize("user", ["pu-editor", "pe-admin", "sysadmin"])
@pytest.mark.parametrize(
    "change", [{"private": False}, {"estado_flujo": "publicado"}, {"estado_flujo": "aprobado", "private": True}]
)
def test_package_update_and_patch_cannot_change_state_or_visibility(node, user, change):
    if user == "sysadmin":
        user = factories.Sysadmin()["name"]
    pkg = node["pkg"]
    with pytest.raises(tk.ValidationError) as error:
        call_as(user, "package_update", **dict(pkg, **change))
    assert set(error.value.error_dict) <= {"private", "estado_flujo"}
    with pytest.raises(tk.ValidationError):
        call_as(user, "package_patch", id=pkg["id"], **change)
    assert _stored(pkg["id"]) == ("recibido", True)


def test_package_revise_cannot_change_state_or_visibility(node):
    pkg_id = node["pkg"]["id"]
    for update in ({"private": False}, {"estado_flujo": "publicado"}):
        with pytest.raises(tk.ValidationError):
            call_as("pe-admin", "package_revise", match={"id": pkg_id}, update=update)
    assert _stored(pkg_id) == ("recibido", True)


def test_unchanged_values_round_trip(node):
    """package_show -> package_update keeps working (the values equal the stored ones)."""
    pkg = node["pkg"]
    updated = call_as("pu-editor", "package_update", **dict(pkg, title="Nuevo título"))
    assert (updated["title"], updated["estado_flujo"], updated["private"]) == ("Nuevo título", "recibido", True)


@pytest.mark.parametrize("action", ["bulk_update_public", "bulk_update_private"])
def test_bulk_visibility_refused_even_for_sysadmins(node, action):
    pkg_id = node["pkg"]["id"]
    if action == "bulk_update_private":
        publish(pkg_id)
    before = _stored(pkg_id)
    for user in ("pe-admin", factories.Sysadmin()["name"]):
        with pytest.raises(tk.NotAuthorized):
            call_as(user, action, datasets=[pkg_id], org_id=node["org"]["id"])
    assert _stored(pkg_id) == before


def test_published_dataset_cannot_be_deleted_without_withdrawal(node):
    pkg_id = node["pkg"]["id"]
    publish(pkg_id)
    sysadmin = factories.Sysadmin()["name"]
    for user in ("pe-admin", sysadmin):
        with pytest.raises(tk.ValidationError):
            call_as(user, "bulk_update_delete", datasets=[pkg_id], org_id=node["org"]["id"])
        with pytest.raises(tk.ValidationError):
            call_as(user, "package_delete", id=pkg_id)
    assert model.Package.get(pkg_id).state == "active"


def test_dataset_purge_refused_to_non_sysadmins(node):
    pkg_id = node["pkg"]["id"]
    for user in ("pu-editor", "pe-admin"):
        with pytest.raises(tk.NotAuthorized):
            call_as(user, "dataset_purge", id=pkg_id)
    assert model.Package.get(pkg_id) is not None


def test_resources_of_a_published_dataset_change_only_through_a_revision(node):
    pkg = node["pkg"]
    publish(pkg["id"])
    resource_id = pkg["resources"][0]["id"]
    attempts = [
        ("resource_create", {"package_id": pkg["id"], "url": "https://x.gov.co/b.csv", "name": "B"}),
        ("resource_update", {"id": resource_id, "url": "https://x.gov.co/c.csv", "name": "C"}),
        ("resource_patch", {"id": resource_id, "name": "C"}),
        ("resource_delete", {"id": resource_id}),
    ]
    for action, data in attempts:
        with pytest.raises(tk.ValidationError):
            call_as("pu-editor", action, **data)
    assert helpers.call_action("package_show", id=pkg["id"])["resources"][0]["name"] == "Datos"


@pytest.mark.ckan_config("WTF_CSRF_ENABLED", False)
def test_web_forms_cannot_publish(app, node):
    from tests.test_pages import _as_form

    headers = {"Authorization": node["admin"]["token"]}
    # the node select of the form has no visibility select
    page = app.get("/indicador/new", headers=headers).get_data(as_text=True)
    assert 'name="private"' not in page
    assert "privado hasta que el flujo de revisión lo publique" in page
    # a crafted POST with private=False creates a private dataset in recibido
    form = _as_form(dataset("indicador", node["org"], node["entidad"], name="por-formulario"))
    form.update(private="False", estado_flujo="publicado")
    response = app.post("/indicador/new", data=form, headers=headers, follow_redirects=False)
    assert response.status_code == 302
    assert _stored(model.Package.get("por-formulario").id) == ("recibido", True)
    # and the edit form refuses it with a Spanish message
    pkg = node["pkg"]
    form = _as_form(helpers.call_action("package_show", id=pkg["id"]))
    form.update(private="False", _ckan_phase="", save="")
    body = app.post(f"/indicador/edit/{pkg['name']}", data=form, headers=headers).get_data(as_text=True)
    assert "La visibilidad solo cambia con el flujo de revisión" in body
    assert _stored(pkg["id"]) == ("recibido", True)


def test_ckanapi_load_cannot_publish(node, tmp_path):
    """`ckanapi load datasets` (the CLI, against this site's config) creates private datasets in recibido and
    cannot update one into publicado."""
    pkg = helpers.call_action("package_show", id=node["pkg"]["id"])
    new = dataset("indicador", node["org"], node["entidad"], name="cargado", private=False, estado_flujo="publicado")
    existing = dict(pkg, private=False, estado_flujo="publicado", title="Cambiado por ckanapi")
    source = tmp_path / "datasets.jsonl"
    source.write_text("\n".join(json.dumps(d) for d in (new, existing)) + "\n")
    bin_dir = Path(sys.executable).parent  # ckanapi's workers run `ckanapi` from PATH
    result = subprocess.run(
        [str(bin_dir / "ckanapi"), "load", "datasets", "-I", str(source), "-c", "config/test.ini"],
        cwd=ROOT,
        env={**os.environ, "PATH": f"{bin_dir}:{os.environ.get('PATH', '')}"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "ValidationError" in result.stdout + result.stderr
    created = model.Package.get("cargado")
    assert created is not None
    assert _stored(created.id) == ("recibido", True)
    assert _stored(pkg["id"]) == ("recibido", True)
    assert model.Package.get(pkg["id"]).title != "Cambiado por ckanapi"


def test_content_is_frozen_while_reviewed_and_approved(app, node):
    """What is approved is what gets published: no edit between sending to review and publishing."""
    pkg_id = node["pkg"]["id"]
    resource_id = node["pkg"]["resources"][0]["id"]
    steps = [("pu-editor", "en_revision"), ("pe-admin", "en_socializacion"), ("pe-admin", "aprobado")]
    for user, target in steps:
        call_as(user, "cimibague_workflow_transition", id=pkg_id, to=target)
        for who in ("pu-editor", "pe-admin", factories.Sysadmin()["name"]):
            with pytest.raises(tk.ValidationError):
                call_as(who, "package_patch", id=pkg_id, title="Cambiado a escondidas")
            with pytest.raises(tk.ValidationError):
                call_as(who, "resource_patch", id=resource_id, url="https://otra.gov.co/datos.csv")
            with pytest.raises(tk.ValidationError):
                call_as(who, "resource_create", package_id=pkg_id, url="https://otra.gov.co/b.csv", name="B")
    response = app.post(
        "/api/3/action/package_patch",
        json={"id": pkg_id, "title": "Cambiado a escondidas"},
        headers={"Authorization": node["editor"]["token"]},
    )
    assert response.status_code == 409
    assert "su contenido no cambia mientras se revisa y aprueba" in str(response.json["error"])
    shown = helpers.call_action("package_show", id=pkg_id)
    assert shown["title"] == node["pkg"]["title"] and len(shown["resources"]) == 1
    # reopened for adjustments, it can be changed again
    call_as("pe-admin", "cimibague_workflow_transition", id=pkg_id, to="en_ajuste", comment="Corregir el título")
    assert call_as("pu-editor", "package_patch", id=pkg_id, title="Título corregido")["title"] == "Título corregido"

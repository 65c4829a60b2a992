"""Security review of the workflow: paths around ``cimibague_workflow_transition`` and the pending
revisions that an editor, an administrator, an outsider or a sector actor could try. One test per path;
each tries to break a rule of the README's "Review workflow" section."""

from __future__ import annotations

import json

import ckan.model as model
import ckan.plugins.toolkit as tk
import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest

from tests.cim_data import call_as, dataset, nodes_and_entity, publish


@pytest.fixture
def node(clean_db, clean_index):
    """Node A (editor, admin, second admin), node B where the editor is editor too, an outsider."""
    org, entidad = nodes_and_entity()
    org_b = factories.Organization(name="nodo-b", title="Nodo B")
    for name in ("pu-editor", "pe-admin", "pe-admin-2", "curioso", "actor-sectorial"):
        factories.User(name=name)
    for name, capacity in (("pu-editor", "editor"), ("pe-admin", "admin"), ("pe-admin-2", "admin")):
        helpers.call_action("organization_member_create", id=org["id"], username=name, role=capacity)
    helpers.call_action("organization_member_create", id=org_b["id"], username="pu-editor", role="editor")
    pkg = call_as("pu-editor", "package_create", **dataset("indicador", org, entidad))
    return {"org": org, "org_b": org_b, "entidad": entidad, "pkg": pkg}


def _stored(pkg_id: str) -> model.Package:
    model.Session.remove()
    return model.Package.get(pkg_id)


def _public(pkg_id: str) -> dict:
    return helpers.call_action("package_show", context={"user": "", "ignore_auth": False}, id=pkg_id)


def _propose(pkg_id: str, **changes) -> dict:
    """The editor's package_update of a published dataset (a full dict, as the web form sends it)."""
    current = helpers.call_action("package_show", id=pkg_id)
    result = call_as("pu-editor", "package_update", **dict(current, **changes))
    return result


def _approve(user: str, pkg_id: str, revision_id: str) -> dict:
    return call_as(user, "cimibague_workflow_revision_decide", id=pkg_id, revision_id=revision_id, decision="aprobar")


# ------------------------------------------------------------------ pending revisions


@pytest.mark.parametrize("state", ["deleted", "draft"])
def test_revision_cannot_hide_a_change_of_state(node, state):
    """A proposal carrying ``state`` (hidden from the diff) must not delete or unpublish the dataset
    when an admin approves the visible change (deleting a published dataset needs a withdrawal)."""
    pkg_id = node["pkg"]["id"]
    publish(pkg_id)
    try:
        result = _propose(pkg_id, title="Título corregido", state=state)
    except tk.ValidationError:
        result = None
    if result is not None and result.get("cimibague_revision"):
        _approve("pe-admin", pkg_id, result["cimibague_revision"]["id"])
    pkg = _stored(pkg_id)
    assert (pkg.state, pkg.private, pkg.extras["estado_flujo"]) == ("active", False, "publicado")
    assert _public(pkg_id)["id"] == pkg_id


def test_revision_cannot_move_the_dataset_to_another_node(node):
    """An editor of two nodes proposes ``owner_org`` = the other node: node A's admin approving a change
    must not hand a published dataset to node B (whose admins never reviewed it)."""
    pkg_id = node["pkg"]["id"]
    publish(pkg_id)
    try:
        result = _propose(pkg_id, title="Título corregido", owner_org=node["org_b"]["id"])
    except tk.ValidationError:
        result = None
    if result is not None and result.get("cimibague_revision"):
        _approve("pe-admin", pkg_id, result["cimibague_revision"]["id"])
    assert _stored(pkg_id).owner_org == node["org"]["id"]


def test_revision_cannot_change_id_state_or_visibility(node):
    """``id``, ``private`` and ``estado_flujo`` in a proposal are the workflow's: approving it changes
    neither the dataset it applies to, nor its state or visibility."""
    other = call_as("pu-editor", "package_create", **dataset("indicador", node["org"], node["entidad"], name="otro"))
    pkg_id = node["pkg"]["id"]
    publish(pkg_id)
    current = helpers.call_action("package_show", id=pkg_id)
    result = call_as("pu-editor", "package_update", **dict(current, title="Cambio visible"))
    model.Session.remove()
    from ckanext.cimibague.workflow.model import Revision

    revision = model.Session.get(Revision, result["cimibague_revision"]["id"])
    revision.data = dict(revision.data, id=other["id"], private=True, estado_flujo="retirado")
    model.Session.commit()
    _approve("pe-admin", pkg_id, revision.id)
    pkg = _stored(pkg_id)
    assert (pkg.title, pkg.private, pkg.extras["estado_flujo"]) == ("Cambio visible", False, "publicado")
    assert _stored(other["id"]).title == other["title"]


def test_revision_approved_after_withdrawal_cannot_change_frozen_content(node):
    """A proposal left pending when the dataset was withdrawn must not be applied once the dataset is
    under review or approved again: what is approved is what gets published."""
    pkg_id = node["pkg"]["id"]
    publish(pkg_id)
    revision = _propose(pkg_id, title="Propuesta antigua")["cimibague_revision"]
    call_as("pe-admin", "cimibague_workflow_transition", id=pkg_id, to="retirado", comment="Errores")
    (closed,) = call_as("pe-admin", "cimibague_workflow_revision_list", id=pkg_id)
    assert closed["status"] == "anulada"  # withdrawal closes what was pending
    assert call_as("pe-admin", "cimibague_workflow_status", id=pkg_id)["pending_revisions"] == 0
    call_as("pu-editor", "cimibague_workflow_transition", id=pkg_id, to="en_revision")
    call_as("pe-admin", "cimibague_workflow_transition", id=pkg_id, to="aprobado")
    with pytest.raises((tk.ValidationError, tk.NotAuthorized)):
        _approve("pe-admin-2", pkg_id, revision["id"])
    assert _stored(pkg_id).title == node["pkg"]["title"]
    call_as("pu-editor", "cimibague_workflow_transition", id=pkg_id, to="publicado")
    assert _public(pkg_id)["title"] == node["pkg"]["title"]


def test_revision_proposed_by_an_admin_is_not_approved_by_that_admin_through_the_web(app, node):
    """Self-approval through the revision page's POST is refused as through the API."""
    pkg_id = node["pkg"]["id"]
    publish(pkg_id)
    current = helpers.call_action("package_show", id=pkg_id)
    revision = call_as("pe-admin", "package_update", **dict(current, title="Mío"))["cimibague_revision"]
    token = helpers.call_action("api_token_create", context={"ignore_auth": True}, user="pe-admin", name="t")["token"]
    app.post(
        f"/dataset/{pkg_id}/flujo/revision/{revision['id']}",
        data={"decision": "aprobar"},
        headers={"Authorization": token},
        follow_redirects=False,
    )
    assert _public(pkg_id)["title"] == node["pkg"]["title"]


# ------------------------------------------------------------------ other core actions


def _view_attempts(resource_id: str, view_id: str) -> list[tuple[str, dict]]:
    return [
        (
            "resource_view_create",
            {
                "resource_id": resource_id,
                "view_type": "image_view",
                "title": "Imagen no aprobada",
                "image_url": "https://otra.gov.co/x.png",
            },
        ),
        ("resource_view_update", {"id": view_id, "view_type": "image_view", "title": "Cambiada a escondidas"}),
        ("resource_view_delete", {"id": view_id}),
    ]


def test_resource_views_of_a_published_or_frozen_dataset_do_not_change(node):
    """Views (title, description, image URL) are shown to the public with the dataset: creating, changing
    or deleting them directly would publish unreviewed content."""
    pkg_id = node["pkg"]["id"]
    resource_id = node["pkg"]["resources"][0]["id"]
    view = call_as(
        "pu-editor",
        "resource_view_create",
        resource_id=resource_id,
        view_type="image_view",
        title="Vista revisada",
        image_url="https://www.ibague.gov.co/a.png",
    )
    call_as("pu-editor", "cimibague_workflow_transition", id=pkg_id, to="en_revision")
    for action, data in _view_attempts(resource_id, view["id"]):  # frozen while reviewed
        with pytest.raises(tk.ValidationError):
            call_as("pu-editor", action, **data)
    call_as("pe-admin", "cimibague_workflow_transition", id=pkg_id, to="aprobado")
    call_as("pu-editor", "cimibague_workflow_transition", id=pkg_id, to="publicado")
    for user in ("pu-editor", "pe-admin"):
        for action, data in _view_attempts(resource_id, view["id"]):
            with pytest.raises(tk.ValidationError):
                call_as(user, action, **data)
    views = helpers.call_action("resource_view_list", context={"user": ""}, id=resource_id)
    assert [(v["id"], v["title"]) for v in views] == [(view["id"], "Vista revisada")]


def test_relationships_do_not_reveal_unpublished_datasets(node):
    """A relationship from a published dataset to an unpublished one must not show the latter's id or
    name to whoever reads the published one."""
    secret = call_as("pu-editor", "package_create", **dataset("indicador", node["org"], node["entidad"], name="oculto"))
    pkg_id = node["pkg"]["id"]
    call_as("pu-editor", "package_relationship_create", subject=pkg_id, object=secret["id"], type="links_to")
    publish(pkg_id)
    shown = _public(pkg_id)
    text = str(shown)
    assert secret["id"] not in text and "oculto" not in text
    for who in ("curioso",):
        text = str(call_as(who, "package_show", id=pkg_id))
        assert secret["id"] not in text
    with pytest.raises(tk.NotAuthorized):  # CKAN asks read access to both datasets
        helpers.call_action(
            "package_relationships_list", context={"user": "", "ignore_auth": False}, id=pkg_id, id2=secret["id"]
        )


def test_owner_org_update_is_for_sysadmins_only(node):
    """``package_owner_org_update`` writes the node without package_update: CKAN keeps it to sysadmins."""
    pkg_id = node["pkg"]["id"]
    for user in ("pu-editor", "pe-admin"):
        with pytest.raises(tk.NotAuthorized):
            call_as(user, "package_owner_org_update", id=pkg_id, organization_id=node["org_b"]["id"])
    assert _stored(pkg_id).owner_org == node["org"]["id"]


def test_package_create_with_another_type_starts_received_and_private(node):
    """An unknown type (or a CIM type) does not escape the workflow; harvest sources are refused to a
    node's editor who tries to publish content as one."""
    data = dataset("indicador", node["org"], node["entidad"], name="tipo-raro", type="no-existe", private=False)
    try:
        created = call_as("pu-editor", "package_create", **data)
    except (tk.ValidationError, tk.NotAuthorized):
        created = None
    if created is not None:
        assert _stored(created["id"]).private is True
        status = call_as("pu-editor", "cimibague_workflow_status", id=created["id"])
        assert (status["state"], status["private"]) == ("recibido", True)
        with pytest.raises(tk.NotAuthorized):
            _public(created["id"])


def test_collaborators_are_disabled(node):
    pkg_id = node["pkg"]["id"]
    with pytest.raises((tk.NotAuthorized, tk.ValidationError)):
        call_as("pe-admin", "package_collaborator_create", id=pkg_id, user_id="curioso", capacity="editor")


def test_outsider_cannot_follow_or_list_followed_unpublished_datasets(node):
    """follow_dataset needs read access, and a dataset followed while published drops out of the
    follower's list once withdrawn."""
    pkg_id = node["pkg"]["id"]
    with pytest.raises(tk.NotAuthorized):
        call_as("curioso", "follow_dataset", id=pkg_id)
    publish(pkg_id)
    call_as("curioso", "follow_dataset", id=pkg_id)
    call_as("pe-admin", "cimibague_workflow_transition", id=pkg_id, to="retirado", comment="Errores")
    assert call_as("curioso", "dataset_followee_list", id="curioso") == []


def test_sector_actor_loses_access_and_cannot_edit(node):
    pkg_id = node["pkg"]["id"]
    call_as("pu-editor", "cimibague_workflow_transition", id=pkg_id, to="en_revision")
    call_as("pe-admin", "cimibague_workflow_transition", id=pkg_id, to="en_socializacion", actores="actor-sectorial")
    assert call_as("actor-sectorial", "package_show", id=pkg_id)["id"] == pkg_id
    call_as("actor-sectorial", "follow_dataset", id=pkg_id)
    for action, data in (
        ("package_patch", {"id": pkg_id, "title": "Del actor"}),
        ("resource_patch", {"id": node["pkg"]["resources"][0]["id"], "name": "Del actor"}),
        ("cimibague_workflow_transition", {"id": pkg_id, "to": "aprobado"}),
        ("cimibague_workflow_revision_list", {"id": pkg_id}),
    ):
        with pytest.raises(tk.NotAuthorized):
            call_as("actor-sectorial", action, **data)
    call_as("pe-admin", "cimibague_workflow_transition", id=pkg_id, to="en_ajuste", comment="Observaciones")
    with pytest.raises(tk.NotAuthorized):
        call_as("actor-sectorial", "package_show", id=pkg_id)
    assert call_as("actor-sectorial", "dataset_followee_list", id="actor-sectorial") == []
    with pytest.raises(tk.NotAuthorized):
        call_as("actor-sectorial", "cimibague_workflow_comment", id=pkg_id, comment="Sigo aquí")


def test_search_local_params_and_facet_tricks_do_not_reveal_unpublished_datasets(node):
    pkg = node["pkg"]
    tricks = [
        {"q": "{!lucene}name:prueba-indicador"},
        {"q": "*:*", "fq": "{!lucene}name:*"},
        {"q": "*:*", "facet.field": '["{!facet.mincount=0}name"]'},
        {"q": "_query_:name\\:prueba-indicador"},
        {"q": "*:*", "fl": "name,validated_data_dict", "include_private": True, "include_drafts": True},
        {"q": "*:*", "defType": "lucene", "qf": "name", "facet.field": '["name"]', "facet.mincount": 0},
    ]
    for params in tricks:
        for who in ("", "curioso"):
            try:
                result = helpers.call_action("package_search", context={"user": who, "ignore_auth": False}, **params)
            except Exception:  # CKAN refuses local params and magic fields
                continue
            assert pkg["name"] not in str(result), params
    for who in ("", "curioso"):
        found = helpers.call_action("resource_search", context={"user": who, "ignore_auth": False}, query="name:Datos")
        assert pkg["resources"][0]["id"] not in str(found)


def test_editor_cannot_publish_content_as_a_harvest_source(node):
    """Harvest sources are outside the workflow and public at once: a node's editor or admin must not use
    one to publish unreviewed text."""
    source = {
        "type": "harvest",
        "name": "fuente",
        "title": "Contenido no aprobado",
        "notes": "Texto libre",
        "url": "https://x.gov.co/",
        "source_type": "cimibague_ckan",
        "config": json.dumps({"entidad": node["entidad"]["name"], "tipo": "indicador"}),
        "owner_org": node["org"]["id"],
    }
    for user in ("pu-editor", "pe-admin"):
        with pytest.raises(tk.NotAuthorized):
            call_as(user, "package_create", **source)
    sysadmin = factories.Sysadmin()["name"]
    created = call_as(sysadmin, "package_create", **source)
    with pytest.raises(tk.NotAuthorized):
        call_as("pu-editor", "package_patch", id=created["id"], notes="Cambiado por el editor")
    assert _stored(created["id"]).notes == "Texto libre"

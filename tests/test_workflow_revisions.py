"""Pending revisions of published datasets, and sector actors during socialisation."""

from __future__ import annotations

import ckan.model as model
import ckan.plugins.toolkit as tk
import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest

from tests.cim_data import call_as, dataset, nodes_and_entity, publish


@pytest.fixture
def node(clean_db, clean_index):
    org, entidad = nodes_and_entity()
    for name, capacity in (("pu-editor", "editor"), ("pe-admin", "admin"), ("miembro", "member")):
        factories.User(name=name)
        helpers.call_action("organization_member_create", id=org["id"], username=name, role=capacity)
    factories.User(name="actor-sectorial")
    factories.User(name="curioso")
    pkg = call_as("pu-editor", "package_create", **dataset("indicador", org, entidad))
    return {"org": org, "pkg": pkg}


def _public(pkg_id: str) -> dict:
    return helpers.call_action("package_show", context={"user": "", "ignore_auth": False}, id=pkg_id)


class TestPendingRevisions:
    def test_an_edit_of_a_published_dataset_waits_for_review(self, node):
        pkg_id = node["pkg"]["id"]
        publish(pkg_id)
        published = _public(pkg_id)
        result = call_as("pu-editor", "package_patch", id=pkg_id, title="Título corregido", meta_valor="70")
        assert result["cimibague_revision"]["status"] == "pendiente"
        assert _public(pkg_id)["title"] == published["title"]  # the public keeps the published version
        (revision,) = call_as("pe-admin", "cimibague_workflow_revision_list", id=pkg_id)
        changes = {c["field"]: (c["before"], c["after"]) for c in revision["diff"]}
        assert changes == {"title": (published["title"], "Título corregido"), "meta_valor": ("60", "70")}
        assert call_as("pe-admin", "cimibague_workflow_status", id=pkg_id)["pending_revisions"] == 1
        assert [d["id"] for d in call_as("pe-admin", "cimibague_workflow_queue")] == [pkg_id]

        call_as(
            "pe-admin", "cimibague_workflow_revision_decide", id=pkg_id, revision_id=revision["id"], decision="aprobar"
        )
        shown = _public(pkg_id)
        assert (shown["title"], shown["meta_valor"], shown["estado_flujo"], shown["private"]) == (
            "Título corregido",
            "70",
            "publicado",
            False,
        )
        kinds = [e["kind"] for e in call_as("pe-admin", "cimibague_workflow_history", id=pkg_id)]
        assert kinds[-2:] == ["revision_propuesta", "revision_aprobada"]

    def test_rejection_needs_a_comment_and_changes_nothing(self, node):
        pkg_id = node["pkg"]["id"]
        publish(pkg_id)
        call_as("pu-editor", "package_patch", id=pkg_id, title="Otro título")
        (revision,) = call_as("pe-admin", "cimibague_workflow_revision_list", id=pkg_id, status="pendiente")
        with pytest.raises(tk.ValidationError):
            call_as(
                "pe-admin",
                "cimibague_workflow_revision_decide",
                id=pkg_id,
                revision_id=revision["id"],
                decision="rechazar",
            )
        call_as(
            "pe-admin",
            "cimibague_workflow_revision_decide",
            id=pkg_id,
            revision_id=revision["id"],
            decision="rechazar",
            comment="El título oficial no cambia",
        )
        assert _public(pkg_id)["title"] == node["pkg"]["title"]
        history = call_as("pe-admin", "cimibague_workflow_history", id=pkg_id)
        assert (history[-1]["kind"], history[-1]["comment"]) == ("revision_rechazada", "El título oficial no cambia")

    def test_invalid_proposal_is_refused_at_once(self, node):
        pkg_id = node["pkg"]["id"]
        publish(pkg_id)
        with pytest.raises(tk.ValidationError):
            call_as("pu-editor", "package_patch", id=pkg_id, periodicidad="cada-rato")
        assert call_as("pe-admin", "cimibague_workflow_revision_list", id=pkg_id) == []

    def test_who_decides(self, node):
        pkg_id = node["pkg"]["id"]
        publish(pkg_id)
        call_as("pe-admin", "package_patch", id=pkg_id, title="Propuesto por el admin")
        (revision,) = call_as("pe-admin", "cimibague_workflow_revision_list", id=pkg_id)
        for user in ("pu-editor", "miembro", "curioso"):
            with pytest.raises(tk.NotAuthorized):
                call_as(
                    user,
                    "cimibague_workflow_revision_decide",
                    id=pkg_id,
                    revision_id=revision["id"],
                    decision="aprobar",
                )
        with pytest.raises(tk.NotAuthorized):  # nobody approves their own proposal
            call_as(
                "pe-admin",
                "cimibague_workflow_revision_decide",
                id=pkg_id,
                revision_id=revision["id"],
                decision="aprobar",
            )
        with pytest.raises(tk.NotAuthorized):
            call_as("curioso", "cimibague_workflow_revision_list", id=pkg_id)
        director = factories.Sysadmin()["name"]
        call_as(
            director, "cimibague_workflow_revision_decide", id=pkg_id, revision_id=revision["id"], decision="aprobar"
        )
        assert _public(pkg_id)["title"] == "Propuesto por el admin"

    def test_a_harvester_update_is_a_proposal_too(self, node):
        """ckanext-harvest updates datasets with package_update as the site user (a sysadmin)."""
        pkg_id = node["pkg"]["id"]
        publish(pkg_id)
        site_user = helpers.call_action("get_site_user")["name"]
        pkg = _public(pkg_id)
        call_as(site_user, "package_update", **dict(pkg, notes="Descripción cosechada"))
        assert _public(pkg_id)["notes"] == pkg["notes"]
        (revision,) = call_as("pe-admin", "cimibague_workflow_revision_list", id=pkg_id)
        assert revision["proposed_by"] == site_user


class TestSocialisation:
    def test_sector_actors_read_and_comment_while_it_lasts(self, node):
        pkg_id = node["pkg"]["id"]
        call_as("pu-editor", "cimibague_workflow_transition", id=pkg_id, to="en_revision")
        with pytest.raises(tk.NotAuthorized):
            call_as("actor-sectorial", "package_show", id=pkg_id)
        with pytest.raises(tk.ValidationError):
            call_as(
                "pe-admin", "cimibague_workflow_transition", id=pkg_id, to="en_socializacion", actores=["nadie-asi"]
            )
        call_as(
            "pe-admin", "cimibague_workflow_transition", id=pkg_id, to="en_socializacion", actores="actor-sectorial"
        )

        assert call_as("actor-sectorial", "package_show", id=pkg_id)["id"] == pkg_id
        found = call_as("actor-sectorial", "package_search", q="*:*", include_private=True)["results"]
        assert [d["id"] for d in found] == [pkg_id]
        event = call_as("actor-sectorial", "cimibague_workflow_comment", id=pkg_id, comment="Falta la comuna 13")
        assert event["actor"] == "actor-sectorial"
        with pytest.raises(tk.NotAuthorized):
            call_as("actor-sectorial", "package_patch", id=pkg_id, title="Editado por el actor")
        with pytest.raises(tk.NotAuthorized):
            call_as("actor-sectorial", "cimibague_workflow_transition", id=pkg_id, to="aprobado")
        for outsider in ("curioso",):
            with pytest.raises(tk.NotAuthorized):
                call_as(outsider, "package_show", id=pkg_id)
            with pytest.raises(tk.NotAuthorized):
                call_as(outsider, "cimibague_workflow_comment", id=pkg_id, comment="x")

        call_as("pe-admin", "cimibague_workflow_transition", id=pkg_id, to="en_ajuste", comment="Incluir la comuna 13")
        model.Session.remove()
        with pytest.raises(tk.NotAuthorized):
            call_as("actor-sectorial", "package_show", id=pkg_id)
        assert call_as("actor-sectorial", "package_search", q="*:*", include_private=True)["count"] == 0
        with pytest.raises(tk.NotAuthorized):
            call_as("actor-sectorial", "cimibague_workflow_comment", id=pkg_id, comment="Otra")
        history = call_as("pe-admin", "cimibague_workflow_history", id=pkg_id)
        assert ("observacion", "Falta la comuna 13") in [(e["kind"], e["comment"]) for e in history]

    def test_actors_are_named_only_when_socialisation_opens(self, node):
        pkg_id = node["pkg"]["id"]
        with pytest.raises(tk.ValidationError):
            call_as(
                "pu-editor", "cimibague_workflow_transition", id=pkg_id, to="en_revision", actores=["actor-sectorial"]
            )

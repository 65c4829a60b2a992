"""`ckan cimibague seed`: idempotent, creates the nodes, the sysadmin and (on request) the examples."""

from __future__ import annotations

import ckan.model as model
import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest

from ckanext.cimibague.cli import cimibague
from tests.cim_data import TYPES


def _counts() -> tuple[int, int, int]:
    orgs = helpers.call_action("organization_list")
    datasets = helpers.call_action("package_search", include_private=True, rows=0)["count"]
    users = model.Session.query(model.User).filter(model.User.state == "active").count()
    return len(orgs), datasets, users


@pytest.mark.usefixtures("clean_db", "clean_index")
class TestSeed:
    def test_seed_twice_gives_the_same_content(self, cli, tmp_path):
        password = tmp_path / "pw"
        password.write_text("una-clave-larga-de-prueba\n")
        args = ["seed", "--sysadmin", "admin", "--password-file", str(password), "--demo"]
        first = cli.invoke(cimibague, args)
        assert first.exit_code == 0, first.output
        counts = _counts()
        second = cli.invoke(cimibague, args)
        assert second.exit_code == 0, second.output
        assert _counts() == counts
        assert counts[0] == 7
        assert len(helpers.call_action("group_list", type="entidad")) == 12
        assert "ya existía" in second.output

    def test_sysadmin_can_log_in_with_the_password_file(self, cli, tmp_path):
        password = tmp_path / "pw"
        password.write_text("otra-clave-larga-de-prueba\n")
        result = cli.invoke(cimibague, ["seed", "--sysadmin", "jefe", "--password-file", str(password)])
        assert result.exit_code == 0, result.output
        user = model.User.get("jefe")
        assert user.sysadmin
        assert user.validate_password("otra-clave-larga-de-prueba")

    def test_demo_datasets_are_marked_as_examples_and_published_through_review(self, cli, tmp_path):
        password = tmp_path / "pw"
        password.write_text("una-clave-larga-de-prueba\n")
        result = cli.invoke(cimibague, ["seed", "--sysadmin", "admin", "--password-file", str(password), "--demo"])
        assert result.exit_code == 0, result.output
        datasets = helpers.call_action("package_search", q="tags:ejemplo", rows=100)["results"]
        assert len(datasets) == 8
        assert {d["type"] for d in datasets} == set(TYPES)
        for dataset in datasets:
            assert dataset["title"].startswith("Ejemplo")
            assert "Conjunto de datos de ejemplo" in dataset["notes"]
            assert (dataset["estado_flujo"], dataset["private"]) == ("publicado", False)
            history = helpers.call_action("cimibague_workflow_history", context={"user": "admin"}, id=dataset["id"])
            steps = [(e["actor"] == "admin", e["to_state"]) for e in history]
            assert steps == [(False, "recibido"), (False, "en_revision"), (True, "aprobado"), (True, "publicado")]

    def test_demo_datasets_without_a_reviewer_stay_received(self, cli):
        result = cli.invoke(cimibague, ["seed", "--demo"])
        assert result.exit_code == 0, result.output
        assert helpers.call_action("package_search", q="tags:ejemplo")["count"] == 0
        staff = {"user": factories.Sysadmin()["name"]}
        private = helpers.call_action(
            "package_search", context=staff, q="tags:ejemplo", include_private=True, rows=100
        )["results"]
        assert len(private) == 8
        assert {(d["estado_flujo"], d["private"]) for d in private} == {("recibido", True)}

    def test_no_demo_content_unless_asked(self, cli):
        result = cli.invoke(cimibague, ["seed"])
        assert result.exit_code == 0, result.output
        assert helpers.call_action("package_search", include_private=True)["count"] == 0

    def test_sysadmin_needs_a_password_file(self, cli):
        result = cli.invoke(cimibague, ["seed", "--sysadmin", "admin"])
        assert result.exit_code != 0
        assert "--password-file" in result.output

    def test_territorio_csv_is_served(self, app):
        response = app.get("/cimibague/territorio.csv")
        assert response.status_code == 200
        lines = response.get_data(as_text=True).strip().splitlines()
        assert lines[0] == "codigo,tipo,numero,nombre"
        assert len(lines) == 31

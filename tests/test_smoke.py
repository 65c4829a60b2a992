"""The stack, end to end through the real services: CKAN + PostgreSQL + Solr + Redis + the extension."""

from __future__ import annotations

import ckan.plugins as p
import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest
from ckan.lib import search
from ckan.lib.redis import connect_to_redis

from tests.cim_data import publish


def test_extension_and_its_companions_are_loaded():
    for name in ("cimibague", "scheming_datasets", "harvest", "dcat", "spatial_query", "activity"):
        assert p.plugin_loaded(name), name


def test_services_are_real():
    assert search.is_available()
    assert connect_to_redis().ping()


@pytest.mark.usefixtures("clean_db", "clean_index")
class TestCatalogue:
    def test_create_an_organization_and_a_dataset_and_find_it(self):
        org = factories.Organization(name="nodo-prueba", title="Nodo de prueba")
        publish(factories.Dataset(name="poblacion-ibague", title="Población de Ibagué", owner_org=org["id"])["id"])
        result = helpers.call_action("package_search", q="población", fq="organization:nodo-prueba")
        assert [d["name"] for d in result["results"]] == ["poblacion-ibague"]

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("informacion", "informacion-municipal"),  # no accent finds the accented title
            ("Información", "informacion-municipal"),
            ("educacion", "matricula-educacion"),
            ("viviendas", "deficit-vivienda"),  # plural finds singular (Spanish stemmer)
            ("pot", "usos-del-suelo"),  # acronym finds the words (synonyms)
            ("plan de ordenamiento territorial", "normas-pot"),  # and the words find the acronym
        ],
    )
    def test_spanish_search(self, query, expected):
        org = factories.Organization()
        for name, title, notes in [
            ("informacion-municipal", "Información municipal de Ibagué", ""),
            ("matricula-educacion", "Matrícula en educación básica", ""),
            ("deficit-vivienda", "Déficit de vivienda por comuna", ""),
            ("usos-del-suelo", "Usos del suelo", "Clasificación según el Plan de Ordenamiento Territorial."),
            ("normas-pot", "Normas urbanísticas del POT", ""),
        ]:
            publish(factories.Dataset(name=name, title=title, notes=notes, owner_org=org["id"])["id"])
        names = [d["name"] for d in helpers.call_action("package_search", q=query)["results"]]
        assert expected in names
        assert len(names) < 5, f"{query!r} matched everything: {names}"


@pytest.mark.usefixtures("clean_db", "clean_index")
class TestSpatialSearch:
    IBAGUE = (
        '{"type": "Polygon", "coordinates": [[[-75.35, 4.35], [-75.10, 4.35], [-75.10, 4.55],'
        " [-75.35, 4.55], [-75.35, 4.35]]]}"
    )

    def test_bbox_search_finds_what_intersects_and_nothing_else(self):
        org = factories.Organization()
        publish(factories.Dataset(name="limite-urbano", owner_org=org["id"], spatial=self.IBAGUE)["id"])
        publish(factories.Dataset(name="sin-geometria", owner_org=org["id"])["id"])
        inside = helpers.call_action("package_search", extras={"ext_bbox": "-75.3,4.4,-75.2,4.5"})
        assert [d["name"] for d in inside["results"]] == ["limite-urbano"]
        elsewhere = helpers.call_action("package_search", extras={"ext_bbox": "-74.2,4.5,-74.0,4.7"})
        assert elsewhere["count"] == 0


@pytest.mark.usefixtures("clean_db", "clean_index")
class TestHomePage:
    def test_home_page_is_in_spanish_and_lists_the_ejes(self, app, cli, ckan_config):
        from ckanext.cimibague.cli import cimibague

        result = cli.invoke(cimibague, ["seed"])
        assert result.exit_code == 0, result.output
        response = app.get("/")
        assert response.status_code == 200
        body = response.get_data(as_text=True)
        assert '<html lang="es"' in body
        assert "Ejes temáticos" in body
        assert "Buscar conjuntos de datos" in body or "Buscar datos" in body
        assert "Plan de Ordenamiento Territorial (POT)" in body

"""What staff and citizens see of the schemas: forms, dataset and entity pages, facets, DCAT output."""

from __future__ import annotations

import json

import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest
from rdflib import Graph

from ckanext.cimibague import vocabularies
from tests import cim_data
from tests.cim_data import TYPES


def _as_form(data: dict) -> dict:
    """A data dict as the browser posts the first stage of the dataset form."""
    form: dict = {"save": "", "_ckan_phase": "dataset_new_1", "tag_string": "prueba"}
    for key, value in data.items():
        if key in ("type", "resources", "tags"):
            continue
        if key == "serie":
            for i, item in enumerate(value):
                for sub, sub_value in item.items():
                    form[f"serie-{i}-{sub}"] = sub_value
        elif isinstance(value, dict):
            form[key] = json.dumps(value)
        else:
            form[key] = value
    return form


@pytest.mark.usefixtures("clean_db", "clean_index")
class TestPages:
    @pytest.mark.parametrize("dataset_type", TYPES)
    def test_dataset_page_and_its_dcat_output(self, app, dataset_type):
        org, entidad = cim_data.nodes_and_entity()
        dataset = cim_data.published(cim_data.dataset(dataset_type, org, entidad))
        page = app.get(f"/{dataset_type}/{dataset['name']}")
        body = page.get_data(as_text=True)
        assert page.status_code == 200
        assert dataset["title"] in body
        for label in ("Entidad fuente", "Periodicidad", "Cobertura geográfica", "Comuna 7"):
            assert label in body, label
        rdf = app.get(f"/dataset/{dataset['name']}.rdf")
        assert rdf.status_code == 200
        graph = Graph().parse(data=rdf.get_data(as_text=True), format="xml")
        assert len(graph) > 5

    def test_indicator_page_draws_its_chart(self, app):
        org, entidad = cim_data.nodes_and_entity()
        dataset = cim_data.published(cim_data.dataset("indicador", org, entidad))
        body = app.get(f"/indicador/{dataset['name']}").get_data(as_text=True)
        assert "Avance frente a la meta" in body
        assert '<svg xmlns="http://www.w3.org/2000/svg" class="cimibague-indicator-chart"' in body
        assert "Línea base: 45.5" in body and "Meta: 60" in body

    def test_entity_page_lists_its_datasets(self, app):
        org, entidad = cim_data.nodes_and_entity()
        dataset = cim_data.published(cim_data.dataset("observatorios", org, entidad))
        page = app.get(f"/entidad/{entidad['name']}")
        assert page.status_code == 200
        assert dataset["title"] in page.get_data(as_text=True)
        assert helpers.call_action("group_show", id=entidad["name"])["package_count"] == 1
        listing = app.get("/entidad/").get_data(as_text=True)
        assert "Entidades fuente" in listing and "Departamento Administrativo Nacional de Estadística" in listing

    def test_search_page_has_the_cim_facets_in_spanish(self, app):
        org, entidad = cim_data.nodes_and_entity()
        cim_data.published(cim_data.dataset("bases-de-datos", org, entidad))
        body = app.get("/dataset/").get_data(as_text=True)
        for title in (
            "Eje temático",
            "Entidad fuente",
            "Comuna o corregimiento",
            "Periodicidad",
            "Formato",
            "Nodo",
        ):
            assert title in body, title
        assert "Corregimiento Dantas" in body
        assert "Departamento Administrativo Nacional de Estadística" in body  # entity facet by title
        assert "[&#34;" not in body and '["comuna' not in body

    @pytest.mark.parametrize("dataset_type", TYPES)
    def test_new_dataset_form_in_spanish(self, app, dataset_type):
        org, _entidad = cim_data.nodes_and_entity()
        user = factories.UserWithToken()
        helpers.call_action("member_create", id=org["id"], object=user["name"], object_type="user", capacity="editor")
        page = app.get(f"/{dataset_type}/new", headers={"Authorization": user["token"]})
        body = page.get_data(as_text=True)
        assert page.status_code == 200
        for label in (
            "Título",
            "Entidad fuente",
            "Periodicidad",
            "Cobertura geográfica",
            "Contacto (correo)",
        ):
            assert label in body, label
        assert "Departamento Administrativo Nacional de Estadística" in body  # the entity choices
        title = {"indicador": "Indicadores"}.get(dataset_type)
        if title is None:
            title = next(e["title"]["es"] for e in vocabularies.ejes() if e["name"] == dataset_type)
        assert f"Nuevo conjunto de datos: {title}" in body
        assert f"Crear {dataset_type.capitalize()}" not in body  # CKAN's default from the raw type name

    @pytest.mark.ckan_config("WTF_CSRF_ENABLED", False)
    @pytest.mark.parametrize("dataset_type", TYPES)
    def test_staff_member_creates_a_dataset_of_each_type_through_the_form(self, app, dataset_type):
        org, entidad = cim_data.nodes_and_entity()
        user = factories.UserWithToken()
        helpers.call_action("member_create", id=org["id"], object=user["name"], object_type="user", capacity="editor")
        form = _as_form(cim_data.dataset(dataset_type, org, entidad))
        response = app.post(
            f"/{dataset_type}/new", data=form, headers={"Authorization": user["token"]}, follow_redirects=False
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:3000]
        created = helpers.call_action("package_show", id=form["name"])
        assert created["type"] == dataset_type
        assert created["cobertura_geografica"] == ["comuna-7", "corr-dantas"]
        assert created["entidad_fuente"] == "dane"

    @pytest.mark.ckan_config("WTF_CSRF_ENABLED", False)
    def test_form_errors_are_shown_in_spanish_and_nothing_is_saved(self, app):
        org, _entidad = cim_data.nodes_and_entity()
        user = factories.UserWithToken()
        helpers.call_action("member_create", id=org["id"], object=user["name"], object_type="user", capacity="editor")
        form = {
            "title": "Sin datos",
            "name": "sin-datos",
            "owner_org": org["id"],
            "contact_email": "no-es-correo",
            "save": "",
            "_ckan_phase": "dataset_new_1",
        }
        body = app.post("/observatorios/new", data=form, headers={"Authorization": user["token"]}).get_data(
            as_text=True
        )
        assert "Entidad fuente es obligatorio" in body
        assert "no es un correo electrónico válido" in body
        assert helpers.call_action("package_search", include_private=True)["count"] == 0


@pytest.mark.usefixtures("clean_db")
class TestVocabularyActions:
    def test_anonymous_reads_the_territorial_vocabulary(self, app):
        result = app.get("/api/3/action/cimibague_vocabulary_show", query_string={"id": "territorio"}).json["result"]
        assert len(result["items"]) == 30
        assert result["items"][0] == {"value": "comuna-1", "label": "Comuna 1"}

    def test_periodicities_carry_their_eu_frequency(self, app):
        items = app.get("/api/3/action/cimibague_vocabulary_show?id=periodicidades").json["result"]["items"]
        mensual = next(i for i in items if i["value"] == "mensual")
        assert mensual["dcat_frequency"].endswith("/frequency/MONTHLY")

    def test_list_and_unknown_vocabulary(self, app):
        names = app.get("/api/3/action/cimibague_vocabulary_list").json["result"]
        assert names == ["cobertura", "ejes", "periodicidades", "sectores", "territorio"]
        missing = app.get("/api/3/action/cimibague_vocabulary_show?id=planetas", status=404).json
        assert "Vocabulario no encontrado" in missing["error"]["message"]


@pytest.mark.usefixtures("clean_db")
class TestEntidad:
    def test_nit_with_a_right_check_digit_is_normalised(self):
        entidad = factories.Group(
            type="entidad",
            name="alcaldia",
            title="Alcaldía de Ibagué",
            tipo_entidad="publica",
            nit="800.113.389-7",
        )
        assert entidad["nit"] == "800113389-7"

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("nit", "800113389-3", "el dígito de verificación"),
            ("nit", "800113389", "debe ser el número y su dígito de verificación"),
            ("tipo_entidad", "gremio", "no es una opción válida de Tipo"),
            ("contacto_correo", "oficina@", "no es un correo electrónico válido"),
            ("contacto_telefono", "llame ya", "no es un número de teléfono"),
            ("sitio_web", "ftp://ibague.gov.co", "no es una dirección web"),
        ],
    )
    def test_bad_values_are_refused(self, app, field, value, message):
        user = factories.SysadminWithToken()
        data = {
            "type": "entidad",
            "name": "entidad-x",
            "title": "Entidad X",
            "tipo_entidad": "publica",
            field: value,
        }
        error = app.post(
            "/api/3/action/group_create", json=data, headers={"Authorization": user["token"]}, status=409
        ).json["error"]
        assert any(message in text for text in error[field]), error
        assert helpers.call_action("group_list", type="entidad") == []

    def test_node_schema_keeps_the_procedures_profile(self, cli):
        from ckanext.cimibague.cli import cimibague

        assert cli.invoke(cimibague, ["seed"]).exit_code == 0
        nodo = helpers.call_action("organization_show", id="informacion-geografica")
        assert "cartografía" in nodo["perfil_profesional"]

"""The eight dataset types, the entity group type and the node schema, through the Action API and Solr."""

from __future__ import annotations

import json

import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest
from ckan.logic import ValidationError

from tests import cim_data
from tests.cim_data import TYPES


def test_schema_list_has_the_eight_types_and_the_general_one():
    # "dataset" is the lenient common core that ckanext-dcat's serializer requires (see dataset.yaml)
    assert sorted(helpers.call_action("scheming_dataset_schema_list")) == sorted([*TYPES, "dataset"])


def test_every_type_has_the_common_core_and_spanish_labels():
    core = {
        "title",
        "name",
        "notes",
        "owner_org",
        "entidad_fuente",
        "area_dependencia",
        "periodicidad",
        "cobertura_geografica",
        "temporal_start",
        "temporal_end",
        "fecha_corte",
        "language",
        "license_id",
        "tag_string",
        "contact_name",
        "contact_email",
        "nivel_acceso",
        "provenance",
        "observaciones_calidad",
    }
    for dataset_type in [*TYPES, "dataset"]:
        schema = helpers.call_action("scheming_dataset_schema_show", type=dataset_type, expanded=True)
        names = {f["field_name"] for f in schema["dataset_fields"]}
        assert core <= names, (dataset_type, core - names)
        for field in schema["dataset_fields"] + schema["resource_fields"]:
            assert isinstance(field["label"], dict) and field["label"]["es"], (
                dataset_type,
                field["field_name"],
            )
        resource_fields = {f["field_name"] for f in schema["resource_fields"]}
        assert {
            "url",
            "name",
            "description",
            "format",
            "fecha_actualizacion",
            "tipo_recurso",
        } <= resource_fields


@pytest.mark.usefixtures("clean_db", "clean_index")
class TestEveryType:
    @pytest.mark.parametrize("dataset_type", TYPES)
    def test_create_show_update_and_search(self, dataset_type):
        org, entidad = cim_data.nodes_and_entity()
        created = cim_data.act("package_create", **cim_data.dataset(dataset_type, org, entidad))
        shown = helpers.call_action("package_show", id=created["id"])
        assert shown["type"] == dataset_type
        assert shown["cobertura_geografica"] == ["comuna-7", "corr-dantas"]
        assert shown["license_id"] == "cc-by-4.0" and shown["language"] == "es" and shown["nivel_acceso"] == "publica"

        cim_data.act("package_patch", id=created["id"], periodicidad="mensual")
        assert helpers.call_action("package_show", id=created["id"])["periodicidad"] == "mensual"
        cim_data.publish(created["id"])  # the public search shows published datasets only

        found = helpers.call_action(
            "package_search",
            fq=f'dataset_type:"{dataset_type}" cim_cobertura:"comuna-7" cim_periodicidad:mensual',
        )
        assert [d["name"] for d in found["results"]] == [created["name"]]
        assert helpers.call_action("package_search", fq="cim_cobertura:comuna-8")["count"] == 0

    @pytest.mark.parametrize(
        ("dataset_type", "fq"),
        [
            ("plan-de-desarrollo", 'periodo_plan:"2024-2027"'),
            ("ordenamiento-territorial", "cim_tema_pot:espacio_publico"),
            ("observatorios", "observatorio:mercado_laboral"),
            ("politicas-publicas", "estado_implementacion:implementacion"),
            ("informacion-geografica", 'sistema_referencia:"EPSG:9377"'),
            ("bases-de-datos", "origen:externa"),
            ("planeacion-participativa", "cim_cobertura:corr-villarestrepo"),
            ("indicador", "eje:plan-de-desarrollo"),
        ],
    )
    def test_search_by_the_types_own_field(self, dataset_type, fq):
        org, entidad = cim_data.nodes_and_entity()
        cim_data.published(cim_data.dataset(dataset_type, org, entidad))
        assert helpers.call_action("package_search", fq=fq)["count"] == 1

    def test_values_are_normalised(self):
        org, entidad = cim_data.nodes_and_entity()
        ig = cim_data.act("package_create", **cim_data.dataset("informacion-geografica", org, entidad))
        assert ig["escala"] == "1:25000"
        assert json.loads(ig["spatial"])["type"] == "Polygon"
        pp = cim_data.act("package_create", **cim_data.dataset("planeacion-participativa", org, entidad))
        assert pp["valor_asignado"] == "150000000"
        ind = cim_data.act("package_create", **cim_data.dataset("indicador", org, entidad))
        assert ind["linea_base_valor"] == "45.5"
        assert ind["serie"] == [{"periodo": "2023", "valor": "45.5"}, {"periodo": "2024-T1", "valor": "47"}]

    def test_facets_are_multi_valued_and_labelled(self):
        org, entidad = cim_data.nodes_and_entity()
        for dataset_type in ("observatorios", "bases-de-datos"):
            cim_data.published(cim_data.dataset(dataset_type, org, entidad))
        result = helpers.call_action(
            "package_search",
            **{"facet.field": json.dumps(["cim_cobertura", "cim_entidad", "cim_periodicidad", "dataset_type"])},
        )
        cobertura = {i["name"]: i for i in result["search_facets"]["cim_cobertura"]["items"]}
        assert set(cobertura) == {"comuna-7", "corr-dantas"}  # never '["comuna-7", "corr-dantas"]'
        assert cobertura["comuna-7"]["count"] == 2
        assert cobertura["comuna-7"]["display_name"] == "Comuna 7"
        assert cobertura["corr-dantas"]["display_name"] == "Corregimiento Dantas"
        assert result["search_facets"]["cim_entidad"]["items"][0]["name"] == "dane"
        periodicidad = result["search_facets"]["cim_periodicidad"]["items"][0]
        assert periodicidad["display_name"] == "Anual"
        types = {i["name"]: i["display_name"] for i in result["search_facets"]["dataset_type"]["items"]}
        assert types["observatorios"] == "Observatorios"

    def test_bbox_search_finds_geographic_information(self):
        org, entidad = cim_data.nodes_and_entity()
        cim_data.published(cim_data.dataset("informacion-geografica", org, entidad))
        inside = helpers.call_action("package_search", extras={"ext_bbox": "-75.3,4.3,-75.1,4.5"})
        assert inside["count"] == 1
        assert helpers.call_action("package_search", extras={"ext_bbox": "-74.2,4.5,-74.0,4.7"})["count"] == 0


# field, bad value, the Spanish message expected (a part of it), dataset type
BAD_VALUES = [
    ("title", "", "Título es obligatorio", "observatorios"),
    ("notes", "", "Descripción es obligatorio", "observatorios"),
    ("entidad_fuente", "entidad-que-no-existe", "no es una opción válida de Entidad fuente", "observatorios"),
    ("entidad_fuente", "", "Entidad fuente es obligatorio", "observatorios"),
    ("periodicidad", "cada-rato", "no es una opción válida de Periodicidad", "observatorios"),
    (
        "cobertura_geografica",
        ["comuna-14"],
        '"comuna-14" no es una opción válida de Cobertura geográfica',
        "observatorios",
    ),
    ("cobertura_geografica", [], "Cobertura geográfica es obligatorio", "observatorios"),
    ("temporal_start", "2023-02-30", "no es una fecha válida (use AAAA-MM-DD)", "observatorios"),
    ("fecha_corte", "31/12/2023", "no es una fecha válida", "observatorios"),
    (
        "temporal_end",
        "2019-12-31",
        "Cobertura temporal hasta no puede ser anterior a Cobertura temporal desde",
        "observatorios",
    ),
    ("contact_email", "cim@ibague", "no es un correo electrónico válido", "observatorios"),
    ("nivel_acceso", "secreta", "no es una opción válida de Nivel de acceso", "observatorios"),
    ("language", "klingon", "no es una opción válida de Idioma", "observatorios"),
    ("boletin_url", "www.ibague.gov.co/boletin", "no es una dirección web", "observatorios"),
    ("observatorio", "", "Observatorio es obligatorio", "observatorios"),
    ("periodo_plan", "2027-2024", "el primer año (2027) es posterior al último (2024)", "plan-de-desarrollo"),
    ("periodo_plan", "cuatrienio", "no es un periodo de años como 2024-2027", "plan-de-desarrollo"),
    ("tipo_indicador", "impacto", "no es una opción válida de Tipo de indicador", "plan-de-desarrollo"),
    ("tema_pot", ["playas"], "no es una opción válida de Tema", "ordenamiento-territorial"),
    ("acto_fecha", "ayer", "no es una fecha válida", "ordenamiento-territorial"),
    ("spatial", "{no es json", "Extensión espacial (GeoJSON) no es un JSON válido", "informacion-geografica"),
    (
        "spatial",
        {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]},
        "no es una geometría válida",
        "informacion-geografica",
    ),
    (
        "spatial",
        {"type": "Point", "coordinates": [4.43, -75.2]},
        "las coordenadas quedan fuera de Colombia",
        "informacion-geografica",
    ),
    ("spatial", {"type": "Banana"}, "no es una geometría GeoJSON", "informacion-geografica"),
    ("escala", "grande", "no es una escala como 1:25000", "informacion-geografica"),
    (
        "sistema_referencia",
        "EPSG:3857",
        "no es una opción válida de Sistema de referencia",
        "informacion-geografica",
    ),
    ("valor_asignado", "-5000", "Valor asignado (COP) no puede ser negativo", "planeacion-participativa"),
    ("valor_asignado", "mucho", "no es un número", "planeacion-participativa"),
    ("vigencia", "1800", "no es un año entre 1900 y 2100", "planeacion-participativa"),
    (
        "territorio",
        "municipio",
        "no es una opción válida de Comuna o corregimiento",
        "planeacion-participativa",
    ),
    ("meta_anio", "2020", "Meta (año) no puede ser anterior a Línea base (año)", "indicador"),
    ("linea_base_valor", "n/a", "no es un número", "indicador"),
    ("datos_personales", "", "Tratamiento de datos personales es obligatorio", "bases-de-datos"),
]


@pytest.fixture(scope="module")
def _module_db() -> dict:
    return {}


@pytest.fixture
def refusal_setup(_module_db, reset_site_db, reset_index):
    """One clean database, node, entity and API token for the whole module: refused values save
    nothing, so these tests can share them (set up at the first test, once the plugins are loaded)."""
    if not _module_db:
        reset_site_db()
        reset_index()
        org, entidad = cim_data.nodes_and_entity()
        user = factories.SysadminWithToken()
        _module_db.update(org=org, entidad=entidad, token=user["token"])
    return _module_db


def _api_create(app, setup: dict, data: dict) -> dict:
    """package_create through the HTTP API, as an API client (and the site's Spanish locale) sees it."""
    before = helpers.call_action("package_search", include_private=True)["count"]
    response = app.post(
        "/api/3/action/package_create", json=data, headers={"Authorization": setup["token"]}, status=409
    )
    assert helpers.call_action("package_search", include_private=True)["count"] == before
    assert data["name"] not in helpers.call_action("package_list")
    return response.json["error"]


@pytest.mark.parametrize(("field", "value", "message", "dataset_type"), BAD_VALUES)
def test_bad_value_is_refused_in_spanish_and_nothing_is_saved(app, refusal_setup, field, value, message, dataset_type):
    setup = refusal_setup
    errors = _api_create(app, setup, cim_data.dataset(dataset_type, setup["org"], setup["entidad"], **{field: value}))
    assert errors["__type"] == "Validation Error"
    assert field in errors, errors
    assert any(message in text for text in errors[field]), errors[field]


def test_bad_series_period_names_the_subfield(app, refusal_setup):
    setup = refusal_setup
    serie = [{"periodo": "2024-T5", "valor": "1"}]
    errors = _api_create(app, setup, cim_data.dataset("indicador", setup["org"], setup["entidad"], serie=serie))
    assert "no es un periodo" in json.dumps(errors["serie"], ensure_ascii=False)


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_an_update_with_a_bad_value_keeps_the_saved_version():
    org, entidad = cim_data.nodes_and_entity()
    created = cim_data.act("package_create", **cim_data.dataset("observatorios", org, entidad))
    with pytest.raises(ValidationError):
        cim_data.act("package_patch", id=created["id"], temporal_end="2000-01-01", title="Otro título")
    shown = helpers.call_action("package_show", id=created["id"])
    assert shown["title"] == created["title"] and shown["temporal_end"] == "2023-12-31"

"""Valid datasets of every CIM type, for the tests (each test changes what it needs)."""

from __future__ import annotations

import copy
from typing import Any

import ckan.tests.factories as factories

TYPES = [
    "plan-de-desarrollo",
    "ordenamiento-territorial",
    "observatorios",
    "politicas-publicas",
    "informacion-geografica",
    "bases-de-datos",
    "planeacion-participativa",
    "indicador",
]

IBAGUE = {
    "type": "Polygon",
    "coordinates": [[[-75.28, 4.40], [-75.12, 4.40], [-75.12, 4.48], [-75.28, 4.48], [-75.28, 4.40]]],
}

PER_TYPE: dict[str, dict[str, Any]] = {
    "plan-de-desarrollo": {
        "plan": "Ibagué Vibra",
        "periodo_plan": "2024-2027",
        "tipo_indicador": "resultado",
        "sector": "educacion",
        "programa": "Educación de calidad",
    },
    "ordenamiento-territorial": {
        "instrumento": "plan_parcial",
        "componente": "urbano",
        "tema_pot": ["usos_suelo", "espacio_publico"],
        "acto_tipo": "decreto",
        "acto_numero": "0823",
        "acto_fecha": "2014-12-23",
        "vigencia": "2014-2027",
    },
    "observatorios": {
        "observatorio": "mercado_laboral",
        "linea_tematica": "Desempleo",
        "boletin_url": "https://www.ibague.gov.co/boletin.pdf",
    },
    "politicas-publicas": {
        "politica": "Política pública de juventud",
        "horizonte": "2020-2030",
        "estado_implementacion": "implementacion",
        "poblacion_objetivo": "Jóvenes de 14 a 28 años",
    },
    "informacion-geografica": {
        "sistema_referencia": "EPSG:9377",
        "representacion": "vector",
        "escala": "1:25.000",
        "spatial": IBAGUE,
        "fecha_captura": "2023-06-30",
        "servicio_url": "https://mapas.ibague.gov.co/wms",
    },
    "bases-de-datos": {
        "origen": "externa",
        "sistema_origen": "SISBEN IV",
        "datos_personales": "anonimizados",
        "unidad_observacion": "Hogar",
    },
    "planeacion-participativa": {
        "territorio": "corr-villarestrepo",
        "vigencia": "2024",
        "valor_asignado": "150.000.000",
        "estado_ejecucion": "contratado",
        "proyecto_priorizado": "Placa huella vereda Llanitos",
    },
    "indicador": {
        "eje": "plan-de-desarrollo",
        "unidad_medida": "Porcentaje",
        "formula": "a / b × 100",
        "linea_base_valor": "45,5",
        "linea_base_anio": "2023",
        "meta_valor": "60",
        "meta_anio": "2027",
        "serie": [{"periodo": "2023", "valor": "45,5"}, {"periodo": "2024-T1", "valor": "47"}],
    },
}


def nodes_and_entity() -> tuple[dict[str, Any], dict[str, Any]]:
    """A node (organization) and a source entity (group of type entidad)."""
    org = factories.Organization(name="nodo-pruebas", title="Nodo de pruebas")
    entidad = factories.Group(
        type="entidad",
        name="dane",
        title="Departamento Administrativo Nacional de Estadística",
        tipo_entidad="publica",
        orden="nacional",
    )
    return org, entidad


def dataset(dataset_type: str, org: dict[str, Any], entidad: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A valid data dict of the type (not yet created)."""
    data = {
        "type": dataset_type,
        "name": f"prueba-{dataset_type}",
        "title": f"Prueba de {dataset_type}",
        "notes": "Conjunto de prueba.",
        "owner_org": org["id"],
        "entidad_fuente": entidad["name"],
        "periodicidad": "anual",
        "cobertura_geografica": ["comuna-7", "corr-dantas"],
        "temporal_start": "2020-01-01",
        "temporal_end": "2023-12-31",
        "fecha_corte": "2023-12-31",
        "contact_name": "Centro de Información Municipal",
        "contact_email": "cim@ibague.gov.co",
        "tags": [{"name": "prueba"}],
        "resources": [
            {
                "name": "Datos",
                "url": "https://www.ibague.gov.co/datos.csv",
                "format": "CSV",
                "fecha_actualizacion": "2024-01-31",
                "tipo_recurso": "datos",
            }
        ],
        **copy.deepcopy(PER_TYPE[dataset_type]),
    }
    data.update(changes)
    return data


def act(action: str, **data: Any) -> Any:
    """Call an action as the site's sysadmin ``cim-admin`` (CKAN's activity plugin needs a real user)."""
    import ckan.model as model
    import ckan.tests.helpers as helpers

    if model.User.get("cim-admin") is None:
        factories.Sysadmin(name="cim-admin")
    return helpers.call_action(action, context={"user": "cim-admin", "ignore_auth": False}, **data)


def call_as(user: str, action: str, **data: Any) -> Any:
    """Call an action as ``user`` (auth checked)."""
    import ckan.tests.helpers as helpers

    return helpers.call_action(action, context={"user": user, "ignore_auth": False}, **data)


def publish(dataset_id: str) -> dict[str, Any]:
    """Walk a dataset through the workflow to ``publicado``, as two sysadmins of the Dirección (one
    sends it to review, the other approves and publishes: nobody approves their own submission)."""
    import ckan.model as model

    for name in ("cim-admin", "cim-director"):
        if model.User.get(name) is None:
            factories.Sysadmin(name=name)
    call_as("cim-admin", "cimibague_workflow_transition", id=dataset_id, to="en_revision")
    call_as("cim-director", "cimibague_workflow_transition", id=dataset_id, to="aprobado")
    return call_as("cim-director", "cimibague_workflow_transition", id=dataset_id, to="publicado")


def published(data: dict[str, Any]) -> dict[str, Any]:
    """Create the dataset (it starts in recibido, private) and walk it to publicado: what the public sees."""
    import ckan.tests.helpers as helpers

    created = act("package_create", **data)
    publish(created["id"])
    return helpers.call_action("package_show", id=created["id"])

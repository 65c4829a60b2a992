"""Idempotent loading of the CIM's base content: the sysadmin, the 7 nodes and the demo datasets.

Each step reports what it did through ``report(message)`` so that the CLI can show progress.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.cimibague import vocabularies

__all__ = [
    "demo_datasets",
    "ensure_demo_datasets",
    "ensure_entidades",
    "ensure_nodes",
    "ensure_sysadmin",
    "territorio_csv",
]

Report = Callable[[str], None]

DEMO_NOTICE = (
    "**Conjunto de datos de ejemplo** (contenido de demostración del portal): no es información oficial del CIM."
)


def _context() -> dict[str, Any]:
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True}


def ensure_sysadmin(name: str, password: str, email: str, report: Report) -> None:
    """Create the sysadmin ``name`` if missing, and make sure it is a sysadmin."""
    user = model.User.get(name)
    if user is None:
        tk.get_action("user_create")(
            _context(), {"name": name, "password": password, "email": email, "fullname": "Administrador CIM"}
        )
        user = model.User.get(name)
        report(f"usuario {name}: creado")
    else:
        report(f"usuario {name}: ya existía")
    if not user.sysadmin:
        user.sysadmin = True
        model.repo.commit_and_remove()


def ensure_nodes(report: Report) -> int:
    """Create the organization of every eje temático that does not exist yet; returns how many were new."""
    created = 0
    existing = set(tk.get_action("organization_list")(_context(), {"all_fields": False}))
    for eje in vocabularies.ejes():
        if eje["name"] in existing:
            report(f"nodo {eje['name']}: ya existía")
            continue
        tk.get_action("organization_create")(
            _context(),
            {
                "name": eje["name"],
                "title": eje["title"]["es"],
                "description": eje["description"]["es"],
                "perfil_profesional": eje["perfil"],
            },
        )
        created += 1
        report(f"nodo {eje['name']}: creado")
    return created


def territorio_csv() -> str:
    """The comunas and corregimientos as CSV (the demo dataset's resource, served by views.py)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["codigo", "tipo", "numero", "nombre"])
    territorio = vocabularies.territorio()
    for kind in ("comunas", "corregimientos"):
        for item in territorio[kind]:
            writer.writerow([item["code"], kind[:-1], item["number"], item["name"]])
    return out.getvalue()


def ensure_entidades(report: Report) -> int:
    """Create the source entities of the initial registry that do not exist yet; returns how many were new."""
    created = 0
    existing = set(tk.get_action("group_list")(_context(), {"type": "entidad", "all_fields": False, "limit": 1000}))
    for entidad in vocabularies.load("entidades"):
        if entidad["name"] in existing:
            report(f"entidad {entidad['name']}: ya existía")
            continue
        tk.get_action("group_create")(_context(), {"type": "entidad", **entidad})
        created += 1
        report(f"entidad {entidad['name']}: creada")
    return created


IBAGUE_URBANO = {
    "type": "Polygon",
    "coordinates": [[[-75.28, 4.40], [-75.12, 4.40], [-75.12, 4.48], [-75.28, 4.48], [-75.28, 4.40]]],
}


def _demo(name: str, dataset_type: str, title: str, entidad: str, **fields: Any) -> dict[str, Any]:
    eje = next(e for e in vocabularies.ejes() if e["name"] == (fields.pop("owner_org", None) or dataset_type))
    return {
        "name": f"ejemplo-{name}",
        "type": dataset_type,
        "title": f"Ejemplo: {title}",
        "owner_org": eje["name"],
        "notes": f"{DEMO_NOTICE}\n\n{eje['description']['es']}",
        "entidad_fuente": entidad,
        "periodicidad": "anual",
        "cobertura_geografica": ["municipio"],
        "temporal_start": "2020-01-01",
        "temporal_end": "2023-12-31",
        "fecha_corte": "2023-12-31",
        "license_id": "cc-by-4.0",
        "tags": [{"name": "ejemplo"}],
        "contact_name": "Centro de Información Municipal",
        "contact_email": "cim@ibague.gov.co",
        "private": False,
        "resources": [],
        **fields,
    }


def demo_datasets(site_url: str) -> list[dict[str, Any]]:
    """The demo datasets: one of every type, each marked as an example in its title, notes and tags."""
    return [
        _demo(
            "plan-de-desarrollo",
            "plan-de-desarrollo",
            "avance de metas del Plan de Desarrollo",
            "secretaria-planeacion",
            plan="Plan de Desarrollo (ejemplo)",
            periodo_plan="2024-2027",
            tipo_indicador="producto",
            sector="planeacion",
        ),
        _demo(
            "pot",
            "ordenamiento-territorial",
            "usos del suelo según el POT",
            "secretaria-planeacion",
            instrumento="pot",
            componente="urbano",
            tema_pot=["usos_suelo", "amenaza_riesgo"],
        ),
        _demo(
            "observatorio",
            "observatorios",
            "boletín del observatorio de seguridad",
            "secretaria-gobierno",
            observatorio="seguridad",
            periodicidad="trimestral",
        ),
        _demo(
            "politica-publica",
            "politicas-publicas",
            "seguimiento a una política pública",
            "secretaria-planeacion",
            politica="Política pública (ejemplo)",
            estado_implementacion="implementacion",
        ),
        _demo(
            "comunas-y-corregimientos",
            "informacion-geografica",
            "comunas y corregimientos de Ibagué",
            "igac",
            sistema_referencia="EPSG:4686",
            representacion="tabla",
            spatial=IBAGUE_URBANO,
            cobertura_geografica=["municipio"],
            periodicidad="no_se_actualiza",
            resources=[
                {
                    "name": "Comunas y corregimientos (CSV)",
                    "url": f"{site_url}/cimibague/territorio.csv",
                    "format": "CSV",
                    "description": "Códigos y nombres de las 13 comunas y los 17 corregimientos.",
                }
            ],
        ),
        _demo(
            "base-de-datos",
            "bases-de-datos",
            "matrícula escolar por comuna",
            "secretaria-educacion",
            origen="interna",
            datos_personales="anonimizados",
            cobertura_geografica=["comuna-1", "comuna-7"],
        ),
        _demo(
            "presupuesto-participativo",
            "planeacion-participativa",
            "presupuesto participativo de una comuna",
            "secretaria-planeacion",
            territorio="comuna-7",
            vigencia="2024",
            valor_asignado="0",
            estado_ejecucion="priorizado",
            cobertura_geografica=["comuna-7"],
        ),
        _demo(
            "indicador",
            "indicador",
            "indicador de cobertura (valores de ejemplo)",
            "secretaria-educacion",
            owner_org="plan-de-desarrollo",
            eje="plan-de-desarrollo",
            unidad_medida="Porcentaje",
            formula="(numerador / denominador) × 100",
            linea_base_valor="50",
            linea_base_anio="2023",
            meta_valor="60",
            meta_anio="2027",
            serie=[{"periodo": "2023", "valor": "50"}, {"periodo": "2024", "valor": "53"}],
        ),
    ]


def _walk_to_published(package_id: str, sender: str, approver: str) -> None:
    """The procedure's short path, as it is done by hand: ``sender`` sends to review, ``approver`` (another
    user: nobody approves their own submission) approves and publishes."""
    for user, target in ((sender, "en_revision"), (approver, "aprobado"), (approver, "publicado")):
        tk.get_action("cimibague_workflow_transition")(
            {"user": user}, {"id": package_id, "to": target, "comment": "Contenido de demostración"}
        )


def ensure_demo_datasets(report: Report, approver: str | None = None) -> int:
    """Create the demo datasets that do not exist yet; returns how many were new. New datasets start in
    ``recibido`` like any other; with ``approver`` (a sysadmin other than the site user) they are walked
    through review to ``publicado``, so that the public site shows them."""
    created = 0
    context = _context()
    for dataset in demo_datasets(tk.config["ckan.site_url"].rstrip("/")):
        try:
            tk.get_action("package_show")(dict(context), {"id": dataset["name"]})
            report(f"ejemplo {dataset['name']}: ya existía")
            continue
        except tk.ObjectNotFound:
            pass
        new = tk.get_action("package_create")(dict(context), dataset)
        created += 1
        if approver:
            _walk_to_published(new["id"], context["user"], approver)
            report(f"ejemplo {dataset['name']}: creado y publicado (revisado por {approver})")
        else:
            report(f"ejemplo {dataset['name']}: creado (recibido, sin publicar)")
    return created

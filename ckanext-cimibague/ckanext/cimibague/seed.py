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

__all__ = ["demo_datasets", "ensure_demo_datasets", "ensure_nodes", "ensure_sysadmin", "territorio_csv"]

Report = Callable[[str], None]

DEMO_NOTICE = (
    "**Conjunto de datos de ejemplo** (contenido de demostración del portal): "
    "no es información oficial del CIM."
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
                "extras": [{"key": "perfil_profesional", "value": eje["perfil"]}],
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


def demo_datasets(site_url: str) -> list[dict[str, Any]]:
    """The demo datasets: one per node, each marked as an example in its title, notes and tags."""
    ejes = {eje["name"]: eje for eje in vocabularies.ejes()}
    datasets = [
        {
            "name": "ejemplo-comunas-y-corregimientos",
            "title": "Ejemplo: comunas y corregimientos de Ibagué",
            "owner_org": "informacion-geografica",
            "notes": f"{DEMO_NOTICE}\n\nDivisión territorial de Ibagué (DIVIPOLA 73001): 13 comunas en la "
            "zona urbana y 17 corregimientos en la zona rural.",
            "resources": [
                {
                    "name": "Comunas y corregimientos (CSV)",
                    "url": f"{site_url}/cimibague/territorio.csv",
                    "format": "CSV",
                    "description": "Códigos y nombres de las comunas y corregimientos.",
                }
            ],
        }
    ]
    for name, eje in ejes.items():
        if name == "informacion-geografica":
            continue
        datasets.append(
            {
                "name": f"ejemplo-{name}",
                "title": f"Ejemplo: información del eje {eje['title']['es']}",
                "owner_org": name,
                "notes": f"{DEMO_NOTICE}\n\n{eje['description']['es']}",
                "resources": [],
            }
        )
    for dataset in datasets:
        dataset.update({"license_id": "cc-by", "tags": [{"name": "ejemplo"}], "private": False})
    return datasets


def ensure_demo_datasets(report: Report) -> int:
    """Create the demo datasets that do not exist yet; returns how many were new."""
    created = 0
    context = _context()
    for dataset in demo_datasets(tk.config["ckan.site_url"].rstrip("/")):
        try:
            tk.get_action("package_show")(dict(context), {"id": dataset["name"]})
            report(f"ejemplo {dataset['name']}: ya existía")
            continue
        except tk.ObjectNotFound:
            pass
        tk.get_action("package_create")(dict(context), dataset)
        created += 1
        report(f"ejemplo {dataset['name']}: creado")
    return created

"""Helpers of the harvester tests: a node, an entity and a harvest source, and a harvest run.

``run(source)`` runs a job the way the consumers do (ckanext-harvest's ``queue.gather_stage`` then
``queue.fetch_and_import_stages`` for each object, then ``harvest_jobs_run`` to finish the job), in
process; ``tests/test_harvest_queues.py`` runs the real gather and fetch consumers over Redis once.
The HTTP sources are pytest-httpserver servers serving the fixture documents of ``tests/data/harvest/``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import ckan.model as model
import ckan.tests.helpers as helpers
from ckan.tests import factories

from tests.cim_data import nodes_and_entity

DATA = Path(__file__).parent / "data" / "harvest"


def fixture(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def sysadmin() -> dict[str, Any]:
    user = model.User.get("cim-admin")
    return {"name": user.name} if user else factories.Sysadmin(name="cim-admin")


def setup() -> tuple[dict[str, Any], dict[str, Any]]:
    """The node ``nodo-pruebas`` and the entity ``dane`` (tests/cim_data.py), and the sysadmin cim-admin."""
    sysadmin()
    return nodes_and_entity()


def source(
    url: str, source_type: str, config: dict[str, Any] | str, org: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    """A harvest source created through the API by a sysadmin (so its configuration is validated)."""
    return helpers.call_action(
        "harvest_source_create",
        context={"user": "cim-admin"},
        name=extra.pop("name", f"fuente-{source_type.replace('_', '-')}"),
        title=extra.pop("title", f"Fuente {source_type}"),
        url=url,
        source_type=source_type,
        owner_org=org["id"],
        config=config if isinstance(config, str) else json.dumps(config),
        **extra,
    )


def run(source_dict: dict[str, Any]) -> dict[str, Any]:
    """Run one harvest job of the source in process (harvesters/run.py, as ``ckan cimibague cosechar``);
    returns the job's status and gather errors, and per object guid its state, report_status, errors and
    package id."""
    from ckanext.cimibague.harvesters.run import run_job

    report = run_job(source_dict["id"])
    return {
        "job_id": report.job_id,
        "status": report.status,
        "gather_errors": report.gather_errors,
        "objects": report.objects,
    }


def show(package_id: str) -> dict[str, Any]:
    return helpers.call_action("package_show", id=package_id)


def search(**params: Any) -> dict[str, Any]:
    """package_search as a sysadmin, private datasets included."""
    return helpers.call_action(
        "package_search", context={"user": "cim-admin", "ignore_auth": False}, include_private=True, **params
    )

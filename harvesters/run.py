"""One harvest job run in this process (``ckan cimibague cosechar FUENTE``): gather, then fetch and import
each object with progress, then the job is closed, as the gather and fetch consumers would do it over
Redis. ckanext-harvest's own ``harvester run-test`` asks on stdin when a job is running and imports
its test helpers; this one does neither."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib import search
from ckanext.harvest import queue
from ckanext.harvest.model import HarvestJob, HarvestObject, HarvestSource

from ckanext.cimibague.site_i18n import gettext as _
from ckanext.cimibague.workflow.machine import N_

__all__ = ["JobReport", "run_job"]

Progress = Callable[[Iterable[str]], Iterable[str]]


@dataclasses.dataclass
class JobReport:
    job_id: str
    status: str
    gather_errors: list[str]
    objects: dict[str, dict[str, Any]]

    def count(self, report_status: str) -> int:
        return sum(1 for o in self.objects.values() if o["report_status"] == report_status)

    @property
    def ok(self) -> bool:
        return not self.gather_errors and not any(o["errors"] for o in self.objects.values())


def _site_user() -> str:
    return tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]


def harvester_for(source_type: str) -> Any:
    from ckan import plugins as p
    from ckanext.harvest.interfaces import IHarvester

    for plugin in p.PluginImplementations(IHarvester):
        if plugin.info()["name"] == source_type:
            return plugin
    raise tk.ObjectNotFound(_(N_("No harvester is installed for the source type «%(type)s»")) % {"type": source_type})


def _job(source: HarvestSource, abort_running: bool) -> HarvestJob:
    running = model.Session.query(HarvestJob).filter_by(source_id=source.id, status="Running").first()
    if running is not None:
        if not abort_running:
            raise tk.ValidationError(
                {
                    "id": [
                        _(N_("The source already has a running job (%(job)s); use --abortar to stop it"))
                        % {"job": running.id}
                    ]
                }
            )
        running.status = "Finished"
        running.save()
    job = model.Session.query(HarvestJob).filter_by(source_id=source.id, status="New").first()
    if job is None:
        job = HarvestJob(source=source)
    job.status = "Running"
    job.save()
    return job


def run_job(source_id_or_name: str, *, abort_running: bool = False, progress: Progress | None = None) -> JobReport:
    """Harvest the source once. ``progress`` wraps the iteration over the objects (a click progress bar)."""
    pkg = model.Package.get(source_id_or_name)
    source = HarvestSource.get(pkg.id) if pkg is not None else HarvestSource.get(source_id_or_name)
    if source is None:
        raise tk.ObjectNotFound(_(N_("There is no harvest source «%(name)s»")) % {"name": source_id_or_name})
    if not source.active:
        raise tk.ValidationError({"id": [_(N_("The harvest source is not active"))]})
    plugin = harvester_for(source.type)
    job = _job(source, abort_running)
    ids = queue.gather_stage(plugin, job)
    ids = ids if isinstance(ids, list) else []
    objects: dict[str, dict[str, Any]] = {}
    for obj_id in progress(ids) if progress else ids:
        obj = HarvestObject.get(obj_id)
        queue.fetch_and_import_stages(plugin, obj)
        model.Session.refresh(obj)
        objects[obj.guid] = {
            "state": obj.state,
            "report_status": obj.report_status,
            "errors": [e.message for e in obj.errors],
            "package_id": obj.package_id,
        }
    search.commit()  # what landed is searchable now, not only after Solr's next soft commit
    tk.get_action("harvest_jobs_run")({"ignore_auth": True, "user": _site_user()}, {"source_id": source.id})
    model.Session.refresh(job)
    return JobReport(job.id, job.status, [e.message for e in job.gather_errors], objects)

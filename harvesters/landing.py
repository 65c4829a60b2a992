"""Where a harvested record becomes a CIM dataset: the same for every source type.

- The record's dataset dict (already mapped to the CIM field names by the harvester) gets the source's
  type, node and entity, and the source's ``valores_por_defecto`` for what it lacks.
- It is validated by the target type's own scheming schema (never a harvester's lenient schema): a
  record missing something required becomes an object error naming the field, and nothing is written.
- New records are created by ``package_create`` (the workflow puts them in ``recibido``, private);
  a record harvested before updates the same dataset (found by source and identifier), through
  ``package_update`` and so through the workflow's guard: ``private`` and ``estado_flujo`` never come
  from a source, a dataset under review refuses the change (an object error, retried next run), a
  published one gets a pending revision.
- A record whose mapped content did not change since its last import is ``unchanged``.
- A record gone from its source is flagged for review (a history row and a mail to the node's
  admins), never deleted.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
from collections.abc import Iterator
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan.lib.munge import munge_title_to_name
from ckan.model.types import make_uuid
from ckanext.harvest.harvesters.base import HarvesterBase
from ckanext.harvest.model import HarvestJob, HarvestObject, HarvestObjectError, HarvestObjectExtra
from ckanext.scheming import helpers as sh

from ckanext.cimibague.harvesters.config import SourceConfig
from ckanext.cimibague.site_i18n import gettext as _
from ckanext.cimibague.workflow import notify, service
from ckanext.cimibague.workflow.machine import N_

__all__ = ["DIGEST", "flag_removed", "land", "new_dataset_name", "previous_objects", "removed_guids"]

log = logging.getLogger(__name__)

DIGEST = "cim_digest"  # harvest object extra: digest of the dataset dict last imported from the record
REMOVED = "eliminado_en_fuente"  # history kind of a record gone from its source
SYSTEM_KEYS = ("private", service.FIELD, "state", "id", "metadata_created", "metadata_modified", "creator_user_id")


def site_user() -> str:
    """The site user's name (created if missing), who creates and proposes what lands."""
    return tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]


def _context() -> dict[str, Any]:
    # No 'schema' here: the target type's scheming schema validates, as for a person's edit
    return {"model": model, "session": model.Session, "user": site_user(), "ignore_auth": True}


def complete(package_dict: dict[str, Any], config: SourceConfig, owner_org: str) -> dict[str, Any]:
    """The record's dict with what the source configuration decides: type, node, entity, defaults."""
    data = {k: v for k, v in package_dict.items() if k not in SYSTEM_KEYS}
    for key, value in config.defaults.items():
        if data.get(key) in (None, "", []):
            data[key] = value
    data["type"] = config.tipo
    data["owner_org"] = owner_org
    data["entidad_fuente"] = config.entidad
    return data


def digest(data: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def previous_objects(source_id: str, guid: str) -> list[HarvestObject]:
    """The imported objects of this source and identifier, newest first."""
    return (
        model.Session.query(HarvestObject)
        .filter(HarvestObject.harvest_source_id == source_id)
        .filter(HarvestObject.guid == guid)
        .filter(HarvestObject.package_id.isnot(None))
        .order_by(HarvestObject.import_finished.desc().nullslast(), HarvestObject.gathered.desc())
        .all()
    )


def _last_digest(obj: HarvestObject | None) -> str | None:
    if obj is None:
        return None
    return next((e.value for e in obj.extras if e.key == DIGEST), None)


def _labels(dataset_type: str) -> dict[str, str]:
    schema = sh.scheming_get_dataset_schema(dataset_type) or {}
    labels = {}
    for field in [*schema.get("dataset_fields", []), *schema.get("resource_fields", [])]:
        label = field.get("label")
        if isinstance(label, dict):
            label = label.get(tk.config.get("ckan.locale_default") or "es") or label.get("en")
        labels.setdefault(field["field_name"], label or field["field_name"])
    return labels


def describe_errors(error_dict: dict[str, Any], dataset_type: str) -> str:
    """A validation error as one line per field: «Etiqueta» (campo): mensaje."""
    labels = _labels(dataset_type)
    lines = []

    def walk(errors: Any, prefix: str) -> None:
        if isinstance(errors, dict):
            for key, value in errors.items():
                walk(value, f"{prefix}{key}" if not prefix else f"{prefix}.{key}")
        elif isinstance(errors, list) and errors and all(isinstance(e, str) for e in errors):
            field = prefix.rsplit(".", 1)[-1]
            label = labels.get(field, field)
            lines.append(f"«{label}» ({prefix}): {'; '.join(errors)}")
        elif isinstance(errors, list):
            for number, value in enumerate(errors, start=1):
                if value:
                    walk(value, f"{prefix}[{number}]")

    walk(error_dict, "")
    return "\n".join(lines) or str(error_dict)


def _error(harvest_object: HarvestObject, message: str) -> bool:
    model.Session.rollback()
    HarvestObjectError.create(message, harvest_object, "Import")
    return False


def land(harvest_object: HarvestObject, package_dict: dict[str, Any], config: SourceConfig) -> bool | str:
    """Create or update the dataset of ``harvest_object`` from ``package_dict``; the import stage's result:
    ``True``, ``"unchanged"`` or ``False`` (an object error recorded, nothing written)."""
    source = harvest_object.source or harvest_object.job.source
    owner_org = config.nodo or _source_org(source.id)
    if not owner_org:
        return _error(harvest_object, _(N_("The harvest source has no node: set «nodo» in its configuration")))
    org = model.Group.get(owner_org)
    data = complete(package_dict, config, org.id if org else owner_org)
    if not data.get("title"):
        return _error(harvest_object, _(N_("The record has no title")))
    previous = previous_objects(source.id, harvest_object.guid)
    existing = next((o.package for o in previous if o.package is not None), None)
    fingerprint = digest(data)
    if existing is not None and existing.state == "deleted":
        log.info("Dataset %s of %s was deleted here: not harvested again", existing.name, harvest_object.guid)
        return "unchanged"
    imported = [o for o in previous if not is_removal(o)]
    if existing is not None and imported and _last_digest(imported[0]) == fingerprint:
        if not any(o.current for o in previous):  # back at the source after a removal flag, as it was
            imported[0].current = True
            imported[0].save()
        return "unchanged"
    try:
        if existing is not None:
            data.update(id=existing.id, name=existing.name, type=existing.type, owner_org=existing.owner_org)
            keep_resource_ids(existing, data)
        else:
            data.update(id=make_uuid(), name=new_dataset_name(data.get("name") or data["title"]))
        # Linked before the action (deferred foreign key), so that the dataset is indexed once, already
        # carrying its harvest object (ckanext-harvest adds it to the index)
        _make_current(harvest_object, data["id"], fingerprint)
        action = "package_update" if existing is not None else "package_create"
        with solr_soft_commits():
            tk.get_action(action)(_context(), data)
        model.Session.commit()
    except tk.ValidationError as error:
        return _error(
            harvest_object,
            _(N_("The record «%(guid)s» is not a valid «%(type)s» dataset:"))
            % {"guid": harvest_object.guid, "type": data["type"]}
            + "\n"
            + describe_errors(error.error_dict, data["type"]),
        )
    except Exception as error:  # any failure is the object's error; the job goes on
        log.exception("Import of %s failed", harvest_object.guid)
        return _error(
            harvest_object,
            _(N_("The record «%(guid)s» could not be imported: %(error)s"))
            % {"guid": harvest_object.guid, "error": error},
        )
    return True


def keep_resource_ids(pkg: model.Package, data: dict[str, Any]) -> None:
    """A re-harvested resource keeps its id (its page, views, DataStore table and links stay): matched by
    URL, else by name; what no longer comes from the source is dropped, what is new gets a new id."""
    existing = [r for r in pkg.resources if r.state == "active"]
    by_url = {r.url: r.id for r in existing if r.url}
    by_name = {r.name: r.id for r in existing if r.name}
    taken: set[str] = set()
    for resource in data.get("resources") or []:
        found = by_url.get(resource.get("url") or "") or by_name.get(resource.get("name") or "")
        if found and found not in taken:
            resource["id"] = found
            taken.add(found)


@contextlib.contextmanager
def solr_soft_commits() -> Iterator[None]:
    """Index without asking Solr for a hard commit per dataset (CKAN's ``ckan.search.solr_commit``) while
    a record lands: the CIM Solr core soft-commits every second (solrconfig.xml autoSoftCommit), so a
    harvested dataset is searchable within a second, and a harvest no longer waits ~0.1–0.3 s per record
    for a commit. Harvests run in their own processes (consumers, CLI), one record at a time."""
    before = tk.config.get("ckan.search.solr_commit")
    tk.config["ckan.search.solr_commit"] = False
    try:
        yield
    finally:
        tk.config["ckan.search.solr_commit"] = before


def new_dataset_name(title_or_name: str) -> str:
    """A free dataset name from a title or a wished name (also for the datasets received by a request)."""
    ideal = munge_title_to_name(title_or_name)[:90].strip("-") or "conjunto-de-datos"
    if model.Session.query(model.Package.id).filter(model.Package.name == ideal).first() is None:
        return ideal  # the usual case, by the name index (the upstream helper scans every name LIKE it)
    return HarvesterBase._ensure_name_is_unique(ideal)


def _source_org(source_id: str) -> str | None:
    source = model.Package.get(source_id)
    return source.owner_org if source is not None else None


def _make_current(harvest_object: HarvestObject, package_id: str, fingerprint: str) -> None:
    model.Session.execute(sa.text("SET CONSTRAINTS harvest_object_package_id_fkey DEFERRED"))
    model.Session.query(HarvestObject).filter(HarvestObject.package_id == package_id).filter(
        HarvestObject.id != harvest_object.id
    ).update({"current": False}, synchronize_session=False)
    harvest_object.package_id = package_id
    harvest_object.current = True
    harvest_object.extras = [e for e in harvest_object.extras if e.key != DIGEST] + [
        HarvestObjectExtra(key=DIGEST, value=fingerprint)
    ]
    model.Session.add(harvest_object)
    model.Session.flush()


# --------------------------------------------------------------------------------- removed at the source
def removed_guids(harvest_job: HarvestJob, present: set[str]) -> list[tuple[str, str]]:
    """(guid, package_id) of this source's current datasets whose identifier is not in ``present`` (the
    complete listing of the source)."""
    rows = (
        model.Session.query(HarvestObject.guid, HarvestObject.package_id)
        .join(model.Package, model.Package.id == HarvestObject.package_id)
        .filter(HarvestObject.harvest_source_id == harvest_job.source_id)
        .filter(HarvestObject.current.is_(True))
        .filter(model.Package.state == "active")
        .all()
    )
    return sorted({(guid, package_id) for guid, package_id in rows if guid not in present})


def removal_objects(harvest_job: HarvestJob, present: set[str]) -> list[str]:
    """Harvest objects (ids) that flag, at import, the datasets whose record left the source."""
    ids = []
    for guid, package_id in removed_guids(harvest_job, present):
        obj = HarvestObject(guid=guid, job=harvest_job, package_id=package_id)
        obj.extras = [HarvestObjectExtra(key="status", value="delete")]
        obj.save()
        ids.append(obj.id)
    return ids


def is_removal(harvest_object: HarvestObject) -> bool:
    return any(e.key == "status" and e.value == "delete" for e in harvest_object.extras)


def flag_removed(harvest_object: HarvestObject) -> bool:
    """The record left its source: the dataset stays as it is, its history says so and the node's admins
    are told; the record is no longer current (it comes back as an update if the source lists it again)."""
    pkg = model.Package.get(harvest_object.package_id)
    if pkg is None:
        return True
    source = harvest_object.source or harvest_object.job.source
    text = _(
        N_(
            "The record «%(guid)s» is no longer in the harvest source «%(source)s»: review whether the dataset "
            "should be withdrawn"
        )
    ) % {
        "guid": harvest_object.guid,
        "source": source.title or source.url,
    }
    user = model.User.get(site_user())
    service.record(pkg.id, user.id if user else None, REMOVED, from_state=service.state_of(pkg), comment=text)
    model.Session.query(HarvestObject).filter(HarvestObject.package_id == pkg.id).update(
        {"current": False}, synchronize_session=False
    )
    harvest_object.current = False
    harvest_object.save()
    notify.send(
        notify.node_users(pkg, "admin"),
        _(N_("[CIM Ibagué] Removed at the source: %(title)s")) % {"title": pkg.title},
        text + "\n\n" + notify.dataset_url(pkg),
    )
    return True

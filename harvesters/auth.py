"""Who may read harvest objects. ckanext-harvest lets anyone read any harvest object (the harvested
record as it came, and the dataset it landed in) and any logged-in user list them all: a record that
landed in ``recibido`` would be readable before its review. Here an object is read by whoever may see its
dataset; an object without a dataset (an error, a removal) only by whoever may edit its source, and the
listing of objects only by sysadmins."""

from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import AuthFunction, AuthResult, Context, DataDict
from ckanext.harvest.model import HarvestObject

__all__ = ["harvest_object_list", "harvest_object_show"]


def _object(data_dict: DataDict) -> HarvestObject | None:
    if data_dict.get("id"):
        return HarvestObject.get(data_dict["id"], attr=data_dict.get("attr"))
    if data_dict.get("dataset_id"):
        pkg = model.Package.get(data_dict["dataset_id"])
        if pkg is None:
            return None
        return (
            model.Session.query(HarvestObject)
            .filter(HarvestObject.package_id == pkg.id)
            .filter(HarvestObject.current.is_(True))
            .first()
        )
    return None


def _can(action: str, context: Context, data_dict: dict[str, Any]) -> bool:
    try:
        tk.check_access(action, {"user": context.get("user"), "model": model}, data_dict)
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return False
    return True


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def harvest_object_show(up: AuthFunction, context: Context, data_dict: DataDict) -> AuthResult:
    obj = _object(data_dict)
    if obj is None:
        return {"success": False, "msg": tk._("Not authorized to see this harvest object")}
    if obj.package_id and _can("package_show", context, {"id": obj.package_id}):
        return {"success": True}
    if obj.harvest_source_id and _can("package_update", context, {"id": obj.harvest_source_id}):
        return {"success": True}
    return {"success": False, "msg": tk._("Not authorized to see this harvest object")}


@tk.chained_auth_function
def harvest_object_list(up: AuthFunction, context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": False, "msg": tk._("Only sysadmins may list harvest objects")}

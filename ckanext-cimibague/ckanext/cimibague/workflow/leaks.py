"""Channels where CKAN shows something of datasets their reader may not see, closed for the workflow.

A CIM dataset is readable only by the holders of its permission labels (visibility.py): the public while
``publicado``, its node's staff, and its sector actors during socialisation. CKAN honours the labels in
``package_show`` and ``package_search``, but some core actions read the database or Solr around them:

- ``package_search`` with ``facet.mincount=0`` lists every indexed value of the faceted fields (names,
  tags, formats of private datasets) with a count of 0: the minimum count is raised to 1;
- ``format_autocomplete`` and the free-tag actions (``tag_list``, ``tag_search``, ``tag_autocomplete``,
  ``tag_show``) read every active resource and tag: they are limited to what the caller's search finds;
- ``member_list`` of a node lists the ids of all its datasets: those the caller may not read are left out;
- the refusal of ``package_show`` (and so of ``resource_show``, ``dcat_dataset_show`` and the workflow's
  reads) names the dataset's id, also when it was asked by name: the message no longer does (the chained
  auth function ``package_show`` in logic/auth.py);
- activities keep the permission labels their dataset had when they were recorded, so those of a
  withdrawn dataset's published time stayed public (activity lists, ``activity_show``, the home page):
  when a dataset stops being public, its public activities take its current labels
  (``visibility.close_activities``, called by the plugin after every dataset update).

These actions are registered by plugin.py with the extension's other actions.
"""

from __future__ import annotations

from typing import Any

import ckan.authz as authz
import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import get_permission_labels
from ckan.types import Action, Context, DataDict

__all__ = [
    "format_autocomplete",
    "member_list",
    "package_search",
    "tag_autocomplete",
    "tag_list",
    "tag_search",
    "tag_show",
]


@tk.chained_action
@tk.side_effect_free
def package_search(up: Action, context: Context, data_dict: DataDict) -> Any:
    try:
        mincount = int(data_dict.get("facet.mincount", 1))
    except (TypeError, ValueError):
        mincount = 1
    return up(context, dict(data_dict, **{"facet.mincount": max(mincount, 1)}))


def _searchable(context: Context, field: str) -> set[str] | None:
    """The values of a Solr facet field over the datasets the caller may read (None: the caller reads all)."""
    user = context.get("user") or ""
    if context.get("ignore_auth") or (user and authz.is_sysadmin(user)):
        return None
    result = tk.get_action("package_search")(
        {"user": user, "auth_user_obj": context.get("auth_user_obj")},  # type: ignore[typeddict-item]
        {"q": "*:*", "rows": 0, "include_private": True, "facet.field": [field], "facet.limit": -1},
    )
    return set(result["facets"].get(field, {}))


@tk.chained_action
@tk.side_effect_free
def format_autocomplete(up: Action, context: Context, data_dict: DataDict) -> Any:
    limit = int(data_dict.get("limit") or 5)
    found = up(context, dict(data_dict, limit=1000))
    visible = _searchable(context, "res_format")
    if visible is not None:
        lowered = {value.lower() for value in visible}
        found = [value for value in found if value in lowered]
    return found[:limit]


def _free_tag(data_dict: DataDict) -> bool:
    return not data_dict.get("vocabulary_id")


def _tag_name(tag: Any) -> str:
    return tag if isinstance(tag, str) else tag["name"]


@tk.chained_action
@tk.side_effect_free
def tag_list(up: Action, context: Context, data_dict: DataDict) -> Any:
    tags = up(context, data_dict)
    visible = _searchable(context, "tags") if _free_tag(data_dict) else None
    return tags if visible is None else [tag for tag in tags if _tag_name(tag) in visible]


@tk.chained_action
@tk.side_effect_free
def tag_autocomplete(up: Action, context: Context, data_dict: DataDict) -> Any:
    limit = int(data_dict.get("limit") or 10)
    tags = up(context, dict(data_dict, limit=1000))
    visible = _searchable(context, "tags") if _free_tag(data_dict) else None
    return (tags if visible is None else [tag for tag in tags if tag in visible])[:limit]


@tk.chained_action
@tk.side_effect_free
def tag_search(up: Action, context: Context, data_dict: DataDict) -> Any:
    visible = _searchable(context, "tags") if _free_tag(data_dict) else None
    if visible is None:
        return up(context, data_dict)
    found = up(context, dict(data_dict, offset=0, limit=None))
    results = [tag for tag in found["results"] if _tag_name(tag) in visible]
    offset = int(data_dict.get("offset") or 0)
    limit = data_dict.get("limit")
    page = results[offset : offset + int(limit)] if limit not in (None, "") else results[offset:]
    return {"count": len(results), "results": page}


@tk.chained_action
@tk.side_effect_free
def tag_show(up: Action, context: Context, data_dict: DataDict) -> Any:
    result = up(context, data_dict)
    if not result.get("vocabulary_id"):
        visible = _searchable(context, "tags")
        if visible is not None and result["name"] not in visible:
            raise tk.ObjectNotFound(tk._("Tag not found"))
    return result


@tk.chained_action
@tk.side_effect_free
def member_list(up: Action, context: Context, data_dict: DataDict) -> Any:
    members = up(context, data_dict)
    user = context.get("user") or ""
    if context.get("ignore_auth") or (user and authz.is_sysadmin(user)):
        return members
    labels = get_permission_labels()
    user_labels = set(labels.get_user_dataset_labels(context.get("auth_user_obj") or model.User.get(user)))

    def readable(package_id: str) -> bool:
        pkg = model.Package.get(package_id)
        return pkg is not None and bool(user_labels & set(labels.get_dataset_labels(pkg)))

    return [m for m in members if m[1] != "package" or readable(m[0])]

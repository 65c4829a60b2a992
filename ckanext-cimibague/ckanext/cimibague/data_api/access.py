"""Who reads a DataStore table: whoever may read its resource (CKAN's rule, on the workflow's permission
labels: the node's staff, the sector actors while socialising, everyone once published). What CKAN lacks
and this adds:

- ``datastore_search`` on ``_table_metadata`` lists every table of the DataStore to anyone: CKAN's
  ``ckan.datastore.public_table_search`` is emptied in config/common.ini (tests/test_datastore_leaks.py);
- the table preview's endpoints (``/datatables/ajax/<view>``, ``/datatables/filtered-download/<view>``)
  let ``resource_view_show`` refuse uncaught (an error 500 naming the resource): they answer 404 here
  to whoever may not read the view; so do the proxies that bring a resource's file to the map previews
  (``/dataset/<id>/resource/<rid>/proxy``, ckanext-geoview's ``.../service_proxy``), whose uncaught
  ``resource_show`` refusal would otherwise be an error 500 (tests/test_previews.py);
- ``datastore_search_sql`` gets the site's statement timeout (actions.py). Its refusals of other schemas,
  ``pg_*`` tables, functions outside CKAN's allowlist and of every statement but one SELECT, and the
  check that the caller may read every table a query touches (views resolved to their tables) are CKAN's.
"""

from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk

__all__ = ["PREVIEW_ENDPOINTS", "PROXY_ENDPOINTS", "refuse_hidden_previews"]

PREVIEW_ENDPOINTS = frozenset({"datatablesview.ajax", "datatablesview.filtered_download"})
PROXY_ENDPOINTS = frozenset({"resource_proxy.proxy_view", "service_proxy.proxy_service"})


def refuse_hidden_previews() -> Any:
    """Flask ``before_request``: a table preview of a view, or a proxied file of a resource, its caller
    may not read answers 404."""
    if tk.request.endpoint in PROXY_ENDPOINTS:
        try:
            tk.get_action("resource_show")({}, {"id": (tk.request.view_args or {}).get("resource_id")})
        except (tk.NotAuthorized, tk.ObjectNotFound):
            return tk.abort(404, tk._("Resource not found"))
        return None
    if tk.request.endpoint not in PREVIEW_ENDPOINTS:
        return None
    view_id = (tk.request.view_args or {}).get("resource_view_id")
    try:
        tk.get_action("resource_view_show")({}, {"id": view_id})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        body = json.dumps({"error": tk._("Not found")})
        return body, 404, {"Content-Type": "application/json"}
    return None

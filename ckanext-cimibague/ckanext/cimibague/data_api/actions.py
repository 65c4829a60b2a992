"""Core and xloader actions chained by the ``cimibague_datos`` plugin."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Action, Context, DataDict

from ckanext.cimibague.data_api import load

__all__ = ["datastore_search_sql", "xloader_submit"]


@tk.chained_action
def xloader_submit(up: Action, context: Context, data_dict: DataDict) -> Any:
    """Queue the load of a CSV, TSV or XLSX resource into the DataStore: the file is read once, checked
    (an empty file, a header alone, ragged rows, a broken workbook, a file over the size limit or an
    address that does not answer are refused with a message, and the previous table keeps answering),
    loaded by xloader's COPY and typed with the Colombian conventions.

    :param resource_id: the resource
    :type resource_id: string
    :returns: whether a load was queued (False for resources that are not CSV, TSV or XLSX)
    :rtype: bool
    """
    return load.submit(context, data_dict)


@tk.chained_action
@tk.side_effect_free
def datastore_search_sql(up: Action, context: Context, data_dict: DataDict) -> Any:
    """CKAN's ``datastore_search_sql`` (read-only user, one SELECT, allowed functions only, the caller
    must be able to read every table it touches) with the site's statement timeout
    (``ckanext.cimibague.datos.sql_timeout``, in milliseconds)."""
    timeout = int(tk.config.get("ckanext.cimibague.datos.sql_timeout"))
    return up({**context, "query_timeout": timeout}, data_dict)  # type: ignore[typeddict-unknown-key]

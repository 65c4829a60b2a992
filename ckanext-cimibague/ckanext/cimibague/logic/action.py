"""Actions of ckanext-cimibague (``cimibague_*``)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.cimibague import helpers, vocabularies

__all__ = ["cimibague_vocabulary_list", "cimibague_vocabulary_show"]

VOCABULARIES = {
    "ejes": helpers.cimibague_eje_choices,
    "periodicidades": helpers.cimibague_periodicidad_choices,
    "sectores": helpers.cimibague_sector_choices,
    "territorio": helpers.cimibague_territorio_choices,
    "cobertura": helpers.cimibague_cobertura_choices,
}


@tk.side_effect_free
def cimibague_vocabulary_list(context: Context, data_dict: DataDict) -> list[str]:
    """The names of the CIM's controlled vocabularies (read-only, public).

    :returns: e.g. ``["cobertura", "ejes", "periodicidades", "sectores", "territorio"]``
    :rtype: list of strings
    """
    tk.check_access("cimibague_vocabulary_list", context, data_dict)
    return sorted(VOCABULARIES)


@tk.side_effect_free
def cimibague_vocabulary_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """One controlled vocabulary of the CIM: its values and their labels (read-only, public).

    :param id: the vocabulary: ``cobertura`` (municipio, comunas and corregimientos), ``territorio``
        (comunas and corregimientos), ``ejes``, ``periodicidades`` (with their EU frequency) or ``sectores``
    :type id: string
    :returns: ``{"id": ..., "items": [{"value": ..., "label": {"es": ..., "en": ...}}, ...]}``
    :rtype: dictionary
    """
    tk.check_access("cimibague_vocabulary_show", context, data_dict)
    name = tk.get_or_bust(data_dict, "id")
    if name not in VOCABULARIES:
        raise tk.ObjectNotFound(tk._("Vocabulary not found: %s") % name)
    items = VOCABULARIES[name]()
    if name == "periodicidades":
        eu = {p["code"]: p["eu"] for p in vocabularies.load("periodicidades")}
        base = "http://publications.europa.eu/resource/authority/frequency/"
        items = [{**item, "dcat_frequency": base + eu[item["value"]]} for item in items]
    return {"id": name, "items": items}

"""The plugin ``cimibague_harvest``, listed after ``harvest``: ckanext-harvest's admin UI and messages in
Spanish (ckanext-harvest ships no Spanish catalogue; ours lives in ``harvesters/i18n`` under
ckanext-harvest's own domain), who may read harvest objects (``auth.py``), and no clearing of a source
with published datasets (``actions.py``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ckan.plugins as p

from ckanext.cimibague.harvesters import actions, auth

__all__ = ["CimibagueHarvestPlugin"]


class CimibagueHarvestPlugin(p.SingletonPlugin):
    p.implements(p.ITranslation)
    p.implements(p.IAuthFunctions)
    p.implements(p.IActions)

    def get_actions(self) -> dict[str, Any]:
        return {"harvest_source_clear": actions.harvest_source_clear}

    def get_auth_functions(self) -> dict[str, Any]:
        return {"harvest_object_show": auth.harvest_object_show, "harvest_object_list": auth.harvest_object_list}

    def i18n_directory(self) -> str:
        return str(Path(__file__).resolve().parent / "i18n")

    def i18n_locales(self) -> list[str]:
        return ["es"]

    def i18n_domain(self) -> str:
        return "ckanext-harvest"

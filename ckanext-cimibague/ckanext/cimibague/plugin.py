"""Plugin wiring of ckanext-cimibague. Only wiring: the logic lives in the modules named below."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ckan.model as model
import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultTranslation

import ckanext.cimibague.schemas
from ckanext.cimibague import search
from ckanext.cimibague.logic import action, planning, workflow
from ckanext.cimibague.workflow import guard, leaks, visibility

LICENSES = Path(ckanext.cimibague.schemas.__file__).parent / "vocabularies" / "licencias.json"


def _actions() -> dict[str, Any]:
    """The extension's actions and the core actions the workflow chains."""
    modules = (action, workflow, planning, guard, leaks)
    return {name: getattr(module, name) for module in modules for name in module.__all__}


@tk.blanket.actions(_actions)
@tk.blanket.auth_functions
@tk.blanket.blueprints
@tk.blanket.cli
@tk.blanket.config_declarations
@tk.blanket.helpers
@tk.blanket.validators
class CimibaguePlugin(p.SingletonPlugin, DefaultTranslation):
    """The CIM Ibagué site: schemas' validators and helpers, the review workflow, search shaping,
    templates, Spanish catalogue and the ``ckan cimibague`` CLI."""

    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IFacets, inherit=True)
    p.implements(p.IPermissionLabels)

    # IConfigurer

    def update_config(self, config: tk.CKANConfig) -> None:
        tk.add_template_directory(config, "templates")
        tk.add_public_directory(config, "public")
        tk.add_resource("assets", "cimibague")
        if not config.get("licenses_group_url"):
            config["licenses_group_url"] = LICENSES.as_uri()

    # IPackageController

    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        return search.index_fields(pkg_dict)

    def after_dataset_update(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        pkg = model.Package.get(pkg_dict.get("id") or "")
        if pkg is not None:
            visibility.close_activities(pkg)

    def after_dataset_search(self, search_results: dict[str, Any], search_params: dict[str, Any]) -> dict[str, Any]:
        return search.label_facets(search_results, tk.h.lang() if tk.request else "es")

    # IFacets

    def dataset_facets(self, facets_dict: dict[str, Any], package_type: str) -> dict[str, Any]:
        return search.facets(facets_dict)

    def organization_facets(
        self, facets_dict: dict[str, Any], organization_type: str, package_type: str | None
    ) -> dict[str, Any]:
        return search.facets(facets_dict)

    def group_facets(self, facets_dict: dict[str, Any], group_type: str, package_type: str | None) -> dict[str, Any]:
        return search.facets(facets_dict)

    # IPermissionLabels

    def get_dataset_labels(self, dataset_obj: Any) -> list[str]:
        return visibility.dataset_labels(dataset_obj)

    def get_user_dataset_labels(self, user_obj: Any) -> list[str]:
        return visibility.user_labels(user_obj)

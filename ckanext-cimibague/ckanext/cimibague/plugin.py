"""Plugin wiring of ckanext-cimibague. Only wiring: the logic lives in the modules named below."""

from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultTranslation


@tk.blanket.blueprints
@tk.blanket.cli
@tk.blanket.helpers
@tk.blanket.config_declarations
class CimibaguePlugin(p.SingletonPlugin, DefaultTranslation):
    """The CIM Ibagué site: templates, assets, Spanish catalogue, helpers and the ``ckan cimibague`` CLI."""

    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)

    # IConfigurer

    def update_config(self, config: tk.CKANConfig) -> None:
        tk.add_template_directory(config, "templates")
        tk.add_public_directory(config, "public")
        tk.add_resource("assets", "cimibague")

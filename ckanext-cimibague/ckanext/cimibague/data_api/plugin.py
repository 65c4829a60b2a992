"""The ``cimibague_datos`` plugin: DataStore, ckanext-xloader, the CIM typing and no leaks. Wiring only."""

from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.config.declaration import Declaration, Key

from ckanext.cimibague.data_api import access, actions, auth, load


def _actions() -> dict[str, Any]:
    return {name: getattr(actions, name) for name in actions.__all__}


def _auth() -> dict[str, Any]:
    return {name: getattr(auth, name) for name in auth.__all__}


@tk.blanket.actions(_actions)
@tk.blanket.auth_functions(_auth)
class CimibagueDatosPlugin(p.SingletonPlugin):
    """Loads CSV, TSV and XLSX resources into the DataStore, typed (data_api/load.py), and keeps the tables
    of unpublished datasets to their node."""

    p.implements(p.IConfigurable)
    p.implements(p.IConfigDeclaration)
    p.implements(p.IMiddleware, inherit=True)

    # IConfigurable

    def configure(self, config: tk.CKANConfig) -> None:
        load.jobs_database(config)

    # IConfigDeclaration

    def declare_config_options(self, declaration: Declaration, key: Key) -> None:
        declaration.annotate("ckanext-cimibague: DataStore")
        group = key.ckanext.cimibague.datos
        declaration.declare_int(group.sql_timeout, 10000).set_description(
            "Statement timeout of datastore_search_sql, in milliseconds (CKAN's own is 60 s)."
        )
        declaration.declare_int(group.download_timeout, 30).set_description(
            "Seconds a resource's address may stay silent while its file is downloaded for the DataStore."
        )

    # IMiddleware

    def make_middleware(self, app: Any, config: tk.CKANConfig) -> Any:
        if hasattr(app, "before_request"):
            app.before_request(access.refuse_hidden_previews)
        return app

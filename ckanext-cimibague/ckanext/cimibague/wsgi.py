"""WSGI entry point for production servers: ``gunicorn ckanext.cimibague.wsgi:application``.

The CKAN ini comes from the ``CKAN_INI`` environment variable, as for the ``ckan`` command.
"""

from __future__ import annotations

import os
from logging.config import fileConfig

from ckan.cli import CKANConfigLoader
from ckan.config.middleware import make_app

_ini = os.environ.get("CKAN_INI")
if not _ini:
    raise RuntimeError("CKAN_INI must name the CKAN configuration file (e.g. /etc/ckan/ckan.ini)")

fileConfig(_ini, disable_existing_loggers=False)
application = make_app(CKANConfigLoader(_ini).get_config())

"""Text written in the site's default language whatever the process: harvest consumers, CLI commands and
background jobs have no request (so no negotiated locale); mails, harvest errors and import reports are
translated from our own catalogue directly."""

from __future__ import annotations

import functools
from pathlib import Path

import ckan.plugins.toolkit as tk
from babel import support

I18N = Path(__file__).resolve().parent / "i18n"
DOMAIN = "ckanext-cimibague"


@functools.cache
def _catalogue(locale: str) -> support.NullTranslations:
    return support.Translations.load(str(I18N), [locale], domain=DOMAIN)


def gettext(msgid: str) -> str:
    """``msgid`` in the site's default language (``ckan.locale_default``, Spanish)."""
    return _catalogue(tk.config.get("ckan.locale_default") or "es").gettext(msgid)

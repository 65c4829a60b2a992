"""Messages stored for the resource page, in the site's language.

Loads run on the jobs worker, outside any request, where CKAN's ``_`` has no locale and answers in English:
the messages are translated here with the extension's catalogue in ``ckan.locale_default``.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
from babel.support import Translations

__all__ = ["N_", "message"]

I18N = Path(__file__).resolve().parents[1] / "i18n"


def N_(text: str) -> str:
    """Marks a msgid for extraction."""
    return text


@functools.lru_cache(maxsize=4)
def _catalogue(locale: str) -> Any:
    return Translations.load(str(I18N), [locale], "ckanext-cimibague")


def message(msgid: str, **values: Any) -> str:
    text = _catalogue(tk.config.get("ckan.locale_default") or "es").gettext(msgid)
    return text % values if values else text

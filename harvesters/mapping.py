"""Small, pure conversions every mapping needs: dates, update frequencies, licences, keywords, formats.

Each returns ``None`` when the source's value cannot be read, so that the source's default (or the
schema's "required" error) decides instead of a guess.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from importlib import resources
from typing import Any

from ckan.lib.munge import munge_tag

from ckanext.cimibague import vocabularies

__all__ = ["date", "format_of", "frequency", "license_id", "tags", "text"]


def _periodicidades() -> list[dict[str, Any]]:
    return vocabularies.load("periodicidades")


def _licencias() -> list[dict[str, Any]]:
    text = resources.files("ckanext.cimibague.schemas").joinpath("vocabularies", "licencias.json").read_text("utf-8")
    return json.loads(text)


def text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value if v not in (None, ""))
    value = str(value).strip()
    return value or None


def date(value: Any) -> str | None:
    """YYYY-MM-DD from an ISO date or datetime (with or without zone), a Unix time, dd/mm/yyyy or a year."""
    if value in (None, ""):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return dt.datetime.fromtimestamp(value, dt.timezone.utc).date().isoformat()
    value = str(value).strip()
    match = re.match(r"^(\d{4})-(\d{2})-(\d{2})", value)
    if match:
        try:
            return dt.date(*map(int, match.groups())).isoformat()
        except ValueError:
            return None
    match = re.match(r"^(\d{1,2})/(\d{1,2})/(\d{4})$", value)
    if match:
        day, month, year = map(int, match.groups())
        try:
            return dt.date(year, month, day).isoformat()
        except ValueError:
            return None
    if re.fullmatch(r"\d{4}", value):
        return f"{value}-01-01"
    if re.fullmatch(r"\d{4}-\d{2}", value):
        return f"{value}-01"
    return None


def _plain(value: str) -> str:
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", " ", value.lower()).strip()


# Words used by Socrata (datos.gov.co "Frecuencia de actualización"), ISO 19115 MD_MaintenanceFrequencyCode,
# DCAT-US accrualPeriodicity (ISO 8601 durations) and people, to our periodicidad codes.
_FREQUENCY_WORDS = {
    "diaria": "diaria", "diario": "diaria", "daily": "diaria", "r p1d": "diaria",
    "semanal": "semanal", "weekly": "semanal", "r p1w": "semanal",
    "mensual": "mensual", "monthly": "mensual", "r p1m": "mensual",
    "bimestral": "bimestral", "bimonthly": "bimestral", "r p2m": "bimestral",
    "trimestral": "trimestral", "quarterly": "trimestral", "r p3m": "trimestral",
    "semestral": "semestral", "biannually": "semestral", "semiannual": "semestral", "r p6m": "semestral",
    "anual": "anual", "annually": "anual", "annual": "anual", "yearly": "anual", "r p1y": "anual",
    "bienal": "bienal", "biennially": "bienal", "biennial": "bienal", "r p2y": "bienal",
    "cuatrienal": "cuatrienal", "quadrennial": "cuatrienal", "r p4y": "cuatrienal",
    "decenal": "decenal", "decennial": "decenal", "r p10y": "decenal",
    "irregular": "irregular", "irregularly": "irregular", "irreg": "irregular", "as needed": "irregular",
    "asneeded": "irregular", "segun se requiera": "irregular", "continual": "diaria", "continuo": "diaria",
    "fortnightly": "mensual", "quincenal": "mensual", "por demanda": "irregular", "a demanda": "irregular",
    "cada 30 dias": "mensual", "no se actualiza": "no_se_actualiza", "not planned": "no_se_actualiza",
    "notplanned": "no_se_actualiza",
    "never": "no_se_actualiza", "historico": "no_se_actualiza", "unknown": None, "desconocida": None,
}  # fmt: skip


def frequency(value: Any) -> str | None:
    """Our periodicidad code for an EU frequency URI or code, an ISO 19115 / DCAT-US value or a word."""
    value = text(value)
    if not value:
        return None
    codes = {p["code"] for p in _periodicidades()}
    if value in codes:
        return value
    tail = value.rstrip("/").rsplit("/", 1)[-1]
    by_eu = {p.get("eu"): p["code"] for p in _periodicidades() if p.get("eu")}
    if tail.upper() in by_eu:
        return by_eu[tail.upper()]
    return _FREQUENCY_WORDS.get(_plain(tail)) or _FREQUENCY_WORDS.get(_plain(value))


_LICENSES = {
    # ShareAlike before plain Attribution: "Attribution ShareAlike" also contains "attribution"
    "cc-by-sa-4.0": ("creativecommons.org/licenses/by-sa/4.0", "cc by sa 4.0", "cc-by-sa", "cc by sa",
                     "attribution sharealike", "attribution share alike", "atribucion compartirigual",
                     "atribucion compartir igual"),
    "cc-by-4.0": ("creativecommons.org/licenses/by/4.0", "cc by 4.0", "cc-by", "cc by", "attribution 4.0",
                  "atribucion 4.0", "creative commons attribution", "creative commons atribucion"),
    "cc-zero-1.0": ("creativecommons.org/publicdomain/zero/1.0", "cc0", "cc zero", "cc-zero", "public domain",
                    "dominio publico"),
    "odc-odbl-1.0": ("opendatacommons.org/licenses/odbl", "odbl", "open database license"),
}  # fmt: skip


# Words of the licences that restrict use (NonCommercial, NoDerivatives): none of the portal's licences
_RESTRICTED = re.compile(
    r"\b(nc|nd|noncommercial|non commercial|no comercial|noderivs|noderivatives|no derivatives|sin derivadas|"
    r"sin obras derivadas)\b"
)


def license_id(value: Any) -> str | None:
    """One of the portal's licence ids for a licence id, title or URL as other portals write them."""
    value = text(value)
    if not value:
        return None
    known = {lic["id"] for lic in _licencias()}
    if value in known:
        return value
    low = value.lower()
    plain = _plain(value)
    if _RESTRICTED.search(plain) or re.search(r"licenses/by-(nc|nd)", low):
        return None  # NonCommercial / NoDerivatives: none of ours; never read as plain CC BY
    for lic, hints in _LICENSES.items():
        for hint in hints:
            if ("/" in hint and hint in low) or ("/" not in hint and _plain(hint) == plain):
                return lic
    for lic, hints in _LICENSES.items():
        if any("/" not in hint and _plain(hint) in plain for hint in hints if len(hint) > 5):
            return lic
    return None


def tags(values: Any) -> str | None:
    """A tag_string (comma-separated) of valid CKAN tags, duplicates removed."""
    if values in (None, ""):
        return None
    if isinstance(values, str):
        values = re.split(r"[,;]", values)
    out: list[str] = []
    for value in values:
        if isinstance(value, dict):
            value = value.get("name") or value.get("display_name")
        tag = munge_tag(str(value or "")).strip("-_. ")[:100]
        # munge_tag drops accents' letters in older CKANs: keep the original when it is already valid
        original = re.sub(r"\s+", " ", str(value or "").strip())[:100]
        if original and re.fullmatch(r"[\w\-. ]+", original):
            tag = original
        if len(tag) >= 2 and tag.lower() not in {t.lower() for t in out}:
            out.append(tag)
    return ",".join(out) or None


_FORMATS = {
    "text/csv": "CSV", "application/json": "JSON", "application/geo+json": "GeoJSON",
    "application/vnd.geo+json": "GeoJSON", "application/vnd.ms-excel": "XLS",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX", "application/pdf": "PDF",
    "application/xml": "XML", "text/xml": "XML", "application/zip": "ZIP", "text/html": "HTML",
    "application/vnd.google-earth.kml+xml": "KML", "application/x-shapefile": "SHP", "application/rdf+xml": "RDF",
}  # fmt: skip


def format_of(value: Any, url: str | None = None) -> str | None:
    """A format name (CSV, JSON, …) from a format, a media type (or its IANA URI) or the URL's extension."""
    value = text(value)
    if value:
        tail = value.rsplit("/media-types/", 1)[-1] if "/media-types/" in value else value
        tail = tail.rsplit("/file-type/", 1)[-1]
        if tail.lower() in _FORMATS:
            return _FORMATS[tail.lower()]
        if "/" not in tail and len(tail) <= 20:
            return tail.upper() if tail.isalpha() and len(tail) <= 5 else tail
    if url:
        match = re.search(r"\.([A-Za-z0-9]{2,7})(?:[?#]|$)", url)
        if match and match.group(1).lower() not in {"php", "aspx", "html", "htm", "jsp"}:
            return match.group(1).upper()
    return None

"""Validators of the CIM schemas. Messages are English msgids translated in i18n/es, and name the field.

Most are scheming field validators (``@scheming_validator``): ``(field, schema) -> validator``, so they
can read the field's label, choices and options such as ``not_before``.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlparse

import ckan.plugins.toolkit as tk
from ckan.types import Context, FlattenDataDict, FlattenErrorDict, FlattenKey

from ckanext.scheming import helpers as sh
from ckanext.scheming.validation import scheming_validator

__all__ = [
    "cimibague_choice",
    "cimibague_date",
    "cimibague_email",
    "cimibague_geojson",
    "cimibague_multiple_choice",
    "cimibague_nit",
    "cimibague_non_negative",
    "cimibague_not_before",
    "cimibague_number",
    "cimibague_period",
    "cimibague_phone",
    "cimibague_required",
    "cimibague_required_if_restricted",
    "cimibague_scale",
    "cimibague_url",
    "cimibague_year",
    "cimibague_year_range",
]

Field = dict[str, Any]
Schema = dict[str, Any]

MIN_YEAR, MAX_YEAR = 1900, 2100
# Colombia's continental and insular extent, with a margin: coordinates outside it are not plausible
# for the information of Ibagué (usually longitude and latitude swapped).
COLOMBIA = (-82.5, -5.0, -66.0, 14.5)
NIT_WEIGHTS = (3, 7, 13, 17, 19, 23, 29, 37, 41, 43, 47, 53, 59, 67, 71)


def _(text: str) -> str:
    return tk._(text)


def _text(value: Any) -> str:
    if isinstance(value, dict):
        try:
            lang = tk.h.lang() or "es"
        except Exception:  # outside a request (CLI, jobs)
            lang = tk.config.get("ckan.locale_default") or "es"
        return value.get(lang) or value.get("es") or next(iter(value.values()), "")
    return str(value or "")


def label(field: Field) -> str:
    return _text(field.get("label")) or field["field_name"]


def _empty(value: Any) -> bool:
    return value is tk.missing or value is None or value == "" or value == []


def _invalid(field: Field, message: str, **values: Any) -> tk.Invalid:
    return tk.Invalid(_(message) % {"field": label(field), **values})


def _value_validator(check: Callable[[Field, Any], Any]) -> Callable[[Field, Schema], Callable[[Any], Any]]:
    """Turn ``check(field, value) -> value`` into a scheming field validator that leaves empty values
    alone (presence is cimibague_required's job, first in every chain)."""

    @scheming_validator
    @functools.wraps(check)
    def factory(field: Field, schema: Schema) -> Callable[[Any], Any]:
        def validator(value: Any) -> Any:
            return value if _empty(value) else check(field, value)

        return validator

    return factory


# ------------------------------------------------------------------------------------ presence, choices


@scheming_validator
def cimibague_required(field: Field, schema: Schema):
    """Required fields must have a value; optional empty ones end their validator chain (kept empty)."""

    def validator(key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context) -> None:
        value = data.get(key, tk.missing)
        if not _empty(value):
            return
        if field.get("required"):
            errors[key].append(_("%(field)s is required") % {"field": label(field)})
        elif value is tk.missing or value is None:
            data.pop(key, None)
        raise tk.StopOnError

    return validator


RESTRICTED_ACCESS = ("clasificada", "reservada")
APPROVED_STATES = ("aprobado", "publicado")


@scheming_validator
def cimibague_required_if_restricted(field: Field, schema: Schema):
    """Required to approve and publish a dataset whose ``nivel_acceso`` is clasificada or reservada (Ley
    1712 de 2014: the Índice de Información Clasificada y Reservada needs it). Before approval it may be
    missing, so that what a harvester or a spreadsheet brings is received and completed in review; empty,
    it is dropped."""

    def validator(key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context) -> None:
        value = data.get(key, tk.missing)
        if not _empty(value):
            return
        level = data.get((*key[:-1], "nivel_acceso"))
        state = data.get((*key[:-1], "estado_flujo"))
        if level in RESTRICTED_ACCESS and state in APPROVED_STATES:
            errors[key].append(
                _("%(field)s is required to approve a dataset whose access level is «%(level)s»")
                % {"field": label(field), "level": level}
            )
        elif value is tk.missing or value is None:
            data.pop(key, None)
        raise tk.StopOnError

    return validator


def _choices(field: Field) -> list[dict[str, Any]]:
    return field.get("choices") or sh.scheming_field_choices(field) or []


@_value_validator
def cimibague_choice(field: Field, value: Any) -> Any:
    """The value must be one of the field's choices (static, or from its choices_helper)."""
    if value not in {c["value"] for c in _choices(field)}:
        raise _invalid(field, '"%(value)s" is not a valid option for %(field)s', value=value)
    return value


@scheming_validator
def cimibague_multiple_choice(field: Field, schema: Schema):
    """Zero or more of the field's choices (a list, one string, or a JSON list), stored as a JSON list."""

    def validator(key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context) -> None:
        value = data.get(key, tk.missing)
        if _empty(value):
            values: list[str] = []
        elif isinstance(value, str):
            try:
                parsed = json.loads(value) if value.startswith("[") else [value]
            except ValueError:
                parsed = [value]
            values = parsed if isinstance(parsed, list) else [value]
        elif isinstance(value, list):
            values = value
        else:
            errors[key].append(_("%(field)s must be a list of options") % {"field": label(field)})
            raise tk.StopOnError
        allowed = [c["value"] for c in _choices(field)]
        wrong = [v for v in values if v not in allowed]
        if wrong:
            errors[key].append(
                _('"%(value)s" is not a valid option for %(field)s') % {"field": label(field), "value": wrong[0]}
            )
            raise tk.StopOnError
        if field.get("required") and not values:
            errors[key].append(_("%(field)s is required") % {"field": label(field)})
            raise tk.StopOnError
        chosen = set(values)
        data[key] = json.dumps([v for v in allowed if v in chosen])  # choice order, no duplicates

    return validator


# ------------------------------------------------------------------------------------------ dates, years


def parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


@_value_validator
def cimibague_date(field: Field, value: Any) -> Any:
    """A real calendar date written YYYY-MM-DD; stored in that form."""
    date = parse_date(value)
    if date is None:
        raise _invalid(field, '%(field)s: "%(value)s" is not a valid date (use YYYY-MM-DD)', value=value)
    return date.isoformat()


def _year(value: Any) -> int | None:
    text = str(value).strip()
    if not re.fullmatch(r"\d{4}", text):
        return None
    year = int(text)
    return year if MIN_YEAR <= year <= MAX_YEAR else None


@_value_validator
def cimibague_year(field: Field, value: Any) -> Any:
    """A year between 1900 and 2100."""
    year = _year(value)
    if year is None:
        raise _invalid(
            field,
            '%(field)s: "%(value)s" is not a year between %(min)s and %(max)s',
            value=value,
            min=MIN_YEAR,
            max=MAX_YEAR,
        )
    return str(year)


@_value_validator
def cimibague_year_range(field: Field, value: Any) -> Any:
    """A period of years such as 2024-2027: both years valid, the first not after the second."""
    match = re.fullmatch(r"\s*(\d{4})\s*[-–—]\s*(\d{4})\s*", str(value))
    start, end = (_year(match.group(1)), _year(match.group(2))) if match else (None, None)
    if start is None or end is None:
        raise _invalid(field, '%(field)s: "%(value)s" is not a period of years such as 2024-2027', value=value)
    if start > end:
        raise _invalid(
            field,
            "%(field)s: the first year (%(start)s) is after the last (%(end)s)",
            start=start,
            end=end,
        )
    return f"{start}-{end}"


@scheming_validator
def cimibague_not_before(field: Field, schema: Schema):
    """This date or year must not be earlier than the field named by the option ``not_before``."""
    other_name = field["not_before"]
    fields = schema.get("dataset_fields", []) + schema.get("fields", [])
    for f in schema.get("dataset_fields", []):
        fields += f.get("repeating_subfields", [])
    other = next((f for f in fields if f.get("field_name") == other_name), {"field_name": other_name})

    def comparable(value: Any) -> Any:
        return parse_date(value) or _year(value)

    def validator(key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context) -> None:
        if errors.get(key):
            return
        mine = comparable(data.get(key)) if not _empty(data.get(key)) else None
        theirs = data.get((*key[:-1], other_name))
        theirs = comparable(theirs) if not _empty(theirs) else None
        if mine is not None and theirs is not None and type(mine) is type(theirs) and mine < theirs:
            errors[key].append(
                _("%(field)s must not be earlier than %(other)s") % {"field": label(field), "other": label(other)}
            )

    return validator


@_value_validator
def cimibague_period(field: Field, value: Any) -> Any:
    """A period of a series: a year (2024), a semester (2024-S1), a quarter (2024-T3) or a month (2024-03)."""
    text = str(value).strip().upper()
    match = re.fullmatch(r"(\d{4})(?:-(S[12]|T[1-4]|0[1-9]|1[0-2]))?", text)
    if not match or _year(match.group(1)) is None:
        raise _invalid(
            field,
            '%(field)s: "%(value)s" is not a period (2024, 2024-S1, 2024-T3 or 2024-03)',
            value=value,
        )
    return text


# ----------------------------------------------------------------------------------------------- numbers


def parse_number(value: Any) -> Decimal | None:
    """A number as the API sends it (1234.5) or as a person in Colombia writes it (1.234,5)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
    else:
        text = str(value).strip().replace(" ", "")
        if re.fullmatch(r"-?\d{1,3}(\.\d{3})+(,\d+)?|-?\d+,\d+", text):
            text = text.replace(".", "").replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            return None
    return number if number.is_finite() else None


def _normal(number: Decimal) -> str:
    return format(number.normalize(), "f")


def _number(field: Field, value: Any) -> Decimal:
    number = parse_number(value)
    if number is None:
        raise _invalid(field, '%(field)s: "%(value)s" is not a number', value=value)
    return number


@_value_validator
def cimibague_number(field: Field, value: Any) -> Any:
    """A number; stored with a decimal point and no thousands separator."""
    return _normal(_number(field, value))


@_value_validator
def cimibague_non_negative(field: Field, value: Any) -> Any:
    """A number that is zero or more (money, counts)."""
    number = _number(field, value)
    if number < 0:
        raise _invalid(field, "%(field)s cannot be negative", value=value)
    return _normal(number)


@_value_validator
def cimibague_scale(field: Field, value: Any) -> Any:
    """A map scale such as 1:25000 (or only its denominator); stored as 1:N."""
    match = re.fullmatch(r"\s*(?:1\s*:\s*)?([\d.]+)\s*", str(value))
    digits = match.group(1).replace(".", "") if match else ""
    if not digits.isdigit() or int(digits) <= 0:
        raise _invalid(field, '%(field)s: "%(value)s" is not a scale such as 1:25000', value=value)
    return f"1:{int(digits)}"


# ------------------------------------------------------------------------------ contacts and identifiers

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")


@_value_validator
def cimibague_email(field: Field, value: Any) -> Any:
    text = str(value).strip()
    if not EMAIL.fullmatch(text):
        raise _invalid(field, '%(field)s: "%(value)s" is not a valid e-mail address', value=value)
    return text


@_value_validator
def cimibague_url(field: Field, value: Any) -> Any:
    text = str(value).strip()
    parsed = urlparse(text)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or " " in text:
        raise _invalid(field, '%(field)s: "%(value)s" is not a web address (http:// or https://)', value=value)
    return text


@_value_validator
def cimibague_phone(field: Field, value: Any) -> Any:
    text = str(value).strip()
    digits = re.sub(r"\D", "", text)
    if not re.fullmatch(r"[\d\s+()\-.]+(\s*(ext|extensión|ext\.)\s*\d+)?", text, re.I) or not 7 <= len(digits) <= 20:
        raise _invalid(field, '%(field)s: "%(value)s" is not a telephone number', value=value)
    return text


def nit_check_digit(number: str) -> int:
    """The DIAN check digit of a NIT (Colombian tax ID), from its digits without the check digit."""
    total = sum(int(d) * w for d, w in zip(reversed(number), NIT_WEIGHTS, strict=False))
    remainder = total % 11
    return 11 - remainder if remainder > 1 else remainder


@_value_validator
def cimibague_nit(field: Field, value: Any) -> Any:
    """A NIT with its check digit (800113389-7; dots allowed); stored as digits-DV."""
    match = re.fullmatch(r"\s*([\d.]{5,20})\s*-\s*(\d)\s*", str(value))
    if not match:
        raise _invalid(
            field,
            '%(field)s: "%(value)s" must be the number and its check digit, e.g. 800113389-7',
            value=value,
        )
    number, digit = match.group(1).replace(".", ""), int(match.group(2))
    if len(number) > len(NIT_WEIGHTS) or nit_check_digit(number) != digit:
        raise _invalid(field, '%(field)s: the check digit of "%(value)s" is wrong', value=value)
    return f"{number}-{digit}"


# --------------------------------------------------------------------------------------------- geometry


@_value_validator
def cimibague_geojson(field: Field, value: Any) -> Any:
    """A GeoJSON geometry (or Feature) in WGS 84: well formed, a valid geometry, inside Colombia.
    Stored as the compact geometry, as ckanext-spatial indexes it."""
    from shapely.geometry import shape
    from shapely.validation import explain_validity

    try:
        geojson = json.loads(value) if isinstance(value, str) else value
    except ValueError:
        raise _invalid(field, "%(field)s is not valid JSON") from None
    if isinstance(geojson, dict) and geojson.get("type") == "Feature":
        geojson = geojson.get("geometry")
    if not isinstance(geojson, dict) or "type" not in geojson:
        raise _invalid(field, "%(field)s is not a GeoJSON geometry")
    try:
        geometry = shape(geojson)
    except Exception:
        raise _invalid(field, "%(field)s is not a GeoJSON geometry") from None
    if geometry.is_empty:
        raise _invalid(field, "%(field)s is an empty geometry")
    if not geometry.is_valid:
        raise _invalid(field, "%(field)s is not a valid geometry: %(reason)s", reason=explain_validity(geometry))
    minx, miny, maxx, maxy = geometry.bounds
    west, south, east, north = COLOMBIA
    if minx < west or maxx > east or miny < south or maxy > north:
        raise _invalid(
            field,
            "%(field)s: the coordinates fall outside Colombia (use longitude, latitude in WGS 84)",
        )
    return json.dumps(geojson, separators=(",", ":"))

"""The configuration of a CIM harvest source: the JSON of the source's "Configuración" box.

Every CIM harvester shares these keys (Spanish, as CIM staff write them):

``entidad`` (required)
    name of the source entity (group of type ``entidad``) that generates the information; fills
    ``entidad_fuente`` of every harvested dataset.
``tipo``
    dataset type (eje) the records land in, e.g. ``bases-de-datos``; some harvesters have a default.
``nodo``
    name of the node (organization) that receives the datasets; by default the source's own node.
``valores_por_defecto``
    values for fields of the target type the source does not provide (``periodicidad``,
    ``cobertura_geografica``, ``contact_email``, …); a value from the source always wins.
``timeout``
    seconds allowed to each HTTP request (default 30, at most 300).
``tamano_maximo_mb``
    largest document accepted from the source, in MB (default 20, at most 500).
``max_paginas``
    most pages a listing may take before the harvest stops it as a paging loop (default 500).

A harvester adds its own keys through ``CimHarvester.own_config``. Errors are ``ValueError`` with a
message in the site language naming the key, which ckanext-harvest shows under the configuration box.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from typing import Any

import ckan.model as model
from ckanext.scheming import helpers as sh

from ckanext.cimibague.site_i18n import gettext as _
from ckanext.cimibague.workflow.machine import N_

__all__ = ["COMMON_KEYS", "SourceConfig", "cim_types", "parse"]

DEFAULT_TIMEOUT = 30.0
MAX_TIMEOUT = 300.0
DEFAULT_MAX_MB = 20
MAX_MAX_MB = 500
DEFAULT_MAX_PAGES = 500
# Set by the workflow and the system, never by a source
RESERVED_FIELDS = frozenset({"id", "name", "type", "owner_org", "private", "estado_flujo", "state", "entidad_fuente"})

COMMON_KEYS = ("entidad", "tipo", "nodo", "valores_por_defecto", "timeout", "tamano_maximo_mb", "max_paginas")

Check = Callable[[Any], Any]


@dataclasses.dataclass(frozen=True)
class SourceConfig:
    entidad: str
    tipo: str
    nodo: str | None = None
    defaults: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    timeout: float = DEFAULT_TIMEOUT
    max_bytes: int = DEFAULT_MAX_MB * 1024 * 1024
    max_pages: int = DEFAULT_MAX_PAGES
    extra: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        return self.extra.get(key, default)


def cim_types() -> list[str]:
    """The CIM dataset types a source may feed (every scheming dataset type)."""
    return sorted(sh.scheming_dataset_schemas() or {})


def _fail(message: str, **values: Any) -> ValueError:
    return ValueError(_(message) % values if values else _(message))


def _number(key: str, value: Any, default: float, maximum: float) -> float:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= maximum:
        raise _fail(N_("«%(key)s» must be a number greater than 0 and at most %(max)s"), key=key, max=maximum)
    return float(value)


def _entidad(value: Any) -> str:
    if not value or not isinstance(value, str):
        raise _fail(N_("«entidad» is required: the name of the source entity that generates the information"))
    group = model.Group.get(value)
    if group is None or group.type != "entidad" or group.state != "active":
        raise _fail(N_("«entidad»: there is no source entity named «%(name)s»"), name=value)
    return group.name


def _tipo(value: Any, default: str | None) -> str:
    value = value or default
    types = cim_types()
    if not value:
        raise _fail(N_("«tipo» is required: one of %(types)s"), types=", ".join(types))
    if value not in types:
        raise _fail(
            N_("«tipo»: «%(value)s» is not a dataset type; use one of %(types)s"), value=value, types=", ".join(types)
        )
    return value


def _nodo(value: Any) -> str | None:
    if value in (None, ""):
        return None
    org = model.Group.get(value) if isinstance(value, str) else None
    if org is None or not org.is_organization or org.state != "active":
        raise _fail(N_("«nodo»: there is no node named «%(name)s»"), name=value)
    return org.name


def _defaults(value: Any, tipo: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _fail(N_("«valores_por_defecto» must be an object of field names and values"))
    schema = sh.scheming_get_dataset_schema(tipo) or {}
    fields = {f["field_name"] for f in schema.get("dataset_fields", [])}
    for key in value:
        if key in RESERVED_FIELDS:
            raise _fail(N_("«valores_por_defecto»: the field «%(field)s» cannot be set by a source"), field=key)
        if key not in fields:
            raise _fail(N_("«valores_por_defecto»: the type «%(type)s» has no field «%(field)s»"), type=tipo, field=key)
    return dict(value)


def parse(text: str | None, *, default_tipo: str | None = None, own: Mapping[str, Check] | None = None) -> SourceConfig:
    """Read and check a source's configuration. ``own`` maps the harvester's own keys to a function that
    checks a value (raising ``ValueError``) and returns it as used; unknown keys are refused, so that a
    misspelt key is not silently ignored."""
    own = own or {}
    try:
        data = json.loads(text) if text and text.strip() else {}
    except ValueError as error:
        raise _fail(N_("The configuration is not valid JSON: %(error)s"), error=str(error)) from None
    if not isinstance(data, dict):
        raise _fail(N_('The configuration must be a JSON object, e.g. {"entidad": "dane"}'))
    unknown = sorted(set(data) - set(COMMON_KEYS) - set(own))
    if unknown:
        raise _fail(
            N_("Unknown configuration keys: %(keys)s (accepted: %(accepted)s)"),
            keys=", ".join(unknown),
            accepted=", ".join([*COMMON_KEYS, *own]),
        )
    tipo = _tipo(data.get("tipo"), default_tipo)
    extra = {key: check(data[key]) for key, check in own.items() if key in data}
    return SourceConfig(
        entidad=_entidad(data.get("entidad")),
        tipo=tipo,
        nodo=_nodo(data.get("nodo")),
        defaults=_defaults(data.get("valores_por_defecto"), tipo),
        timeout=_number("timeout", data.get("timeout"), DEFAULT_TIMEOUT, MAX_TIMEOUT),
        max_bytes=int(
            _number("tamano_maximo_mb", data.get("tamano_maximo_mb"), DEFAULT_MAX_MB, MAX_MAX_MB) * 1024 * 1024
        ),
        max_pages=int(_number("max_paginas", data.get("max_paginas"), DEFAULT_MAX_PAGES, 100000)),
        extra=extra,
    )


def string_list(key: str) -> Check:
    """A check for a key holding a list of strings (or one string)."""

    def check(value: Any) -> list[str]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise _fail(N_("«%(key)s» must be a list of texts"), key=key)
        return [v.strip() for v in value]

    return check


def text(key: str) -> Check:
    def check(value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise _fail(N_("«%(key)s» must be a non-empty text"), key=key)
        return value.strip()

    return check


def integer(key: str, minimum: int, maximum: int) -> Check:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
            raise _fail(
                N_("«%(key)s» must be a whole number from %(min)s to %(max)s"), key=key, min=minimum, max=maximum
            )
        return value

    return check


def boolean(key: str) -> Check:
    def check(value: Any) -> bool:
        if not isinstance(value, bool):
            raise _fail(N_("«%(key)s» must be true or false"), key=key)
        return value

    return check

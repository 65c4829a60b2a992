"""The CIM's "formato de recolección de información": its columns and what its cells mean.

- ``columns()``: the columns of the sheet «Conjuntos de datos», built from the scheming schemas of the CIM
  types (so a new schema field is a new column): «Identificador (URL)», «Tipo (eje)», «Nodo», the common
  core, then each type's own fields; ``resource_columns()`` those of «Recursos» (``flat=True``: the
  «Recurso: …» columns a datasets sheet or a CSV may carry instead). Headers are compared with ``plain``
  (case, accents and punctuation ignored): the Spanish label, the English label or the field name.
- ``choices_of``: a column's options (codes with their Spanish and English labels; registered entities
  also by their sigla; comunas and corregimientos also by name; nodes by name or title).
- ``convert``: a cell's value as people write it (dd/mm/aaaa or a real spreadsheet date; an option by
  label or code; several options separated by «;» or «,»; keywords; the indicator series
  ``2023: 45,5; 2024-T1: 47``; the extent as GeoJSON or ``oeste; sur; este; norte``) into what the
  schema's validators take, or a ``CellError`` in the site's language.
- ``Problem``: one error of a file with its sheet, row and column.

Used by ``spreadsheet`` (reading and importing) and ``template`` (the blank workbook).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import resources
from typing import Any

import ckan.model as model
from ckanext.scheming import helpers as sh

from ckanext.cimibague import vocabularies
from ckanext.cimibague.harvesters import mapping
from ckanext.cimibague.site_i18n import gettext as _
from ckanext.cimibague.workflow.machine import N_

__all__ = [
    "DATASETS",
    "INSTRUCTIONS",
    "LINK",
    "LISTS",
    "NAME",
    "NODE",
    "RESOURCES",
    "RESOURCE_PREFIX",
    "TYPE",
    "CellError",
    "Choices",
    "Column",
    "Problem",
    "choices_of",
    "columns",
    "convert",
    "dataset_types",
    "field_kind",
    "label_of",
    "plain",
    "resource_columns",
    "schema_of",
    "text_of",
    "type_labels",
]

DATASETS = "Conjuntos de datos"
RESOURCES = "Recursos"
INSTRUCTIONS = "Instrucciones"
LISTS = "Listas"  # the template's hidden sheet with the options of the drop-down lists

# Columns that are not schema fields of the dataset
TYPE, NODE, NAME = "type", "owner_org", "name"
LINK = "conjunto"  # «Recursos»: the resource's dataset
RESOURCE_PREFIX = "recurso_"  # flat resource columns of the datasets sheet: recurso_<field>
NOT_COLUMNS = frozenset({"estado_flujo", "owner_org", "name"})  # schema fields without a column of their own

SERIES_EXAMPLE = "2023: 45,5; 2024-T1: 47"


# ---------------------------------------------------------------------------------------------- text


def plain(text: Any) -> str:
    """Lowercase, without accents, punctuation or repeated spaces: how headers and options are compared."""
    value = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", " ", value.lower()).strip()


def _es(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("es") or value.get("en") or next(iter(value.values()), ""))
    return str(value or "")


def label_of(f: dict[str, Any]) -> str:
    """A schema field's Spanish label (its name when it has none)."""
    return _es(f.get("label")) or f.get("field_name", "")


def _en(value: Any) -> str:
    return str(value.get("en") or "") if isinstance(value, dict) else ""


# ------------------------------------------------------------------------------------------- problems


@dataclass(frozen=True)
class Problem:
    """One error of the file: where (sheet, row as the spreadsheet numbers it, column header) and why."""

    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        if self.sheet and self.row and self.column:
            return _(N_("%(sheet)s, row %(row)s, column «%(column)s»: %(message)s")) % {
                "sheet": self.sheet,
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        if self.sheet and self.row:
            return _(N_("%(sheet)s, row %(row)s: %(message)s")) % {
                "sheet": self.sheet,
                "row": self.row,
                "message": self.message,
            }
        if self.sheet and self.column:
            return _(N_("%(sheet)s, column «%(column)s»: %(message)s")) % {
                "sheet": self.sheet,
                "column": self.column,
                "message": self.message,
            }
        return self.message


class CellError(ValueError):
    """A value that cannot be read (its message names the value, not the column: the report adds it)."""


# -------------------------------------------------------------------------------------------- columns


@dataclass(frozen=True)
class Column:
    """A column of a sheet: the dataset (or resource) field it fills, its header and its help."""

    key: str
    label: str
    aliases: tuple[str, ...] = ()
    help: str = ""
    types: tuple[str, ...] = ()  # the dataset types it applies to (all of them when empty)
    required_in: tuple[str, ...] = ()  # the types where it is required
    kind: str = "text"  # text, choice, multiple, date, year, number, series, spatial, tags, license

    @property
    def names(self) -> set[str]:
        """Everything accepted as its header, normalized."""
        return {plain(n) for n in (self.label, self.key, *self.aliases) if plain(n)}


def dataset_types() -> list[str]:
    """The CIM dataset types a row may have: one per eje temático, and indicators."""
    types = [eje["name"] for eje in vocabularies.ejes()] + ["indicador"]
    return [t for t in types if sh.scheming_get_dataset_schema(t)]


def type_labels() -> dict[str, str]:
    result = {eje["name"]: eje["title"]["es"] for eje in vocabularies.ejes()}
    result["indicador"] = "Indicador"
    return result


def schema_of(dataset_type: str) -> dict[str, Any]:
    return sh.scheming_get_dataset_schema(dataset_type) or {}


def field_kind(f: dict[str, Any]) -> str:
    validators = str(f.get("validators") or "")
    name = f["field_name"]
    if f.get("repeating_subfields"):
        return "series"
    if name == "spatial":
        return "spatial"
    if name == "tag_string":
        return "tags"
    if name == "license_id":
        return "license"
    if "multiple_choice" in validators:
        return "multiple"
    if f.get("choices") or f.get("choices_helper"):
        return "choice"
    if "cimibague_date" in validators:
        return "date"
    if "cimibague_year" in validators.replace("cimibague_year_range", ""):
        return "year"
    if any(v in validators for v in ("cimibague_number", "cimibague_non_negative")):
        return "number"
    return "text"


# Extra headers people use, by field (normalized when compared)
ALIASES: dict[str, tuple[str, ...]] = {
    NAME: ("Identificador", "URL", "Identificador URL", "nombre corto"),
    TYPE: ("Tipo", "Tipo de conjunto", "Tipo eje"),
    NODE: ("Nodo (eje temático)", "Node", "Organización", "organization"),
    "title": ("Titulo del conjunto",),
    "notes": ("Descripcion del conjunto", "Resumen"),
    "tag_string": ("Palabras clave", "tags", "Etiquetas"),
    "license_id": ("license", "licencia de uso"),
    "contact_email": ("Correo de contacto", "correo"),
    "contact_name": ("Nombre de contacto", "contacto"),
}

# The «Recurso: …» columns by their Spanish field-like names too (recurso_nombre, recurso_formato, …)
FLAT_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("recurso_nombre",),
    "format": ("recurso_formato",),
    "description": ("recurso_descripcion",),
    "fecha_actualizacion": ("recurso_fecha",),
    "tipo_recurso": ("recurso_tipo",),
    "url": ("recurso_enlace",),
}

KIND_HELP = {
    "date": N_("Date: dd/mm/yyyy."),
    "year": N_("Year: yyyy."),
    "number": N_("Number (decimal comma allowed)."),
    "choice": N_("Choose from the list."),
    "license": N_("Choose from the list."),
    "multiple": N_("One or more from the list, separated by «;»."),
    "tags": N_("Separated by «,»."),
    "series": N_("One value per period, separated by «;», e.g. 2023: 45,5; 2024-T1: 47."),
    "spatial": N_("A GeoJSON geometry in WGS 84, or the bounding box west; south; east; north."),
}


def _help(kind: str, text: str, required: str, only: str) -> str:
    parts = [required, text.strip(), _(KIND_HELP[kind]) if kind in KIND_HELP else "", only]
    return " ".join(p for p in parts if p)


def columns() -> list[Column]:
    """The columns of «Conjuntos de datos», in the template's order: identifier, type, node, the common
    core of every type, then each type's own fields (a field shared by several types is one column)."""
    types = dataset_types()
    names = type_labels()
    all_types = tuple(types)
    per_field: dict[str, dict[str, Any]] = {}
    order: list[str] = []
    for dataset_type in types:
        for f in schema_of(dataset_type).get("dataset_fields", []):
            name = f["field_name"]
            if name in NOT_COLUMNS:
                continue
            if name not in per_field:
                per_field[name] = {"field": f, "types": [], "required": []}
                order.append(name)
            per_field[name]["types"].append(dataset_type)
            if f.get("required"):
                per_field[name]["required"].append(dataset_type)
    result = [
        Column(
            NAME,
            "Identificador (URL)",
            ALIASES[NAME],
            _(
                N_(
                    "Optional: the dataset's address (lowercase letters, digits and hyphens). Without it, it is made "
                    "from the title. A dataset of the node with this identifier is updated."
                )
            ),
        ),
        Column(
            TYPE,
            "Tipo (eje)",
            ALIASES[TYPE],
            _help(
                "choice", _(N_("The thematic axis of the dataset, or Indicador. Empty: the axis of the node.")), "", ""
            ),
            kind="choice",
        ),
        Column(
            NODE,
            "Nodo",
            ALIASES[NODE],
            _help(
                "choice",
                _(N_("The CIM node that receives the dataset. Empty: the node chosen when importing.")),
                "",
                "",
            ),
            kind="choice",
        ),
    ]
    seen_labels = {plain(c.label) for c in result}
    for name in order:
        info = per_field[name]
        f = info["field"]
        label = _es(f.get("label")) or name
        if plain(label) in seen_labels:  # two different fields with one label: the field name tells them apart
            label = f"{label} ({name})"
        seen_labels.add(plain(label))
        field_types = tuple(info["types"])
        applies_to_all = field_types == all_types
        required = tuple(info["required"])
        kind = field_kind(f)
        if required and set(required) == set(field_types):
            required_text = _(N_("Required."))
        elif required:
            required_text = _(N_("Required for: %(types)s.")) % {"types": ", ".join(names[t] for t in required)}
        else:
            required_text = ""
        only = (
            ""
            if applies_to_all
            else _(N_("Only for: %(types)s.")) % {"types": ", ".join(names[t] for t in field_types)}
        )
        english = _en(f.get("label"))
        result.append(
            Column(
                key=name,
                label=label,
                aliases=(*ALIASES.get(name, ()), *((english,) if english else ())),
                help=_help(kind, _es(f.get("help_text")), required_text, only),
                types=() if applies_to_all else field_types,
                required_in=required,
                kind=kind,
            )
        )
    return result


def resource_columns(flat: bool = False) -> list[Column]:
    """The columns of «Recursos» (``flat``: the «Recurso: …» columns of the datasets sheet)."""
    schema = schema_of(dataset_types()[0])
    result = []
    if not flat:
        result.append(
            Column(
                LINK,
                "Conjunto de datos",
                ("Identificador (URL)", "Identificador", "Conjunto", "dataset"),
                _(N_("Required: the «Identificador (URL)» of its dataset (or its «Título»)."))
                + " "
                + _(N_("One row per resource.")),
            )
        )
    header = {"url": "URL", "name": "Nombre", "description": "Descripción", "format": "Formato"}
    for f in schema.get("resource_fields", []):
        name = f["field_name"]
        label = header.get(name) or _es(f.get("label")) or name
        kind = field_kind(f)
        required = _(N_("Required.")) if f.get("required") else ""
        text = _es(f.get("help_text"))
        if name == "url":
            text = _(N_("The address of the file or service (http:// or https://)."))
        if flat:
            result.append(
                Column(
                    RESOURCE_PREFIX + name,
                    f"Recurso: {label[0].lower()}{label[1:]}" if name != "url" else "Recurso: URL",
                    (f"Recurso {_es(f.get('label'))}", *FLAT_ALIASES.get(name, ())),
                    _help(kind, text, required, ""),
                    kind=kind,
                )
            )
        else:
            aliases = tuple(a for a in (_es(f.get("label")), _en(f.get("label"))) if a)
            result.append(Column(name, label, aliases, _help(kind, text, required, ""), kind=kind))
    return result


# -------------------------------------------------------------------------------------------- choices


class Choices:
    """The options of a field: matched by code, Spanish or English label, or an unambiguous short form
    (the label without its parenthesis, or what the parenthesis says: «POT»)."""

    def __init__(self, options: Iterable[tuple[str, Iterable[str]]]) -> None:
        self.options: list[tuple[str, str]] = []  # (code, Spanish label) in order
        self._exact: dict[str, str] = {}
        loose: dict[str, set[str]] = {}
        for code, names in options:
            names = [n for n in names if n]
            self.options.append((code, names[0] if names else code))
            self._exact.setdefault(code, code)
            for name in [code, *names]:
                self._exact.setdefault(plain(name), code)
                short = re.sub(r"\s*\([^)]*\)", "", name)
                inside = re.findall(r"\(([^)]*)\)", name)
                for alias in [short, *inside]:
                    if plain(alias):
                        loose.setdefault(plain(alias), set()).add(code)
        self._loose = {alias: codes.pop() for alias, codes in loose.items() if len(codes) == 1}

    def match(self, value: Any) -> str | None:
        text = str(value).strip()
        return self._exact.get(text) or self._exact.get(plain(text)) or self._loose.get(plain(text))

    @property
    def labels(self) -> list[str]:
        return [label for _code, label in self.options]


def _licences() -> list[dict[str, Any]]:
    text = resources.files("ckanext.cimibague.schemas").joinpath("vocabularies", "licencias.json").read_text("utf-8")
    return json.loads(text)


def choices_of(column_key: str, f: dict[str, Any] | None = None) -> Choices:
    """The options of a column (for a schema field, those of ``f``)."""
    if column_key == TYPE:
        return Choices((t, [label]) for t, label in type_labels().items() if t in dataset_types())
    if column_key == NODE:
        orgs = model.Session.query(model.Group).filter_by(is_organization=True, state="active").order_by("title")
        return Choices((org.name, [org.title or org.name]) for org in orgs)
    if column_key == "license_id":
        return Choices((lic["id"], [lic["title"]]) for lic in _licences())
    if column_key == "entidad_fuente":
        groups = model.Session.query(model.Group).filter_by(type="entidad", state="active").order_by("title")
        options = []
        for group in groups:
            extras = group.extras or {}
            options.append((group.name, [group.title or group.name, extras.get("sigla") or ""]))
        return Choices(options)
    items = (f or {}).get("choices") or sh.scheming_field_choices(f or {}) or []
    if column_key == "cobertura_geografica":
        territorio = vocabularies.territorio()
        extra = {c["code"]: [c["name"]] for c in territorio["corregimientos"]}
        extra["municipio"] = ["Todo el municipio", territorio["municipio"]["name"], "Municipio"]
        return Choices((c["value"], [_es(c["label"]), _en(c["label"]), *extra.get(c["value"], [])]) for c in items)
    return Choices((str(c["value"]), [_es(c["label"]), _en(c["label"])]) for c in items)


# ----------------------------------------------------------------------------------------- conversions


def text_of(value: Any) -> str:
    if isinstance(value, bool):
        return "sí" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def to_date(value: Any) -> str:
    """aaaa-mm-dd from a spreadsheet date, dd/mm/aaaa (or with - or .), aaaa-mm-dd or a date serial."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float) and not isinstance(value, bool) and 10000 < value < 80000:
        return (dt.date(1899, 12, 30) + dt.timedelta(days=int(value))).isoformat()
    text = text_of(value)
    match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
    parts = None
    if match:
        parts = int(match.group(3)), int(match.group(2)), int(match.group(1))
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?", text)
    if match:
        parts = int(match.group(1)), int(match.group(2)), int(match.group(3))
    try:
        if parts is None:
            raise ValueError(text)
        return dt.date(*parts).isoformat()
    except ValueError:
        raise CellError(_(N_("«%(value)s» is not a date: write it as dd/mm/yyyy")) % {"value": text}) from None


def _invalid_option(text: str, options: Choices) -> CellError:
    if len(options.options) <= 15:
        return CellError(
            _(N_("«%(value)s» is not a valid option (options: %(options)s)"))
            % {"value": text, "options": ", ".join(options.labels)}
        )
    return CellError(_(N_("«%(value)s» is not a valid option")) % {"value": text})


def _split(text: str) -> list[str]:
    separator = ";" if ";" in text else ","
    return [part.strip() for part in text.split(separator) if part.strip()]


def to_choices(value: Any, options: Choices) -> list[str]:
    text = text_of(value)
    whole = options.match(text)
    if whole is not None:
        return [whole]
    result = []
    for part in _split(text):
        code = options.match(part)
        if code is None:
            raise _invalid_option(part, options)
        if code not in result:
            result.append(code)
    return result


def to_series(value: Any, f: dict[str, Any]) -> list[dict[str, str]]:
    subfields = [s["field_name"] for s in f.get("repeating_subfields", [])]
    text = text_of(value)
    entries = [e.strip() for e in re.split(r"[;\n]", text) if e.strip()]
    result = []
    for entry in entries:
        parts = [p.strip() for p in re.split(r"\s*[:=]\s*", entry, maxsplit=len(subfields) - 1)]
        if len(parts) != len(subfields) or not all(parts):
            raise CellError(
                _(N_("«%(value)s» is not a series: write period: value; period: value (e.g. %(example)s)"))
                % {"value": entry, "example": SERIES_EXAMPLE}
            )
        result.append(dict(zip(subfields, parts, strict=True)))
    return result


def to_spatial(value: Any) -> str:
    text = text_of(value)
    if text.startswith("{"):
        return text  # GeoJSON: the schema's validator checks it
    parts = re.split(r"\s*;\s*", text) if ";" in text else re.split(r"\s*,\s*|\s+", text)
    numbers = []
    for part in parts:
        try:
            numbers.append(float(part.replace(",", ".")))
        except ValueError:
            break
    if len(numbers) != 4 or not (numbers[0] < numbers[2] and numbers[1] < numbers[3]):
        raise CellError(
            _(N_("«%(value)s» is neither a GeoJSON geometry nor a bounding box west; south; east; north"))
            % {"value": text}
        )
    west, south, east, north = numbers
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]}, separators=(",", ":"))


def convert(kind: str, key: str, value: Any, f: dict[str, Any] | None, choices: Callable[..., Choices]) -> Any:
    """A cell's value as the schema's validators expect it; ``CellError`` when it cannot be read."""
    if kind == "date":
        return to_date(value)
    if kind in ("choice", "license"):
        options = choices(key, f)
        code = options.match(text_of(value))
        if code is None and kind == "license":
            code = mapping.license_id(text_of(value))
        if code is None:
            raise _invalid_option(text_of(value), options)
        return code
    if kind == "multiple":
        return to_choices(value, choices(key, f))
    if kind == "tags":
        return mapping.tags(text_of(value).replace(";", ","))
    if kind == "series":
        return to_series(value, f or {})
    if kind == "spatial":
        return to_spatial(value)
    if kind == "number" and isinstance(value, float):
        return repr(value) if not value.is_integer() else str(int(value))
    return text_of(value)

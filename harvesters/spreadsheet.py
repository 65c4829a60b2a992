"""The CIM's "formato de recolección de información": datasets sent as a spreadsheet (.xlsx or .csv) by the
entities that publish nowhere, imported by the CIM's staff (``ckan cimibague import`` or ``/formato``).

The file
    - ``.xlsx``: sheet «Conjuntos de datos» (one row per dataset) and sheet «Recursos» (one row per
      resource, naming its dataset in «Conjunto de datos» by its «Identificador (URL)» or, without one,
      its «Título»). Other sheets («Instrucciones», the template's hidden «Listas») are ignored; a
      workbook with a single sheet is read as the datasets sheet.
    - ``.csv``: the datasets sheet only (UTF-8 with or without BOM, else Windows-1252; ``;``, ``,`` or
      tab, sniffed from the header line). Its resources are the columns «Recurso: nombre», «Recurso:
      URL», «Recurso: formato», … (also ``recurso_url``, ``recurso_nombre``, …) of each row; a further row
      with only the same «Identificador (URL)» and resource columns adds another resource to that
      dataset. The same columns work in the xlsx datasets sheet.
    - Row 1 holds the headers (``formato.columns()``: the Spanish labels of the schema fields, their
      English labels or the field names, case-, accent- and punctuation-insensitive); an unknown or
      repeated header is an error. Row 2 is skipped when it is the template's help row. Empty rows are
      skipped; rows are reported by the number the spreadsheet shows. A row identifies its dataset by
      «Identificador (URL)», or else by the identifier made from its «Título».
    - Values as people write them: see ``formato.convert``.
    - Limits: ``MAX_ROWS`` rows per sheet; an .xlsx holding more than ``MAX_UNPACKED`` once unpacked is
      refused (the web page also limits the upload's size).

The import (``import_file``)
    1. reads the file and turns every row into the data dict of its type, validated exactly as
       ``package_create`` (or ``package_update``) would validate it, as the importing user (permission
       in the node checked), and the refusals of the workflow guard foreseen (frozen datasets);
    2. if any row has an error, nothing is written and the report lists every error with its sheet, row
       and column; otherwise (and unless simulating) every dataset is written in one transaction (all or
       nothing): new ones with ``package_create`` (the workflow makes them ``recibido``, private),
       existing ones (same identifier in the same node) with ``package_update`` (a published one gets a
       pending revision: ``proposed``); then they are indexed.
    An update changes what the row fills: an empty cell keeps the dataset's value, and the resources of
    the sheet are added or update the resource of the same name; nothing is deleted by a spreadsheet.
    Messages are in the site's language (``site_i18n``); the validators' messages in the request's.
    Call it inside a request context (the CLI and the view do) so that those are translated too.
"""

from __future__ import annotations

import copy
import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import ckan.lib.plugins as lib_plugins
import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib.munge import munge_title_to_name

from ckanext.cimibague.harvesters import formato as fmt
from ckanext.cimibague.harvesters.formato import DATASETS, LINK, NAME, NODE, RESOURCE_PREFIX, TYPE, CellError, Problem
from ckanext.cimibague.site_i18n import gettext as _
from ckanext.cimibague.workflow import guard, labels, service
from ckanext.cimibague.workflow.machine import N_, PUBLIC_STATES

__all__ = [
    "MAX_ROWS",
    "Book",
    "Outcome",
    "Problem",
    "Report",
    "Row",
    "SpreadsheetError",
    "import_book",
    "import_file",
    "read",
]

MAX_ROWS = 2000  # data rows per sheet
MAX_UNPACKED = 200 * 2**20  # an .xlsx is a zip: what it may hold once unpacked (a "zip bomb" is refused)
BLANK_RUN = 1000  # consecutive empty rows after which a sheet is taken as finished
NAME_PATTERN = re.compile(r"[a-z0-9_-]{2,100}")


class SpreadsheetError(Exception):
    """The file cannot be read at all (its message says why, in the site language)."""


# ------------------------------------------------------------------------------------------- reading


@dataclass
class Row:
    sheet: str
    number: int  # as the spreadsheet shows it
    values: dict[str, Any]  # column key -> raw value (non-empty cells only)
    headers: dict[str, str]  # column key -> the header as the file writes it

    def header(self, key: str, default: str) -> str:
        return self.headers.get(key) or default


@dataclass
class Book:
    """What was read: the datasets' and the resources' rows, and the problems of the file itself."""

    datasets: list[Row] = field(default_factory=list)
    resources: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _header_map(
    sheet: str, header: list[Any], known: list[fmt.Column]
) -> tuple[dict[int, fmt.Column], dict[str, str], list[Problem]]:
    by_name: dict[str, fmt.Column] = {}
    for column in known:
        for name in column.names:
            by_name.setdefault(name, column)
    found: dict[int, fmt.Column] = {}
    written: dict[str, str] = {}
    problems = []
    for index, value in enumerate(header):
        if _empty(value):
            continue
        text = str(value).strip()
        column = by_name.get(fmt.plain(text.rstrip("*")))
        if column is None:
            problems.append(Problem(_(N_("unknown column: use the headers of the template")), sheet, 1, text))
        elif column.key in written:
            problems.append(Problem(_(N_("the column is repeated")), sheet, 1, text))
        else:
            found[index] = column
            written[column.key] = text
    return found, written, problems


def _is_help_row(values: dict[int, Any], found: dict[int, fmt.Column]) -> bool:
    """Row 2 of the template: (most of) its cells are the columns' help texts."""
    pairs = [(" ".join(str(v).split()), " ".join(found[i].help.split())) for i, v in values.items() if i in found]
    return bool(pairs) and 2 * sum(1 for value, help_text in pairs if value == help_text) >= len(pairs)


def _read_sheet(
    sheet: str, rows: Iterator[Any], known: list[fmt.Column], *, optional: bool = False
) -> tuple[list[Row], list[Problem]]:
    header = next(rows, None)
    if header is None:
        return [], [] if optional else [Problem(_(N_("The sheet «%(sheet)s» is empty")) % {"sheet": sheet})]
    found, written, problems = _header_map(sheet, list(header), known)
    result: list[Row] = []
    blank = 0
    for number, cells in enumerate(rows, start=2):
        values = {i: v for i, v in enumerate(cells) if not _empty(v)}
        if not values:
            blank += 1
            if blank >= BLANK_RUN:
                break
            continue
        blank = 0
        if number == 2 and _is_help_row(values, found):
            continue
        if len(result) >= MAX_ROWS:
            problems.append(
                Problem(_(N_("The sheet «%(sheet)s» has more than %(max)s rows")) % {"sheet": sheet, "max": MAX_ROWS})
            )
            break
        keyed = {found[i].key: v for i, v in values.items() if i in found}
        if keyed:
            result.append(Row(sheet, number, keyed, written))
    return result, problems


def _sheet_named(names: list[str], wanted: str) -> str | None:
    return next((n for n in names if fmt.plain(n) == fmt.plain(wanted)), None)


def _dataset_columns() -> list[fmt.Column]:
    return fmt.columns() + fmt.resource_columns(flat=True)


def _read_xlsx(content: bytes) -> Book:
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as error:
        raise SpreadsheetError(
            _(N_("The file could not be read as an Excel workbook (.xlsx): %(error)s")) % {"error": error}
        ) from None
    if unpacked > MAX_UNPACKED:
        raise SpreadsheetError(
            _(N_("The workbook is too large once unpacked (more than %(max)s MB): split it in several files"))
            % {"max": MAX_UNPACKED // 2**20}
        )
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # BadZipFile, KeyError, InvalidFileException, …: not a workbook
        raise SpreadsheetError(
            _(N_("The file could not be read as an Excel workbook (.xlsx): %(error)s")) % {"error": error}
        ) from None
    try:
        names = workbook.sheetnames
        datasets = _sheet_named(names, DATASETS) or (names[0] if len(names) == 1 else None)
        if datasets is None:
            raise SpreadsheetError(_(N_("The file has no sheet «%(sheet)s»")) % {"sheet": DATASETS})
        book = Book()
        book.datasets, book.problems = _read_sheet(
            DATASETS, workbook[datasets].iter_rows(values_only=True), _dataset_columns()
        )
        resources = _sheet_named(names, fmt.RESOURCES)
        if resources is not None:
            rows, problems = _read_sheet(
                fmt.RESOURCES, workbook[resources].iter_rows(values_only=True), fmt.resource_columns(), optional=True
            )
            book.resources, book.problems = rows, book.problems + problems
        return book
    finally:
        workbook.close()


def _decode(content: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 (Excel's "CSV" on a Spanish Windows)."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def _read_csv(content: bytes) -> Book:
    text = _decode(content)
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows, problems = _read_sheet(DATASETS, iter(reader), _dataset_columns())
    except csv.Error as error:
        raise SpreadsheetError(_(N_("The CSV file could not be read: %(error)s")) % {"error": error}) from None
    return Book(datasets=rows, problems=problems)


def read(content: bytes, filename: str) -> Book:
    """The rows of an .xlsx or .csv file (told apart by the extension, else by the first bytes)."""
    name = filename.lower()
    if name.endswith(".xlsx") or content[:4] == b"PK\x03\x04":
        return _continuations(_read_xlsx(content))
    if name.endswith((".xls", ".ods")) or b"\x00" in content[:4096]:
        raise SpreadsheetError(
            _(N_("The file is neither an Excel workbook (.xlsx) nor a CSV file: save it as .xlsx and try again"))
        )
    return _continuations(_read_csv(content))


# --------------------------------------------------------------------------------------------- report


@dataclass
class Outcome:
    """A dataset written (or, when simulating, to be written) by the import."""

    row: int
    name: str
    title: str
    type: str
    node: str
    action: str  # "created", "updated" or "proposed" (published: the change waits as a pending revision)
    id: str | None = None


@dataclass
class Report:
    """What an import did (or, simulating, would do); the CLI and the web page show it."""

    created: list[Outcome] = field(default_factory=list)
    updated: list[Outcome] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    simulated: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def lines(self) -> list[str]:
        """The errors, one sentence each."""
        return [str(e) for e in self.errors]


# ------------------------------------------------------------------------------------------ importing

# Where a resource of a dataset came from: (sheet, row, resource field -> header), for its errors
Origin = tuple[str, int, dict[str, str]]


@dataclass
class Plan:
    """One dataset row made into the data dict of its action (``existing``: update, else create)."""

    row: Row
    data: dict[str, Any]
    existing: model.Package | None = None
    kept: int = 0  # the existing dataset's resources at the head of data["resources"]
    origins: list[Origin | None] = field(default_factory=list)  # per resource
    problems: list[Problem] = field(default_factory=list)

    def problem(self, message: str, column: str | None = None) -> None:
        self.problems.append(Problem(message, self.row.sheet, self.row.number, column))


class Importer:
    """The rows of a book as plans, checked as the user's actions will check them."""

    def __init__(self, user: str, nodo: model.Group | None) -> None:
        self.user = user
        self.nodo = nodo
        self.types = fmt.dataset_types()
        self.type_labels = fmt.type_labels()
        self.columns = {c.key: c for c in fmt.columns()}
        self.flat = {c.key: c for c in fmt.resource_columns(flat=True)}
        self.resource_cols = {c.key: c for c in fmt.resource_columns()}
        self.resource_fields = {f["field_name"]: f for f in fmt.schema_of(self.types[0]).get("resource_fields", [])}
        self._choices: dict[tuple[str, str], fmt.Choices] = {}

    def context(self, **extra: Any) -> dict[str, Any]:
        return {"model": model, "session": model.Session, "user": self.user, "ignore_auth": False, **extra}

    def choices(self, key: str, f: dict[str, Any] | None = None) -> fmt.Choices:
        cache_key = (key, repr((f or {}).get("choices") or (f or {}).get("choices_helper")))
        if cache_key not in self._choices:
            self._choices[cache_key] = fmt.choices_of(key, f)
        return self._choices[cache_key]

    def node(self, value: str) -> model.Group | None:
        """A node by id, name or title."""
        org = model.Group.get(value)
        if org is None or not org.is_organization or org.state != "active":
            name = self.choices(NODE).match(value)
            org = model.Group.get(name) if name else None
        return org

    # ------------------------------------------------------------------------------------ a dataset row
    def plan(self, row: Row, taken: dict[str, int]) -> Plan:
        plan = Plan(row, {})
        name_column = row.header(NAME, "Identificador (URL)")
        type_column = row.header(TYPE, "Tipo (eje)")
        node_column = row.header(NODE, "Nodo")
        org = self.nodo
        if NODE in row.values:
            org = self.node(fmt.text_of(row.values[NODE]))
            if org is None:
                plan.problem(
                    _(N_("there is no node «%(value)s»")) % {"value": fmt.text_of(row.values[NODE])}, node_column
                )
        dataset_type = None
        if TYPE in row.values:
            try:
                dataset_type = fmt.convert("choice", TYPE, row.values[TYPE], None, self.choices)
            except CellError as error:
                plan.problem(str(error), type_column)
        title = fmt.text_of(row.values.get("title", ""))
        name = self.name_of(fmt.text_of(row.values.get(NAME, "")), title, row)
        existing = model.Package.get(name)
        if existing is not None and existing.type not in self.types:
            existing = None  # not a CIM dataset: package_name_validator will say the name is taken
        if existing is not None and existing.state == "deleted":
            message = N_("the identifier «%(name)s» belongs to a deleted dataset: write another one")
            plan.problem(_(message) % {"name": name}, name_column)
            existing = None
        if existing is not None:
            org = org if org is not None or NODE in row.values else model.Group.get(existing.owner_org)
            if org is not None and existing.owner_org != org.id:
                message = N_("the identifier «%(name)s» belongs to a dataset of another node: write another one")
                plan.problem(_(message) % {"name": name}, name_column)
                return plan
            if dataset_type and dataset_type != existing.type:
                message = N_("the dataset «%(name)s» is of type «%(type)s»: its type cannot change")
                plan.problem(_(message) % {"name": name, "type": self.type_labels[existing.type]}, type_column)
                return plan
            if service.state_of(existing) in guard.LOCKED_STATES:
                plan.problem(tk._(guard.LOCKED) % {"state": labels.state_label(service.state_of(existing))})
            dataset_type = existing.type
        if org is None and NODE not in row.values:
            plan.problem(_(N_("no node: choose one when importing, or fill this column")), node_column)
        if dataset_type is None and org is not None and org.name in self.types:
            dataset_type = org.name  # the node's own eje
        if dataset_type is None:
            if TYPE not in row.values:
                plan.problem(_(N_("the type is missing: write the thematic axis or Indicador")), type_column)
            return plan
        if name in taken:
            message = N_("the identifier «%(name)s» is already used by row %(row)s")
            plan.problem(_(message) % {"name": name, "row": taken[name]}, name_column)
        taken.setdefault(name, row.number)
        values = self.values(row, dataset_type, plan)
        if existing is not None:
            plan.existing = existing
            plan.data = tk.get_action("package_show")({"ignore_auth": True, "for_view": False}, {"id": existing.id})
            for key in ("organization", "metadata_modified"):  # metadata_modified kept would not be bumped
                plan.data.pop(key, None)
            if "tag_string" in values:
                plan.data.pop("tags", None)
            plan.data.update(values)
            plan.kept = len(plan.data.get("resources") or [])
            plan.origins = [None] * plan.kept
        else:
            plan.data = dict(values, type=dataset_type, name=name)
        if org is not None:
            plan.data["owner_org"] = org.id
        return plan

    @staticmethod
    def name_of(written: str, title: str, row: Row) -> str:
        """The identifier: as written (made valid), else made from the title."""
        if written:
            return written if NAME_PATTERN.fullmatch(written) else munge_title_to_name(written)
        if title:
            return munge_title_to_name(title)[:90].strip("-")
        return f"fila-{row.number}"  # no title either: the schema's error on «Título» says what to do

    def values(self, row: Row, dataset_type: str, plan: Plan) -> dict[str, Any]:
        fields = {f["field_name"]: f for f in fmt.schema_of(dataset_type).get("dataset_fields", [])}
        values: dict[str, Any] = {}
        for key, raw in row.values.items():
            if key in (NAME, TYPE, NODE) or key in self.flat:
                continue
            header = row.header(key, self.columns[key].label)
            f = fields.get(key)
            if f is None:
                message = N_("this column does not apply to datasets of type «%(type)s»: leave it empty")
                plan.problem(_(message) % {"type": self.type_labels[dataset_type]}, header)
                continue
            try:
                values[key] = fmt.convert(fmt.field_kind(f), key, raw, f, self.choices)
            except CellError as error:
                plan.problem(str(error), header)
        return values

    def resource(self, row: Row, prefix: str, problems: list[Problem]) -> tuple[dict[str, Any], Origin]:
        """A resource's dict from a row of «Recursos» (``prefix`` "") or the «Recurso: …» cells of a row."""
        result: dict[str, Any] = {}
        headers: dict[str, str] = {}
        known = self.flat if prefix else self.resource_cols
        for key, column in known.items():
            if key == LINK:
                continue
            name = key.removeprefix(prefix)
            headers[name] = row.header(key, column.label)
            if key not in row.values:
                continue
            try:
                result[name] = fmt.convert(
                    column.kind, name, row.values[key], self.resource_fields.get(name), self.choices
                )
            except CellError as error:
                problems.append(Problem(str(error), row.sheet, row.number, headers[name]))
        return result, (row.sheet, row.number, headers)

    # -------------------------------------------------------------------------------------- checking
    def check(self, plan: Plan) -> None:
        """Permission and the schema's validation, as the action will do them (nothing is written). The
        schema's errors of a column that already has one (a value that could not be read) are left out."""
        if not plan.data:
            return
        row = plan.row
        try:
            if plan.existing is not None:
                tk.check_access("package_update", self.context(), {"id": plan.existing.id})
            else:
                tk.check_access("package_create", self.context(), dict(plan.data))
        except tk.NotAuthorized:
            org = model.Group.get(plan.data.get("owner_org") or "")
            if plan.existing is not None:
                message = _(N_("you are not allowed to change the dataset «%(name)s»")) % {"name": plan.data["name"]}
            else:
                message = _(N_("you are not allowed to create datasets in the node «%(node)s»")) % {
                    "node": org.title if org else ""
                }
            plan.problem(message, row.header(NODE, "Nodo"))
            return
        plugin = lib_plugins.lookup_package_plugin(plan.data["type"])
        if plan.existing is not None:
            context = self.context(package=plan.existing)
            schema, action = plugin.update_package_schema(), "package_update"
        else:
            context, schema, action = self.context(), plugin.create_package_schema(), "package_create"
        _data, errors = lib_plugins.plugin_validate(plugin, context, copy.deepcopy(plan.data), schema, action)
        seen = {(p.sheet, p.row, p.column) for p in plan.problems}
        plan.problems += [p for p in self.describe(plan, errors) if (p.sheet, p.row, p.column) not in seen]

    def describe(self, plan: Plan, errors: dict[str, Any]) -> list[Problem]:
        """A dataset's validation errors, each at its row and column (a resource's at its own row)."""
        row = plan.row
        fields = {f["field_name"]: f for f in fmt.schema_of(plan.data["type"]).get("dataset_fields", [])}
        problems = []
        order = {key: index for index, key in enumerate(self.columns)}
        ordered = sorted(
            (errors or {}).items(), key=lambda item: order.get({"tags": "tag_string"}.get(item[0], item[0]), -1)
        )
        for key, messages in ordered:
            if key == "resources" and isinstance(messages, list):
                for index, resource_errors in enumerate(messages):
                    if not isinstance(resource_errors, dict) or not resource_errors:
                        continue
                    origin = plan.origins[index] if index < len(plan.origins) else None
                    sheet, number, headers = origin or (row.sheet, row.number, {})
                    for name, texts in resource_errors.items():
                        column = headers.get(name) or fmt.label_of(self.resource_fields.get(name, {"field_name": name}))
                        problems.append(Problem(_join(texts), sheet, number, column))
                continue
            if key in ("id", "__junk", "__before", "__extras"):
                problems.append(Problem(_join(messages), row.sheet, row.number))
                continue
            column_key = {"tags": "tag_string"}.get(key, key)
            column = self.columns.get(column_key)
            default = column.label if column else fmt.label_of(fields.get(key, {"field_name": key}))
            problems.append(Problem(_join(messages), row.sheet, row.number, row.header(column_key, default)))
        return problems


def _join(messages: Any) -> str:
    if isinstance(messages, list):
        return "; ".join(_join(m) for m in messages if m)
    if isinstance(messages, dict):
        return "; ".join(f"{k}: {_join(v)}" for k, v in messages.items() if v)
    return str(messages)


def _continuations(book: Book) -> Book:
    """A row with only an identifier already seen and «Recurso: …» cells adds a resource to that dataset:
    it is read as a row of «Recursos»."""
    flat = {c.key for c in fmt.resource_columns(flat=True)}
    kept: list[Row] = []
    seen: set[str] = set()
    for row in book.datasets:
        name = fmt.text_of(row.values.get(NAME, ""))
        others = set(row.values) - {NAME}
        if name in seen and others and others <= flat:
            values = {k.removeprefix(RESOURCE_PREFIX): v for k, v in row.values.items() if k in flat}
            headers = {k.removeprefix(RESOURCE_PREFIX): h for k, h in row.headers.items() if k in flat}
            values[LINK], headers[LINK] = name, row.header(NAME, "Identificador (URL)")
            book.resources.append(Row(row.sheet, row.number, values, headers))
            continue
        seen.add(name)
        kept.append(row)
    book.datasets = kept
    return book


def _attach(importer: Importer, book: Book, plans: list[Plan], problems: list[Problem]) -> None:
    """Each resource (a row of «Recursos», or the «Recurso: …» cells of a dataset row) to its dataset."""
    by_name: dict[str, Plan] = {}
    by_title: dict[str, list[Plan]] = {}
    for plan in plans:
        if plan.data:
            by_name[plan.data["name"]] = plan
            by_name.setdefault(fmt.text_of(plan.row.values.get(NAME, "")), plan)
            by_title.setdefault(fmt.plain(plan.data.get("title")), []).append(plan)
    for plan in plans:
        if plan.data and any(k in importer.flat for k in plan.row.values):
            _add_resource(plan, *importer.resource(plan.row, RESOURCE_PREFIX, plan.problems))
    for row in book.resources:
        link_column = row.header(LINK, "Conjunto de datos")
        link = fmt.text_of(row.values.get(LINK, ""))
        if not link:
            problems.append(
                Problem(_(N_("say which dataset the resource belongs to")), row.sheet, row.number, link_column)
            )
            continue
        target = by_name.get(link) or by_name.get(munge_title_to_name(link))
        if target is None:
            same_title = by_title.get(fmt.plain(link), [])
            target = same_title[0] if len(same_title) == 1 else None
        if target is None:
            message = N_("no dataset of the sheet «%(sheet)s» has the identifier or title «%(value)s»")
            problems.append(
                Problem(_(message) % {"sheet": DATASETS, "value": link}, row.sheet, row.number, link_column)
            )
            continue
        _add_resource(target, *importer.resource(row, "", problems))


def _add_resource(plan: Plan, resource: dict[str, Any], origin: Origin) -> None:
    """Add a resource to the dataset; on an update, it changes the dataset's resource of the same name
    (or URL), keeping its id; the dataset's other resources stay."""
    current = plan.data.setdefault("resources", [])
    key = fmt.plain(resource.get("name"))
    for index in range(plan.kept):
        existing = current[index]
        if (key and key == fmt.plain(existing.get("name"))) or (
            resource.get("url") and resource.get("url") == existing.get("url")
        ):
            current[index] = dict(existing, **resource)
            plan.origins[index] = origin
            return
    current.append(resource)
    plan.origins.append(origin)


def import_book(
    book: Book,
    *,
    user: str,
    nodo: str | None = None,
    simulate: bool = False,
    progress: Callable[[], None] | None = None,
) -> Report:
    """Check every row; then, all valid and not simulating, write every dataset in one transaction.
    ``nodo``: the node of the rows without a «Nodo» (id, name or title); ``progress`` is called once per
    row checked and once per dataset written."""
    tick = progress or (lambda: None)
    report = Report(simulated=simulate, errors=list(book.problems))
    importer = Importer(user, None)
    if nodo:
        importer.nodo = importer.node(nodo)
        if importer.nodo is None:
            report.errors.append(Problem(_(N_("There is no node «%(value)s»")) % {"value": nodo}))
            return report
    if not book.datasets and not report.errors:
        message = N_("The sheet «%(sheet)s» has no datasets: fill it from row 3")
        report.errors.append(Problem(_(message) % {"sheet": DATASETS}))
    taken: dict[str, int] = {}
    plans = [importer.plan(row, taken) for row in book.datasets]
    _attach(importer, book, plans, report.errors)
    for plan in plans:
        importer.check(plan)
        report.errors += plan.problems
        tick()
    report.errors.sort(key=_order)
    if report.errors:
        return report
    if simulate:
        for plan in plans:
            _record(report, plan, "updated" if plan.existing is not None else "created", None)
        return report
    _write(importer, plans, report, tick)
    return report


def _order(problem: Problem) -> tuple[int, int]:
    sheets = {None: 0, DATASETS: 1, fmt.RESOURCES: 2}
    return sheets.get(problem.sheet, 3), problem.row or 0


def _record(report: Report, plan: Plan, action: str, package_id: str | None) -> None:
    org = model.Group.get(plan.data.get("owner_org") or "")
    outcome = Outcome(
        row=plan.row.number,
        name=plan.data["name"],
        title=plan.data.get("title") or plan.data["name"],
        type=plan.data["type"],
        node=org.name if org else "",
        action=action,
        id=package_id,
    )
    (report.created if action == "created" else report.updated).append(outcome)


def _write(importer: Importer, plans: list[Plan], report: Report, tick: Callable[[], None]) -> None:
    """Every dataset in one transaction (``defer_commit``), then indexed; on any refusal, nothing."""
    from ckan.lib import search

    done: list[tuple[Plan, str, str]] = []
    plan: Plan | None = None
    try:
        for plan in plans:
            # return_id_only: with defer_commit alone, CKAN 2.12's package_update rolls its own savepoint back
            context = importer.context(defer_commit=True, return_id_only=True)
            if plan.existing is not None:
                if service.state_of(plan.existing) not in PUBLIC_STATES:
                    # what package_update itself sets when it commits: the activity plugin records the change
                    context["changed_entities"] = {"packages": {plan.existing.id}}
                result = tk.get_action("package_update")(context, dict(plan.data, id=plan.existing.id))
                action = "proposed" if isinstance(result, dict) and result.get("cimibague_revision") else "updated"
                done.append((plan, action, plan.existing.id))
            else:
                result = tk.get_action("package_create")(context, dict(plan.data))
                done.append((plan, "created", result["id"] if isinstance(result, dict) else result))
            tick()
        model.repo.commit()
    except (tk.ValidationError, tk.NotAuthorized) as error:
        model.Session.rollback()
        if plan is not None:
            problems = importer.describe(plan, error.error_dict) if isinstance(error, tk.ValidationError) else []
            report.errors += problems or [Problem(str(error), plan.row.sheet, plan.row.number)]
        report.errors.append(Problem(_(N_("Nothing was imported: correct the errors and upload the file again"))))
        return
    except Exception:
        model.Session.rollback()
        raise
    for plan, action, package_id in done:
        _record(report, plan, action, package_id)
        search.rebuild(package_id)


def import_file(
    content: bytes,
    filename: str,
    *,
    user: str,
    nodo: str | None = None,
    simulate: bool = False,
    progress: Callable[[], None] | None = None,
) -> Report:
    """Read and import a spreadsheet; a file that cannot be read gives a report with that one error."""
    try:
        book = read(content, filename)
    except SpreadsheetError as error:
        return Report(errors=[Problem(str(error))], simulated=simulate)
    return import_book(book, user=user, nodo=nodo, simulate=simulate, progress=progress)

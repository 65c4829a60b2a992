"""The blank "formato de recolección de información" workbook, built on request (the registered entities and
nodes change, and the columns follow the schemas): ``ckan cimibague template`` and ``/formato/plantilla.xlsx``.

Sheets: «Instrucciones» (how to fill it, in Spanish), «Conjuntos de datos» and «Recursos» (row 1 the
headers, row 2 each column's help, which the import skips; data from row 3), and the hidden «Listas» with
the options behind the drop-down lists of the choice columns (single choices refuse other values; the
multiple ones, such as «Cobertura geográfica», accept several separated by «;»).
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ckanext.cimibague.harvesters import formato as fmt
from ckanext.cimibague.site_i18n import gettext as _
from ckanext.cimibague.workflow.machine import N_

__all__ = ["FIRST_ROW", "LAST_ROW", "build"]

FIRST_ROW = 3  # first data row (1: headers, 2: help)
LAST_ROW = 1002  # drop-down lists and formats reach this row
HEADER = PatternFill("solid", fgColor="DDEBF7")
REQUIRED = PatternFill("solid", fgColor="F8CBAD")
HELP = Font(italic=True, color="595959", size=9)

INSTRUCTIONS = [
    N_("1. Sheet «Conjuntos de datos»: one dataset per row, from row 3. Row 2 is help: do not write in it."),
    N_(
        "2. Sheet «Recursos»: one resource (file, link or web service) per row; in «Conjunto de datos» write the "
        "«Identificador (URL)» of its dataset (or its title)."
    ),
    N_("3. Headers in red are required for every dataset; the help of the others says for which type they are."),
    N_("4. Dates as dd/mm/yyyy (e.g. 31/12/2024); numbers with decimal comma (45,5)."),
    N_(
        "5. Choose the options from the drop-down lists. In «Cobertura geográfica» write several separated by "
        "«;» (e.g. Comuna 7; Comuna 8)."
    ),
    N_("6. «Tipo (eje)»: the thematic axis of the dataset, or Indicador. Leave empty the columns of the other types."),
    N_(
        "7. «Identificador (URL)» is optional (it is made from the title). When the form is sent again, the "
        "dataset with the same identifier is updated, not duplicated: keep identifiers and titles."
    ),
    N_(
        "8. The CIM checks the whole file: if a row has errors nothing is loaded, and each error is reported "
        "with its sheet, row and column."
    ),
    N_("9. Loaded datasets stay «Recibido» and private until the CIM reviews and publishes them."),
    N_(
        "CSV is accepted too (one dataset per row, separated by «;» or «,»): the resources go in the columns "
        "«Recurso: nombre», «Recurso: URL», «Recurso: formato», …"
    ),
]


def _lists(ws: Worksheet, choices: list[tuple[str, list[str]]]) -> dict[str, str]:
    """Write each option list in a column of «Listas»; the range formula of each, by column key."""
    ranges = {}
    for index, (key, labels) in enumerate(choices, start=1):
        letter = get_column_letter(index)
        ws.cell(row=1, column=index, value=key)
        for row, label in enumerate(labels, start=2):
            cell = ws.cell(row=row, column=index, value=label)
            cell.data_type = "s"  # an entity or node title starting with "=" stays text, never a formula
        last = max(len(labels) + 1, 2)
        ranges[key] = f"{quote_sheetname(fmt.LISTS)}!${letter}$2:${letter}${last}"
    return ranges


def _sheet(ws: Worksheet, cols: list[fmt.Column], ranges: dict[str, str], required: set[str]) -> None:
    for index, column in enumerate(cols, start=1):
        letter = get_column_letter(index)
        header = ws.cell(row=1, column=index, value=column.label)
        header.font = Font(bold=True)
        header.fill = REQUIRED if column.key in required else HEADER
        header.alignment = Alignment(wrap_text=True, vertical="top")
        help_cell = ws.cell(row=2, column=index, value=column.help)
        help_cell.font = HELP
        help_cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[letter].width = 42 if column.kind in ("series", "spatial") or column.key == "notes" else 24
        if column.kind == "date":
            for row in range(FIRST_ROW, LAST_ROW + 1):
                ws.cell(row=row, column=index).number_format = "DD/MM/YYYY"
        if column.key in ranges:
            multiple = column.kind == "multiple"
            validation = DataValidation(
                type="list",
                formula1=ranges[column.key],
                allow_blank=True,
                showErrorMessage=not multiple,
                errorTitle=_(N_("Not an option")),
                error=_(N_("Choose a value from the list.")),
                promptTitle=column.label,
                prompt=_(N_("Several, separated by «;».")) if multiple else None,
                showInputMessage=multiple,
            )
            validation.add(f"{letter}{FIRST_ROW}:{letter}{LAST_ROW}")
            ws.add_data_validation(validation)
    ws.row_dimensions[2].height = 90
    ws.freeze_panes = f"A{FIRST_ROW}"


def _choice_lists(cols: list[fmt.Column]) -> list[tuple[str, list[str]]]:
    """(column key, option labels) of every choice column, from its field in the first type that has it."""
    fields: dict[str, dict[str, Any]] = {}
    for dataset_type in fmt.dataset_types():
        for f in fmt.schema_of(dataset_type).get("dataset_fields", []):
            fields.setdefault(f["field_name"], f)
    resource_fields = {f["field_name"]: f for f in fmt.schema_of(fmt.dataset_types()[0]).get("resource_fields", [])}
    result = []
    for column in cols:
        if column.kind not in ("choice", "multiple", "license"):
            continue
        f = fields.get(column.key) or resource_fields.get(column.key)
        result.append((column.key, fmt.choices_of(column.key, f).labels))
    return result


def build() -> bytes:
    """The template workbook (.xlsx) as bytes."""
    workbook = Workbook()
    intro = workbook.active
    intro.title = fmt.INSTRUCTIONS
    dataset_cols = fmt.columns()
    resource_cols = fmt.resource_columns()
    datasets = workbook.create_sheet(fmt.DATASETS)
    resources = workbook.create_sheet(fmt.RESOURCES)
    lists = workbook.create_sheet(fmt.LISTS)
    lists.sheet_state = "hidden"
    choice_lists = _choice_lists(dataset_cols) + [
        (f"{fmt.RESOURCES}:{key}", labels) for key, labels in _choice_lists(resource_cols)
    ]
    ranges = _lists(lists, choice_lists)
    every_type = set(fmt.dataset_types())
    required_everywhere = {c.key for c in dataset_cols if not c.types and set(c.required_in) == every_type}
    _sheet(datasets, dataset_cols, ranges, required_everywhere)
    resource_ranges = {k.split(":", 1)[1]: v for k, v in ranges.items() if k.startswith(f"{fmt.RESOURCES}:")}
    _sheet(resources, resource_cols, resource_ranges, {fmt.LINK, "name"})

    intro.column_dimensions["A"].width = 120
    lines = [
        (
            _(N_("Information collection form — Centro de Información Municipal (CIM) de Ibagué")),
            Font(bold=True, size=14),
        ),
        (_(N_("Generated on %(date)s.")) % {"date": dt.date.today().strftime("%d/%m/%Y")}, HELP),
        ("", None),
        *((_(line), None) for line in INSTRUCTIONS),
    ]
    for row, (text, font) in enumerate(lines, start=1):
        cell = intro.cell(row=row, column=1, value=text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if font is not None:
            cell.font = font
    workbook.active = 1  # opens on «Conjuntos de datos»
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()

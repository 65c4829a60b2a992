"""Our Spanish catalogue of ckanext-harvest (``harvesters/i18n``, domain ``ckanext-harvest``) covers every msgid
the installed ckanext-harvest uses, its compiled .mo is up to date and its translations keep the placeholders.

The msgids are extracted afresh from the installed package (located through ``import ckanext.harvest``) the way
``pybabel extract`` does it: the python extractor for its code, CKAN's jinja2 extractor
(``ckan.lib.extract:extract_ckan``, with ``trimmed`` on, as CKAN renders ``{% trans %}``) for its templates.
Regenerate the .mo with::

    pybabel compile -i harvesters/i18n/es/LC_MESSAGES/ckanext-harvest.po \\
        -o harvesters/i18n/es/LC_MESSAGES/ckanext-harvest.mo -l es --statistics
"""

from __future__ import annotations

import ast
import functools
import re
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

pytestmark = pytest.mark.unit

LC = Path(__file__).resolve().parents[1] / "harvesters/i18n/es/LC_MESSAGES"
PO = LC / "ckanext-harvest.po"
MO = LC / "ckanext-harvest.mo"

METHOD_MAP = [
    ("tests/**", "ignore"),
    ("**.py", "python"),
    ("templates/**.html", "ckan.lib.extract:extract_ckan"),
    ("templates/**.txt", "ckan.lib.extract:extract_ckan"),
    ("**.js", "javascript"),
]

# printf (%s, %(name)s, %r, %%), str.format / jinja ({0}, {name}, {{ var }}) and HTML tags
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifrx%]|\{[^{}]*\}|</?[a-zA-Z][^<>]*>")


def _harvest_dir() -> Path:
    import ckanext.harvest

    return Path(ckanext.harvest.__file__).resolve().parent


@functools.cache
def _extracted() -> dict[str, tuple[str, ...]]:
    """msgid (the singular for a plural) -> the full msgid tuple, extracted from the installed ckanext-harvest."""
    found: dict[str, tuple[str, ...]] = {}
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(_harvest_dir()), method_map=METHOD_MAP, keywords=DEFAULT_KEYWORDS
    ):
        ids = (message,) if isinstance(message, str) else tuple(message)
        found[ids[0]] = ids
    return found


def _po():
    with open(PO, "rb") as f:
        return read_po(f)


def _tuple(value):
    return value if isinstance(value, str) else tuple(value)


def _messages(catalog) -> dict:
    """msgid -> msgstr; a plural as (msgid, msgid_plural) -> (msgstr[0], msgstr[1]) (read_mo gives lists)."""
    return {_tuple(m.id): _tuple(m.string) for m in catalog if m.id}


def _by_singular(catalog) -> dict:
    return {(m.id if isinstance(m.id, str) else m.id[0]): m for m in catalog if m.id}


def _dynamic_msgids() -> set[str]:
    """msgids ckanext-harvest passes to ``_()`` through a variable, which no extractor sees."""
    root = _harvest_dir()
    msgids: set[str] = set()
    # templates: {% for action in ['added', ...] %} ... {{ _(action) }}
    for path in (root / "templates").rglob("*.html"):
        for listed in re.findall(r"{%\s*for\s+action\s+in\s+(\[[^\]]*\])\s*%}", path.read_text()):
            msgids |= set(ast.literal_eval(listed))
    # snippets/job_details.html: {{ _(job.status) }}, the statuses a HarvestJob is given
    for path in root.rglob("*.py"):
        if "tests" not in path.relative_to(root).parts:
            msgids |= set(re.findall(r"""\bstatus\s*=\s*u?["']([A-Z]\w*)["']""", path.read_text()))
    module = ast.parse((root / "model/__init__.py").read_text())
    for node in ast.walk(module):
        # helpers.harvest_frequencies: _(f.title()) for f in UPDATE_FREQUENCIES
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "UPDATE_FREQUENCIES" for t in node.targets):
            msgids |= {f.title() for f in ast.literal_eval(node.value)}
    # helpers.harvester_types: _(harvester.info()['title'])
    ckan_harvester = (root / "harvesters/ckanharvester.py").read_text()
    msgids |= set(re.findall(r"""['"]title['"]\s*:\s*['"]([^'"]+)['"]""", ckan_harvester))
    # utils.object_show_view: _(str(e)) for the ObjectNotFound raised by the harvest_object_show action
    module = ast.parse((root / "logic/action/get.py").read_text())
    for node in ast.walk(module):
        if isinstance(node, ast.FunctionDef) and node.name == "harvest_object_show":
            for call in ast.walk(node):
                if isinstance(call, ast.Call) and getattr(call.func, "attr", "") == "ObjectNotFound":
                    msgids |= {a.value for a in call.args if isinstance(a, ast.Constant)}
    return msgids


def test_catalogue_header():
    catalog = _po()
    assert str(catalog.locale) == "es"
    assert catalog.domain in (None, "ckanext-harvest")
    assert catalog.plural_forms == "nplurals=2; plural=(n != 1);"
    assert catalog.charset.lower() == "utf-8"
    assert not catalog.fuzzy
    assert not [m.id for m in catalog if m.id and m.fuzzy], "fuzzy messages in the .po"


def test_extraction_finds_the_package_messages():
    extracted = _extracted()
    # a template msgid, a {% trans %} block (trimmed), a plural and a Python msgid: the extraction works
    assert "Add Harvest Source" in extracted
    assert any(m.startswith("Harvest sources allow importing remote metadata") for m in extracted)
    assert extracted['{number} harvest source found for "{query}"'][1] == '{number} harvest sources found for "{query}"'
    assert "Harvest source not found" in extracted
    assert len(extracted) > 100


def test_every_extracted_msgid_is_translated():
    po = _by_singular(_po())
    missing = sorted(set(_extracted()) - po.keys())
    assert not missing, f"missing from {PO.name}: {missing}"
    untranslated = []
    for singular, ids in _extracted().items():
        message = po[singular]
        if len(ids) > 1:
            assert isinstance(message.id, tuple) and message.id[1] == ids[1], f"wrong msgid_plural for {singular!r}"
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not strings or not all(strings):
            untranslated.append(singular)
    assert not untranslated, f"untranslated in {PO.name}: {untranslated}"


def test_msgids_passed_through_variables_are_translated():
    dynamic = _dynamic_msgids()
    expected = {"added", "not modified", "New", "Running", "Finished", "Aborted", "Biweekly", "CKAN"}
    assert expected | {"Harvest object not found"} <= dynamic, "the search for dynamic msgids is broken"
    po = _messages(_po())
    missing = sorted(m for m in dynamic if not po.get(m))
    assert not missing, f"missing or untranslated in {PO.name}: {missing}"


def test_every_message_is_translated():
    untranslated = [
        msgid
        for msgid, msgstr in _messages(_po()).items()
        if not (all(msgstr) if isinstance(msgstr, tuple) else msgstr)
    ]
    assert not untranslated


def test_compiled_catalogue_is_up_to_date():
    po = _messages(_po())
    with open(MO, "rb") as f:
        mo = _messages(read_mo(f))
    assert mo == po, f"run: pybabel compile -i {PO} -o {MO} -l es"


def test_placeholders_are_kept():
    wrong = []
    for message in _po():
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        # Spanish has two forms: msgstr[0] answers the msgid, msgstr[1] the msgid_plural
        for msgid, msgstr in zip(ids, strings, strict=False):
            if Counter(PLACEHOLDER.findall(msgid)) != Counter(PLACEHOLDER.findall(msgstr)):
                wrong.append((msgid, msgstr))
    assert not wrong, f"placeholders changed: {wrong}"

"""The Spanish catalogue is complete and its compiled .mo matches the .po."""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

LC = Path(__file__).resolve().parents[1] / "ckanext-cimibague/ckanext/cimibague/i18n/es/LC_MESSAGES"


def _messages(catalog) -> dict:
    """msgid -> msgstr; a plural entry as (singular, plural) -> (its forms) (the .mo reader gives lists)."""

    def key(value):
        return tuple(value) if isinstance(value, (list, tuple)) else value

    return {key(m.id): key(m.string) for m in catalog if m.id}


def test_every_message_is_translated():
    with open(LC / "ckanext-cimibague.po", "rb") as f:
        po = _messages(read_po(f))
    assert po
    untranslated = [
        msgid for msgid, msgstr in po.items() if not msgstr or (isinstance(msgstr, tuple) and not all(msgstr))
    ]
    assert not untranslated


def test_compiled_catalogue_is_up_to_date():
    with open(LC / "ckanext-cimibague.po", "rb") as f:
        po = _messages(read_po(f))
    with open(LC / "ckanext-cimibague.mo", "rb") as f:
        mo = _messages(read_mo(f))
    assert mo == po, "run: pybabel compile -d ckanext-cimibague/ckanext/cimibague/i18n -D ckanext-cimibague"


def test_template_strings_are_in_the_catalogue():
    import re

    templates = LC.parents[2] / "templates"
    with open(LC / "ckanext-cimibague.po", "rb") as f:
        po = _messages(read_po(f))
    used = set()
    for path in templates.rglob("*.html"):
        used |= set(re.findall(r"""_\(\s*'([^']+)'\s*\)|_\(\s*"([^"]+)"\s*\)""", path.read_text()))
    used = {a or b for a, b in used}
    ckan_own = {"Datasets"}  # also in CKAN's catalogue; ours must translate it the same
    assert used - po.keys() <= ckan_own - po.keys(), f"missing from the .po: {sorted(used - po.keys())}"


def test_python_strings_are_in_the_catalogue():
    """Every msgid of the extension's Python code and of its harvesters (``_()``, ``tk._()`` and constants
    marked ``N_()``) has its Spanish translation."""
    from babel.messages.extract import extract_from_dir

    package = LC.parents[2]
    with open(LC / "ckanext-cimibague.po", "rb") as f:
        po = _messages(read_po(f))
    harvesters = LC.parents[5] / "harvesters"  # installed as ckanext.cimibague.harvesters
    assert (harvesters / "landing.py").exists()
    used = {
        message
        for folder in (package, harvesters)
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(folder), method_map=[("**.py", "python")], keywords={"_": None, "N_": None}
        )
        if isinstance(message, str)
    }
    assert used, "no msgids found: extraction is broken"
    assert not used - po.keys(), f"missing from the .po: {sorted(used - po.keys())}"

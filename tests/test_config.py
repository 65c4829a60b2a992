"""The ini files: self-contained, Spanish first, plugins in the right order, every option declared."""

from __future__ import annotations

import configparser
import re
from pathlib import Path

import ckan.plugins.toolkit as tk
import yaml

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "config"
DECLARATION = ROOT / "ckanext-cimibague" / "ckanext" / "cimibague" / "config_declaration.yaml"
INI_FILES = ["common.ini", "dev.ini.tmpl", "test.ini", "production.ini.tmpl"]


def _app_main(name: str) -> configparser.SectionProxy:
    parser = configparser.RawConfigParser(strict=True)
    parser.read(CONFIG / name, encoding="utf-8")
    return parser["app:main"]


def _plugins() -> list[str]:
    return _app_main("common.ini")["ckan.plugins"].split()


def test_test_ini_stands_on_its_own():
    # the whole chain is ours: test.ini -> common.ini -> egg:ckan (no test-core.ini from a CKAN checkout)
    assert _app_main("test.ini")["use"] == "config:common.ini"
    assert _app_main("common.ini")["use"] == "egg:ckan"


def test_spanish_first_with_english_offered():
    assert tk.config["ckan.locale_default"] == "es"
    assert tk.config["ckan.locales_offered"] == ["es", "en"]


def test_plugin_order():
    plugins = _plugins()
    assert plugins.index("dcat") < plugins.index("scheming_datasets")
    assert plugins.index("cimibague") < plugins.index("scheming_datasets")
    harvesters = [name for name in plugins if name.endswith("_harvester")]
    assert harvesters
    for name in harvesters:
        assert plugins.index("harvest") < plugins.index(name), name


def test_every_cimibague_option_is_declared():
    declared = {
        option["key"]
        for group in yaml.safe_load(DECLARATION.read_text(encoding="utf-8"))["groups"]
        for option in group["options"]
    }
    used = set()
    for name in INI_FILES:
        used |= set(re.findall(r"^(ckanext\.cimibague\.[\w.]+)\s*=", (CONFIG / name).read_text(), re.M))
    assert used, "the ini files set no ckanext.cimibague option: this test would be empty"
    assert used <= declared, f"undeclared: {sorted(used - declared)}"


def test_declared_options_are_typed_and_documented():
    for group in yaml.safe_load(DECLARATION.read_text(encoding="utf-8"))["groups"]:
        for option in group["options"]:
            assert option.get("description"), option["key"]
            assert "default" in option, option["key"]


def test_templates_and_render_script_agree(tmp_path):
    import subprocess
    import sys

    placeholders = {
        "CONFIG_DIR",
        "SECRET",
        "SITE_URL",
        "DATABASE_URL",
        "SOLR_URL",
        "REDIS_URL",
        "STORAGE_PATH",
    }
    for name, extra in [
        ("dev.ini.tmpl", set()),
        ("production.ini.tmpl", {"SITE_ID", "SMTP_SERVER", "SMTP_MAIL_FROM"}),
    ]:
        values = [f"{key}=x" for key in placeholders | extra | {"LOG_DIR"}]
        out = tmp_path / f"{name}.ini"
        subprocess.run([sys.executable, CONFIG / "render_ini.py", CONFIG / name, out, *values], check=True)
        assert "${" not in out.read_text()
        missing = subprocess.run(
            [sys.executable, CONFIG / "render_ini.py", CONFIG / name, out], capture_output=True, text=True
        )
        assert missing.returncode == 1 and "needs a value" in missing.stderr


def test_each_template_directory_is_registered_once():
    """A directory registered twice (two of our plugins adding ``templates``) puts its templates twice in
    CKAN's ``{% ckan_extends %}`` chain: every block that calls ``super()`` renders twice (two workflow
    panels, two search maps)."""
    paths = list(tk.config["plugin_template_paths"])
    assert any(
        Path(path).resolve() == ROOT / "ckanext-cimibague" / "ckanext" / "cimibague" / "templates" for path in paths
    )
    assert len(paths) == len({str(Path(path).resolve()) for path in paths})

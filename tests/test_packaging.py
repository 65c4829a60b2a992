"""The wheel installs every module, template, YAML and catalogue of the extension."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = {
    "ckanext/cimibague": ROOT / "ckanext-cimibague" / "ckanext" / "cimibague",
    "ckanext/cimibague/schemas": ROOT / "schemas",
    "ckanext/cimibague/harvesters": ROOT / "harvesters",
}


def _source_files() -> set[str]:
    expected = set()
    for prefix, folder in SOURCES.items():
        for path in folder.rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                expected.add(f"{prefix}/{path.relative_to(folder).as_posix()}")
    return expected


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    build_dir = tmp_path_factory.mktemp("build")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        cwd=build_dir,
        capture_output=True,
    )
    (path,) = out.glob("ckanext_cimibague-*.whl")
    return zipfile.ZipFile(path)


def test_wheel_has_every_source_file(wheel):
    names = set(wheel.namelist())
    missing = sorted(_source_files() - names)
    assert not missing, f"files missing from the wheel: {missing}"


def test_wheel_has_the_essentials(wheel):
    names = set(wheel.namelist())
    for name in (
        "ckanext/cimibague/plugin.py",
        "ckanext/cimibague/config_declaration.yaml",
        "ckanext/cimibague/templates/home/index.html",
        "ckanext/cimibague/i18n/es/LC_MESSAGES/ckanext-cimibague.mo",
        "ckanext/cimibague/schemas/vocabularies/ejes.yaml",
        "ckanext/cimibague/schemas/vocabularies/territorio.yaml",
        "ckanext/cimibague/harvesters/__init__.py",
    ):
        assert name in names


def test_wheel_declares_the_plugin_entry_point(wheel):
    (entry_points,) = [n for n in wheel.namelist() if n.endswith(".dist-info/entry_points.txt")]
    text = wheel.read(entry_points).decode()
    assert "[ckan.plugins]" in text
    assert "cimibague = ckanext.cimibague.plugin:CimibaguePlugin" in text


def test_wheel_keeps_ckanext_a_shared_namespace(wheel):
    # like CKAN core and the other extensions: no ckanext/__init__.py of ours in site-packages (it would
    # clash), but a namespace declaration that setuptools turns into an -nspkg.pth
    names = wheel.namelist()
    assert "ckanext/__init__.py" not in names
    (declared,) = [n for n in names if n.endswith(".dist-info/namespace_packages.txt")]
    assert wheel.read(declared).decode().split() == ["ckanext"]
    assert any(n.endswith("-nspkg.pth") for n in names)


def test_wheel_leaves_tests_and_build_artefacts_out(wheel):
    for name in wheel.namelist():
        assert not name.startswith(("tests/", "build/", "bench/")), name
        assert "__pycache__" not in name

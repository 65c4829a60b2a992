"""The CIM's controlled vocabularies, read from the YAML data files in ``ckanext.cimibague.schemas``."""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

import yaml

__all__ = ["ejes", "load", "territorio"]

_PACKAGE = "ckanext.cimibague.schemas"


@functools.cache
def load(name: str) -> Any:
    """The parsed contents of ``schemas/vocabularies/<name>.yaml`` (cached; treat as read-only)."""
    text = resources.files(_PACKAGE).joinpath("vocabularies", f"{name}.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def ejes() -> list[dict[str, Any]]:
    """The seven ejes temáticos, in the procedure's order."""
    return load("ejes")


def territorio() -> dict[str, Any]:
    """Ibagué's comunas and corregimientos."""
    return load("territorio")

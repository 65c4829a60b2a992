"""Ibagué's territorial vocabulary and the ejes temáticos, as data files of the package."""

from __future__ import annotations

import pytest

from ckanext.cimibague import vocabularies

pytestmark = pytest.mark.unit

CORREGIMIENTOS = [
    "Dantas",
    "Laureles",
    "Coello-Cocora",
    "Gamboa",
    "Tapias",
    "Toche",
    "Juntas",
    "Villarestrepo",
    "Cay",
    "Calambeo",
    "San Juan de la China",
    "San Bernardo",
    "El Salado",
    "Buenos Aires",
    "Carmen de Bulira",
    "El Totumo",
    "La Florida",
]


def test_thirteen_comunas_numbered_1_to_13():
    comunas = vocabularies.territorio()["comunas"]
    assert [c["number"] for c in comunas] == list(range(1, 14))


def test_seventeen_corregimientos_by_name():
    corregimientos = vocabularies.territorio()["corregimientos"]
    assert [c["name"] for c in corregimientos] == CORREGIMIENTOS


def test_codes_are_unique():
    territorio = vocabularies.territorio()
    codes = [item["code"] for kind in ("comunas", "corregimientos") for item in territorio[kind]]
    assert len(codes) == len(set(codes)) == 30


def test_municipio_is_ibague():
    assert vocabularies.territorio()["municipio"]["code"] == "73001"


def test_seven_ejes_with_spanish_titles():
    ejes = vocabularies.ejes()
    assert len(ejes) == 7
    assert all(eje["title"]["es"] and eje["title"]["en"] for eje in ejes)
    assert len({eje["name"] for eje in ejes}) == 7

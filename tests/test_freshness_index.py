"""Freshness in the catalogue: indexed with the dataset, a facet («Actualización»), a badge on the dataset
page, and refreshed by the daily ``ckan cimibague freshness update`` (only what changed is reindexed)."""

from __future__ import annotations

import datetime as dt

import pytest

from ckanext.cimibague import search
from tests.cim_data import act, dataset, nodes_and_entity, published

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")


def _facet(**params) -> dict[str, int]:
    found = act("package_search", include_private=True, rows=0, **{"facet.field": '["cim_actualizacion"]'}, **params)
    return {i["name"]: i["count"] for i in found["search_facets"]["cim_actualizacion"]["items"]}


def _indexed(name: str) -> dict:
    found = act(
        "package_search", fq=f"name:{name}", fl="name,cim_actualizacion,fecha_esperada_date", include_private=True
    )
    return found["results"][0]


def _world():
    org, entidad = nodes_and_entity()
    today = search.local_today()
    recent = (today - dt.timedelta(days=3)).isoformat()
    fresh = dataset(
        "bases-de-datos",
        org,
        entidad,
        name="al-dia",
        periodicidad="mensual",
        fecha_corte=recent,
        resources=[
            {
                "name": "Datos",
                "url": "https://www.ibague.gov.co/d.csv",
                "format": "CSV",
                "fecha_actualizacion": recent,
                "tipo_recurso": "datos",
            }
        ],
    )
    stale = dataset("observatorios", org, entidad, name="vencido", periodicidad="anual", fecha_corte="2019-12-31")
    never = dataset("politicas-publicas", org, entidad, name="irregular", periodicidad="irregular")
    return org, entidad, [published(fresh), published(stale), published(never)]


def test_the_state_is_indexed_and_is_a_facet_for_the_public(app):
    _world()
    assert _facet() == {"al_dia": 1, "vencido": 1, "sin_periodicidad": 1}
    # 31 Dec 2020 plus the delay of the last publication (31 Jan 2024), at most a year: 366 days (2020)
    assert _indexed("vencido")["fecha_esperada_date"] == "2022-01-01T00:00:00Z"
    assert "fecha_esperada_date" not in _indexed("irregular")
    page = app.get("/dataset/", extra_environ={})
    assert "Actualización" in page.body
    assert "Vencido" in page.body and "Al día" in page.body
    # the public filters by it
    page = app.get("/dataset/?cim_actualizacion=vencido")
    assert "/vencido" in page.body and "/al-dia" not in page.body


def test_unpublished_datasets_never_count_for_the_public(app):
    org, entidad, _ = _world()
    act("package_create", **dataset("bases-de-datos", org, entidad, name="oculto", fecha_corte="2010-12-31"))
    anonymous = app.get('/api/3/action/package_search?facet.field=["cim_actualizacion"]&rows=0').json["result"]
    counts = {i["name"]: i["count"] for i in anonymous["search_facets"]["cim_actualizacion"]["items"]}
    assert counts == {"al_dia": 1, "vencido": 1, "sin_periodicidad": 1}
    assert _facet()["vencido"] == 2  # the sysadmin sees the unpublished one too


def test_badge_on_the_dataset_page(app):
    _world()
    page = app.get("/bases-de-datos/al-dia")
    assert "cimibague-freshness" in page.body and "Al día" in page.body
    page = app.get("/observatorios/vencido")
    assert "Vencido" in page.body
    assert "Próxima actualización esperada" in page.body
    page = app.get("/politicas-publicas/irregular")
    assert "cimibague-freshness" not in page.body


def test_the_daily_command_reindexes_only_what_changed(cli, monkeypatch):
    from ckan.cli.cli import ckan

    _world()
    assert list(search.stale_freshness()) == []
    result = cli.invoke(ckan, ["cimibague", "freshness", "update"])
    assert result.exit_code == 0, result.output
    assert "ningún conjunto cambió" in result.output

    # two months later the monthly dataset is overdue: only it changes
    later = search.local_today() + dt.timedelta(days=75)
    assert list(search.stale_freshness(later)) == [act("package_show", id="al-dia")["id"]]
    monkeypatch.setattr(search, "local_today", lambda: later)
    result = cli.invoke(ckan, ["cimibague", "freshness", "update"])
    assert result.exit_code == 0, result.output
    assert "1 conjuntos reindexados" in result.output
    assert _facet() == {"vencido": 2, "sin_periodicidad": 1}
    assert list(search.stale_freshness(later)) == []  # idempotent
    result = cli.invoke(ckan, ["cimibague", "freshness", "update"])
    assert "ningún conjunto cambió" in result.output


def test_a_dataset_indexed_before_freshness_existed_is_refreshed():
    import ckan.lib.search as ckan_search

    _world()
    conn = ckan_search.make_connection(decode_dates=False)
    doc = conn.search("name:vencido", fl="*").docs[0]
    for key in ("cim_actualizacion", "fecha_esperada_date", "_version_"):
        doc.pop(key, None)
    conn.add([doc], commit=True)
    assert "cim_actualizacion" not in _indexed("vencido")
    assert list(search.stale_freshness()) == [act("package_show", id="vencido")["id"]]

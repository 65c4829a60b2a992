"""The public transparency page: figures of published datasets only, per eje, entity and month, freshness,
review time, the Índice de Información Clasificada y Reservada, and its CSV; nothing unpublished shows,
by title or by count, to anyone."""

from __future__ import annotations

import datetime as dt

import ckan.tests.factories as factories
import pytest

from ckanext.cimibague import search, transparency
from tests.cim_data import act, call_as, dataset, nodes_and_entity, published

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")

CLASSIFIED = {
    "nivel_acceso": "clasificada",
    "clasificacion_fundamento": "Ley 1712 de 2014, art. 18, literal a",
    "clasificacion_excepcion": "Parcial: datos personales de los beneficiarios",
    "clasificacion_fecha": "2024-02-01",
    "clasificacion_plazo": "Ilimitado (derecho a la intimidad)",
}


@pytest.fixture
def world():
    transparency.clear_cache()
    org, entidad = nodes_and_entity()
    otra = factories.Group(
        type="entidad",
        name="gobernacion",
        title="Gobernación del Tolima",
        tipo_entidad="publica",
        orden="departamental",
    )
    recent = (search.local_today() - dt.timedelta(days=3)).isoformat()
    resource = {"name": "Datos", "url": "https://x.gov.co/d.csv", "format": "CSV", "tipo_recurso": "datos"}
    created = [
        published(
            dataset(
                "bases-de-datos",
                org,
                entidad,
                name="al-dia",
                periodicidad="mensual",
                fecha_corte=recent,
                resources=[dict(resource, fecha_actualizacion=recent)],
            )
        ),
        published(dataset("observatorios", org, entidad, name="vencido", fecha_corte="2019-12-31")),
        published(
            dataset(
                "observatorios",
                org,
                otra,
                name="beneficiarios",
                periodicidad="irregular",
                title="Beneficiarios SISBEN",
                **CLASSIFIED,
            )
        ),
    ]
    # never published: must not show, by title or by count
    act(
        "package_create", **dataset("bases-de-datos", org, otra, name="oculto", title="Zanahoria secreta", **CLASSIFIED)
    )
    return {"org": org, "entidad": entidad, "otra": otra, "published": created}


def test_figures_count_only_published_datasets(world):
    figures = transparency.figures(max_age=0)
    assert figures.total == 3
    per_org = {row["name"]: row for row in figures.per_eje}
    # the test node is not one of the seven ejes: the ejes are listed (all zero) and the total still counts
    assert len(figures.per_eje) == 7
    assert {row["name"]: row["count"] for row in figures.per_entity} == {"dane": 2, "gobernacion": 1}
    assert sum(row["count"] for row in figures.per_month) == 3
    assert figures.per_month[-1]["month"] == dt.date.today().strftime("%Y-%m")
    assert figures.periodic == 2 and figures.up_to_date == 1 and figures.share_up_to_date == 0.5
    assert figures.median_days_to_publish is not None and figures.median_days_to_publish < 1
    assert [row["name"] for row in figures.indice] == ["beneficiarios"]
    assert figures.indice[0]["clasificacion_fundamento"] == CLASSIFIED["clasificacion_fundamento"]
    assert set(figures.indice[0]) == {
        "name",
        "title",
        "nivel_acceso",
        "eje",
        "clasificacion_fundamento",
        "clasificacion_excepcion",
        "clasificacion_fecha",
        "clasificacion_plazo",
    }
    assert all((row["count"], row["periodic"]) == (0, 0) for row in per_org.values())


def test_figures_per_eje_on_the_ejes_nodes():
    transparency.clear_cache()
    _org, entidad = nodes_and_entity()
    eje = factories.Organization(name="observatorios", title="Observatorios")
    published(dataset("observatorios", eje, entidad, name="vencido", fecha_corte="2019-12-31"))
    published(dataset("observatorios", eje, entidad, name="irregular", periodicidad="irregular"))
    act("package_create", **dataset("observatorios", eje, entidad, name="oculto"))
    row = next(r for r in transparency.figures(max_age=0).per_eje if r["name"] == "observatorios")
    assert (row["count"], row["periodic"], row["up_to_date"], row["share"]) == (2, 1, 0, 0.0)


def test_the_page_in_spanish_for_anyone(app, world):
    assert 'href="/transparencia">Transparencia</a>' in app.get("/").body  # linked from every page's footer
    page = app.get("/transparencia")
    assert page.status_code == 200
    body = page.body
    assert "Transparencia" in body
    assert "Índice de información clasificada y reservada" in body
    assert "Beneficiarios SISBEN" in body and CLASSIFIED["clasificacion_fundamento"] in body
    assert "Gobernación del Tolima" in body
    assert "<svg" in body  # the charts
    assert "Zanahoria secreta" not in body and "oculto" not in body
    # a sysadmin sees the same figures (the page never counts what the visitor could see beyond the public)
    sysadmin = factories.SysadminWithToken()
    transparency.clear_cache()
    staff_body = app.get("/transparencia", headers={"Authorization": sysadmin["token"]}).body
    assert "Zanahoria secreta" not in staff_body
    assert ">3</dd>" in staff_body.replace(" ", "").replace("\n", "")


def test_csv(app, world):
    response = app.get("/transparencia.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[0].split(";")[:3] == ["Sección", "Elemento", "Conjuntos publicados"]
    assert "Entidad fuente;dane;2;;" in lines
    assert "Entidad fuente;gobernacion;1;;" in lines
    assert not any("oculto" in line or "Zanahoria" in line for line in lines)


def test_withdrawing_a_dataset_removes_it_from_the_figures(world):
    target = world["published"][2]
    call_as("cim-director", "cimibague_workflow_transition", id=target["id"], to="retirado", comment="Se retira")
    figures = transparency.figures(max_age=0)
    assert figures.total == 2
    assert figures.indice == []
    assert {row["name"]: row["count"] for row in figures.per_entity} == {"dane": 2}


def test_approval_needs_the_legal_metadata_of_restricted_information(world):
    org, otra = world["org"], world["otra"]
    incomplete = dict(CLASSIFIED, clasificacion_fundamento="", clasificacion_plazo="")
    pkg = act("package_create", **dataset("bases-de-datos", org, otra, name="incompleto", **incomplete))
    call_as("cim-admin", "cimibague_workflow_transition", id=pkg["id"], to="en_revision")
    with pytest.raises(Exception) as error:
        call_as("cim-director", "cimibague_workflow_transition", id=pkg["id"], to="aprobado")
    message = str(getattr(error.value, "error_dict", error.value))
    assert "Fundamento constitucional o legal" in message and "Plazo de la clasificación o reserva" in message
    assert act("package_show", id=pkg["id"])["estado_flujo"] == "en_revision"
    # public information needs none of it
    public = act("package_create", **dataset("bases-de-datos", org, otra, name="publica"))
    call_as("cim-admin", "cimibague_workflow_transition", id=public["id"], to="en_revision")
    call_as("cim-director", "cimibague_workflow_transition", id=public["id"], to="aprobado")


def test_expired_figures_are_served_while_a_thread_recomputes_them(world):
    import time

    transparency.clear_cache()
    fresh = transparency.figures()
    stale = transparency.Figures(total=-1)
    transparency._CACHE["figures"] = (time.monotonic() - transparency.CACHE_SECONDS - 1, stale)
    assert transparency.figures(background=True) is stale  # served at once, not waited for
    deadline = time.monotonic() + 10
    while transparency._REFRESHING.is_set() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert transparency.figures(background=True).total == fresh.total != -1
    # without a cache (a new process) the figures are computed, never invented
    transparency.clear_cache()
    assert transparency.figures(background=True).total == fresh.total

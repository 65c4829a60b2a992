"""The cronograma (requests generated from each dataset's periodicity, once per period), the calendar, the
daily reminder digests (sent to a local SMTP server), the entity scorecard, the CLI and the staff pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest
from ckan.cli.cli import ckan

from ckanext.cimibague.planning import cronograma, reminders, scorecard, solicitudes
from tests.cim_data import act, call_as, dataset, nodes_and_entity, published
from tests.smtp_inbox import body_of, subject_of

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")

TODAY = solicitudes.today()


def _resource(day: dt.date) -> list[dict[str, Any]]:
    return [
        {
            "name": "Datos",
            "url": "https://www.ibague.gov.co/d.csv",
            "format": "CSV",
            "fecha_actualizacion": day.isoformat(),
            "tipo_recurso": "datos",
        }
    ]


def _world() -> dict[str, Any]:
    """Node A with a member, an editor and an admin; node B with an editor; a citizen. In node A: a monthly
    dataset due in ~10 days, a yearly one overdue, a yearly one due in ~a year, an irregular one; in node
    B, an overdue one."""
    org, entidad = nodes_and_entity()
    org_b = factories.Organization(name="nodo-b", title="Nodo B")
    tokens = {}
    for name in ("a-member", "a-editor", "a-admin", "b-editor", "ciudadano"):
        tokens[name] = factories.UserWithToken(name=name, email=f"{name}@ibague.gov.co")["token"]
    for name, node, role in (
        ("a-member", org, "member"),
        ("a-editor", org, "editor"),
        ("a-admin", org, "admin"),
        ("b-editor", org_b, "editor"),
    ):
        helpers.call_action("organization_member_create", id=node["id"], username=name, role=role)
    cut = TODAY - dt.timedelta(days=20)
    soon = published(
        dataset(
            "bases-de-datos",
            org,
            entidad,
            name="mensual-pronto",
            title="Mensual pronto",
            periodicidad="mensual",
            fecha_corte=cut.isoformat(),
            resources=_resource(cut),
        )
    )
    late = act(
        "package_create",
        **dataset("observatorios", org, entidad, name="anual-vencido", title="Anual vencido", fecha_corte="2019-12-31"),
    )
    far = TODAY - dt.timedelta(days=10)
    act(
        "package_create",
        **dataset(
            "politicas-publicas",
            org,
            entidad,
            name="anual-lejano",
            fecha_corte=far.isoformat(),
            resources=_resource(far),
        ),
    )
    act("package_create", **dataset("indicador", org, entidad, name="irregular", periodicidad="irregular"))
    other = act(
        "package_create",
        **dataset("observatorios", org_b, entidad, name="vencido-b", title="Vencido de B", fecha_corte="2019-12-31"),
    )
    return {"org": org, "org_b": org_b, "entidad": entidad, "tokens": tokens, "soon": soon, "late": late, "b": other}


def _generated() -> dict[str, dict[str, Any]]:
    found = call_as("sysadmin", "cimibague_request_list", limit=1000)["results"]
    return {r["package_name"]: r for r in found if r["generada"]}


@pytest.fixture
def sysadmin():
    return factories.Sysadmin(name="sysadmin")


# ------------------------------------------------------------------------------------------ cronograma


def test_the_cronograma_asks_once_per_dataset_and_period(sysadmin):
    world = _world()
    plan = cronograma.generate(TODAY, lead=30)
    assert len(plan.created) == 3 and plan.existing == 0 and plan.skipped == []
    generated = _generated()
    assert set(generated) == {"mensual-pronto", "anual-vencido", "vencido-b"}
    monthly = generated["mensual-pronto"]
    expected = solicitudes.parse_date(monthly["periodo"])
    assert monthly["estado"] == "borrador" and monthly["entidad"] == "dane" and monthly["nodo"] == "nodo-pruebas"
    assert TODAY < expected <= TODAY + dt.timedelta(days=15)
    assert monthly["fecha_limite"] == expected.isoformat()
    assert "Mensual pronto" in monthly["asunto"]
    # an update already overdue gets a due date ahead, not one in the past
    assert generated["anual-vencido"]["fecha_limite"] == (TODAY + dt.timedelta(days=30)).isoformat()

    again = cronograma.generate(TODAY, lead=30)
    assert again.created == [] and again.existing == 3
    # a cancelled request does not count: the period is asked again
    call_as("sysadmin", "cimibague_request_cancel", id=monthly["id"], motivo="Se pidió por teléfono")
    third = cronograma.generate(TODAY, lead=30)
    assert len(third.created) == 1 and third.existing == 2
    assert world["soon"]["name"] in _generated()


def test_the_daily_command_marks_overdue_requests_and_generates(cli, sysadmin):
    _world()
    sent = call_as(
        "sysadmin",
        "cimibague_request_create",
        owner_org="nodo-pruebas",
        entidad="dane",
        asunto="Pedido con plazo de hoy",
        fecha_limite=TODAY.isoformat(),
        estado="enviada",
        numero_oficio="1",
    )
    result = cli.invoke(ckan, ["cimibague", "requests", "generate", "--dias", "30"])
    assert result.exit_code == 0, result.output
    assert "3 solicitudes creadas (borrador)" in result.output
    result = cli.invoke(ckan, ["cimibague", "requests", "generate", "--dias", "30"])
    assert "0 solicitudes creadas (borrador), 3 ya existían" in result.output
    # past its due date (tomorrow), the sent request becomes vencida
    assert solicitudes.mark_overdue(TODAY + dt.timedelta(days=1)) == 1
    assert call_as("sysadmin", "cimibague_request_show", id=sent["id"])["estado"] == "vencida"


def test_the_calendar_shows_the_weeks_ahead_of_the_users_nodes(app, sysadmin):
    world = _world()
    cronograma.generate(TODAY, lead=30)
    calendar = call_as("a-member", "cimibague_request_calendar", semanas=6)
    assert len(calendar["semanas"]) == 6
    week_items = [d["name"] for w in calendar["semanas"] for d in w["conjuntos"]]
    assert "mensual-pronto" in week_items
    assert [d["name"] for d in calendar["atrasados"]["conjuntos"]] == ["anual-vencido"]  # not node B's
    requests = [r["package_name"] for w in calendar["semanas"] for r in w["solicitudes"]]
    assert sorted(requests) == ["anual-vencido", "mensual-pronto"]
    page = app.get("/solicitudes/calendario", headers={"Authorization": world["tokens"]["a-member"]})
    assert page.status_code == 200 and "Mensual pronto" in page.body and "Vencido de B" not in page.body
    assert "Anual vencido" in page.body
    for who in ("ciudadano",):
        response = app.post(
            "/api/3/action/cimibague_request_calendar", json={}, headers={"Authorization": world["tokens"][who]}
        )
        assert response.status_code == 403


# ------------------------------------------------------------------------------------------ reminders


def test_reminders_dry_run_prints_each_digest(cli, sysadmin):
    _world()
    call_as(
        "a-editor",
        "cimibague_request_create",
        owner_org="nodo-pruebas",
        entidad="dane",
        asunto="Pedido atrasado",
        fecha_limite=TODAY.isoformat(),
        estado="enviada",
        numero_oficio="9",
    )
    solicitudes.mark_overdue(TODAY + dt.timedelta(days=1))
    result = cli.invoke(ckan, ["cimibague", "reminders", "send", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Para: a-editor <a-editor@ibague.gov.co>" in result.output
    assert "Pedido atrasado" in result.output and "Anual vencido" in result.output
    assert "Conjuntos por vencer (1)" in result.output and "Mensual pronto" in result.output
    assert "Para: b-editor" in result.output and "Vencido de B" in result.output
    assert "ciudadano" not in result.output
    assert "Simulación: 4 resúmenes" in result.output  # member, editor, admin of A; editor of B


def test_reminders_mail_one_digest_per_staff_member(inbox, sysadmin):
    _world()
    inbox.messages.clear()  # the workflow's own notifications
    sent, failed = reminders.send(reminders.build())
    assert (sent, failed) == (4, [])
    inbox.wait(4)
    by_user = {m["X-Envelope-To"]: m for m in inbox.messages}
    assert set(by_user) == {f"{u}@ibague.gov.co" for u in ("a-member", "a-editor", "a-admin", "b-editor")}
    body = body_of(by_user["a-admin@ibague.gov.co"])
    assert "Anual vencido" in body and "Mensual pronto" in body and "Vencido de B" not in body
    assert "Pendientes:" in subject_of(by_user["a-admin@ibague.gov.co"])
    assert "Anual vencido" not in body_of(by_user["b-editor@ibague.gov.co"])


@pytest.mark.ckan_config("ckanext.cimibague.reminders.enabled", "false")
def test_reminders_can_be_switched_off(inbox, cli, sysadmin):
    _world()
    result = cli.invoke(ckan, ["cimibague", "reminders", "send"])
    assert result.exit_code == 0 and "desactivados" in result.output
    assert "Recordatorios:" not in result.output
    assert reminders.build()  # there was something to say


# ------------------------------------------------------------------------------------------ scorecard


def test_the_scorecard_counts_requests_answers_and_published_datasets(app, sysadmin):
    world = _world()
    sent = (TODAY - dt.timedelta(days=10)).isoformat()
    ids = []
    for n in range(3):
        created = call_as(
            "a-editor",
            "cimibague_request_create",
            owner_org="nodo-pruebas",
            entidad="dane",
            asunto=f"Pedido {n}",
            fecha_solicitud=sent,
            fecha_limite=(TODAY if n == 2 else TODAY + dt.timedelta(days=20)).isoformat(),
            estado="enviada",
            numero_oficio=str(n),
        )
        ids.append(created["id"])
    call_as("a-editor", "cimibague_request_respond", id=ids[0], fecha=(TODAY - dt.timedelta(days=4)).isoformat())
    call_as("a-editor", "cimibague_request_respond", id=ids[1], fecha=TODAY.isoformat(), completa=False)
    solicitudes.mark_overdue(TODAY + dt.timedelta(days=1))  # the third
    call_as(
        "b-editor",
        "cimibague_request_create",
        owner_org="nodo-b",
        entidad="dane",
        asunto="De B",
        fecha_limite=TODAY.isoformat(),
    )
    scorecard.clear_cache()
    (row,) = [r for r in call_as("a-member", "cimibague_entity_scorecard") if r["entidad"] == "dane"]
    assert (row["sent"], row["answered"], row["partial"], row["overdue"]) == (3, 1, 1, 1)
    assert row["median_days_to_answer"] == 8.0  # 6 and 10 days
    # published datasets: only the published one (mensual-pronto), up to date
    assert (row["published"], row["periodic"], row["up_to_date"], row["share_up_to_date"]) == (1, 1, 1, 1.0)
    page = app.get("/solicitudes/entidades", headers={"Authorization": world["tokens"]["a-member"]})
    assert page.status_code == 200 and "Departamento Administrativo Nacional" in page.body and "100 %" in page.body
    # node B's staff see only node B's requests
    (row_b,) = [r for r in call_as("b-editor", "cimibague_entity_scorecard") if r["entidad"] == "dane"]
    assert row_b["sent"] == 0  # its request is a draft
    for who in ("ciudadano",):
        response = app.post(
            "/api/3/action/cimibague_entity_scorecard", json={}, headers={"Authorization": world["tokens"][who]}
        )
        assert response.status_code == 403
    assert app.post("/api/3/action/cimibague_entity_scorecard", json={}).status_code == 403
    assert app.get("/solicitudes/entidades", headers={"Authorization": world["tokens"]["ciudadano"]}).status_code == 403


# ------------------------------------------------------------------------------------------ pages


def test_staff_plan_send_and_answer_a_request_through_the_pages(app, sysadmin):
    world = _world()
    editor = {"Authorization": world["tokens"]["a-editor"]}
    assert app.get("/solicitudes/", follow_redirects=False).status_code == 302  # to the login
    assert app.get("/solicitudes/", headers={"Authorization": world["tokens"]["ciudadano"]}).status_code == 403
    page = app.get("/solicitudes/nueva", headers=editor)
    assert page.status_code == 200 and "Nueva solicitud" in page.body

    # a bad form keeps what was typed and says what is wrong, in Spanish
    form = {
        "owner_org": "nodo-pruebas",
        "entidad": "dane",
        "asunto": "Matrícula escolar 2026",
        "fecha_limite": (TODAY - dt.timedelta(days=2)).isoformat(),
        "enviar": "1",
    }
    page = app.post("/solicitudes/nueva", data=form, headers=editor)
    assert "La solicitud no se guardó" in page.body and "ya pasó" in page.body
    assert "número de oficio es obligatorio" in page.body
    assert 'value="Matrícula escolar 2026"' in page.body
    assert call_as("a-editor", "cimibague_request_list")["count"] == 0

    form.update(fecha_limite=(TODAY + dt.timedelta(days=15)).isoformat(), numero_oficio="1120-7")
    page = app.post("/solicitudes/nueva", data=form, headers=editor)
    assert "Se guardó la solicitud" in page.body and "Oficio enviado" not in page.body
    (created,) = call_as("a-editor", "cimibague_request_list")["results"]
    assert created["estado"] == "enviada"
    listing = app.get("/solicitudes/?estado=enviada", headers=editor)
    assert "Matrícula escolar 2026" in listing.body and "1 solicitud" in listing.body

    # the answer, with a refused date first
    url = f"/solicitudes/{created['id']}/responder"
    page = app.post(url, data={"fecha": (TODAY + dt.timedelta(days=1)).isoformat(), "nota": "CD"}, headers=editor)
    assert page.status_code == 400 and "no puede ser posterior a hoy" in page.body
    page = app.post(url, data={"fecha": TODAY.isoformat(), "nota": "Llegó en CD", "parcial": "1"}, headers=editor)
    assert "Se registró la respuesta" in page.body and "Respondida en parte" in page.body
    assert "Llegó en CD" in page.body and "Historial" in page.body
    # the member reads, does not act
    member = app.get(f"/solicitudes/{created['id']}", headers={"Authorization": world["tokens"]["a-member"]})
    assert "Llegó en CD" in member.body and "Registrar la respuesta" not in member.body
    refused = app.post(url, data={"fecha": TODAY.isoformat()}, headers={"Authorization": world["tokens"]["a-member"]})
    assert refused.status_code == 403
    outsider = app.get(f"/solicitudes/{created['id']}", headers={"Authorization": world["tokens"]["b-editor"]})
    assert outsider.status_code == 403 and "Matrícula" not in outsider.body
    # cancel needs a reason
    page = app.post(f"/solicitudes/{created['id']}/anular", data={"motivo": ""}, headers=editor)
    assert "Indique por qué se anula" in page.body
    page = app.post(f"/solicitudes/{created['id']}/anular", data={"motivo": "Duplicada"}, headers=editor)
    assert "Se anuló la solicitud" in page.body and "Anulada" in page.body


def test_the_header_links_the_requests_for_staff_only(app, sysadmin):
    world = _world()
    staff = app.get("/dataset/", headers={"Authorization": world["tokens"]["a-member"]})
    assert "/solicitudes/" in staff.body
    citizen = app.get("/dataset/", headers={"Authorization": world["tokens"]["ciudadano"]})
    assert "/solicitudes/" not in citizen.body


def test_the_dataset_page_lists_its_requests_to_the_nodes_staff_only(app, sysadmin):
    world = _world()
    call_as(
        "a-editor",
        "cimibague_request_create",
        owner_org="nodo-pruebas",
        entidad="dane",
        asunto="Actualización mensual de noviembre",
        package_id="mensual-pronto",
        fecha_limite=(TODAY + dt.timedelta(days=5)).isoformat(),
    )
    url = "/bases-de-datos/mensual-pronto"  # published: anyone reads the page
    staff = app.get(url, headers={"Authorization": world["tokens"]["a-editor"]})
    assert "Solicitudes a la entidad fuente" in staff.body and "Actualización mensual de noviembre" in staff.body
    for who in ("ciudadano", "b-editor"):
        page = app.get(url, headers={"Authorization": world["tokens"][who]})
        assert page.status_code == 200 and "Actualización mensual de noviembre" not in page.body
    assert "Actualización mensual de noviembre" not in app.get(url).body

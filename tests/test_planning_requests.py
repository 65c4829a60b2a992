"""Requests to source entities (``cimibague_request_*``): states, timeline, documents, the received
dataset, who may read and change them, and bad input refused with Spanish messages and nothing saved."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import ckan.lib.uploader as uploader
import ckan.model as model
import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest

from ckanext.cimibague.planning import solicitudes
from ckanext.cimibague.planning.model import Request, RequestEvent
from tests.cim_data import act, call_as, dataset, nodes_and_entity

TODAY = solicitudes.today()
SOON = (TODAY + dt.timedelta(days=20)).isoformat()


@pytest.fixture(scope="module")
def _module_db() -> dict:
    return {}


@pytest.fixture
def world(_module_db, reset_site_db, reset_index) -> dict[str, Any]:
    """The people, set up once for the module (each test makes its own requests and counts what it
    adds): node A (member, editor, admin), node B (editor), a citizen of no node, a sysadmin."""
    if _module_db.get("failed"):
        pytest.fail("the module's setup failed at its first test")
    if not _module_db:
        _module_db["failed"] = True
        reset_site_db()
        reset_index()
        _module_db.update(_staff(), failed=False)
    return _module_db


def _staff() -> dict[str, Any]:
    org, entidad = nodes_and_entity()
    org_b = factories.Organization(name="nodo-b")
    tokens = {}
    for name in ("a-member", "a-editor", "a-admin", "b-editor", "ciudadano"):
        tokens[name] = factories.UserWithToken(name=name, email=f"{name}@ibague.gov.co")["token"]
    tokens["sysadmin"] = factories.SysadminWithToken(name="sysadmin")["token"]
    for name, node, role in (
        ("a-member", org, "member"),
        ("a-editor", org, "editor"),
        ("a-admin", org, "admin"),
        ("b-editor", org_b, "editor"),
    ):
        helpers.call_action("organization_member_create", id=node["id"], username=name, role=role)
    return {"org": org, "org_b": org_b, "entidad": entidad, "tokens": tokens}


def _new(world: dict[str, Any], who: str = "a-editor", **changes: Any) -> dict[str, Any]:
    data = {
        "owner_org": world["org"]["name"],
        "entidad": world["entidad"]["name"],
        "asunto": "Base de datos de matrícula 2026",
        "fecha_limite": SOON,
        **changes,
    }
    return call_as(who, "cimibague_request_create", **data)


def _api(app: Any, world: dict[str, Any], who: str | None, action: str, **data: Any) -> Any:
    headers = {"Authorization": world["tokens"][who]} if who else {}
    return app.post(f"/api/3/action/{action}", json=data, headers=headers)


def _upload(app: Any, world: dict[str, Any], who: str, action: str, files: dict[str, Any], **data: Any) -> Any:
    return app.post(
        f"/api/3/action/{action}",
        data={**data, **files},
        headers={"Authorization": world["tokens"][who]},
        content_type="multipart/form-data",
    )


def _stored_files() -> list[Path]:
    root = Path(uploader.get_storage_path()) / "cimibague_solicitudes"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _count() -> tuple[int, int]:
    return model.Session.query(Request).count(), model.Session.query(RequestEvent).count()


# ------------------------------------------------------------------------------------------ life of a request


def test_a_request_is_drafted_sent_answered_in_part_then_in_full(world):
    created = _new(world, descripcion="Matrícula por institución y grado")
    assert created["estado"] == "borrador" and created["entidad"] == "dane" and created["nodo"] == "nodo-pruebas"
    assert [e["kind"] for e in created["eventos"]] == ["creada"]
    assert created["eventos"][0]["actor"] == "a-editor"

    with pytest.raises(helpers.logic.ValidationError) as error:
        call_as("a-editor", "cimibague_request_update", id=created["id"], estado="enviada")
    assert "numero_oficio" in error.value.error_dict
    sent = call_as("a-editor", "cimibague_request_update", id=created["id"], estado="enviada", numero_oficio="1120-045")
    assert sent["estado"] == "enviada" and sent["fecha_solicitud"] == TODAY.isoformat()

    partial = call_as(
        "a-admin",
        "cimibague_request_respond",
        id=created["id"],
        fecha=TODAY.isoformat(),
        nota="Solo 2025",
        completa=False,
    )
    assert partial["estado"] == "respondida_parcial" and partial["package_id"] is None
    done = call_as("a-editor", "cimibague_request_respond", id=created["id"], fecha=TODAY.strftime("%d/%m/%Y"))
    assert done["estado"] == "respondida"
    assert [e["kind"] for e in done["eventos"]] == ["creada", "enviada", "respuesta", "respuesta"]
    assert [e["to_state"] for e in done["eventos"]][1:] == ["enviada", "respondida_parcial", "respondida"]

    # final: no more answers, no change, no annulment
    for action, data in (
        ("cimibague_request_respond", {"fecha": TODAY.isoformat()}),
        ("cimibague_request_update", {"asunto": "otro"}),
        ("cimibague_request_cancel", {"motivo": "ya no"}),
    ):
        with pytest.raises(helpers.logic.ValidationError):
            call_as("a-admin", action, id=created["id"], **data)


def test_overdue_requests_become_vencida_and_still_take_a_late_answer(world):
    created = _new(
        world, estado="enviada", numero_oficio="77", fecha_solicitud=TODAY.isoformat(), fecha_limite=TODAY.isoformat()
    )

    def overdue_ids() -> set[str]:
        return {r["id"] for r in call_as("a-member", "cimibague_request_list", vencidas=True)["results"]}

    assert created["id"] not in overdue_ids()
    later = TODAY + dt.timedelta(days=1)
    assert solicitudes.mark_overdue(later) == 1
    assert solicitudes.mark_overdue(later) == 0  # once
    shown = call_as("a-member", "cimibague_request_show", id=created["id"])
    assert shown["estado"] == "vencida" and shown["vencida"] and shown["eventos"][-1]["kind"] == "vencida"
    assert created["id"] in overdue_ids()
    answered = call_as("a-editor", "cimibague_request_respond", id=created["id"], fecha=TODAY.isoformat())
    assert answered["estado"] == "respondida" and not answered["vencida"]


def test_cancel_needs_a_reason(world):
    created = _new(world)
    with pytest.raises(helpers.logic.ValidationError) as error:
        call_as("a-editor", "cimibague_request_cancel", id=created["id"], motivo="  ")
    assert "motivo" in error.value.error_dict
    cancelled = call_as("a-editor", "cimibague_request_cancel", id=created["id"], motivo="Duplicada")
    assert cancelled["estado"] == "anulada" and cancelled["eventos"][-1]["nota"] == "Duplicada"


def test_list_filters(world):
    before = call_as("a-member", "cimibague_request_list")["count"]
    first = _new(world, asunto="Censo de vendedores informales")
    _new(world, asunto="Matrícula", estado="enviada", numero_oficio="OF-99")
    other_entity = factories.Group(type="entidad", name="sena", title="SENA", tipo_entidad="publica", orden="nacional")
    _new(world, entidad=other_entity["name"], asunto="Cursos")
    assert call_as("a-member", "cimibague_request_list")["count"] == before + 3
    assert call_as("a-member", "cimibague_request_list", entidad="sena")["count"] == 1
    assert call_as("a-member", "cimibague_request_list", estado="enviada", q="of-99")["count"] == 1
    assert call_as("a-member", "cimibague_request_list", estado="borrador", q="of-99")["count"] == 0
    assert call_as("a-member", "cimibague_request_list", q="of-99")["count"] == 1
    assert call_as("a-member", "cimibague_request_list", q="vendedores")["results"][0]["id"] == first["id"]
    assert call_as("a-member", "cimibague_request_list", owner_org="nodo-b")["count"] == 0
    assert call_as("a-member", "cimibague_request_list", q="vendedores", desde=SOON, hasta=SOON)["count"] == 1
    assert call_as("a-member", "cimibague_request_list", q="vendedores", hasta=TODAY.isoformat())["count"] == 0
    with pytest.raises(helpers.logic.ValidationError):
        call_as("a-member", "cimibague_request_list", estado="perdida")


# ------------------------------------------------------------------------------------------ received dataset


def test_an_answer_creates_the_received_dataset_linked_to_the_request(world):
    source = act(
        "package_create",
        **dataset("bases-de-datos", world["org"], world["entidad"], name="matricula", title="Matrícula"),
    )
    created = _new(world, package_id="matricula", estado="enviada", numero_oficio="12")
    answered = call_as(
        "a-editor",
        "cimibague_request_respond",
        id=created["id"],
        fecha=TODAY.isoformat(),
        nota="Llegó en CD",
        crear_conjunto=True,
    )
    received = helpers.call_action("package_show", id=answered["package_id"])
    assert received["id"] != source["id"]
    assert received["estado_flujo"] == "recibido" and received["private"] is True
    assert received["owner_org"] == world["org"]["id"] and received["entidad_fuente"] == "dane"
    assert received["title"].startswith("Matrícula (") and received["periodicidad"] == source["periodicidad"]
    assert received["resources"] == []
    assert answered["eventos"][-1]["package_id"] == received["id"]
    history = call_as("a-editor", "cimibague_workflow_history", id=received["id"])
    assert any((e.get("data") or {}).get("solicitud_id") == created["id"] for e in history)


def test_a_received_dataset_that_cannot_be_created_saves_nothing(world):
    created = _new(world, estado="enviada", numero_oficio="12")
    before = _count()
    datasets = helpers.call_action("package_search", include_private=True)["count"]
    with pytest.raises(helpers.logic.ValidationError) as error:
        call_as(
            "a-editor",
            "cimibague_request_respond",
            id=created["id"],
            fecha=TODAY.isoformat(),
            crear_conjunto=True,
            conjunto={"type": "bases-de-datos", "title": "Sin los campos obligatorios"},
        )
    assert "conjunto" in error.value.error_dict
    assert _count() == before
    assert call_as("a-editor", "cimibague_request_show", id=created["id"])["estado"] == "enviada"
    assert helpers.call_action("package_search", include_private=True)["count"] == datasets


# ------------------------------------------------------------------------------------------ who


@pytest.mark.parametrize("who", [None, "ciudadano", "b-editor"])
def test_outsiders_neither_read_nor_change_requests(app, who, world):
    created = _new(world, estado="enviada", numero_oficio="OF-SECRETO")
    before = _count()
    for action, data in (
        ("cimibague_request_show", {"id": created["id"]}),
        ("cimibague_request_update", {"id": created["id"], "asunto": "x"}),
        ("cimibague_request_respond", {"id": created["id"], "fecha": TODAY.isoformat()}),
        ("cimibague_request_cancel", {"id": created["id"], "motivo": "x"}),
        (
            "cimibague_request_create",
            {"owner_org": "nodo-pruebas", "entidad": "dane", "asunto": "x", "fecha_limite": SOON},
        ),
    ):
        response = _api(app, world, who, action, **data)
        assert response.status_code == 403, (action, response.get_data(as_text=True))
        assert "OF-SECRETO" not in response.get_data(as_text=True)
    listed = _api(app, world, who, "cimibague_request_list")
    if who == "b-editor":
        assert listed.status_code == 200 and listed.json["result"]["count"] == 0
    else:
        assert listed.status_code == 403
    assert _api(app, world, who, "cimibague_request_calendar").get_data(as_text=True).count("OF-SECRETO") == 0
    assert _count() == before
    assert (
        call_as("a-member", "cimibague_request_show", id=created["id"])["asunto"] == "Base de datos de matrícula 2026"
    )


def test_members_read_editors_and_sysadmins_change(world):
    created = _new(world, who="a-admin")
    assert call_as("a-member", "cimibague_request_show", id=created["id"])["id"] == created["id"]
    assert created["id"] in {r["id"] for r in call_as("a-member", "cimibague_request_list")["results"]}
    with pytest.raises(helpers.logic.NotAuthorized):
        call_as("a-member", "cimibague_request_update", id=created["id"], asunto="x")
    with pytest.raises(helpers.logic.NotAuthorized):
        _new(world, who="a-member")
    with pytest.raises(helpers.logic.NotAuthorized):  # an editor of B cannot ask in the name of A
        _new(world, who="b-editor")
    with pytest.raises(helpers.logic.NotAuthorized):  # nor move A's request to B's node
        call_as("a-editor", "cimibague_request_update", id=created["id"], owner_org="nodo-b")
    assert call_as("sysadmin", "cimibague_request_update", id=created["id"], asunto="Nuevo asunto")["asunto"] == (
        "Nuevo asunto"
    )
    assert created["id"] in {r["id"] for r in call_as("sysadmin", "cimibague_request_list")["results"]}
    assert call_as("b-editor", "cimibague_request_list")["count"] == 0


# ------------------------------------------------------------------------------------------ bad input


BAD = [
    ({"fecha_limite": (TODAY - dt.timedelta(days=1)).isoformat()}, "fecha_limite", "ya pasó"),
    (
        {"fecha_solicitud": TODAY.isoformat(), "fecha_limite": TODAY.isoformat(), "estado": "enviada"},
        None,
        None,
    ),
    (
        {"fecha_solicitud": (TODAY - dt.timedelta(days=3)).isoformat(), "fecha_limite": "31/02/2027"},
        "fecha_limite",
        "no es una fecha",
    ),
    ({"fecha_solicitud": (TODAY + dt.timedelta(days=2)).isoformat()}, "fecha_solicitud", "posterior a hoy"),
    ({"entidad": "no-existe"}, "entidad", "no existe"),
    ({"asunto": ""}, "asunto", "Indique qué se solicita"),
    ({"package_id": "no-existe"}, "package_id", "no existe"),
    ({"estado": "respondida"}, "estado", "borrador"),
]


@pytest.mark.parametrize(("changes", "field", "words"), BAD)
def test_bad_input_is_refused_in_spanish_and_nothing_is_saved(app, changes, field, words, world):
    before = _count()
    data = {
        "owner_org": "nodo-pruebas",
        "entidad": "dane",
        "asunto": "Algo",
        "fecha_limite": SOON,
        **changes,
    }
    response = _api(app, world, "a-editor", "cimibague_request_create", **data)
    if field is None:  # the control case: valid (numero_oficio missing for enviada is the only problem)
        assert response.status_code == 409
        assert "número de oficio" in response.json["error"]["numero_oficio"][0]
        return
    assert response.status_code == 409, response.get_data(as_text=True)
    assert words in " ".join(response.json["error"][field]), response.json["error"]
    assert _count() == before


def test_due_date_before_request_date(world):
    requests, events = _count()
    with pytest.raises(helpers.logic.ValidationError) as error:
        _new(world, fecha_solicitud=TODAY.isoformat(), fecha_limite=TODAY.isoformat(), numero_oficio="1")
        _new(world, fecha_solicitud=TODAY.isoformat(), fecha_limite=(TODAY - dt.timedelta(days=1)).isoformat())
    assert "fecha_limite" in error.value.error_dict
    assert _count() == (requests + 1, events + 1)  # the first one (due the same day it was sent) is fine


def test_an_answer_before_its_request_or_in_the_future_is_refused(app, world):
    sent = (TODAY - dt.timedelta(days=5)).isoformat()
    created = _new(world, estado="enviada", numero_oficio="3", fecha_solicitud=sent)
    before = _count()
    for day, words in (
        ((TODAY - dt.timedelta(days=6)).isoformat(), "no puede ser anterior a la solicitud"),
        ((TODAY + dt.timedelta(days=1)).isoformat(), "no puede ser posterior a hoy"),
        ("", "obligatoria"),
    ):
        response = _api(app, world, "a-editor", "cimibague_request_respond", id=created["id"], fecha=day)
        assert response.status_code == 409
        assert words in response.json["error"]["fecha"][0], response.json["error"]
    assert _count() == before
    assert call_as("a-editor", "cimibague_request_show", id=created["id"])["estado"] == "enviada"


# ------------------------------------------------------------------------------------------ documents


def test_documents_are_stored_privately_and_served_only_to_the_node(app, world):
    response = _upload(
        app,
        world,
        "a-editor",
        "cimibague_request_create",
        {
            "adjuntos": (io.BytesIO(b"%PDF-1.4 oficio"), "oficio 1120.pdf"),
            "adjuntos_2": (io.BytesIO(b"acta"), "acta.docx"),
        },
        owner_org="nodo-pruebas",
        entidad="dane",
        asunto="Con oficio",
        fecha_limite=SOON,
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    created = response.json["result"]
    events = created["eventos"]
    assert [(e["kind"], e["attachment_name"]) for e in events] == [
        ("creada", "oficio 1120.pdf"),
        ("documento", "acta.docx"),
    ]
    url = f"/solicitudes/{created['id']}/adjunto/{events[0]['id']}"
    assert all("/uploads/" not in str(p) for p in _stored_files())
    for who in ("a-member", "sysadmin"):
        got = app.get(url, headers={"Authorization": world["tokens"][who]})
        assert got.status_code == 200 and got.data == b"%PDF-1.4 oficio"
    for who in ("ciudadano", "b-editor"):
        assert app.get(url, headers={"Authorization": world["tokens"][who]}).status_code == 403
    anonymous = app.get(url, follow_redirects=False)
    assert anonymous.status_code == 302 and b"PDF" not in anonymous.data
    assert (
        app.get(
            url.replace(events[0]["id"], "../../etc"), headers={"Authorization": world["tokens"]["a-member"]}
        ).status_code
        == 404
    )


@pytest.mark.ckan_config("ckanext.cimibague.requests.max_attachment_mb", "1")
@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("virus.exe", b"MZ", "No se aceptan"),
        ("grande.pdf", b"x" * (1024 * 1024 + 1), "más de 1 MB"),
        ("vacio.pdf", b"", "vacío"),
    ],
    ids=["type", "size", "empty"],
)
def test_refused_documents_save_nothing(app, name, content, words, world):
    stored = _stored_files()
    before = _count()
    response = _upload(
        app,
        world,
        "a-editor",
        "cimibague_request_create",
        {"adjuntos": (io.BytesIO(b"%PDF bueno"), "bueno.pdf"), "adjuntos_2": (io.BytesIO(content), name)},
        owner_org="nodo-pruebas",
        entidad="dane",
        asunto="Con adjunto malo",
        fecha_limite=SOON,
    )
    assert response.status_code == 409, response.get_data(as_text=True)
    assert words in response.json["error"]["adjuntos"][0], response.json["error"]
    assert _count() == before
    assert _stored_files() == stored

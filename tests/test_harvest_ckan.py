"""The CKAN portal harvester end to end, against a local CKAN-like server (pytest-httpserver) answering
package_search from tests/data/harvest/ckan/ with CKAN's paging (rows/start), ``fl`` and the
``metadata_modified`` filter."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import ckan.tests.helpers as helpers
import pytest
from ckanext.harvest.model import HarvestObject
from werkzeug.wrappers import Request, Response

from tests import harvest_support as hs
from tests.cim_data import publish

MATRICULA = "0a6f3c1e-8a52-4c1e-9d0b-1f5c2e7a9b01"
DENGUE = "1b7a4d2f-9b63-4d2f-8e1c-2a6d3f8b0c02"
EMERGENCIAS = "2c8b5e3a-0c74-4e3a-9f2d-3b7e4a9c1d03"
CONFIG = {
    "entidad": "dane",
    "tipo": "bases-de-datos",
    "filas_por_pagina": 2,
    "valores_por_defecto": {
        "cobertura_geografica": ["municipio"],
        "origen": "externa",
        "datos_personales": "no_contiene",
    },
}


class FakeCkan:
    """package_search over a list of datasets, as CKAN pages and filters it."""

    def __init__(self) -> None:
        self.datasets: list[dict[str, Any]] = json.loads(hs.fixture("ckan/package_search_1.json"))["result"]["results"]
        self.requests: list[dict[str, str]] = []

    def handler(self, request: Request) -> Response:
        args = request.args.to_dict()
        self.requests.append(args)
        rows, start = int(args.get("rows", 10)), int(args.get("start", 0))
        found = sorted(self.datasets, key=lambda d: d["id"])
        since = re.search(r"metadata_modified:\[(\S+)Z TO \*\]", args.get("fq", ""))
        if since:
            found = [d for d in found if d["metadata_modified"] >= since.group(1)]
        page = found[start : start + rows]
        if args.get("fl"):
            page = [{k: d[k] for k in args["fl"].split(",")} for d in page]
        body = {"success": True, "result": {"count": len(found), "results": page, "sort": "id asc"}}
        return Response(json.dumps(body), content_type="application/json")

    def get(self, dataset_id: str) -> dict[str, Any]:
        return next(d for d in self.datasets if d["id"] == dataset_id)


@pytest.fixture
def ckan_source(clean_db, clean_index, httpserver):
    org, _ = hs.setup()
    fake = FakeCkan()
    httpserver.expect_request("/api/3/action/package_search").respond_with_handler(fake.handler)
    source = hs.source(httpserver.url_for("/"), "cimibague_ckan", CONFIG, org)
    return fake, source


def test_harvest_lands_valid_records_in_recibido_and_reports_the_rest(ckan_source):
    fake, source = ckan_source
    result = hs.run(source)

    assert result["status"] == "Finished"
    assert result["gather_errors"] == []
    # paged by rows/start, sorted by id, until an empty page
    assert [(r["start"], r["rows"], r["sort"]) for r in fake.requests] == [
        ("0", "2", "id asc"),
        ("2", "2", "id asc"),
        ("4", "2", "id asc"),
    ]
    objects = result["objects"]
    assert objects[MATRICULA]["report_status"] == "added"
    assert objects[DENGUE]["report_status"] == "added"
    # missing contact e-mail and update frequency: an error naming the fields, and no dataset
    assert objects[EMERGENCIAS]["state"] == "ERROR"
    (error,) = objects[EMERGENCIAS]["errors"]
    assert "«Contacto (correo)» (contact_email)" in error
    assert "«Periodicidad» (periodicidad)" in error
    assert model.Session.query(model.Package).filter_by(title="Emergencias atendidas 2023").count() == 0

    dataset = hs.show(objects[MATRICULA]["package_id"])
    assert dataset["type"] == "bases-de-datos"
    assert dataset["estado_flujo"] == "recibido"
    assert dataset["private"] is True
    assert dataset["owner_org"] == model.Group.get("nodo-pruebas").id
    assert dataset["entidad_fuente"] == "dane"
    assert dataset["name"] == "matricula-oficial-ibague-2024"
    assert dataset["title"] == "Matrícula oficial de Ibagué 2024"
    assert dataset["notes"].startswith("Matrícula oficial por institución educativa")
    assert dataset["periodicidad"] == "anual"
    assert dataset["license_id"] == "cc-by-4.0"
    assert dataset["contact_name"] == "Oficina de Planeación Educativa"
    assert dataset["contact_email"] == "planeacion@semibague.gov.co"
    assert dataset["temporal_start"] == "2024-01-01"
    assert dataset["temporal_end"] == "2024-12-31"
    assert dataset["fecha_corte"] == "2025-03-10"
    assert dataset["area_dependencia"] == "Secretaría de Educación Municipal"
    assert dataset["cobertura_geografica"] == ["municipio"]
    assert dataset["origen"] == "externa"
    assert sorted(t["name"] for t in dataset["tags"]) == ["SIMAT", "educación", "matrícula"]
    assert "/dataset/matricula-oficial-ibague-2024" in dataset["provenance"]
    first, second = dataset["resources"]
    assert first["name"] == "Matrícula por sede 2024"
    assert first["format"] == "CSV"
    assert first["url"].endswith("/matricula_2024.csv")
    assert first["fecha_actualizacion"] == "2025-03-10"
    assert first.get("url_type") in (None, "")  # a link to the source, never a local upload
    assert second["name"] == "https://datos.tolima.gov.co/documentos/ficha-tecnica-matricula.pdf"
    assert second["format"] == "PDF"
    # the history says where it came from
    history = helpers.call_action("cimibague_workflow_history", context={"user": "cim-admin"}, id=dataset["id"])
    assert [e["kind"] for e in history] == ["creado"]

    dengue = hs.show(objects[DENGUE]["package_id"])
    assert dengue["periodicidad"] == "mensual"
    assert dengue["license_id"] == "odc-odbl-1.0"
    assert dengue["resources"][0]["format"] == "XLSX"

    # indexed in Solr: staff find them, the public does not
    found = hs.search(q="matrícula", fq="estado_flujo:recibido")
    assert [d["id"] for d in found["results"]] == [dataset["id"]]
    anonymous = helpers.call_action("package_search", context={"ignore_auth": False}, q="matrícula")
    assert anonymous["count"] == 0


def test_reharvest_updates_in_place_and_skips_what_did_not_change(ckan_source):
    fake, source = ckan_source
    first = hs.run(source)
    package_id = first["objects"][MATRICULA]["package_id"]

    # nothing changed at the source: nothing new, nothing written
    again = hs.run(dict(source))
    assert again["status"] == "Finished"
    assert {guid: o["report_status"] for guid, o in again["objects"].items() if guid != EMERGENCIAS} in (
        {},
        {MATRICULA: "not modified", DENGUE: "not modified"},
    )

    # a change at the source (force_all so that the modified filter does not hide it)
    resource_ids = [r["id"] for r in hs.show(package_id)["resources"]]
    fake.get(MATRICULA)["title"] = "Matrícula oficial de Ibagué 2024 (actualizada)"
    fake.get(MATRICULA)["metadata_modified"] = "2099-01-01T00:00:00.000000"
    fake.get(MATRICULA)["resources"][0]["description"] = "Corte 30 de junio de 2024."
    third = hs.run(source)
    assert third["objects"][MATRICULA]["report_status"] == "updated"
    assert third["objects"][MATRICULA]["package_id"] == package_id
    assert hs.show(package_id)["title"] == "Matrícula oficial de Ibagué 2024 (actualizada)"
    assert hs.show(package_id)["estado_flujo"] == "recibido"
    # the resources are the same ones, updated (their pages, views and links stay)
    updated = hs.show(package_id)["resources"]
    assert [r["id"] for r in updated] == resource_ids
    assert updated[0]["description"] == "Corte 30 de junio de 2024."
    assert model.Session.query(model.Package).filter(model.Package.title.like("Matrícula oficial%")).count() == 1


def test_incremental_harvest_asks_only_for_what_changed_since_the_last_job(ckan_source):
    fake, source = ckan_source
    fake.datasets = [d for d in fake.datasets if d["id"] != EMERGENCIAS]  # an error-free first job
    hs.run(source)
    fake.requests.clear()
    fake.get(DENGUE)["metadata_modified"] = "2099-01-01T00:00:00.000000"
    fake.get(DENGUE)["notes"] = "Casos notificados de dengue (actualizado)."
    result = hs.run(source)

    assert any(r.get("fl") == "id" for r in fake.requests), "the light listing of ids (for removals)"
    assert any("metadata_modified:[" in r.get("fq", "") for r in fake.requests)
    assert set(result["objects"]) == {DENGUE}
    assert result["objects"][DENGUE]["report_status"] == "updated"


def test_update_of_a_published_dataset_becomes_a_pending_revision(ckan_source):
    fake, source = ckan_source
    package_id = hs.run(source)["objects"][MATRICULA]["package_id"]
    publish(package_id)

    fake.get(MATRICULA)["notes"] = "Descripción corregida en la fuente."
    fake.get(MATRICULA)["metadata_modified"] = "2099-01-01T00:00:00.000000"
    result = hs.run(source)

    assert result["objects"][MATRICULA]["state"] == "COMPLETE"
    public = helpers.call_action("package_show", context={"ignore_auth": False}, id=package_id)
    assert public["notes"].startswith("Matrícula oficial por institución educativa")  # unchanged until approved
    (revision,) = helpers.call_action("cimibague_workflow_revision_list", context={"user": "cim-admin"}, id=package_id)
    assert revision["status"] == "pendiente"
    assert any(c["field"] == "notes" for c in revision["diff"])
    assert {c["field"] for c in revision["diff"]} <= {"notes", "fecha_corte"}


def test_update_of_a_dataset_under_review_is_refused_and_retried_next_run(ckan_source):
    fake, source = ckan_source
    package_id = hs.run(source)["objects"][MATRICULA]["package_id"]
    helpers.call_action("cimibague_workflow_transition", context={"user": "cim-admin"}, id=package_id, to="en_revision")
    fake.get(MATRICULA)["title"] = "Otro título"
    fake.get(MATRICULA)["metadata_modified"] = "2099-01-01T00:00:00.000000"

    result = hs.run(source)
    assert result["objects"][MATRICULA]["state"] == "ERROR"
    assert (
        "frozen" in result["objects"][MATRICULA]["errors"][0]
        or "congelado" in result["objects"][MATRICULA]["errors"][0]
    )
    assert hs.show(package_id)["title"] == "Matrícula oficial de Ibagué 2024"


def test_a_record_removed_at_the_source_is_flagged_not_deleted(ckan_source):
    fake, source = ckan_source
    package_id = hs.run(source)["objects"][DENGUE]["package_id"]
    fake.datasets = [d for d in fake.datasets if d["id"] != DENGUE]

    result = hs.run(source)
    assert result["objects"][DENGUE]["report_status"] == "deleted"
    dataset = hs.show(package_id)
    assert dataset["state"] == "active"
    history = helpers.call_action("cimibague_workflow_history", context={"user": "cim-admin"}, id=package_id)
    flagged = [e for e in history if e["kind"] == "eliminado_en_fuente"]
    assert len(flagged) == 1
    assert DENGUE in flagged[0]["comment"]

    # flagged once, not at every run
    hs.run(source)
    history = helpers.call_action("cimibague_workflow_history", context={"user": "cim-admin"}, id=package_id)
    assert len([e for e in history if e["kind"] == "eliminado_en_fuente"]) == 1

    # back at the source unchanged: the same dataset, current again (so a later removal is flagged again)
    fake.datasets.append(json.loads(hs.fixture("ckan/package_search_1.json"))["result"]["results"][1])
    unchanged = hs.run(source)  # a full listing: every job so far had an error (the emergencias record)
    assert unchanged["objects"][DENGUE]["report_status"] == "not modified"
    assert model.Session.query(HarvestObject).filter_by(package_id=package_id, current=True).count() == 1
    fake.datasets = [d for d in fake.datasets if d["id"] != DENGUE]
    hs.run(source)
    history = helpers.call_action("cimibague_workflow_history", context={"user": "cim-admin"}, id=package_id)
    assert len([e for e in history if e["kind"] == "eliminado_en_fuente"]) == 2

    # back at the source, changed: the same dataset again
    fake.datasets.append(json.loads(hs.fixture("ckan/package_search_1.json"))["result"]["results"][1])
    fake.get(DENGUE)["metadata_modified"] = "2099-01-01T00:00:00.000000"
    fake.get(DENGUE)["notes"] = "De vuelta en la fuente."
    back = hs.run(source)
    assert back["objects"][DENGUE]["package_id"] == package_id


def test_a_paging_loop_is_a_gather_error_and_the_job_finishes(clean_db, clean_index, httpserver):
    org, _ = hs.setup()
    page = json.loads(hs.fixture("ckan/package_search_1.json"))
    # a server that ignores start: always the same page
    httpserver.expect_request("/api/3/action/package_search").respond_with_json(page)
    source = hs.source(httpserver.url_for("/"), "cimibague_ckan", CONFIG, org)
    result = hs.run(source)
    assert result["status"] == "Finished"
    (error,) = result["gather_errors"]
    assert "paginación" in error or "paging" in error
    assert result["objects"] == {}


def test_duplicate_identifiers_are_a_gather_error_and_the_first_wins(clean_db, clean_index, httpserver):
    org, _ = hs.setup()
    fake = FakeCkan()
    twin = copy.deepcopy(fake.get(DENGUE))
    twin["title"] = "Duplicado"
    fake.datasets.append(twin)
    httpserver.expect_request("/api/3/action/package_search").respond_with_handler(fake.handler)
    source = hs.source(httpserver.url_for("/"), "cimibague_ckan", dict(CONFIG, filas_por_pagina=10), org)
    result = hs.run(source)
    (error,) = result["gather_errors"]
    assert DENGUE in error
    assert hs.show(result["objects"][DENGUE]["package_id"])["title"] == "Casos de dengue notificados en el Tolima"


def test_an_answer_that_is_not_package_search_is_a_gather_error(clean_db, clean_index, httpserver):
    org, _ = hs.setup()
    httpserver.expect_request("/api/3/action/package_search").respond_with_data("<html>Mantenimiento</html>")
    source = hs.source(httpserver.url_for("/"), "cimibague_ckan", CONFIG, org)
    result = hs.run(source)
    assert result["status"] == "Finished"
    (error,) = result["gather_errors"]
    assert "package_search" in error


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"tipo": "bases-de-datos"}, "entidad"),
        ({"entidad": "no-existe", "tipo": "bases-de-datos"}, "no-existe"),
        ({"entidad": "dane", "tipo": "recetas"}, "recetas"),
        ({"entidad": "dane", "tipo": "bases-de-datos", "filas": 3}, "filas"),
        ({"entidad": "dane", "tipo": "bases-de-datos", "valores_por_defecto": {"color": "rojo"}}, "color"),
        (
            {"entidad": "dane", "tipo": "bases-de-datos", "valores_por_defecto": {"estado_flujo": "publicado"}},
            "estado_flujo",
        ),
        ({"entidad": "dane", "tipo": "bases-de-datos", "nodo": "otro"}, "otro"),
        ({"entidad": "dane", "tipo": "bases-de-datos", "timeout": 0}, "timeout"),
        ("{no es json", "JSON"),
    ],
)
def test_a_source_configuration_is_checked_with_a_clear_message(clean_db, config, message):
    org, _ = hs.setup()
    with pytest.raises(tk.ValidationError) as error:
        hs.source("http://127.0.0.1:9/", "cimibague_ckan", config, org)
    assert message in str(error.value.error_dict["config"])


def test_harvest_objects_are_read_only_by_who_may_see_their_dataset(ckan_source, app):
    from ckan.tests import factories

    _, source = ckan_source
    result = hs.run(source)
    matricula = result["objects"][MATRICULA]
    obj_id = model.Session.query(HarvestObject.id).filter_by(package_id=matricula["package_id"], current=True).scalar()
    failed_id = model.Session.query(HarvestObject.id).filter_by(guid=EMERGENCIAS).scalar()
    outsider = factories.User(name="ciudadano")
    other_editor = factories.User(name="editor-otro")
    factories.Organization(name="otro-nodo", users=[{"name": other_editor["name"], "capacity": "editor"}])

    def show_as(user: str | None, **data: Any) -> None:
        helpers.call_action("harvest_object_show", context={"user": user, "ignore_auth": False}, **data)

    for user in (None, outsider["name"], other_editor["name"]):
        with pytest.raises(tk.NotAuthorized):
            show_as(user, id=obj_id)
        with pytest.raises(tk.NotAuthorized):
            show_as(user, dataset_id=matricula["package_id"])
        with pytest.raises(tk.NotAuthorized):
            show_as(user, id=failed_id)  # a record that did not land: its source's editors only
        with pytest.raises(tk.NotAuthorized):
            show_as(user, id=MATRICULA, attr="guid")
    with pytest.raises(tk.NotAuthorized):
        helpers.call_action("harvest_object_list", context={"user": outsider["name"], "ignore_auth": False})
    assert app.get(f"/harvest/object/{obj_id}", status=403)
    assert app.get(f"/dataset/harvest_object/{obj_id}", status=403)

    assert helpers.call_action("harvest_object_show", context={"user": "cim-admin", "ignore_auth": False}, id=obj_id)

    publish(matricula["package_id"])
    shown = helpers.call_action("harvest_object_show", context={"user": None, "ignore_auth": False}, id=obj_id)
    assert shown["package_id"] == matricula["package_id"]


def test_a_source_with_published_datasets_cannot_be_cleared(ckan_source):
    _, source = ckan_source
    result = hs.run(source)
    published_id = result["objects"][MATRICULA]["package_id"]
    publish(published_id)
    admin = {"user": "cim-admin", "ignore_auth": False}
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("harvest_source_clear", context=dict(admin), id=source["id"])
    assert "matricula-oficial-ibague-2024" in str(error.value)
    with pytest.raises(tk.ValidationError):
        helpers.call_action("harvest_source_delete", context=dict(admin, clear_source=True), id=source["id"])
    assert hs.show(published_id)["state"] == "active"

    helpers.call_action(
        "cimibague_workflow_transition",
        context={"user": "cim-admin"},
        id=published_id,
        to="retirado",
        comment="Se retira",
    )
    helpers.call_action("harvest_source_clear", context=dict(admin), id=source["id"])
    assert model.Package.get(published_id) is None

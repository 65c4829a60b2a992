"""CSV, TSV and XLSX resources, uploaded or by URL, loaded into the DataStore on create and update by the
CIM load (data_api/load.py: tabular's analysis, xloader's COPY, typing in PostgreSQL), with the job run in
the test process; and the faults: an empty file, a header alone, ragged rows, a file over the size limit,
a broken workbook, an address that does not answer: the load fails with a message on the resource's
DataStore page and the previous table keeps answering the same rows."""

from __future__ import annotations

import datetime as dt
import io
import json
import socket
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import openpyxl
import pytest
from markupsafe import escape

from ckanext.cimibague import tabular
from tests import cim_data
from tests.cim_data import call_as
from tests.datastore_support import empty_datastore, install_sync_queue, shared_client

GOOD = "Comuna;Población;Tasa;Fecha de corte\nComuna 1;35.120;2,5;31/01/2024\nComuna 2;1.234.567;10;28/02/2024\n"
NEWER = "Comuna;Población;Tasa;Fecha de corte\nComuna 1;36.000;2,7;31/01/2025\n"


@pytest.fixture(scope="module")
def _module_db() -> dict:
    return {}


@pytest.fixture
def world(_module_db, reset_site_db, reset_index):
    """A node with an editor, the sysadmins of the workflow, an empty DataStore (once for the module)."""
    if not _module_db:
        reset_site_db()
        reset_index()
        empty_datastore()
        org, entidad = cim_data.nodes_and_entity()
        editor = factories.UserWithToken(name="editor-datos")
        helpers.call_action("organization_member_create", id=org["id"], username="editor-datos", role="editor")
        _module_db.update(org=org, entidad=entidad, editor=editor, count=0)
    return _module_db


@pytest.fixture
def app():
    return shared_client()


@pytest.fixture
def queue(monkeypatch):
    return install_sync_queue(monkeypatch)


@pytest.fixture
def files(httpserver):
    """Serve bytes at a path of the test HTTP server: files(path, body) -> URL."""

    def serve(path: str, body: bytes, content_type: str = "text/csv") -> str:
        httpserver.expect_request(path).respond_with_data(body, content_type=content_type)
        return httpserver.url_for(path)

    return serve


def _dataset(world: dict[str, Any], **resource: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    world["count"] += 1
    data = cim_data.dataset(
        "bases-de-datos", world["org"], world["entidad"], name=f"tabla-{world['count']}", resources=[]
    )
    pkg = call_as("editor-datos", "package_create", **data)
    res = call_as(
        "editor-datos",
        "resource_create",
        package_id=pkg["id"],
        name="Tabla",
        fecha_actualizacion="2024-01-31",
        tipo_recurso="datos",
        **resource,
    )
    return pkg, res


def _rows(resource_id: str) -> list[dict[str, Any]]:
    result = helpers.call_action("datastore_search", resource_id=resource_id, sort="_id")
    return [{k: v for k, v in r.items() if k != "_id"} for r in result["records"]]


def _types(resource_id: str) -> dict[str, str]:
    return {f["id"]: f["type"] for f in helpers.call_action("datastore_info", id=resource_id)["fields"]}


def _status(resource_id: str) -> dict[str, Any]:
    return helpers.call_action("xloader_status", resource_id=resource_id)


def _xlsx(rows: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(app: Any, world: dict[str, Any], pkg: dict[str, Any], content: bytes, filename: str, fmt: str) -> dict:
    response = app.post(
        "/api/3/action/resource_create",
        data={
            "package_id": pkg["id"],
            "name": "Archivo",
            "format": fmt,
            "fecha_actualizacion": "2024-01-31",
            "tipo_recurso": "datos",
            "upload": (io.BytesIO(content), filename),
        },
        headers={"Authorization": world["editor"]["token"]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json["result"]


# ---------------------------------------------------------------------------------------------- loading


def test_a_colombian_csv_by_url_is_loaded_and_typed(world, queue, files):
    url = files("/poblacion.csv", GOOD.encode("cp1252"))
    _pkg, res = _dataset(world, url=url, format="CSV")
    assert queue.run() == 1
    assert _types(res["id"]) == {"Comuna": "text", "Poblacion": "int8", "Tasa": "numeric", "Fecha de corte": "date"}
    rows = _rows(res["id"])
    assert [r["Comuna"] for r in rows] == ["Comuna 1", "Comuna 2"]
    assert [r["Poblacion"] for r in rows] == [35120, 1234567]
    assert [float(r["Tasa"]) for r in rows] == [2.5, 10.0]
    assert rows[0]["Fecha de corte"].startswith("2024-01-31")
    shown = helpers.call_action("resource_show", id=res["id"])
    assert shown["datastore_active"] is True
    assert _status(res["id"])["status"] == "complete"
    # the data dictionary has the header as written and the type chosen
    info = {f["id"]: f.get("info", {}) for f in helpers.call_action("datastore_info", id=res["id"])["fields"]}
    assert info["Poblacion"]["label"] == "Población" and info["Poblacion"]["type_override"] == "int8"
    # xloader's hook made the table preview (CKAN's datatables view)
    views = helpers.call_action("resource_view_list", id=res["id"])
    assert "datatables_view" in [v["view_type"] for v in views]
    # full-text search answers the loaded rows and those written afterwards (xloader's own index step
    # leaves its full-text trigger disabled)
    assert helpers.call_action("datastore_search", resource_id=res["id"], q="Comuna")["total"] == 2
    cim_data.act("datastore_upsert", resource_id=res["id"], force=True, method="insert", records=[{"Comuna": "Salado"}])
    assert helpers.call_action("datastore_search", resource_id=res["id"], q="Salado")["total"] == 1


def test_a_tsv_by_url_is_loaded(world, queue, files):
    url = files("/datos.tsv", "Barrio\tHogares\nBelén\t1.200\nJordán\t850\n".encode(), "text/tab-separated-values")
    _pkg, res = _dataset(world, url=url, format="TSV")
    queue.run()
    assert _types(res["id"]) == {"Barrio": "text", "Hogares": "int8"}
    assert [r["Hogares"] for r in _rows(res["id"])] == [1200, 850]


def test_an_uploaded_xlsx_is_loaded_with_its_numbers_and_dates(app, world, queue):
    content = _xlsx([["Comuna", "Habitantes", "Tasa", "Corte"], ["Uno", 35120, 2.5, dt.datetime(2024, 1, 31)]])
    pkg, _res = _dataset(world, url="https://www.ibague.gov.co/otro.pdf", format="PDF")
    res = _upload(app, world, pkg, content, "comunas.xlsx", "XLSX")
    assert queue.run() == 1
    assert _types(res["id"]) == {"Comuna": "text", "Habitantes": "int8", "Tasa": "numeric", "Corte": "date"}
    (row,) = _rows(res["id"])
    assert row["Habitantes"] == 35120 and float(row["Tasa"]) == 2.5 and row["Corte"].startswith("2024-01-31")


def test_an_uploaded_csv_is_loaded(app, world, queue):
    pkg, _res = _dataset(world, url="https://www.ibague.gov.co/otro.pdf", format="PDF")
    res = _upload(app, world, pkg, GOOD.encode("utf-8"), "poblacion.csv", "CSV")
    queue.run()
    assert [r["Poblacion"] for r in _rows(res["id"])] == [35120, 1234567]


def test_other_formats_are_not_loaded(world, queue):
    _pkg, res = _dataset(world, url="https://www.ibague.gov.co/informe.pdf", format="PDF")
    assert queue.pending == []
    assert helpers.call_action("xloader_submit", resource_id=res["id"]) is False


def test_an_update_reloads_and_keeps_the_data_dictionary(world, queue, files):
    _pkg, res = _dataset(world, url=files("/v1.csv", GOOD.encode()), format="CSV")
    queue.run()
    fields = helpers.call_action("datastore_info", id=res["id"])["fields"]
    edited = [{"id": f["id"], "type": f["type"], "info": dict(f.get("info", {}))} for f in fields]
    edited[0]["info"].update(label="Comuna o corregimiento", notes="Según el Acuerdo 2014")
    cim_data.act("datastore_create", resource_id=res["id"], force=True, fields=edited)
    call_as("editor-datos", "resource_patch", id=res["id"], url=files("/v2.csv", NEWER.encode()))
    assert queue.run() == 1
    assert _rows(res["id"]) == [
        {"Comuna": "Comuna 1", "Poblacion": 36000, "Tasa": pytest.approx(2.7), "Fecha de corte": "2025-01-31"}
    ]
    info = {f["id"]: f.get("info", {}) for f in helpers.call_action("datastore_info", id=res["id"])["fields"]}
    assert info["Comuna"]["label"] == "Comuna o corregimiento" and info["Comuna"]["notes"] == "Según el Acuerdo 2014"
    assert _types(res["id"])["Poblacion"] == "int8"


def test_an_update_with_other_columns_replaces_the_table(world, queue, files):
    _pkg, res = _dataset(world, url=files("/a.csv", GOOD.encode()), format="CSV")
    queue.run()
    call_as("editor-datos", "resource_patch", id=res["id"], url=files("/b.csv", b"Vereda,Familias\nLa Cueva,12\n"))
    queue.run()
    assert _rows(res["id"]) == [{"Vereda": "La Cueva", "Familias": 12}]


def test_a_correction_in_the_data_dictionary_applies_on_reload(world, queue, files):
    _pkg, res = _dataset(world, url=files("/c.csv", GOOD.encode()), format="CSV")
    queue.run()
    fields = helpers.call_action("datastore_info", id=res["id"])["fields"]
    edited = [{"id": f["id"], "type": f["type"], "info": dict(f.get("info", {}))} for f in fields]
    edited[1]["info"]["type_override"] = "text"  # Población: staff want it as written
    cim_data.act("datastore_create", resource_id=res["id"], force=True, fields=edited)
    assert call_as("editor-datos", "xloader_submit", resource_id=res["id"]) is True  # «Upload to DataStore»
    queue.run()
    assert _types(res["id"])["Poblacion"] == "text"
    assert [r["Poblacion"] for r in _rows(res["id"])] == ["35.120", "1.234.567"]
    assert _types(res["id"])["Tasa"] == "numeric"


# ------------------------------------------------------------------------------------------------ faults


def _silent_address() -> tuple[socket.socket, str]:
    """An address that accepts the connection and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    return server, f"http://127.0.0.1:{server.getsockname()[1]}/lento.csv"


def _analysis_error(body: bytes, fmt: str, tmp_path: Any) -> str:
    path = tmp_path / f"archivo.{fmt}"
    path.write_bytes(body)
    with pytest.raises(tabular.TabularError) as refused:
        tabular.analyse(path, fmt)
    return str(refused.value)


FAULTS = {
    "vacio": (b"", "csv"),
    "solo-encabezado": ("Comuna;Población;Tasa\n".encode(), "csv"),
    "filas-desiguales": ("A;B;C\n" + "1;2;3\n" * 3 + "1;2;3;4;5\n4;5\n" * 5).encode(),
    "xlsx-roto": (b"PK\x03\x04 esto no es un libro de Excel", "xlsx"),
}
FAULTS["filas-desiguales"] = (FAULTS["filas-desiguales"], "csv")  # type: ignore[assignment]


@pytest.fixture
def loaded(world, queue, files):
    """A resource with a good table (one for the module), which the fault tests try to replace."""
    if "loaded" not in world:
        _pkg, res = _dataset(world, url=files("/bueno.csv", GOOD.encode()), format="CSV")
        queue.run()
        world["loaded"] = (res, _rows(res["id"]))
    return world["loaded"]


def _unchanged(loaded: tuple[dict[str, Any], list[dict[str, Any]]]) -> None:
    res, before = loaded
    assert _rows(res["id"]) == before and _types(res["id"])["Poblacion"] == "int8"
    assert helpers.call_action("resource_show", id=res["id"])["datastore_active"] is True


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_bad_file_leaves_the_previous_table(app, world, queue, files, loaded, fault, tmp_path):
    body, fmt = FAULTS[fault]
    res = loaded[0]
    call_as("editor-datos", "resource_patch", id=res["id"], url=files(f"/malo-{fault}.{fmt}", body), format=fmt.upper())
    assert queue.run() == 1
    _unchanged(loaded)
    status = _status(res["id"])
    assert status["status"] == "error"
    expected = _analysis_error(body, fmt, tmp_path)
    assert status["error"]["message"] == expected
    # the message on the resource's DataStore page, for the node's staff
    page = app.get(
        f"/dataset/{res['package_id']}/resource_data/{res['id']}", headers={"Authorization": world["editor"]["token"]}
    )
    assert str(escape(expected)) in page.get_data(as_text=True)
    # and on the resource's own page, with what still answers
    body = _resource_page(app, res, world["editor"]["token"])
    assert "No se pudo cargar el archivo en el DataStore" in body
    assert str(escape(expected)) in body
    assert "La tabla anterior se sigue publicando sin cambios." in body


def _resource_page(app: Any, res: dict[str, Any], token: str | None = None) -> str:
    headers = {"Authorization": token} if token else {}
    response = app.get(f"/dataset/{res['package_id']}/resource/{res['id']}", headers=headers)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_resource_page_tells_staff_only_of_a_load_under_way_or_refused(app, world, queue, files):
    pkg, res = _dataset(world, url=files("/publico.csv", GOOD.encode()), format="CSV")
    queue.run()
    cim_data.publish(pkg["id"])
    token = world["editor"]["token"]
    assert "cimibague-table-load" not in _resource_page(app, res, token)  # loaded: nothing to say
    refused = "El archivo no tiene filas de datos: solo el encabezado."
    from ckanext.cimibague.data_api import load, quality

    quality.save(res["id"], "rechazado", message=refused)
    load._task(res["id"], "error", "trabajo-rechazado")  # xloader's task status after a refused load
    assert refused in _resource_page(app, res, token)
    anonymous = _resource_page(app, res)
    assert refused not in anonymous and "cimibague-table-load" not in anonymous  # citizens see the table only
    assert "loader-badge" not in anonymous  # nor xloader's «Error» badge
    helpers.call_action("xloader_submit", resource_id=res["id"])  # queued, not run
    body = _resource_page(app, res, token)
    assert "El archivo se está cargando en el DataStore" in body and refused not in body
    assert "cimibague-table-load" not in _resource_page(app, res)
    queue.run()
    assert "cimibague-table-load" not in _resource_page(app, res, token)  # loaded again


def test_columns_the_datastore_cannot_name_leave_the_previous_table(world, queue, files, loaded):
    res = loaded[0]
    call_as(
        "editor-datos",
        "resource_patch",
        id=res["id"],
        url=files("/nombres.csv", "Año;Ano\n1;2\n".encode()),
        format="CSV",
    )
    queue.run()
    status = _status(res["id"])
    assert status["status"] == "error" and "«Ano»" in status["error"]["message"]
    _unchanged(loaded)


def test_a_bad_file_on_first_load_makes_no_table(app, world, queue, files, tmp_path):
    _pkg, res = _dataset(world, url=files("/solo.csv", b"A;B\n"), format="CSV")
    queue.run()
    with pytest.raises(tk.ObjectNotFound):
        helpers.call_action("datastore_search", resource_id=res["id"])
    assert _status(res["id"])["status"] == "error"
    assert helpers.call_action("resource_show", id=res["id"])["datastore_active"] is False
    body = _resource_page(app, res, world["editor"]["token"])
    assert "Este recurso aún no tiene tabla en el DataStore." in body


def test_a_file_over_the_size_limit_is_refused(world, queue, files, loaded, monkeypatch):
    res = loaded[0]
    monkeypatch.setitem(tk.config, "ckanext.xloader.max_content_length", 1024 * 1024)
    big = ("Comuna;Población\n" + "Comuna 1;35.120\n" * 80_000).encode()  # 1.3 MB
    call_as("editor-datos", "resource_patch", id=res["id"], url=files("/grande.csv", big), format="CSV")
    queue.run()
    status = _status(res["id"])
    assert status["status"] == "error" and "1 MB" in status["error"]["message"]
    _unchanged(loaded)


def test_an_address_that_does_not_answer(world, queue, loaded, monkeypatch):
    res = loaded[0]
    monkeypatch.setitem(tk.config, "ckanext.cimibague.datos.download_timeout", 1)
    server, url = _silent_address()
    try:
        call_as("editor-datos", "resource_patch", id=res["id"], url=url, format="CSV")
        queue.run()
    finally:
        server.close()
    status = _status(res["id"])
    assert status["status"] == "error" and url in status["error"]["message"]
    _unchanged(loaded)


def test_an_address_that_answers_an_error(world, queue, loaded, httpserver):
    res = loaded[0]
    httpserver.expect_request("/no-existe.csv").respond_with_data("no", status=404)
    call_as("editor-datos", "resource_patch", id=res["id"], url=httpserver.url_for("/no-existe.csv"), format="CSV")
    queue.run()
    status = _status(res["id"])
    assert status["status"] == "error" and "404" in status["error"]["message"]
    _unchanged(loaded)


# ----------------------------------------------------------------------- the workflow's frozen states


@pytest.mark.parametrize("state", ["en_revision", "publicado"])
def test_a_load_while_frozen_or_published(world, queue, files, state):
    """xloader's and the DataStore's bookkeeping (datastore_active) passes the guard; nothing else does,
    and no pending revision is made of it."""
    pkg, res = _dataset(world, url=files(f"/congelado-{state}.csv", GOOD.encode()), format="CSV")
    # the worker reaches the job after the dataset was sent on
    call_as("editor-datos", "cimibague_workflow_transition", id=pkg["id"], to="en_revision")
    if state == "publicado":
        for name in ("cim-admin", "cim-director"):
            if model.User.get(name) is None:
                factories.Sysadmin(name=name)
        call_as("cim-director", "cimibague_workflow_transition", id=pkg["id"], to="aprobado")
        call_as("editor-datos", "cimibague_workflow_transition", id=pkg["id"], to="publicado")
    assert queue.run() == 1
    assert _status(res["id"])["status"] == "complete"
    assert [r["Poblacion"] for r in _rows(res["id"])] == [35120, 1234567]
    # and the node's staff reload it («Upload to DataStore»)
    assert call_as("editor-datos", "xloader_submit", resource_id=res["id"]) is True
    assert queue.run() == 1
    assert _status(res["id"])["status"] == "complete"
    assert [r["Poblacion"] for r in _rows(res["id"])] == [35120, 1234567]
    assert helpers.call_action("resource_show", id=res["id"])["datastore_active"] is True
    assert helpers.call_action("package_show", id=pkg["id"])["estado_flujo"] == state
    assert helpers.call_action("cimibague_workflow_status", id=pkg["id"])["pending_revisions"] == 0


def test_the_bookkeeping_exemption_is_for_code_only(world, queue, files):
    pkg, res = _dataset(world, url=files("/exencion.csv", GOOD.encode()), format="CSV")
    queue.run()
    for name in ("cim-admin", "cim-director"):
        if model.User.get(name) is None:
            factories.Sysadmin(name=name)
    call_as("editor-datos", "cimibague_workflow_transition", id=pkg["id"], to="en_revision")
    call_as("cim-director", "cimibague_workflow_transition", id=pkg["id"], to="aprobado")
    call_as("editor-datos", "cimibague_workflow_transition", id=pkg["id"], to="publicado")
    # people (the node's editor, a sysadmin) cannot use it, not even for the bookkeeping keys
    for user in ("editor-datos", "cim-admin"):
        with pytest.raises(tk.ValidationError):
            call_as(user, "resource_patch", id=res["id"], datastore_active=False)
    # code (ignore_auth, the site user) cannot change anything else of a published resource
    site_user = helpers.call_action("get_site_user")["name"]
    for context in ({"ignore_auth": True, "user": site_user}, {"ignore_auth": True, "user": ""}):
        with pytest.raises(tk.ValidationError):
            helpers.call_action("resource_patch", context=dict(context), id=res["id"], name="Otro nombre")
        with pytest.raises(tk.ValidationError):
            helpers.call_action("resource_patch", context=dict(context), id=res["id"], datastore_active=False, url="x")
    shown = helpers.call_action("resource_show", id=res["id"])
    assert shown["name"] == "Tabla" and shown["datastore_active"] is True
    assert helpers.call_action("cimibague_workflow_status", id=pkg["id"])["pending_revisions"] == 0


def test_xloader_keeps_its_job_log_in_ckans_database():
    assert tk.config["ckanext.xloader.jobs_db.uri"] == tk.config["sqlalchemy.url"]


def test_the_job_log_is_shown_on_the_datastore_page(world, queue, files):
    _pkg, res = _dataset(world, url=files("/registro.csv", GOOD.encode()), format="CSV")
    queue.run()
    logs = _status(res["id"])["task_info"]["logs"]
    assert any("Loaded" in entry["message"] for entry in logs), json.dumps(logs, default=str)[:500]


def test_people_write_no_rows_of_a_frozen_or_published_table(world, queue, files):
    """CKAN lets whoever may update a resource write its table (force passes xloader's read-only mark):
    while the dataset is frozen or published, the node's editor cannot (reloading its file still works)."""
    pkg, res = _dataset(world, url=files("/filas.csv", GOOD.encode()), format="CSV")
    queue.run()
    writes = {
        "datastore_upsert": {"records": [{"Comuna": "Comuna 9", "Poblacion": 1}], "method": "insert"},
        "datastore_delete": {"filters": {"Comuna": "Comuna 1"}},
        "datastore_records_delete": {"filters": {"Comuna": "Comuna 1"}},
        "datastore_create": {"fields": [{"id": "Comuna", "info": {"label": "Otra"}}]},
    }
    # while it is prepared, the editor may
    call_as("editor-datos", "datastore_upsert", resource_id=res["id"], force=True, **writes["datastore_upsert"])
    assert len(_rows(res["id"])) == 3
    call_as("editor-datos", "cimibague_workflow_transition", id=pkg["id"], to="en_revision")
    for action, data in writes.items():
        with pytest.raises(tk.NotAuthorized):
            call_as("editor-datos", action, resource_id=res["id"], force=True, **data)
    for name in ("cim-admin", "cim-director"):
        if model.User.get(name) is None:
            factories.Sysadmin(name=name)
    call_as("cim-director", "cimibague_workflow_transition", id=pkg["id"], to="aprobado")
    call_as("editor-datos", "cimibague_workflow_transition", id=pkg["id"], to="publicado")
    for action, data in writes.items():
        with pytest.raises(tk.NotAuthorized):
            call_as("editor-datos", action, resource_id=res["id"], force=True, **data)
    assert len(_rows(res["id"])) == 3
    assert call_as("editor-datos", "xloader_submit", resource_id=res["id"]) is True
    queue.run()
    assert len(_rows(res["id"])) == 2  # the approved file, loaded again


def test_the_upload_to_datastore_button_queues_the_cim_load(app, world, queue, files):
    pkg, res = _dataset(world, url=files("/boton.csv", GOOD.encode()), format="CSV")
    queue.run()
    response = app.post(
        f"/dataset/{pkg['name']}/resource_data/{res['id']}",
        headers={"Authorization": world["editor"]["token"]},
        follow_redirects=False,
    )
    assert response.status_code == 302
    assert queue.titles[-1] == f"cimibague_datos: resource {res['id']}" and len(queue.pending) == 1
    queue.run()
    assert _status(res["id"])["status"] == "complete"


# ------------------------------------------------------------------------------------- quality report


def test_the_reviewers_see_the_quality_report_on_the_workflow_panel(app, world, queue, files):
    body = (
        "Comuna;Población;Fecha de corte\n"
        "Comuna 1;35.120;31/01/2024\n"
        "Comuna 2;-12;31/01/2024\n"
        "Comuna 1;35.120;31/01/2024\n"
    )
    pkg, res = _dataset(world, url=files("/calidad.csv", body.encode("utf-8")), format="CSV")
    assert queue.run() == 1
    from ckanext.cimibague.data_api import quality

    (stored,) = quality.for_package(pkg["id"])
    assert stored["status"] == "cargado" and stored["report"]["rows"] == 3
    assert stored["report"]["duplicated_rows"]["count"] == 1 and stored["report"]["suspicious_total"] == 1
    page = app.get(f"/bases-de-datos/{pkg['name']}", headers={"Authorization": world["editor"]["token"]})
    assert "Calidad de las tablas" in page.body
    assert "3 filas, 3 columnas" in page.body and "filas repetidas: 1" in page.body
    assert "valores sospechosos: 1" in page.body and "«-12»" in page.body
    # a refused reload says why, and the report of the table that still answers stays
    call_as("editor-datos", "resource_patch", id=res["id"], url=files("/calidad-vacia.csv", b""))
    assert queue.run() == 1
    (stored,) = quality.for_package(pkg["id"])
    assert stored["status"] == "rechazado" and stored["report"]["rows"] == 3
    page = app.get(f"/bases-de-datos/{pkg['name']}", headers={"Authorization": world["editor"]["token"]})
    assert "La última carga fue rechazada" in page.body
    # nobody outside the node sees the dataset, let alone its report
    assert app.get(f"/bases-de-datos/{pkg['name']}").status_code == 404


def test_the_job_names_the_default_views_in_the_site_language(app):
    """The jobs worker runs each job in a fork of ``ckan jobs worker`` with no Flask context, where CKAN's
    ``_`` answers in English and the default views would be stored as «Table»: the job translates inside a
    request of the command line's app (a thread starts without any context, like the job)."""
    import threading

    import click

    from ckanext.cimibague.data_api import load

    seen: dict[str, str] = {}

    def job() -> None:
        try:
            seen["bare"] = tk._("Table")
        except Exception as error:  # no context at all
            seen["bare"] = type(error).__name__
        with click.Context(click.Command("worker")) as command:
            command.meta["flask_app"] = app.flask_app
            with load._site_language():
                seen["job"] = tk._("Table")

    thread = threading.Thread(target=job)
    thread.start()
    thread.join()
    assert seen["bare"] != "Tabla"
    assert seen["job"] == "Tabla"

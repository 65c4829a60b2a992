"""Blueprint ``cimibague``: the CIM's own public pages and files, and the review workflow's pages.

The workflow views are thin: each calls one ``cimibague_workflow_*`` action (which checks who may do
what) and turns its answer or its error into a page, a Spanish notice or a redirect.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, Response, send_file
from flask.typing import ResponseReturnValue

from ckanext.cimibague import seed
from ckanext.cimibague.dcat_views import cimibague_vocabulario
from ckanext.cimibague.planning_views import cimibague_solicitudes
from ckanext.cimibague.transparency_views import cimibague_transparencia
from ckanext.cimibague.workflow import attachments

__all__ = ["cimibague", "cimibague_solicitudes", "cimibague_transparencia", "cimibague_vocabulario"]

cimibague = Blueprint("cimibague", __name__)


@cimibague.route("/cimibague/territorio.csv")
def territorio_csv() -> Response:
    """Ibagué's comunas and corregimientos (codes and names) as CSV."""
    return Response(
        seed.territorio_csv(),
        mimetype="text/csv",
        headers={"Content-Disposition": "inline; filename=comunas-y-corregimientos.csv"},
    )


# ------------------------------------------------------------------------------------------- workflow


def _error_text(error: tk.ValidationError | tk.NotAuthorized) -> str:
    """An action's error as one sentence (its messages are already in the user's language)."""
    if isinstance(error, tk.ValidationError):
        messages = []
        for value in (error.error_dict or {}).values():
            messages.extend(value if isinstance(value, list) else [value])
        return " ".join(str(m) for m in messages) or tk._("The step could not be made")
    return str(error) or tk._("You are not allowed to do this")


def _dataset_url(id: str) -> str:
    """The dataset's page (its own type's route), or the generic one when it cannot be read."""
    try:
        pkg = tk.get_action("package_show")({}, {"id": id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.h.url_for("dataset.read", id=id)
    return tk.h.url_for(f"{pkg['type']}.read", id=pkg["name"])


def _attachment(form: Any) -> Any:
    """The uploaded file of a workflow form, else its URL field (None when neither was given)."""
    upload = tk.request.files.get("attachment")
    if upload is not None and upload.filename:
        return upload
    return (form.get("attachment_url") or "").strip() or None


def _run(id: str, action: str, data: dict[str, Any], done: str) -> ResponseReturnValue:
    """Call a workflow action; flash ``done`` or the error; back to the dataset page."""
    try:
        tk.get_action(action)({}, dict(data, id=id))
    except (tk.ValidationError, tk.NotAuthorized) as error:
        tk.h.flash_error(_error_text(error))
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Dataset not found"))
    else:
        tk.h.flash_success(done)
    return tk.redirect_to(_dataset_url(id))


@cimibague.route("/dataset/<id>/flujo/transicion", methods=["POST"])
def workflow_transition(id: str) -> ResponseReturnValue:
    form = tk.request.form
    target = form.get("to") or ""
    data = {"to": target, "comment": form.get("comment"), "attachment": _attachment(form)}
    if (form.get("actores") or "").strip():
        data["actores"] = form["actores"]
    done = tk._("The dataset is now «%s».") % tk.h.cimibague_workflow_state_label(target)
    return _run(id, "cimibague_workflow_transition", data, done)


@cimibague.route("/dataset/<id>/flujo/observacion", methods=["POST"])
def workflow_comment(id: str) -> ResponseReturnValue:
    form = tk.request.form
    data = {"comment": form.get("comment"), "attachment": _attachment(form)}
    return _run(id, "cimibague_workflow_comment", data, tk._("Your observation was recorded."))


@cimibague.route("/dataset/<id>/flujo/adjunto/<event_id>")
def workflow_attachment(id: str, event_id: str) -> ResponseReturnValue:
    """A stored attachment, only for the dataset's staff and sector actors (whoever sees its history)."""
    try:
        events = tk.get_action("cimibague_workflow_history")({}, {"id": id})
        tk.check_access("cimibague_workflow_comment", {}, {"id": id})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Dataset not found"))
    except tk.NotAuthorized:
        return tk.abort(403, tk._("You are not allowed to see this attachment"))
    event = next((e for e in events if e.get("id") == event_id), None)
    url = (event or {}).get("attachment_url") or ""
    if event is None or not url.startswith(attachments.LOCAL_PREFIX):
        return tk.abort(404, tk._("Attachment not found"))
    path = attachments.path_of(event["package_id"], event_id, url.removeprefix(attachments.LOCAL_PREFIX))
    if path is None:
        return tk.abort(404, tk._("Attachment not found"))
    response = send_file(path, as_attachment=True, download_name=event["attachment_name"] or path.name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@cimibague.route("/pendientes")
def workflow_queue() -> ResponseReturnValue:
    """The datasets waiting for the current user."""
    try:
        queue = tk.get_action("cimibague_workflow_queue")({}, {})
    except tk.NotAuthorized:
        return tk.redirect_to("user.login")
    return tk.render("cimibague/pendientes.html", {"queue": queue})


@cimibague.route("/dataset/<id>/flujo/revision/<revision_id>", methods=["GET", "POST"])
def workflow_revision(id: str, revision_id: str) -> ResponseReturnValue:
    """A proposed change of a published dataset, field by field; its administrators decide here."""
    if tk.request.method == "POST":
        form = tk.request.form
        decision = form.get("decision")
        data = {"revision_id": revision_id, "decision": decision, "comment": form.get("comment")}
        approved = decision == "aprobar"
        done = tk._("The change was approved and applied.") if approved else tk._("The change was rejected.")
        try:
            tk.get_action("cimibague_workflow_revision_decide")({}, dict(data, id=id))
        except (tk.ValidationError, tk.NotAuthorized) as error:
            tk.h.flash_error(_error_text(error))
            return tk.redirect_to("cimibague.workflow_revision", id=id, revision_id=revision_id)
        except tk.ObjectNotFound:
            return tk.abort(404, tk._("Revision not found"))
        tk.h.flash_success(done)
        return tk.redirect_to(_dataset_url(id))
    try:
        revision = tk.get_action("cimibague_workflow_revision_show")({}, {"id": id, "revision_id": revision_id})
        pkg = tk.get_action("package_show")({}, {"id": id})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Revision not found"))
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only the node's staff see proposed changes"))
    return tk.render(
        "cimibague/revision.html",
        {"pkg": pkg, "pkg_dict": pkg, "dataset_type": pkg["type"], "revision": revision},
    )


# --------------------------------------------------------------- formato de recolección (spreadsheet import)

FORMATO_MAX_BYTES = 10 * 1024 * 1024


def _formato_nodes() -> list[dict[str, Any]]:
    """The nodes where the current user creates datasets (all of them for sysadmins)."""
    return tk.get_action("organization_list_for_user")({}, {"permission": "create_dataset"})


@cimibague.route("/formato", methods=["GET", "POST"])
def formato() -> ResponseReturnValue:
    """The CIM's spreadsheet form: explanation, template, upload; the report of an import (all or nothing),
    run as the current user (who can only create in their own nodes)."""
    if not tk.current_user.is_authenticated:
        return tk.redirect_to("user.login", came_from=tk.h.url_for("cimibague.formato"))
    nodes = _formato_nodes()
    if not nodes:
        return tk.abort(403, tk._("Only the staff of a node (editors and administrators) import the form"))
    extra: dict[str, Any] = {"nodes": nodes, "report": None, "error": None, "max_mb": FORMATO_MAX_BYTES // 2**20}
    if tk.request.method == "POST":
        extra.update(_formato_import(nodes))
    return tk.render("cimibague/formato.html", extra)


def _formato_import(nodes: list[dict[str, Any]]) -> dict[str, Any]:
    from ckanext.cimibague.harvesters import spreadsheet

    form = tk.request.form
    chosen = form.get("nodo") or ""
    if chosen and chosen not in {n["id"] for n in nodes} | {n["name"] for n in nodes}:
        return {"error": tk._("Choose one of your nodes")}
    upload = tk.request.files.get("archivo")
    if upload is None or not upload.filename:
        return {"error": tk._("Choose the file to import (.xlsx or .csv)")}
    content = upload.stream.read(FORMATO_MAX_BYTES + 1)
    if len(content) > FORMATO_MAX_BYTES:
        return {
            "error": tk._("The file is larger than %(max)s MB: split it in several files")
            % {"max": FORMATO_MAX_BYTES // 2**20}
        }
    report = spreadsheet.import_file(
        content,
        upload.filename,
        user=tk.current_user.name,
        nodo=chosen or None,
        simulate=bool(form.get("simular")),
    )
    return {"report": report, "filename": upload.filename, "nodo": chosen}


@cimibague.route("/formato/plantilla.xlsx")
def formato_template() -> Response:
    """The blank form (built now: the entities and nodes of today), for anyone who has to fill it."""
    from ckanext.cimibague.harvesters import template

    return Response(
        template.build(),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": "attachment; filename=formato-recoleccion-cim.xlsx"},
    )


# ------------------------------------------------------------------------------------------- portal


@cimibague.route("/acerca")
def acerca() -> str:
    """«Acerca del CIM»: what the CIM does and how information is reviewed before it is published
    (PRO-PÉT-03), as prose in the visitor's language (Spanish unless English is chosen)."""
    lang = "en" if (tk.h.lang() or "").startswith("en") else "es"
    return tk.render(f"cimibague/acerca/{lang}.html", {"ejes": tk.h.cimibague_ejes()})

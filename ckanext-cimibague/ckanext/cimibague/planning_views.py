"""Blueprint ``cimibague_solicitudes``: the staff pages of the planning — requests (list with filters,
form, the request with its timeline and its answer, cancel), the calendar per node and the entity
scorecard. Thin: each view calls one ``cimibague_request_*`` action, which checks who may do what, and
turns its answer or its error into a page; a form with errors is shown again with what was typed."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, send_file
from flask.typing import ResponseReturnValue

from ckanext.cimibague.planning import documents, solicitudes

__all__ = ["cimibague_solicitudes"]

cimibague_solicitudes = Blueprint("cimibague_solicitudes", __name__, url_prefix="/solicitudes")

FORM_FIELDS = (
    "owner_org",
    "entidad",
    "asunto",
    "descripcion",
    "package_id",
    "numero_oficio",
    "fecha_solicitud",
    "fecha_limite",
    "nota",
)
FILTERS = ("owner_org", "entidad", "estado", "vencidas", "q", "desde", "hasta")
PAGE = 50


def _login() -> ResponseReturnValue | None:
    if not tk.current_user.is_authenticated:
        return tk.redirect_to("user.login", came_from=tk.request.full_path)
    return None


def _choices() -> dict[str, Any]:
    """The nodes where the user asks (editor or admin) and every source entity."""
    nodes = tk.get_action("organization_list_for_user")({}, {"permission": "create_dataset"})
    return {"nodes": nodes, "entities": tk.h.cimibague_entidad_choices()}


def _errors(error: tk.ValidationError) -> dict[str, list[str]]:
    return {k: v if isinstance(v, list) else [str(v)] for k, v in (error.error_dict or {}).items()}


@cimibague_solicitudes.route("/")
def index() -> ResponseReturnValue:
    """The requests of the user's nodes, with filters."""
    if (redirect := _login()) is not None:
        return redirect
    args = tk.request.args
    filters = {k: args.get(k) for k in FILTERS if args.get(k)}
    page = max(int(args.get("page", 1)) if str(args.get("page", "1")).isdigit() else 1, 1)
    try:
        found = tk.get_action("cimibague_request_list")({}, {**filters, "limit": PAGE, "offset": (page - 1) * PAGE})
    except tk.NotAuthorized:
        return tk.abort(403, tk._(solicitudes.REFUSED_READ))
    except tk.ValidationError as error:
        tk.h.flash_error(" ".join(" ".join(v) for v in _errors(error).values()))
        found = {"count": 0, "results": []}
    readable = tk.get_action("organization_list_for_user")({}, {"permission": "read"})
    return tk.render(
        "cimibague/solicitudes/index.html",
        {
            "found": found,
            "filters": filters,
            "page": page,
            "pages": max((found["count"] + PAGE - 1) // PAGE, 1),
            "states": solicitudes.STATES,
            "nodes": readable,
            "entities": _choices()["entities"],
            "can_create": bool(_choices()["nodes"]),
        },
    )


@cimibague_solicitudes.route("/nueva", methods=["GET", "POST"])
def new() -> ResponseReturnValue:
    if (redirect := _login()) is not None:
        return redirect
    choices = _choices()
    if not choices["nodes"]:
        return tk.abort(403, tk._(solicitudes.REFUSED_WRITE))
    args = tk.request.args
    data: dict[str, Any] = {k: args[k] for k in ("owner_org", "entidad", "package_id") if args.get(k)}
    errors: dict[str, list[str]] = {}
    if tk.request.method == "POST":
        form = tk.request.form
        data = {k: form.get(k, "") for k in FORM_FIELDS}
        data["estado"] = "enviada" if form.get("enviar") else "borrador"
        data["adjuntos"] = [f for f in tk.request.files.getlist("adjuntos") if f and f.filename]
        try:
            created = tk.get_action("cimibague_request_create")({}, dict(data))
        except tk.ValidationError as error:
            errors = _errors(error)
        except tk.NotAuthorized as error:
            errors = {"owner_org": [str(error)]}
        else:
            tk.h.flash_success(tk._("The request was saved."))
            return tk.redirect_to("cimibague_solicitudes.read", id=created["id"])
        data.pop("adjuntos", None)
    extra = {"data": data, "errors": errors, "request_dict": None, **choices}
    return tk.render("cimibague/solicitudes/form.html", extra)


def _show(id: str) -> dict[str, Any] | ResponseReturnValue:
    try:
        return tk.get_action("cimibague_request_show")({}, {"id": id})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Request not found"))
    except tk.NotAuthorized:
        return tk.abort(403, tk._(solicitudes.REFUSED_READ))


def _may_manage(request_dict: dict[str, Any]) -> bool:
    return tk.h.check_access("cimibague_request_update", {"id": request_dict["id"]})


@cimibague_solicitudes.route("/<id>")
def read(id: str) -> ResponseReturnValue:
    if (redirect := _login()) is not None:
        return redirect
    shown = _show(id)
    if not isinstance(shown, dict):
        return shown
    return tk.render(
        "cimibague/solicitudes/read.html",
        {"request_dict": shown, "may_manage": _may_manage(shown), "errors": {}, "answer": {}},
    )


@cimibague_solicitudes.route("/<id>/editar", methods=["GET", "POST"])
def edit(id: str) -> ResponseReturnValue:
    if (redirect := _login()) is not None:
        return redirect
    shown = _show(id)
    if not isinstance(shown, dict):
        return shown
    if not _may_manage(shown):
        return tk.abort(403, tk._(solicitudes.REFUSED_WRITE))
    data = {k: shown.get(k) or "" for k in FORM_FIELDS}
    data.update(owner_org=shown["owner_org"], entidad=shown["entidad"], package_id=shown["package_name"] or "", nota="")
    errors: dict[str, list[str]] = {}
    if tk.request.method == "POST":
        form = tk.request.form
        data = {k: form.get(k, "") for k in FORM_FIELDS if k != "owner_org"}
        if form.get("enviar"):
            data["estado"] = "enviada"
        data["adjuntos"] = [f for f in tk.request.files.getlist("adjuntos") if f and f.filename]
        try:
            tk.get_action("cimibague_request_update")({}, dict(data, id=id))
        except tk.ValidationError as error:
            errors = _errors(error)
        else:
            tk.h.flash_success(tk._("The request was saved."))
            return tk.redirect_to("cimibague_solicitudes.read", id=id)
        data.pop("adjuntos", None)
        data["owner_org"] = shown["owner_org"]
    return tk.render(
        "cimibague/solicitudes/form.html", {"data": data, "errors": errors, "request_dict": shown, **_choices()}
    )


@cimibague_solicitudes.route("/<id>/responder", methods=["POST"])
def respond(id: str) -> ResponseReturnValue:
    if (redirect := _login()) is not None:
        return redirect
    form = tk.request.form
    answer: dict[str, Any] = {
        "fecha": form.get("fecha", ""),
        "nota": form.get("nota", ""),
        "completa": not form.get("parcial"),
        "crear_conjunto": bool(form.get("crear_conjunto")),
    }
    if answer["crear_conjunto"] and (form.get("conjunto_type") or form.get("conjunto_title")):
        answer["conjunto"] = {"type": form.get("conjunto_type", ""), "title": form.get("conjunto_title", "")}
    upload = tk.request.files.get("adjunto")
    try:
        result = tk.get_action("cimibague_request_respond")(
            {}, dict(answer, id=id, adjunto=upload if upload and upload.filename else None)
        )
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Request not found"))
    except tk.NotAuthorized:
        return tk.abort(403, tk._(solicitudes.REFUSED_WRITE))
    except tk.ValidationError as error:
        shown = _show(id)
        if not isinstance(shown, dict):
            return shown
        extra = {"request_dict": shown, "may_manage": True, "errors": _errors(error), "answer": answer}
        return tk.render("cimibague/solicitudes/read.html", extra), 400
    if result.get("package_id"):
        tk.h.flash_success(tk._("The answer was recorded and the received dataset created (in «Recibido»)."))
    else:
        tk.h.flash_success(tk._("The answer was recorded."))
    return tk.redirect_to("cimibague_solicitudes.read", id=id)


@cimibague_solicitudes.route("/<id>/anular", methods=["POST"])
def cancel(id: str) -> ResponseReturnValue:
    if (redirect := _login()) is not None:
        return redirect
    try:
        tk.get_action("cimibague_request_cancel")({}, {"id": id, "motivo": tk.request.form.get("motivo", "")})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Request not found"))
    except tk.NotAuthorized:
        return tk.abort(403, tk._(solicitudes.REFUSED_WRITE))
    except tk.ValidationError as error:
        tk.h.flash_error(" ".join(" ".join(v) for v in _errors(error).values()))
    else:
        tk.h.flash_success(tk._("The request was cancelled."))
    return tk.redirect_to("cimibague_solicitudes.read", id=id)


@cimibague_solicitudes.route("/<id>/adjunto/<event_id>")
def attachment(id: str, event_id: str) -> ResponseReturnValue:
    """A document of the request's timeline, only for the request's node."""
    if (redirect := _login()) is not None:
        return redirect
    shown = _show(id)
    if not isinstance(shown, dict):
        return shown
    event = next((e for e in shown["eventos"] if e["id"] == event_id), None)
    path = documents.path_of(id, event_id, event["attachment_url"]) if event and event["attachment_url"] else None
    if path is None:
        return tk.abort(404, tk._("Attachment not found"))
    response = send_file(path, as_attachment=True, download_name=event["attachment_name"] or path.name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@cimibague_solicitudes.route("/calendario")
def calendar() -> ResponseReturnValue:
    """What is due in the coming weeks, per node: open requests and expected dataset updates."""
    if (redirect := _login()) is not None:
        return redirect
    args = tk.request.args
    params = {k: args[k] for k in ("owner_org", "semanas") if args.get(k)}
    try:
        found = tk.get_action("cimibague_request_calendar")({}, params)
    except tk.NotAuthorized:
        return tk.abort(403, tk._(solicitudes.REFUSED_READ))
    except tk.ValidationError as error:
        tk.h.flash_error(" ".join(" ".join(v) for v in _errors(error).values()))
        found = tk.get_action("cimibague_request_calendar")({}, {k: v for k, v in params.items() if k != "semanas"})
    nodes = tk.get_action("organization_list_for_user")({}, {"permission": "read"})
    return tk.render("cimibague/solicitudes/calendario.html", {"calendar": found, "filters": params, "nodes": nodes})


@cimibague_solicitudes.route("/entidades")
def scorecard() -> ResponseReturnValue:
    """The entity scorecard."""
    if (redirect := _login()) is not None:
        return redirect
    try:
        rows = tk.get_action("cimibague_entity_scorecard")({}, {})
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only the CIM's staff see the entity scorecard"))
    return tk.render("cimibague/solicitudes/entidades.html", {"rows": rows})

"""Actions of the planning: requests to source entities (``cimibague_request_*``), the cronograma's
calendar and the entity scorecard. Requests are never public: only their node's members read them
(sysadmins all), only its editors and administrators change them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.cimibague.planning import cronograma, scorecard, solicitudes
from ckanext.cimibague.planning.model import Request
from ckanext.cimibague.workflow import service

__all__ = [
    "cimibague_entity_scorecard",
    "cimibague_request_calendar",
    "cimibague_request_cancel",
    "cimibague_request_create",
    "cimibague_request_list",
    "cimibague_request_respond",
    "cimibague_request_show",
    "cimibague_request_update",
]

MAX_LIMIT = 1000


def _user(context: Context) -> model.User:
    user = service.user_of(context)
    if user is None:
        raise tk.NotAuthorized(tk._("You must log in"))
    return user


def _changed() -> None:
    scorecard.clear_cache()


def _input(data_dict: DataDict) -> dict[str, Any]:
    """The caller's fields, with every document under ``adjuntos``: CKAN's API passes one file per field
    name, so a multipart call sends ``adjuntos``, ``adjuntos_2``, ``adjuntos_3``..."""
    data = {k: v for k, v in data_dict.items() if not k.startswith("_") and not k.startswith("adjuntos")}
    files: list[Any] = []
    for key in sorted(k for k in data_dict if k == "adjuntos" or k.startswith("adjuntos_")):
        value = data_dict[key]
        files.extend(value if isinstance(value, list | tuple) else [value])
    if files:
        data["adjuntos"] = files
    return data


def cimibague_request_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Create a request of a node to a source entity.

    :param owner_org: the id or name of the node that asks
    :type owner_org: string
    :param entidad: the id or name of the source entity (a group of type ``entidad``)
    :type entidad: string
    :param asunto: what is requested
    :type asunto: string
    :param descripcion: (optional) details
    :type descripcion: string
    :param package_id: (optional) the id or name of the node's dataset the request asks to update
    :type package_id: string
    :param numero_oficio: the letter's number (required to send)
    :type numero_oficio: string
    :param fecha_solicitud: (optional) the date it was sent, ``aaaa-mm-dd`` or ``dd/mm/aaaa``; not later
        than today (today when sent without one)
    :type fecha_solicitud: string
    :param fecha_limite: the due date; not in the past, not before ``fecha_solicitud``
    :type fecha_limite: string
    :param estado: ``borrador`` (default) or ``enviada``
    :type estado: string
    :param adjuntos: (optional) documents (oficio, actas): uploaded files (multipart/form-data) of the
        accepted types, each within ``ckanext.cimibague.requests.max_attachment_mb``; through the Action
        API one per field: ``adjuntos``, ``adjuntos_2``, ``adjuntos_3``...
    :type adjuntos: file or list of files

    Nothing is saved when any of it is wrong (a ValidationError names each field).

    :returns: the request (as :py:func:`cimibague_request_show`)
    :rtype: dictionary
    """
    tk.check_access("cimibague_request_create", context, data_dict)
    request = solicitudes.create(_user(context), _input(data_dict))
    _changed()
    return solicitudes.as_dict(request, with_events=True)


def cimibague_request_update(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Change a request that is a draft or sent; ``estado=enviada`` sends a draft (``numero_oficio``
    required). Only the fields given change; ``adjuntos`` are added to its timeline.

    :param id: the request's id
    :type id: string
    :param nota: (optional) a note for the timeline

    Other parameters as :py:func:`cimibague_request_create`.

    :returns: the request (as :py:func:`cimibague_request_show`)
    :rtype: dictionary
    """
    request = solicitudes.get(data_dict.get("id"))
    tk.check_access("cimibague_request_update", context, {"id": request.id})
    data = _input(data_dict)
    if "owner_org" in data:
        tk.check_access("cimibague_request_create", context, {"owner_org": data["owner_org"]})
    solicitudes.update(_user(context), request, data)
    _changed()
    return solicitudes.as_dict(request, with_events=True)


@tk.side_effect_free
def cimibague_request_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """A request with its timeline (``eventos``: creation, changes, sending, documents, answers,
    annulment; each with ``actor``, ``created``, ``kind``, ``fecha``, ``nota``, ``attachment_name``).

    :param id: the request's id
    :type id: string

    :rtype: dictionary
    """
    request = solicitudes.get(data_dict.get("id"))
    tk.check_access("cimibague_request_show", context, {"id": request.id})
    return solicitudes.as_dict(request, with_events=True)


@tk.side_effect_free
def cimibague_request_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The requests of the caller's nodes (every node for sysadmins), by due date.

    :param owner_org: (optional) only this node (id or name)
    :type owner_org: string
    :param entidad: (optional) only to this entity (id or name)
    :type entidad: string
    :param estado: (optional) only in this state (or a list of states)
    :type estado: string or list of strings
    :param vencidas: (optional) only the overdue ones (``vencida``, or sent and past their due date)
    :type vencidas: bool
    :param package_id: (optional) only those about this dataset (id or name)
    :type package_id: string
    :param q: (optional) text searched in the subject and the letter number
    :type q: string
    :param desde: (optional) due on or after this date
    :type desde: string
    :param hasta: (optional) due on or before this date
    :type hasta: string
    :param limit: (optional) at most this many (default 100, at most 1000)
    :type limit: int
    :param offset: (optional) skip this many
    :type offset: int

    :returns: ``count`` and ``results`` (as :py:func:`cimibague_request_show`, without the timeline)
    :rtype: dictionary
    """
    tk.check_access("cimibague_request_list", context, data_dict)
    user = _user(context)
    today = solicitudes.today()
    query = model.Session.query(Request)
    nodes = solicitudes.node_ids_of(user)
    if nodes is not None:
        query = query.filter(Request.owner_org.in_(nodes or [""]))
    errors: dict[str, list[str]] = {}
    if data_dict.get("owner_org"):
        node = model.Group.get(data_dict["owner_org"])
        query = query.filter(Request.owner_org == (node.id if node else ""))
    if data_dict.get("entidad"):
        entity = model.Group.get(data_dict["entidad"])
        query = query.filter(Request.entidad_id == (entity.id if entity else ""))
    if data_dict.get("package_id"):
        pkg = model.Package.get(data_dict["package_id"])
        query = query.filter(Request.package_id == (pkg.id if pkg else ""))
    states = data_dict.get("estado")
    if states:
        states = states if isinstance(states, list) else [s for s in str(states).split(",") if s]
        unknown = [s for s in states if s not in solicitudes.STATES]
        if unknown:
            errors["estado"] = [tk._("Unknown state: %(states)s") % {"states": ", ".join(unknown)}]
        query = query.filter(Request.estado.in_(states))
    if tk.asbool(data_dict.get("vencidas", False)):
        query = query.filter(
            (Request.estado == "vencida")
            | (Request.estado.in_(("enviada", "respondida_parcial")) & (Request.fecha_limite < today))
        )
    if data_dict.get("q"):
        text = f"%{str(data_dict['q']).strip()}%"
        query = query.filter(Request.asunto.ilike(text) | Request.numero_oficio.ilike(text))
    for field, compare in (("desde", "ge"), ("hasta", "le")):
        if data_dict.get(field):
            try:
                day = solicitudes.parse_date(data_dict[field])
            except (ValueError, TypeError):
                message = tk._("«%(value)s» is not a date (aaaa-mm-dd or dd/mm/aaaa)") % {"value": data_dict[field]}
                errors[field] = [message]
                continue
            column = Request.fecha_limite
            query = query.filter(column >= day if compare == "ge" else column <= day)
    try:
        limit = min(int(data_dict.get("limit", 100)), MAX_LIMIT)
        offset = max(int(data_dict.get("offset", 0)), 0)
    except (TypeError, ValueError):
        errors["limit"] = [tk._("limit and offset must be whole numbers")]
        limit, offset = 100, 0
    if errors:
        raise tk.ValidationError(errors)
    count = query.count()
    found = query.order_by(Request.fecha_limite, Request.created).limit(limit).offset(offset)
    return {"count": count, "results": [solicitudes.as_dict(r, today_=today) for r in found]}


def cimibague_request_respond(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Record a source entity's answer to a sent (or overdue) request.

    :param id: the request's id
    :type id: string
    :param fecha: the date of the answer (not before the request, not after today)
    :type fecha: string
    :param nota: (optional) what was received
    :type nota: string
    :param adjunto: (optional) the answer's document (an uploaded file)
    :type adjunto: file
    :param completa: (optional) false when the answer is partial (default true: the request is then
        ``respondida``)
    :type completa: bool
    :param crear_conjunto: (optional) create the received dataset in ``recibido``, in the request's node,
        linked to the request: a copy of the metadata of the dataset the request asks to update, or built
        from ``conjunto``
    :type crear_conjunto: bool
    :param conjunto: (optional) fields of the received dataset (``type`` and ``title`` at least when the
        request names no dataset), as ``package_create`` takes them
    :type conjunto: dictionary

    :returns: the request (as :py:func:`cimibague_request_show`) and ``package_id`` (the new dataset)
    :rtype: dictionary
    """
    request = solicitudes.get(data_dict.get("id"))
    tk.check_access("cimibague_request_respond", context, {"id": request.id})
    conjunto = data_dict.get("conjunto")
    if conjunto is not None and not isinstance(conjunto, dict):
        raise tk.ValidationError({"conjunto": [tk._("conjunto must be an object with the dataset's fields")]})
    _, package_id = solicitudes.respond(_user(context), request, dict(data_dict))
    _changed()
    return dict(solicitudes.as_dict(request, with_events=True), package_id=package_id)


def cimibague_request_cancel(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Cancel (anular) a request that is not answered nor already cancelled.

    :param id: the request's id
    :type id: string
    :param motivo: why (required)
    :type motivo: string

    :returns: the request (as :py:func:`cimibague_request_show`)
    :rtype: dictionary
    """
    request = solicitudes.get(data_dict.get("id"))
    tk.check_access("cimibague_request_cancel", context, {"id": request.id})
    solicitudes.cancel(_user(context), request, data_dict.get("motivo"))
    _changed()
    return solicitudes.as_dict(request, with_events=True)


@tk.side_effect_free
def cimibague_request_calendar(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """What is due in the coming weeks in the caller's nodes: open requests by due date and periodic
    datasets by the expected date of their next update (overdue ones first), week by week.

    :param owner_org: (optional) only this node (id or name)
    :type owner_org: string
    :param semanas: (optional) how many weeks ahead (default 8, at most 52)
    :type semanas: int

    :returns: ``desde``, ``hasta`` and ``semanas``: a list of weeks (``inicio``, ``fin``, ``solicitudes``,
        ``conjuntos``); overdue items are in the first week's ``atrasados``
    :rtype: dictionary
    """
    tk.check_access("cimibague_request_list", context, data_dict)
    user = _user(context)
    try:
        weeks = max(1, min(int(data_dict.get("semanas", 8)), 52))
    except (TypeError, ValueError) as error:
        raise tk.ValidationError({"semanas": [tk._("semanas must be a whole number")]}) from error
    nodes = solicitudes.node_ids_of(user)
    if data_dict.get("owner_org"):
        node = model.Group.get(data_dict["owner_org"])
        wanted = node.id if node else ""
        nodes = [wanted] if nodes is None or wanted in nodes else []
    today = solicitudes.today()
    start = today - dt.timedelta(days=today.weekday())
    end = start + dt.timedelta(days=7 * weeks - 1)
    query = model.Session.query(Request).filter(
        Request.estado.in_(tuple(solicitudes.OPEN)), Request.fecha_limite <= end
    )
    if nodes is not None:
        query = query.filter(Request.owner_org.in_(nodes or [""]))
    requests = [solicitudes.as_dict(r, today_=today) for r in query.order_by(Request.fecha_limite)]
    datasets = cronograma.due_datasets(nodes, start, end) if nodes != [] else []
    calendar = []
    for week in range(weeks):
        first = start + dt.timedelta(days=7 * week)
        last = first + dt.timedelta(days=6)
        calendar.append(
            {
                "inicio": first.isoformat(),
                "fin": last.isoformat(),
                "solicitudes": [r for r in requests if first.isoformat() <= r["fecha_limite"] <= last.isoformat()],
                "conjuntos": [
                    d for d in datasets if first.isoformat() <= str(d["fecha_esperada_date"])[:10] <= last.isoformat()
                ],
            }
        )
    late = {
        "solicitudes": [r for r in requests if r["fecha_limite"] < start.isoformat()],
        "conjuntos": [d for d in datasets if str(d["fecha_esperada_date"])[:10] < start.isoformat()],
    }
    return {"desde": start.isoformat(), "hasta": end.isoformat(), "atrasados": late, "semanas": calendar}


@tk.side_effect_free
def cimibague_entity_scorecard(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """Per source entity: requests ``sent``, ``answered``, ``partial`` and ``overdue`` (of the caller's
    nodes; all for sysadmins), ``median_days_to_answer`` (first answer minus request date), datasets
    ``published``, ``periodic`` and ``up_to_date``, and ``share_up_to_date``. Staff only.

    :rtype: list of dictionaries
    """
    tk.check_access("cimibague_entity_scorecard", context, data_dict)
    return scorecard.scorecard(_user(context))

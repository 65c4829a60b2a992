"""The daily reminder: one e-mail per staff member with what is late in their nodes — requests past their
due date, datasets «vencido» or «por vencer» — through CKAN's mailer. Nobody gets an empty digest.

Off with ``ckanext.cimibague.reminders.enabled = false``; ``ckan cimibague reminders send --dry-run``
prints the digests instead of sending them. Written in the site's default language (Spanish).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import ckan.lib.mailer as mailer
import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.cimibague import freshness, site_i18n
from ckanext.cimibague.planning import cronograma, solicitudes
from ckanext.cimibague.planning.model import Request

__all__ = ["Digest", "build", "enabled", "send"]

log = logging.getLogger(__name__)


def _(msgid: str) -> str:
    return site_i18n.gettext(msgid)


def enabled() -> bool:
    return bool(tk.config.get("ckanext.cimibague.reminders.enabled"))


@dataclass
class Digest:
    user: model.User
    requests: list[dict[str, Any]] = field(default_factory=list)
    overdue: list[dict[str, Any]] = field(default_factory=list)  # datasets «vencido»
    due_soon: list[dict[str, Any]] = field(default_factory=list)  # datasets «por vencer»

    @property
    def empty(self) -> bool:
        return not (self.requests or self.overdue or self.due_soon)

    def subject(self) -> str:
        return _("[%(site)s] Pending: %(requests)s overdue requests, %(datasets)s datasets to update") % {
            "site": tk.config.get("ckan.site_title"),
            "requests": len(self.requests),
            "datasets": len(self.overdue) + len(self.due_soon),
        }

    def body(self) -> str:
        site = tk.config["ckan.site_url"].rstrip("/")
        lines = [_("Hello %(name)s,") % {"name": self.user.display_name}, ""]
        lines.append(_("This is what is pending in your nodes today."))
        if self.requests:
            lines += ["", _("Requests past their due date (%(count)s):") % {"count": len(self.requests)}]
            for item in self.requests:
                lines.append(
                    "- "
                    + _("%(subject)s — %(entity)s, due %(due)s (%(node)s)")
                    % {
                        "subject": item["asunto"],
                        "entity": item["entidad_title"] or item["entidad"],
                        "due": _dmy(item["fecha_limite"]),
                        "node": item["nodo_title"],
                    }
                )
                lines.append(f"  {site}/solicitudes/{item['id']}")
        for title, docs in (
            (_("Overdue datasets (%(count)s):"), self.overdue),
            (_("Datasets due soon (%(count)s):"), self.due_soon),
        ):
            if not docs:
                continue
            lines += ["", title % {"count": len(docs)}]
            for doc in docs:
                expected = str(doc.get("fecha_esperada_date") or "")[:10]
                title = doc.get("title") or doc["name"]
                lines.append("- " + _("%(title)s — expected %(date)s") % {"title": title, "date": _dmy(expected)})
                lines.append(f"  {site}/dataset/{doc['name']}")
        lines += ["", _("Requests of your nodes: %(url)s") % {"url": f"{site}/solicitudes"}]
        return "\n".join(lines)


def _dmy(value: str) -> str:
    try:
        return dt.date.fromisoformat(value[:10]).strftime("%d/%m/%Y")
    except ValueError:
        return value


def _staff() -> Iterator[tuple[model.User, list[str]]]:
    """Each active person who is a member of an active node, with those nodes (not the site's own user,
    which creates the nodes)."""
    query = (
        model.Session.query(model.User, model.Member.group_id)
        .join(model.Member, model.Member.table_id == model.User.id)
        .join(model.Group, model.Group.id == model.Member.group_id)
        .filter(
            model.Member.table_name == "user",
            model.Member.state == "active",
            model.Group.is_organization.is_(True),
            model.Group.state == "active",
            model.User.state == "active",
            model.User.name != tk.config.get("ckan.site_id"),
        )
        .order_by(model.User.name)
    )
    nodes: dict[str, list[str]] = {}
    users: dict[str, model.User] = {}
    for user, group_id in query:
        users[user.id] = user
        nodes.setdefault(user.id, []).append(group_id)
    for user_id, user in users.items():
        yield user, nodes[user_id]


def build(today: dt.date | None = None) -> list[Digest]:
    """The digests of today (empty ones left out)."""
    today = today or solicitudes.today()
    late = (
        model.Session.query(Request)
        .filter(
            (Request.estado == "vencida")
            | (Request.estado.in_(("enviada", "respondida_parcial")) & (Request.fecha_limite < today))
        )
        .order_by(Request.fecha_limite)
        .all()
    )
    late_by_node: dict[str, list[dict[str, Any]]] = {}
    for request in late:
        late_by_node.setdefault(request.owner_org, []).append(solicitudes.as_dict(request, today_=today))
    datasets_by_node: dict[str, list[dict[str, Any]]] = {}
    for doc in cronograma.late_datasets():
        datasets_by_node.setdefault(doc.get("owner_org") or "", []).append(doc)
    digests = []
    for user, nodes in _staff():
        digest = Digest(user)
        for node in nodes:
            digest.requests += late_by_node.get(node, [])
            for doc in datasets_by_node.get(node, []):
                state = (doc.get("cim_actualizacion") or [None])[0]
                (digest.overdue if state == freshness.VENCIDO else digest.due_soon).append(doc)
        if not digest.empty:
            digests.append(digest)
    return digests


def send(digests: list[Digest]) -> tuple[int, list[str]]:
    """Mail each digest; returns (sent, the users whose mail failed or who have no address)."""
    sent, failed = 0, []
    for digest in digests:
        if not digest.user.email:
            failed.append(f"{digest.user.name} (sin correo)")
            continue
        try:
            mailer.mail_user(digest.user, digest.subject(), digest.body())
            sent += 1
        except mailer.MailerException as error:
            log.warning("reminder to %s failed: %s", digest.user.name, error)
            failed.append(f"{digest.user.name} ({error})")
    return sent, failed

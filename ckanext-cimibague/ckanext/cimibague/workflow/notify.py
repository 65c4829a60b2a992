"""E-mail to whoever must act next, through CKAN's mailer. Off with
``ckanext.cimibague.workflow.notifications = false``; a mail server that fails never undoes a step."""

from __future__ import annotations

import logging
from collections.abc import Iterable

import ckan.lib.mailer as mailer
import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.cimibague import site_i18n
from ckanext.cimibague.workflow import labels
from ckanext.cimibague.workflow.machine import State

__all__ = [
    "dataset_url",
    "node_users",
    "recipients",
    "revision_decided",
    "revision_proposed",
    "send",
    "transition_made",
]

log = logging.getLogger(__name__)


def _(msgid: str) -> str:
    """Mails are written in the site's default language (Spanish), whatever the language of the page or
    the process (CLI, harvester, job) that made the step."""
    return site_i18n.gettext(msgid)


def _state(state: str) -> str:
    return _(labels.STATE_LABELS.get(state, state))


def dataset_url(pkg: model.Package) -> str:
    return f"{tk.config['ckan.site_url'].rstrip('/')}/dataset/{pkg.name}"


def node_users(pkg: model.Package, capacity: str) -> list[model.User]:
    """Active users of the dataset's node with exactly this capacity."""
    if not pkg.owner_org:
        return []
    query = (
        model.Session.query(model.User)
        .join(model.Member, model.Member.table_id == model.User.id)
        .filter(
            model.Member.group_id == pkg.owner_org,
            model.Member.table_name == "user",
            model.Member.state == "active",
            model.Member.capacity == capacity,
            model.User.state == "active",
        )
    )
    return list(query)


def recipients(pkg: model.Package, target: State, actors: Iterable[model.User]) -> list[model.User]:
    """Who must act after a step to ``target``."""
    from ckanext.cimibague.workflow.service import last_submitter

    if target is State.EN_REVISION:
        return node_users(pkg, "admin")
    if target is State.EN_GEORREFERENCIACION:
        return node_users(pkg, "editor")
    if target is State.EN_SOCIALIZACION:
        return list(actors)
    if target in (State.EN_AJUSTE, State.APROBADO):
        submitter = last_submitter(pkg.id)
        user = model.User.get(submitter) if submitter else None
        return [user] if user else node_users(pkg, "editor")
    return []


def send(users: Iterable[model.User], subject: str, body: str, *, skip: model.User | None = None) -> int:
    """Mail each user that has an address (not ``skip``, who acted); returns how many were sent."""
    if not tk.config.get("ckanext.cimibague.workflow.notifications"):
        return 0
    sent = 0
    seen = set()
    for user in users:
        if not user.email or user.id in seen or (skip is not None and user.id == skip.id):
            continue
        seen.add(user.id)
        try:
            mailer.mail_user(user, subject, body)
            sent += 1
        except mailer.MailerException:
            log.exception("workflow notification to %s failed", user.name)
    return sent


def transition_made(
    pkg: model.Package, actor: model.User, source: State, target: State, comment: str | None, actors: list[model.User]
) -> int:
    subject = _("[%(site)s] %(title)s: %(state)s") % {
        "site": tk.config.get("ckan.site_title"),
        "title": pkg.title or pkg.name,
        "state": _state(target),
    }
    lines = [
        _("%(actor)s moved the dataset «%(title)s» from «%(source)s» to «%(target)s».")
        % {
            "actor": actor.display_name,
            "title": pkg.title or pkg.name,
            "source": _state(source),
            "target": _state(target),
        }
    ]
    if target is State.EN_SOCIALIZACION:
        lines.append(_("You have been named a sector actor: you may read the dataset and leave your observations."))
    if comment:
        lines += ["", _("Comment:"), comment]
    lines += ["", dataset_url(pkg)]
    return send(recipients(pkg, target, actors), subject, "\n".join(lines), skip=actor)


def revision_proposed(pkg: model.Package, actor: model.User | None) -> int:
    subject = _("[%(site)s] %(title)s: change proposed") % {
        "site": tk.config.get("ckan.site_title"),
        "title": pkg.title or pkg.name,
    }
    body = _("A change to the published dataset «%(title)s» waits for review.") % {"title": pkg.title or pkg.name}
    admins = node_users(pkg, "admin")
    return send(admins, subject, f"{body}\n\n{dataset_url(pkg)}", skip=actor)


def revision_decided(
    pkg: model.Package, proposer: model.User, decider: model.User, approved: bool, comment: str | None
) -> int:
    verdict = _("approved and applied") if approved else _("rejected")
    subject = _("[%(site)s] %(title)s: change %(verdict)s") % {
        "site": tk.config.get("ckan.site_title"),
        "title": pkg.title or pkg.name,
        "verdict": verdict,
    }
    body = "\n".join(filter(None, [_("Your proposed change was %s.") % verdict, comment, dataset_url(pkg)]))
    return send([proposer], subject, body, skip=decider)

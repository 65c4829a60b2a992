"""Who sees a dataset (CKAN permission labels, used by package_show, resource downloads and search).

CKAN's defaults, with two changes: a dataset is labelled ``public`` only while ``publicado`` (even if
something left it with ``private = false``), and during ``en_socializacion`` it also carries a label that
its named sector actors hold.
"""

from __future__ import annotations

import ckan.model as model
import ckan.plugins as plugins
from ckan.lib.plugins import DefaultPermissionLabels, get_permission_labels
from sqlalchemy import text

from ckanext.cimibague.workflow import service
from ckanext.cimibague.workflow.machine import PUBLIC_STATES, State

__all__ = ["close_activities", "dataset_labels", "socialisation_label", "user_labels"]

_DEFAULT = DefaultPermissionLabels()


def socialisation_label(package_id: str) -> str:
    return f"cimibague-socializa-{package_id}"


def dataset_labels(pkg: model.Package) -> list[str]:
    labels = _DEFAULT.get_dataset_labels(pkg)
    if not service.applies(pkg):
        return labels
    state = service.state_of(pkg)
    if "public" in labels and state not in PUBLIC_STATES:
        labels = [f"member-{pkg.owner_org}" if pkg.owner_org else f"creator-{pkg.creator_user_id}"]
    if state is State.EN_SOCIALIZACION and pkg.state == "active":
        labels.append(socialisation_label(pkg.id))
    return labels


def user_labels(user: model.User | None) -> list[str]:
    labels = _DEFAULT.get_user_dataset_labels(user)
    if user is not None and not getattr(user, "is_anonymous", False) and getattr(user, "id", None):
        labels.extend(socialisation_label(package_id) for package_id in service.active_actor_package_ids(user.id))
    return labels


def close_activities(pkg: model.Package) -> None:
    """When ``pkg`` is not public, its activities still labelled ``public`` take its current labels.

    CKAN's activity plugin labels each activity with its dataset's labels when it is recorded, and filters
    activity lists and ``activity_show`` by them; without this, the activities of a withdrawn dataset's
    published time (with its whole dict: title, resources, tags) stayed public. Called by the plugin after
    every dataset update, in the update's transaction.
    """
    if not plugins.plugin_loaded("activity"):
        return
    labels = get_permission_labels().get_dataset_labels(pkg)
    if "public" in labels:
        return
    model.Session.execute(
        text(
            "UPDATE activity SET permission_labels = :labels"
            " WHERE object_id = :id AND permission_labels && ARRAY['public']"
        ),
        {"labels": labels, "id": pkg.id},
    )

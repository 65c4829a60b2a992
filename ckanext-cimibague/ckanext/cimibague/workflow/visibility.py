"""Who sees a dataset (CKAN permission labels, used by package_show, resource downloads and search).

CKAN's defaults, with two changes: a dataset is labelled ``public`` only while ``publicado`` (even if
something left it with ``private = false``), and during ``en_socializacion`` it also carries a label that
its named sector actors hold.
"""

from __future__ import annotations

import ckan.model as model
from ckan.lib.plugins import DefaultPermissionLabels

from ckanext.cimibague.workflow import service
from ckanext.cimibague.workflow.machine import PUBLIC_STATES, State

__all__ = ["dataset_labels", "socialisation_label", "user_labels"]

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

"""Names of the workflow's states and steps as people read them (English msgids, Spanish in i18n/es)."""

from __future__ import annotations

import ckan.plugins.toolkit as tk

from ckanext.cimibague.workflow.machine import N_, State

__all__ = ["STATE_LABELS", "STEP_LABELS", "state_label", "step_label"]

STATE_LABELS: dict[str, str] = {
    State.RECIBIDO: N_("Received"),
    State.EN_REVISION: N_("Under review"),
    State.EN_GEORREFERENCIACION: N_("Being georeferenced"),
    State.EN_SOCIALIZACION: N_("In socialisation"),
    State.EN_AJUSTE: N_("Being adjusted"),
    State.APROBADO: N_("Approved"),
    State.PUBLICADO: N_("Published"),
    State.RETIRADO: N_("Withdrawn"),
    State.DEVUELTO: N_("Returned to the entity"),
}

STEP_LABELS: dict[tuple[str, str], str] = {
    (State.RECIBIDO, State.EN_REVISION): N_("Send to review"),
    (State.RECIBIDO, State.DEVUELTO): N_("Return to the entity"),
    (State.EN_REVISION, State.DEVUELTO): N_("Return to the entity"),
    (State.DEVUELTO, State.RECIBIDO): N_("Received again from the entity"),
    (State.EN_REVISION, State.EN_AJUSTE): N_("Ask for adjustments"),
    (State.EN_REVISION, State.EN_GEORREFERENCIACION): N_("Send to georeferencing"),
    (State.EN_GEORREFERENCIACION, State.EN_REVISION): N_("Georeferencing done: back to review"),
    (State.EN_REVISION, State.EN_SOCIALIZACION): N_("Open socialisation"),
    (State.EN_SOCIALIZACION, State.EN_AJUSTE): N_("Close socialisation with observations"),
    (State.EN_AJUSTE, State.EN_REVISION): N_("Adjusted: send to review"),
    (State.EN_REVISION, State.APROBADO): N_("Approve"),
    (State.EN_SOCIALIZACION, State.APROBADO): N_("Approve"),
    (State.APROBADO, State.PUBLICADO): N_("Publish"),
    (State.APROBADO, State.EN_AJUSTE): N_("Reopen for adjustments"),
    (State.PUBLICADO, State.RETIRADO): N_("Withdraw"),
    (State.RETIRADO, State.EN_REVISION): N_("Send to review again"),
}


def state_label(state: str | None) -> str:
    return tk._(STATE_LABELS.get(state or "", state or ""))


def step_label(source: str, target: str) -> str:
    return tk._(STEP_LABELS.get((source, target), target))

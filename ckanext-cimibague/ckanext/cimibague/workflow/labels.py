"""Names of the workflow's states and steps as people read them (English msgids, Spanish in i18n/es)."""

from __future__ import annotations

import ckan.plugins.toolkit as tk

from ckanext.cimibague.workflow.machine import State

__all__ = ["STATE_LABELS", "STEP_LABELS", "state_label", "step_label"]

STATE_LABELS: dict[str, str] = {
    State.RECIBIDO: "Received",
    State.EN_REVISION: "Under review",
    State.EN_GEORREFERENCIACION: "Being georeferenced",
    State.EN_SOCIALIZACION: "In socialisation",
    State.EN_AJUSTE: "Being adjusted",
    State.APROBADO: "Approved",
    State.PUBLICADO: "Published",
    State.RETIRADO: "Withdrawn",
    State.DEVUELTO: "Returned to the entity",
}

STEP_LABELS: dict[tuple[str, str], str] = {
    (State.RECIBIDO, State.EN_REVISION): "Send to review",
    (State.RECIBIDO, State.DEVUELTO): "Return to the entity",
    (State.EN_REVISION, State.DEVUELTO): "Return to the entity",
    (State.DEVUELTO, State.RECIBIDO): "Received again from the entity",
    (State.EN_REVISION, State.EN_AJUSTE): "Ask for adjustments",
    (State.EN_REVISION, State.EN_GEORREFERENCIACION): "Send to georeferencing",
    (State.EN_GEORREFERENCIACION, State.EN_REVISION): "Georeferencing done: back to review",
    (State.EN_REVISION, State.EN_SOCIALIZACION): "Open socialisation",
    (State.EN_SOCIALIZACION, State.EN_AJUSTE): "Close socialisation with observations",
    (State.EN_AJUSTE, State.EN_REVISION): "Adjusted: send to review",
    (State.EN_REVISION, State.APROBADO): "Approve",
    (State.EN_SOCIALIZACION, State.APROBADO): "Approve",
    (State.APROBADO, State.PUBLICADO): "Publish",
    (State.APROBADO, State.EN_AJUSTE): "Reopen for adjustments",
    (State.PUBLICADO, State.RETIRADO): "Withdraw",
    (State.RETIRADO, State.EN_REVISION): "Send to review again",
}


def state_label(state: str | None) -> str:
    return tk._(STATE_LABELS.get(state or "", state or ""))


def step_label(source: str, target: str) -> str:
    return tk._(STEP_LABELS.get((source, target), target))

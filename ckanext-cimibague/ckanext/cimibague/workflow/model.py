"""The workflow's tables: the append-only history, the sector actors of a socialisation and the pending
revisions of published datasets. Created by ``ckan db upgrade -p cimibague`` (migration/cimibague/)."""

from __future__ import annotations

import datetime
from typing import Any

import ckan.model as model
import ckan.model.types as ckan_types
import ckan.plugins.toolkit as tk
from sqlalchemy import Boolean, Column, DateTime, Index, UnicodeText
from sqlalchemy.dialects.postgresql import JSONB

__all__ = ["Actor", "Event", "Revision"]


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


class Event(tk.BaseModel):
    """One row per transition, observation or revision decision. Rows are never updated or deleted (the
    migration installs a trigger that refuses UPDATE and DELETE)."""

    __tablename__ = "cimibague_workflow_event"

    id = Column(UnicodeText, primary_key=True, default=ckan_types.make_uuid)
    package_id = Column(UnicodeText, nullable=False)
    created = Column(DateTime, nullable=False, default=_now)
    actor_id = Column(UnicodeText, nullable=True)  # None: the system (e.g. a harvester without a user)
    kind = Column(UnicodeText, nullable=False)  # see service.KINDS
    from_state = Column(UnicodeText, nullable=True)
    to_state = Column(UnicodeText, nullable=True)
    comment = Column(UnicodeText, nullable=True)
    attachment_url = Column(UnicodeText, nullable=True)
    attachment_name = Column(UnicodeText, nullable=True)
    data = Column(JSONB, nullable=True)

    __table_args__ = (Index("cimibague_workflow_event_package_idx", "package_id", "created"),)

    def as_dict(self) -> dict[str, Any]:
        actor = model.User.get(self.actor_id) if self.actor_id else None
        return {
            "id": self.id,
            "package_id": self.package_id,
            "created": self.created.isoformat(),
            "actor": actor.name if actor else None,
            "actor_display_name": actor.display_name if actor else None,
            "kind": self.kind,
            "from_state": self.from_state,
            "to_state": self.to_state,
            "comment": self.comment,
            "attachment_url": self.attachment_url,
            "attachment_name": self.attachment_name,
            "data": self.data or {},
        }


class Actor(tk.BaseModel):
    """A sector actor named for a dataset's socialisation; ``active`` only while it lasts."""

    __tablename__ = "cimibague_workflow_actor"

    id = Column(UnicodeText, primary_key=True, default=ckan_types.make_uuid)
    package_id = Column(UnicodeText, nullable=False, index=True)
    user_id = Column(UnicodeText, nullable=False, index=True)
    event_id = Column(UnicodeText, nullable=False)  # the transition that opened the socialisation
    active = Column(Boolean, nullable=False, default=True)
    created = Column(DateTime, nullable=False, default=_now)


class Revision(tk.BaseModel):
    """A change proposed to a published dataset, waiting for review."""

    __tablename__ = "cimibague_workflow_revision"

    id = Column(UnicodeText, primary_key=True, default=ckan_types.make_uuid)
    package_id = Column(UnicodeText, nullable=False, index=True)
    created = Column(DateTime, nullable=False, default=_now)
    proposed_by = Column(UnicodeText, nullable=True)
    status = Column(UnicodeText, nullable=False, default="pendiente")  # pendiente, aprobada, rechazada
    data = Column(JSONB, nullable=False)  # the proposed dataset, as package_update would receive it
    decided_by = Column(UnicodeText, nullable=True)
    decided = Column(DateTime, nullable=True)
    comment = Column(UnicodeText, nullable=True)

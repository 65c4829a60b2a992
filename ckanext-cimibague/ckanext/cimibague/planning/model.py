"""The planning tables: requests to source entities and their timeline. Created by ``ckan db upgrade -p
cimibague`` (migration/cimibague/)."""

from __future__ import annotations

import datetime
from typing import Any

import ckan.model.types as ckan_types
import ckan.plugins.toolkit as tk
from sqlalchemy import Boolean, Column, Date, DateTime, ForeignKey, UnicodeText

__all__ = ["Request", "RequestEvent"]


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


class Request(tk.BaseModel):
    """A request (solicitud) of a node to a source entity for information: an oficio with a due date."""

    __tablename__ = "cimibague_solicitud"

    id = Column(UnicodeText, primary_key=True, default=ckan_types.make_uuid)
    owner_org = Column(UnicodeText, nullable=False)  # the node (eje) that asks
    entidad_id = Column(UnicodeText, nullable=False)  # the source entity (group of type entidad)
    asunto = Column(UnicodeText, nullable=False)  # what is asked
    descripcion = Column(UnicodeText, nullable=True)
    package_id = Column(UnicodeText, nullable=True)  # the dataset to update, if any
    periodo = Column(UnicodeText, nullable=True)  # cronograma: the expected date of the update asked
    numero_oficio = Column(UnicodeText, nullable=True)
    fecha_solicitud = Column(Date, nullable=True)  # when it was sent
    fecha_limite = Column(Date, nullable=False)
    estado = Column(UnicodeText, nullable=False, default="borrador")
    generada = Column(Boolean, nullable=False, default=False)  # by the cronograma
    creator_id = Column(UnicodeText, nullable=True)
    created = Column(DateTime, nullable=False, default=_now)
    modified = Column(DateTime, nullable=False, default=_now, onupdate=_now)


class RequestEvent(tk.BaseModel):
    """One entry of a request's timeline: creation, edits, sending, responses, documents, annulment."""

    __tablename__ = "cimibague_solicitud_evento"

    id = Column(UnicodeText, primary_key=True, default=ckan_types.make_uuid)
    solicitud_id = Column(UnicodeText, ForeignKey("cimibague_solicitud.id"), nullable=False)
    created = Column(DateTime, nullable=False, default=_now)
    actor_id = Column(UnicodeText, nullable=True)  # None: the system (cronograma, daily job)
    kind = Column(UnicodeText, nullable=False)
    from_state = Column(UnicodeText, nullable=True)
    to_state = Column(UnicodeText, nullable=True)
    fecha = Column(Date, nullable=True)  # the date of a response
    nota = Column(UnicodeText, nullable=True)
    attachment_url = Column(UnicodeText, nullable=True)
    attachment_name = Column(UnicodeText, nullable=True)
    package_id = Column(UnicodeText, nullable=True)  # the dataset a response created

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "created": self.created.isoformat(),
            "actor_id": self.actor_id,
            "kind": self.kind,
            "from_state": self.from_state,
            "to_state": self.to_state,
            "fecha": self.fecha.isoformat() if self.fecha else None,
            "nota": self.nota,
            "attachment_url": self.attachment_url,
            "attachment_name": self.attachment_name,
            "package_id": self.package_id,
        }

"""Documents of a request (oficios, actas, the entity's answers).

Checked before anything is saved (type by extension, size within ``ckanext.cimibague.requests.
max_attachment_mb``) and stored under ``<ckan.storage_path>/cimibague_solicitudes/<request>/<event>/`` —
outside CKAN's public ``/uploads`` — served only to the request's node (planning_views.py).
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import ckan.lib.uploader as uploader
import ckan.plugins.toolkit as tk
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from ckanext.cimibague.workflow import attachments

__all__ = ["ALLOWED_EXTENSIONS", "Document", "accept", "path_of", "store"]

AREA = "cimibague_solicitudes"

ALLOWED_EXTENSIONS = frozenset(
    {"pdf", "doc", "docx", "odt", "rtf", "txt", "xls", "xlsx", "ods", "csv", "jpg", "jpeg", "png", "zip"}
)


@dataclass
class Document:
    """An accepted upload, spooled to a temporary file until the request is saved."""

    name: str  # the safe file name it is stored under
    original: str  # the name the user gave
    spool: IO[bytes]


def max_bytes() -> int:
    return int(tk.config.get("ckanext.cimibague.requests.max_attachment_mb")) * 1024 * 1024


def accept(upload: Any, field: str = "adjunto") -> Document | None:
    """Check one upload (type, size) and spool it; raise a ValidationError naming ``field`` otherwise.
    Nothing is stored yet: :func:`store` does that once the request itself is valid."""
    if upload is None or upload == "" or (isinstance(upload, FileStorage) and not upload.filename):
        return None
    if not isinstance(upload, FileStorage):
        raise tk.ValidationError({field: [tk._("The document must be an uploaded file")]})
    if not uploader.get_storage_path():
        raise tk.ValidationError({field: [tk._("This site has no file storage configured")]})
    extension = Path(upload.filename or "").suffix.lower().lstrip(".")
    if extension not in ALLOWED_EXTENSIONS:
        raise tk.ValidationError(
            {
                field: [
                    tk._("Files of type «%(type)s» are not accepted. Accepted types: %(types)s")
                    % {"type": extension or "?", "types": ", ".join(sorted(ALLOWED_EXTENSIONS))}
                ]
            }
        )
    limit = max_bytes()
    spool = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)  # noqa: SIM115 (kept until stored)
    size = 0
    while chunk := upload.stream.read(1024 * 1024):
        size += len(chunk)
        if size > limit:
            spool.close()
            raise tk.ValidationError(
                {
                    field: [
                        tk._("«%(name)s» is larger than %(max)s MB")
                        % {"name": upload.filename, "max": limit // 1048576}
                    ]
                }
            )
        spool.write(chunk)
    if size == 0:
        spool.close()
        raise tk.ValidationError({field: [tk._("«%(name)s» is empty") % {"name": upload.filename}]})
    spool.seek(0)
    name = secure_filename(upload.filename or "") or f"documento.{extension}"
    return Document(name=name, original=upload.filename or name, spool=spool)


def store(request_id: str, event_id: str, document: Document) -> Path:
    """Write an accepted document; returns its path (the caller removes it if the save then fails)."""
    folder = attachments.event_folder(AREA, request_id, event_id)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / document.name
    with target.open("wb") as out:
        shutil.copyfileobj(document.spool, out)
    document.spool.close()
    return target


def path_of(request_id: str, event_id: str, name: str) -> Path | None:
    """The stored file of a timeline entry, or None when missing (names checked against path tricks)."""
    return attachments.stored_file(AREA, request_id, event_id, name)

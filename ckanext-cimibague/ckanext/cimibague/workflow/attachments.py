"""Documents attached to workflow steps (actas, oficios, documentos ajustados).

Stored under ``<ckan.storage_path>/cimibague_workflow/<dataset id>/<event id>/`` — outside CKAN's public
``/uploads`` — and served only to those who may read the dataset's history (views.py).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import ckan.lib.uploader as uploader
import ckan.plugins.toolkit as tk
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

__all__ = ["LOCAL_PREFIX", "event_folder", "path_of", "save", "stored_file"]

LOCAL_PREFIX = "adjunto:"  # attachment_url of a stored file: adjunto:<file name>
AREA = "cimibague_workflow"


def event_folder(area: str, owner_id: str, event_id: str) -> Path:
    """Where the files of one timeline entry are kept: ``<ckan.storage_path>/<area>/<owner>/<event>/``,
    outside CKAN's public ``/uploads`` (also for the documents of requests, planning/documents.py)."""
    return Path(uploader.get_storage_path() or "") / area / secure_filename(owner_id) / secure_filename(event_id)


def stored_file(area: str, owner_id: str, event_id: str, name: str) -> Path | None:
    """A stored file of a timeline entry, or None when missing (names are checked against path tricks)."""
    path = event_folder(area, owner_id, event_id) / secure_filename(name)
    return path if path.is_file() else None


def path_of(package_id: str, event_id: str, name: str) -> Path | None:
    """The stored file of a workflow event, or None when missing."""
    return stored_file(AREA, package_id, event_id, name)


def save(package_id: str, event_id: str, attachment: Any) -> tuple[str, str] | None:
    """Store ``attachment`` (an uploaded file, or an http(s) URL) and return (url, name) for the history."""
    if attachment in (None, "", b""):
        return None
    if isinstance(attachment, str):
        parsed = urlparse(attachment.strip())
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise tk.ValidationError(
                {"attachment": [tk._("The attachment must be an uploaded file or an http(s) URL")]}
            )
        return attachment.strip(), os.path.basename(parsed.path) or parsed.netloc
    if not isinstance(attachment, FileStorage) or not attachment.filename:
        raise tk.ValidationError({"attachment": [tk._("The attachment must be an uploaded file or an http(s) URL")]})
    if not uploader.get_storage_path():
        raise tk.ValidationError({"attachment": [tk._("This site has no file storage configured")]})
    name = secure_filename(attachment.filename) or "adjunto"
    limit = uploader.get_max_resource_size() * 1024 * 1024
    folder = event_folder(AREA, package_id, event_id)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    size = 0
    with target.open("wb") as out:
        while chunk := attachment.stream.read(1024 * 1024):
            size += len(chunk)
            if size > limit:
                out.close()
                target.unlink()
                raise tk.ValidationError(
                    {"attachment": [tk._("The attachment is larger than %s MB") % (limit // 1048576)]}
                )
            out.write(chunk)
    return LOCAL_PREFIX + name, attachment.filename

"""HTTP for harvesters: every request has a timeout and a size limit, and every failure is a
``SourceError`` whose message (site language) says what happened and where.

Listings page through ``pages()``, which stops a paging loop (the same page again, or more pages than
the source's ``max_paginas``) instead of running for ever.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import requests

from ckanext.cimibague.harvesters.config import SourceConfig
from ckanext.cimibague.site_i18n import gettext as _
from ckanext.cimibague.workflow.machine import N_

__all__ = ["SourceError", "get", "get_json", "pages"]

USER_AGENT = "ckanext-cimibague (CIM Ibagué open-data portal harvester)"
CHUNK = 64 * 1024


class SourceError(Exception):
    """A source could not be read: unreachable, HTTP error, malformed or oversized document, paging loop."""


def _error(message: str, **values: Any) -> SourceError:
    return SourceError(_(message) % values)


def get(
    url: str,
    config: SourceConfig,
    *,
    params: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    session: requests.Session | None = None,
) -> bytes:
    """The body of ``GET url``; ``SourceError`` on any failure, a body over the source's size limit
    included (checked while reading, whatever Content-Length says)."""
    limit = config.max_bytes
    sent = {"User-Agent": USER_AGENT, **(headers or {})}
    getter = session.get if session is not None else requests.get
    try:
        response = getter(url, params=params, headers=sent, timeout=config.timeout, stream=True)
    except requests.Timeout:
        raise _error(
            N_("The source did not answer within %(seconds)s s: %(url)s"), seconds=config.timeout, url=url
        ) from None
    except requests.RequestException as error:
        raise _error(N_("Could not reach the source %(url)s: %(error)s"), url=url, error=_reason(error)) from None
    with response:
        where = response.url or url
        if response.status_code >= 400:
            raise _error(N_("The source answered HTTP %(status)s for %(url)s"), status=response.status_code, url=where)
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise _too_big(where, limit)
        body = bytearray()
        try:
            for chunk in response.iter_content(CHUNK):
                body += chunk
                if len(body) > limit:
                    raise _too_big(where, limit)
        except requests.Timeout:
            raise _error(
                N_("The source did not answer within %(seconds)s s: %(url)s"), seconds=config.timeout, url=where
            ) from None
        except requests.RequestException as error:
            raise _error(N_("Could not reach the source %(url)s: %(error)s"), url=where, error=_reason(error)) from None
    return bytes(body)


def _too_big(url: str, limit: int) -> SourceError:
    return _error(
        N_("The document at %(url)s is larger than the limit of %(mb)s MB (tamano_maximo_mb)"),
        url=url,
        mb=round(limit / 1024 / 1024, 1),
    )


def _reason(error: Exception) -> str:
    text = str(error)
    return text if len(text) <= 300 else text[:300] + "…"


def get_json(url: str, config: SourceConfig, **kwargs: Any) -> Any:
    """``get`` and parse JSON; a malformed document is a ``SourceError``."""
    body = get(url, config, **kwargs)
    try:
        return json.loads(body)
    except ValueError as error:
        raise _error(
            N_("The source sent a malformed JSON document at %(url)s: %(error)s"), url=url, error=str(error)
        ) from None


def pages(fetch: Callable[[int], tuple[bytes, list[Any]]], config: SourceConfig) -> Iterator[list[Any]]:
    """Page through a listing: ``fetch(n)`` returns page ``n``'s raw body and its items (n = 0, 1, …);
    an empty page ends the listing. The same body twice in a row, or more than ``max_paginas`` pages,
    is a ``SourceError`` (a source that ignores its paging parameters would loop for ever)."""
    seen: set[str] = set()
    for number in range(config.max_pages + 1):
        if number == config.max_pages:
            raise _error(
                N_("The listing did not end after %(pages)s pages (max_paginas): a paging loop?"),
                pages=config.max_pages,
            )
        body, items = fetch(number)
        if not items:
            return
        digest = hashlib.sha256(body).hexdigest()
        if digest in seen:
            raise _error(N_("The source sent page %(page)s again: its paging does not advance"), page=number + 1)
        seen.add(digest)
        yield items

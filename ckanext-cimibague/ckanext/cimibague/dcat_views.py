"""Blueprint ``cimibague_vocabulario``: the CIM's SKOS scheme of ejes, which the DCAT profile
(``dcat_profile``) uses for dcat:theme, served at the URIs it names.

``/vocabulario/ejes`` is the scheme and ``/vocabulario/ejes/<eje>`` one concept: RDF (Turtle, RDF/XML,
JSON-LD, N3) by extension (``.ttl``, ``.rdf``, ``.jsonld``, ``.n3``) or by the ``Accept`` header, as
ckanext-dcat negotiates; a browser is sent (303) to the pages people read: the eje's datasets, or the
home page with the seven ejes. The content is the static vocabulary (``ejes.yaml``): no dataset, count or
title is ever read here.
"""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from flask import Blueprint, Response, redirect
from flask.typing import ResponseReturnValue

from ckanext.cimibague.dcat_profile import ejes_graph
from ckanext.dcat.utils import CONTENT_TYPES, parse_accept_header, url_to_rdflib_format

__all__ = ["cimibague_vocabulario"]

cimibague_vocabulario = Blueprint("cimibague_vocabulario", __name__)


def _rdf_format(_format: str | None) -> str | None:
    """The RDF format asked for: the URL's extension (404 if unknown), else the Accept header."""
    if _format is not None:
        if _format not in CONTENT_TYPES:
            tk.abort(404)
        return _format
    return parse_accept_header(tk.request.headers.get("Accept", ""))


def _rdf(name: str | None, _format: str) -> Response:
    graph = ejes_graph(name)
    if not len(graph):
        tk.abort(404)
    return Response(graph.serialize(format=url_to_rdflib_format(_format)), mimetype=CONTENT_TYPES[_format])


@cimibague_vocabulario.route("/vocabulario/ejes")
@cimibague_vocabulario.route("/vocabulario/ejes.<_format>")
def scheme(_format: str | None = None) -> ResponseReturnValue:
    """The scheme of the seven ejes, with their concepts."""
    rdf_format = _rdf_format(_format)
    if rdf_format is None:
        return redirect(tk.h.url_for("home.index"), code=303)
    return _rdf(None, rdf_format)


@cimibague_vocabulario.route("/vocabulario/ejes/<name>")
@cimibague_vocabulario.route("/vocabulario/ejes/<name>.<_format>")
def concept(name: str, _format: str | None = None) -> ResponseReturnValue:
    """One eje's concept: its labels, definition and EU data theme."""
    rdf_format = _rdf_format(_format)
    if not len(ejes_graph(name)):
        return tk.abort(404)
    if rdf_format is None:
        return redirect(tk.h.url_for(f"{name}.search"), code=303)
    return _rdf(name, rdf_format)

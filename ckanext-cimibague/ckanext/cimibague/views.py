"""Blueprint ``cimibague``: the CIM's own public pages and files."""

from __future__ import annotations

from flask import Blueprint, Response

from ckanext.cimibague import seed

__all__ = ["cimibague"]

cimibague = Blueprint("cimibague", __name__)


@cimibague.route("/cimibague/territorio.csv")
def territorio_csv() -> Response:
    """Ibagué's comunas and corregimientos (codes and names) as CSV."""
    return Response(
        seed.territorio_csv(),
        mimetype="text/csv",
        headers={"Content-Disposition": "inline; filename=comunas-y-corregimientos.csv"},
    )

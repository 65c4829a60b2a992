"""Fixtures shared by the whole suite. CKAN's own pytest plugin (built into ckan 2.12) provides
``clean_db``, ``clean_index``, ``with_plugins``, ``app``, ``cli`` and the factories; we extend
``clean_db`` so that the plugins' tables are migrated too."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import close_all_sessions

PLUGINS_WITH_TABLES = ("activity", "harvest", "cimibague")


def _empty_workflow_history() -> None:
    """The history table refuses DELETE (append-only trigger), which CKAN's reset uses: empty it with
    TRUNCATE, which only the test reset does."""
    import ckan.model as model

    close_all_sessions()
    with model.ensure_engine().begin() as conn:
        if sa.inspect(conn).has_table("cimibague_workflow_event"):
            conn.execute(sa.text("TRUNCATE cimibague_workflow_event"))


@pytest.fixture(scope="session")
def reset_site_db(reset_db, migrate_db_for):
    """Callable: CKAN's reset_db plus the migrations of the plugins that have tables."""

    def reset() -> None:
        _empty_workflow_history()
        reset_db()
        for plugin in PLUGINS_WITH_TABLES:
            migrate_db_for(plugin)

    return reset


@pytest.fixture
def clean_db(reset_site_db):
    """CKAN's clean_db, with the plugins' tables migrated too."""
    reset_site_db()


@pytest.fixture(autouse=True)
def _load_plugins(request):
    """Every test runs with the plugins of config/test.ini loaded, as the site runs them, except the
    pure unit tests marked ``unit`` (no CKAN needed, and loading the plugins costs about a second)."""
    if request.node.get_closest_marker("unit") is None:
        request.getfixturevalue("with_plugins")

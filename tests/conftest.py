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


# Loading CKAN's plugins and building a test app each cost seconds, and every test of this suite runs with
# the same plugins (config/test.ini). They are loaded once and the app is built once, and kept, for the
# tests that change nothing of the configuration; a test that does (a ``ckan_config`` or ``with_plugins``
# mark, or the ``ckan_config`` fixture) gets CKAN's own per-test fixtures: plugins loaded for it and
# unloaded after it, and a fresh app built from its configuration.
_SHARED: dict[str, object] = {}


def _changes_config(request: pytest.FixtureRequest) -> bool:
    node = request.node
    return bool(
        node.get_closest_marker("ckan_config")
        or node.get_closest_marker("with_plugins")
        or "ckan_config" in request.fixturenames
    )


@pytest.fixture(autouse=True)
def _load_plugins(request):
    """Every test runs with the plugins of config/test.ini loaded, as the site runs them, except the
    pure unit tests marked ``unit`` (no CKAN needed)."""
    if request.node.get_closest_marker("unit") is not None:
        return
    if _changes_config(request):
        _SHARED.clear()  # CKAN's with_plugins unloads every plugin when the test ends
        request.getfixturevalue("with_plugins")
    elif "plugins" not in _SHARED:
        import ckan.plugins

        ckan.plugins.load_all()
        _SHARED["plugins"] = True


@pytest.fixture
def app(request, make_app):
    """CKAN's ``app`` fixture, with the app built once for the tests that change no configuration (each
    test still gets its own client: no cookie or session crosses from one test to another)."""
    if _changes_config(request):
        return make_app()
    from ckan.tests.helpers import CKANTestApp

    if "app" not in _SHARED:
        _SHARED["app"] = make_app().app
    return CKANTestApp(_SHARED["app"])

"""Fixtures shared by the whole suite. CKAN's own pytest plugin (built into ckan 2.12) provides
``clean_db``, ``clean_index``, ``with_plugins``, ``app``, ``cli`` and the factories; we extend
``clean_db`` so that the plugins' tables are migrated too."""

from __future__ import annotations

import configparser
import os
import re
from urllib.parse import urlsplit, urlunsplit

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import close_all_sessions

PLUGINS_WITH_TABLES = ("activity", "harvest", "cimibague")

# What each pytest-xdist worker gwK (bin/cim test -n, CIM_TEST_WORKERS) has of its own: the databases and
# the Solr core get the suffix _gwK (bin/cim creates them), Redis the database number after the test
# site's plus 1 + K, the storage a folder gwK inside the test storage. CKAN reads these variables over
# the ini (CONFIG_FROM_ENV_VARS); without xdist nothing changes.
_PER_WORKER = {
    "CKAN_SQLALCHEMY_URL": "sqlalchemy.url",
    "CKAN_DATASTORE_WRITE_URL": "ckan.datastore.write_url",
    "CKAN_DATASTORE_READ_URL": "ckan.datastore.read_url",
    "CKAN_SOLR_URL": "solr_url",
    "CKAN_REDIS_URL": "ckan.redis.url",
    "CKAN_STORAGE_PATH": "ckan.storage_path",
}


def _for_worker(variable: str, value: str, worker: str) -> str:
    if variable == "CKAN_STORAGE_PATH":
        path = os.path.join(value, worker)
        os.makedirs(path, exist_ok=True)
        return path
    url = urlsplit(value)
    if variable == "CKAN_REDIS_URL":
        base = int(url.path.strip("/") or 0)
        return urlunsplit(url._replace(path=f"/{base + 1 + int(worker[2:])}"))
    return urlunsplit(url._replace(path=f"{url.path.rstrip('/')}_{worker}"))


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist, point this worker at its own databases, Solr core, Redis database and storage
    (before CKAN's plugin loads the configuration, in pytest_sessionstart)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker or not re.fullmatch(r"gw\d+", worker):
        return
    ini = os.path.abspath(config.getoption("ckan_ini") or "config/test.ini")
    parser = configparser.ConfigParser(defaults={"here": os.path.dirname(ini)})
    parser.read(ini)
    for variable, option in _PER_WORKER.items():
        value = os.environ.get(variable) or parser.get("app:main", option, fallback="")
        if value:
            os.environ[variable] = _for_worker(variable, value, worker)


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
def app(request):
    """CKAN's ``app`` fixture, with the app built once for the tests that change no configuration (each
    test still gets its own client: no cookie or session crosses from one test to another). It does not
    ask for CKAN's ``make_app`` fixture up front: that one depends on ``ckan_config``, and a test asking
    for it (even through ``app``) counts as changing the configuration and reloads every plugin."""
    if _changes_config(request):
        return request.getfixturevalue("make_app")()
    from ckan.lib.app_globals import _CONFIG_CACHE
    from ckan.tests.helpers import CKANTestApp, _get_test_app

    if "app" not in _SHARED:
        _CONFIG_CACHE.clear()
        _SHARED["app"] = _get_test_app().app
    return CKANTestApp(_SHARED["app"])


from tests.smtp_inbox import inbox  # noqa: E402, F401 (the ``inbox`` fixture: a local SMTP server)

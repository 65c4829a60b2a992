"""docker/docker-compose.yml is a valid compose file (checked with Debian's docker-compose, which needs
no Docker engine for `config`), and the image and entrypoint set up the DataStore as bin/cim does (the
entrypoint runs with stubs for ckan, psql and gunicorn: no Docker, no database)."""

from __future__ import annotations

import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DOCKER = ROOT / "docker"
SERVICES = {"nginx", "ckan", "jobs", "harvest-gather", "harvest-fetch", "harvest-run", "db", "solr", "redis"}


@pytest.fixture
def compose_dir(tmp_path) -> Path:
    work = tmp_path / "repo" / "docker"
    shutil.copytree(DOCKER, work)
    shutil.copy(work / ".env.example", work / ".env")
    return work


needs_compose = pytest.mark.skipif(shutil.which("docker-compose") is None, reason="docker-compose is not installed")


def _compose_config(compose_dir: Path) -> subprocess.CompletedProcess:
    """`docker-compose config` with only .env as input (nothing from the caller's environment)."""
    return subprocess.run(
        ["docker-compose", "-f", "docker-compose.yml", "config"],
        cwd=compose_dir,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin"},
    )


@needs_compose
def test_compose_file_is_valid(compose_dir):
    result = _compose_config(compose_dir)
    assert result.returncode == 0, result.stderr
    assert set(yaml.safe_load(result.stdout)["services"]) == SERVICES


@needs_compose
def test_compose_refuses_a_missing_database_password(compose_dir):
    env = (compose_dir / ".env").read_text().replace("POSTGRES_PASSWORD=change-me\n", "")
    (compose_dir / ".env").write_text(env)
    result = _compose_config(compose_dir)
    assert result.returncode != 0
    assert "POSTGRES_PASSWORD" in result.stderr


def test_every_role_of_the_entrypoint_is_used():
    compose = yaml.safe_load((DOCKER / "docker-compose.yml").read_text())
    entrypoint = (DOCKER / "ckan" / "entrypoint.sh").read_text()
    handled = {
        label.strip()
        for labels in re.findall(r"^\s+([\w| -]+)\)\s*$|^\s+([\w| -]+)\) ", entrypoint, re.M)
        for group in labels
        for label in group.split("|")
        if label.strip()
    }
    for name, service in compose["services"].items():
        for role in service.get("command", [])[:1]:
            assert role in handled, f"{name}: role {role} not handled by entrypoint.sh ({sorted(handled)})"


def test_solr_image_uses_the_same_configset():
    dockerfile = (DOCKER / "solr" / "Dockerfile").read_text()
    assert "COPY config/solr/configset" in dockerfile
    assert "jts-core" in dockerfile


# ------------------------------------------------------------------------ DataStore and ckanext-xloader


def _env_example() -> dict[str, str]:
    lines = (DOCKER / ".env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def test_image_installs_the_no_deps_requirements_after_the_others():
    dockerfile = (DOCKER / "ckan" / "Dockerfile").read_text()
    commands = re.sub(r"\s*\\\n\s*", " ", dockerfile)  # join continued lines
    assert re.search(r"^COPY .*\brequirements-nodeps\.txt\b.* /tmp/cimibague/$", commands, re.M)
    others = commands.index("-r /tmp/cimibague/requirements.txt -c /tmp/cimibague/constraints.txt")
    nodeps = re.search(
        r"pip3 install --no-cache-dir --no-deps -r /tmp/cimibague/requirements-nodeps\.txt"
        r" -c /tmp/cimibague/constraints\.txt",
        commands,
    )
    assert nodeps and nodeps.start() > others
    assert "ckanext-xloader==" in (ROOT / "requirements-nodeps.txt").read_text()
    assert re.search(r"apt-get install .*\bpostgresql-client\b", commands), "the entrypoint needs psql"


@needs_compose
def test_compose_gives_the_database_the_datastore_script(compose_dir):
    result = _compose_config(compose_dir)
    assert result.returncode == 0, result.stderr
    db = yaml.safe_load(result.stdout)["services"]["db"]
    env = _env_example()
    assert db["environment"]["CIM_DATASTORE_RO_PASSWORD"] == env["CIM_DATASTORE_RO_PASSWORD"]
    mounts = [volume.split(":") for volume in db["volumes"]]
    assert any(
        Path(source) == compose_dir / "postgres" / "datastore.sh"
        and target.startswith("/docker-entrypoint-initdb.d/")
        and target.endswith(".sh")
        for source, target, *_ in mounts
    ), mounts
    # executable: the postgres image runs it in its own shell (it would source a non-executable one)
    assert (DOCKER / "postgres" / "datastore.sh").stat().st_mode & stat.S_IXUSR


@needs_compose
def test_compose_refuses_a_missing_datastore_password(compose_dir):
    env = (compose_dir / ".env").read_text()
    line = re.search(r"^CIM_DATASTORE_RO_PASSWORD=.*\n", env, re.M)
    assert line
    (compose_dir / ".env").write_text(env.replace(line.group(0), ""))
    result = _compose_config(compose_dir)
    assert result.returncode != 0
    assert "CIM_DATASTORE_RO_PASSWORD" in result.stderr


def test_the_example_datastore_urls_match_the_database_and_its_roles():
    env = _env_example()
    write, read = urlsplit(env["CIM_DATASTORE_WRITE_URL"]), urlsplit(env["CIM_DATASTORE_READ_URL"])
    main = urlsplit(env["CIM_DATABASE_URL"])
    assert write.hostname == read.hostname == main.hostname == "db"
    assert write.path == read.path == "/cimibague_datastore" != main.path  # datastore.sh's default database
    assert (write.username, write.password) == (env["POSTGRES_USER"], env["POSTGRES_PASSWORD"])
    assert (read.username, read.password) == ("cim_datastore_ro", env["CIM_DATASTORE_RO_PASSWORD"])
    assert env["CIM_DATASTORE_RO_PASSWORD"] != env["POSTGRES_PASSWORD"]


_STUB = """#!/bin/sh
# records its call (name, arguments, the DataStore URLs it was given, its stdin) in $STUB_LOG
name=$(basename "$0")
printf '%s %s | write=%s read=%s\\n' "$name" "$*" "${CKAN_DATASTORE_WRITE_URL:-}" "${CKAN_DATASTORE_READ_URL:-}" \\
  >>"$STUB_LOG"
case "$name $*" in
  *_table_metadata*) printf '%s\\n' "$STUB_VIEW" ;;
  "ckan "*" datastore set-permissions") [ -z "$STUB_FAIL" ] || exit 1; echo "-- the permissions SQL" ;;
  psql*) sed 's/^/  stdin: /' >>"$STUB_LOG" ;;
esac
"""


def _run_entrypoint(tmp_path: Path, role: str, view: str = "", fail: str = "", **overrides: str):
    """docker/ckan/entrypoint.sh with this checkout as its source and stubs for ckan, psql and gunicorn:
    what it runs, in which order, with which DataStore URLs."""
    stubs = tmp_path / "bin"
    stubs.mkdir(exist_ok=True)
    for name in ("ckan", "psql", "gunicorn"):
        (stubs / name).write_text(_STUB)
        (stubs / name).chmod(0o755)
    (stubs / "python3").unlink(missing_ok=True)
    (stubs / "python3").symlink_to(sys.executable)
    entrypoint = (DOCKER / "ckan" / "entrypoint.sh").read_text()
    entrypoint, found = re.subn(r"^SRC=.*$", f"SRC={ROOT}", entrypoint, count=1, flags=re.M)
    assert found
    (tmp_path / "entrypoint.sh").write_text(entrypoint)
    log = tmp_path / "calls.log"
    log.write_text("")
    env = {**_env_example(), "PATH": f"{stubs}:/usr/bin:/bin", "CKAN_INI": str(tmp_path / "ckan.ini")}
    env.update(STUB_LOG=str(log), STUB_VIEW=view, STUB_FAIL=fail, **overrides)
    env = {key: value for key, value in env.items() if value is not None}
    result = subprocess.run(
        ["sh", str(tmp_path / "entrypoint.sh"), role],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result, log.read_text().splitlines()


def test_every_ckan_process_gets_the_datastore_urls(tmp_path):
    env = _env_example()
    urls = f"write={env['CIM_DATASTORE_WRITE_URL']} read={env['CIM_DATASTORE_READ_URL']}"
    for role, command in [("jobs", "jobs worker"), ("harvest-fetch", "harvester fetch-consumer")]:
        result, calls = _run_entrypoint(tmp_path, role)
        assert result.returncode == 0, result.stderr
        ckan_calls = [call for call in calls if call.startswith("ckan ")]
        # `jobs worker` without queue names serves the queue "default", xloader's (ckanext.xloader.queue_names)
        assert ckan_calls == [f"ckan -c {tmp_path / 'ckan.ini'} {command} | {urls}"], calls
    assert "ckanext.xloader.queue_names" not in (ROOT / "config" / "common.ini").read_text()
    result, _ = _run_entrypoint(tmp_path, "jobs", CIM_DATASTORE_READ_URL=None)
    assert result.returncode != 0 and "CIM_DATASTORE_READ_URL" in result.stderr


def test_web_sets_the_datastore_permissions_once_before_migrating(tmp_path):
    ini = tmp_path / "ckan.ini"
    result, calls = _run_entrypoint(tmp_path, "web")
    assert result.returncode == 0, result.stderr
    commands = [call.split(" | ")[0] for call in calls if not call.startswith("  stdin:")]
    set_permissions = commands.index(f"ckan -c {ini} datastore set-permissions")
    assert commands.index(f"ckan -c {ini} db init") > set_permissions
    # datastore.sh as the superuser first, then the generated SQL into psql, stopping at the first error
    assert calls.index("  stdin: -- the permissions SQL") > 0
    assert "SELECT format('CREATE ROLE %I', :'ro_user')" in "\n".join(calls)
    piped = [i for i, call in enumerate(calls) if call.startswith("psql -v ON_ERROR_STOP=1")]
    assert piped and calls[piped[-1] + 1] == "  stdin: -- the permissions SQL"
    assert commands[-1].startswith("gunicorn ckanext.cimibague.wsgi:application")

    # the database already has _table_metadata: no second set-permissions, the role and database still checked
    result, calls = _run_entrypoint(tmp_path, "web", view="1")
    assert result.returncode == 0, result.stderr
    assert not any("set-permissions" in call for call in calls)
    assert any("CREATE ROLE" in call for call in calls)
    assert any(call.startswith(f"ckan -c {ini} db init") for call in calls)

    # set-permissions fails: the container stops before migrating, and psql never runs an empty script
    result, calls = _run_entrypoint(tmp_path, "web", fail="1")
    assert result.returncode != 0
    assert not any("db init" in call or "the permissions SQL" in call for call in calls), calls

    # no superuser password (a managed PostgreSQL): nothing is attempted, CKAN still gets the URLs
    result, calls = _run_entrypoint(tmp_path, "web", POSTGRES_PASSWORD=None)
    assert result.returncode == 0, result.stderr
    assert not any(call.startswith("psql") or "set-permissions" in call for call in calls), calls

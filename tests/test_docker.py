"""docker/docker-compose.yml is a valid compose file (checked with Debian's docker-compose, which needs
no Docker engine for `config`)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

DOCKER = Path(__file__).resolve().parents[1] / "docker"
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

"""bin/cim, the project's two commands: help, and clear failures that leave nothing behind."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CIM = ROOT / "bin" / "cim"


def _run(*args: str, env: dict[str, str] | None = None, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(CIM), *args], capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})}
    )


def test_help_names_every_command():
    result = _run("help")
    assert result.returncode == 0
    for command in ("run", "start", "stop", "status", "test", "services"):
        assert f"bin/cim {command}" in result.stdout


def test_unknown_command_fails_with_one_clear_line():
    result = _run("despegar")
    assert result.returncode != 0
    assert "unknown command: despegar" in result.stderr


@pytest.mark.parametrize(
    ("service", "variable"),
    [("PostgreSQL", "CIM_PG_PORT"), ("Redis", "CIM_REDIS_PORT"), ("Solr", "CIM_SOLR_PORT")],
)
def test_a_taken_port_stops_with_the_variable_to_change(tmp_path, service, variable):
    """Another program holds the port: one line names the service, the port and the fix, before any
    service starts (nothing half-initialised is left for the next run)."""
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen()
    port = blocker.getsockname()[1]
    state = tmp_path / "state"
    free = {name: str(_free_port()) for name in ("CIM_PG_PORT", "CIM_REDIS_PORT", "CIM_SOLR_PORT")}
    env = {
        **free,
        variable: str(port),
        "CIM_STATE_DIR": str(state),
        "CIM_VENV": str(Path(sys.executable).parents[1]),
    }
    try:
        result = _run("services", env=env, timeout=300)
    finally:
        blocker.close()
        _run("stop", env=env)
    assert result.returncode == 1
    assert f"port {port} (for {service}) is taken by another process" in result.stderr
    assert variable in result.stderr
    status = _run("status", env=env).stdout
    assert ": running" not in status
    assert not (state / "pg").exists() and not (state / "redis").exists() and not (state / "solr").exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

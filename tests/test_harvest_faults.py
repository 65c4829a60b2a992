"""Faults common to every harvester (harvesters/http.py and the job around it): every request has a
timeout and a size limit, failures are Spanish errors on the job, the job always finishes, nothing is
half-written and the next run works. The CLI ``ckan cimibague cosechar`` and the real Redis consumers."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
from werkzeug.wrappers import Request, Response

from ckanext.cimibague.harvesters import config as cfg
from ckanext.cimibague.harvesters import http
from tests import harvest_support as hs
from tests.test_harvest_ckan import CONFIG, FakeCkan

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")


def _config(**keys) -> cfg.SourceConfig:
    return cfg.SourceConfig(entidad="dane", tipo="bases-de-datos", **keys)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ------------------------------------------------------------------------------------------- http.get
def test_a_slow_source_times_out_with_a_clear_message(httpserver):
    def slow(request: Request) -> Response:
        time.sleep(3)
        return Response("{}")

    httpserver.expect_request("/lento").respond_with_handler(slow)
    started = time.monotonic()
    with pytest.raises(http.SourceError) as error:
        http.get(httpserver.url_for("/lento"), _config(timeout=0.5))
    assert time.monotonic() - started < 2.9
    assert "0.5 s" in str(error.value)
    assert "/lento" in str(error.value)


def test_an_unreachable_source_is_a_source_error():
    with pytest.raises(http.SourceError) as error:
        http.get(f"http://127.0.0.1:{_closed_port()}/api", _config(timeout=2))
    assert "127.0.0.1" in str(error.value)


@pytest.mark.parametrize("status", [404, 500, 503])
def test_an_http_error_names_the_status(httpserver, status):
    httpserver.expect_request("/x").respond_with_data("no", status=status)
    with pytest.raises(http.SourceError) as error:
        http.get(httpserver.url_for("/x"), _config())
    assert str(status) in str(error.value)


def test_an_oversized_answer_is_refused_while_reading_whatever_it_declares(httpserver):
    big = b"x" * (200 * 1024)

    def lying(request: Request) -> Response:
        # streamed without Content-Length, so only the reading loop can stop it
        return Response(iter([big[i : i + 1024] for i in range(0, len(big), 1024)]), direct_passthrough=True)

    httpserver.expect_request("/declarado").respond_with_data(big)
    httpserver.expect_request("/sin-longitud").respond_with_handler(lying)
    limit = _config(max_bytes=100 * 1024)
    for path in ("/declarado", "/sin-longitud"):
        with pytest.raises(http.SourceError) as error:
            http.get(httpserver.url_for(path), limit)
        assert "MB" in str(error.value)
    assert http.get(httpserver.url_for("/declarado"), _config(max_bytes=300 * 1024)) == big


def test_malformed_json_is_a_source_error(httpserver):
    httpserver.expect_request("/j").respond_with_data('{"result": [1, 2', content_type="application/json")
    with pytest.raises(http.SourceError) as error:
        http.get_json(httpserver.url_for("/j"), _config())
    assert "JSON" in str(error.value)


def test_pages_stops_a_listing_that_never_ends():
    def endless(number: int) -> tuple[bytes, list[int]]:
        return str(number).encode(), [number]

    with pytest.raises(http.SourceError) as error:
        list(http.pages(endless, _config(max_pages=5)))
    assert "5" in str(error.value)


# ------------------------------------------------------------------------------------ a job's faults
def test_an_unreachable_source_fails_the_gather_and_the_job_finishes():
    org, _ = hs.setup()
    source = hs.source(f"http://127.0.0.1:{_closed_port()}/", "cimibague_ckan", dict(CONFIG, timeout=2), org)
    result = hs.run(source)
    assert result["status"] == "Finished"
    (error,) = result["gather_errors"]
    assert "127.0.0.1" in error
    assert result["objects"] == {}


def test_after_a_failed_run_the_next_one_works(httpserver):
    org, _ = hs.setup()
    fake = FakeCkan()
    failing = {"on": True}

    def handler(request: Request) -> Response:
        if failing["on"]:
            return Response("Service Unavailable", status=503)
        return fake.handler(request)

    httpserver.expect_request("/api/3/action/package_search").respond_with_handler(handler)
    source = hs.source(httpserver.url_for("/"), "cimibague_ckan", CONFIG, org)
    first = hs.run(source)
    assert first["status"] == "Finished"
    assert "503" in first["gather_errors"][0]
    assert model.Session.query(model.Package).filter(model.Package.type == "bases-de-datos").count() == 0

    failing["on"] = False
    second = hs.run(source)
    assert second["gather_errors"] == []
    assert {o["report_status"] for guid, o in second["objects"].items() if not o["errors"]} == {"added"}


def test_an_oversized_page_fails_the_gather_and_writes_nothing(httpserver):
    org, _ = hs.setup()
    page = json.loads(hs.fixture("ckan/package_search_1.json"))
    page["result"]["results"][0]["notes"] = "x" * (2 * 1024 * 1024)
    httpserver.expect_request("/api/3/action/package_search").respond_with_json(page)
    source = hs.source(httpserver.url_for("/"), "cimibague_ckan", dict(CONFIG, tamano_maximo_mb=1), org)
    result = hs.run(source)
    assert result["status"] == "Finished"
    assert "1.0 MB" in result["gather_errors"][0]
    assert model.Session.query(model.Package).filter(model.Package.type == "bases-de-datos").count() == 0


# ---------------------------------------------------------------------------------------------- CLI
def test_the_cli_harvests_once_with_progress_and_reports(cli, httpserver):
    from ckan.cli.cli import ckan as ckan_command

    org, _ = hs.setup()
    fake = FakeCkan()
    httpserver.expect_request("/api/3/action/package_search").respond_with_handler(fake.handler)
    source = hs.source(httpserver.url_for("/"), "cimibague_ckan", CONFIG, org)

    result = cli.invoke(ckan_command, ["cimibague", "cosechar", source["name"]])
    assert result.exit_code == 1, result.output  # one record has errors
    assert "Nuevos: 2" in result.output
    assert "con errores: 1" in result.output
    assert "Cosechando registros" in result.output  # the progress bar
    assert "contact_email" in result.output

    missing = cli.invoke(ckan_command, ["cimibague", "cosechar", "no-existe"])
    assert missing.exit_code == 2
    assert "no-existe" in missing.output


# ------------------------------------------------------------------------------- real Redis consumers
def _consumer(kind: str, log: Path) -> subprocess.Popen:
    """``ckan harvester <kind>-consumer`` on the test site, with the Redis URL bin/cim gives it."""
    ini = Path(__file__).resolve().parents[1] / "config" / "test.ini"
    redis_url = tk.config["ckan.redis.url"]
    env = dict(os.environ, CKAN_REDIS_URL=f"{redis_url}?socket_timeout=31536000")
    for key, option in (("CKAN_SQLALCHEMY_URL", "sqlalchemy.url"), ("CKAN_SOLR_URL", "solr_url")):
        env[key] = tk.config[option]
    ckan_bin = Path(sys.executable).parent / "ckan"
    return subprocess.Popen(
        [str(ckan_bin), "-c", str(ini), "harvester", f"{kind}-consumer"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
    )


def test_the_gather_and_fetch_consumers_harvest_over_redis(httpserver, tmp_path):
    """``harvest_job_create`` queues the job on Redis; the real consumers (as `bin/cim run` starts them,
    with its Redis URL) gather, fetch and import it; ``harvest_jobs_run`` finishes it. The consumers idle
    longer than redis-py's default 5 s socket timeout first (ckanext-harvest #581: they used to die)."""
    import ckan.tests.helpers as helpers
    from ckanext.harvest import queue
    from ckanext.harvest.model import HarvestJob

    org, _ = hs.setup()
    fake = FakeCkan()
    httpserver.expect_request("/api/3/action/package_search").respond_with_handler(fake.handler)
    source = hs.source(httpserver.url_for("/"), "cimibague_ckan", CONFIG, org)
    queue.purge_queues()
    consumers = [_consumer("gather", tmp_path / "gather.log"), _consumer("fetch", tmp_path / "fetch.log")]
    try:
        time.sleep(8)
        assert [c.poll() for c in consumers] == [None, None], "an idle consumer died"
        job = helpers.call_action("harvest_job_create", context={"user": "cim-admin"}, source_id=source["id"], run=True)
        deadline = time.monotonic() + 90
        # harvest_jobs_run only once the objects are done: it re-queues WAITING objects it does not see on
        # Redis, and one a consumer has just popped is such one (ckanext-harvest's resubmit_objects)
        while time.monotonic() < deadline:
            model.Session.remove()
            job_row = model.Session.query(HarvestJob).get(job["id"])
            states = [o.state for o in job_row.objects]
            if job_row.gather_finished and states and all(s in ("COMPLETE", "ERROR") for s in states):
                break
            time.sleep(0.5)
        helpers.call_action("harvest_jobs_run", {"ignore_auth": True}, source_id=source["id"])
        shown = helpers.call_action("harvest_job_show", id=job["id"])
        stats = shown.get("stats") or {}
        assert shown["status"] == "Finished", [(tmp_path / f).read_text()[-2000:] for f in ("gather.log", "fetch.log")]
        assert stats.get("added") == 2
        assert stats.get("errored") == 1
    finally:
        for consumer in consumers:
            consumer.terminate()
            consumer.wait(timeout=10)

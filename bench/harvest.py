"""Harvest benchmark: the CIM CKAN harvester against ckanext-harvest's own CKAN harvester, same records.

    bin/cim services                      # PostgreSQL, Redis and Solr of the dev site
    .state/venv/bin/python bench/harvest.py --records 1000 [--consumers 2] [--out bench/results/harvest.json]

A local HTTP server (in this process) answers package_search with --records synthetic CKAN datasets
(Spanish titles, tags, 2 resources each, the shape of tests/data/harvest/ckan/). Each harvester gets its
own harvest source (node "bench-cosecha") and one job, run **as in production**: ckanext-harvest's real
gather consumer and --consumers fetch consumers (`ckan harvester gather-consumer` / `fetch-consumer`
processes on the dev site's Redis, started before the clock) take the job from the queues; the clock
runs from `harvest_job_create` to the job marked Finished (`harvest_jobs_run`, polled), i.e. until every
dataset is created in PostgreSQL and indexed in Solr. --consumers 0 runs the job in this process instead
(as `ckan cimibague cosechar` does). Prints JSON: datasets created, seconds and datasets/s for both, and
the ratio. The baseline (ckanext-harvest's CKANHarvester, loaded for this run only through a copy of the
dev ini) runs on the same records with the same consumers, before or after ours (--order). Both sources
and their datasets are purged afterwards.

--floor adds a third figure, the ceiling of any harvester built on CKAN's action layer here: vanilla CKAN
2.12 (plugins `activity` only, default schema, no Solr commit per dataset, as ours) creating the same records with plain
`package_create`, in as many processes as there are fetch consumers (each process loads CKAN before the
clock; the clock runs from the start signal until every process has created its share). No HTTP, no
harvest objects, no mapping, no workflow: what is left is CKAN's own cost of a dataset.

Notes: the upstream harvester validates with CKAN's default schema (not the CIM type's), reuses the
remote ids, skips our mapping and asks Solr for a hard commit per dataset; the CIM one validates against
the type's scheming schema, maps every field, writes the workflow history and links the harvest object.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import sqlalchemy

ROOT = Path(__file__).resolve().parents[1]
ORG = "bench-cosecha"
TOPICS = ["Población", "Educación", "Salud", "Vivienda", "Movilidad", "Seguridad", "Empleo", "Ambiente"]
ASPECTS = ["por comuna", "por corregimiento", "histórico", "por sexo y edad", "según el POT", "por barrio"]


def records(count: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out = []
    for i in range(count):
        topic, aspect = rng.choice(TOPICS), rng.choice(ASPECTS)
        ident = str(uuid.UUID(int=rng.getrandbits(128)))
        year = 2015 + i % 10
        out.append(
            {
                "id": ident,
                "name": f"bench-cosecha-{i:05d}",
                "title": f"{topic} {aspect} {year} ({i})",
                "notes": f"Información de {topic.lower()} {aspect} en Ibagué, año {year}. Registro sintético {i}.",
                "license_id": "CC-BY-4.0",
                "license_title": "Creative Commons Attribution 4.0",
                "maintainer": "Oficina de estadística",
                "maintainer_email": "estadistica@ibague.gov.co",
                "metadata_modified": f"2025-0{1 + i % 9}-1{i % 10}T10:00:00.000000",
                "type": "dataset",
                "state": "active",
                "private": False,
                "extras": [
                    {"key": "frequency", "value": "http://publications.europa.eu/resource/authority/frequency/ANNUAL"}
                ],
                "tags": [{"name": topic.lower()}, {"name": "ibagué"}, {"name": str(year)}],
                "organization": {"name": "remota", "title": "Secretaría remota"},
                "resources": [
                    {
                        "id": str(uuid.UUID(int=rng.getrandbits(128))),
                        "name": f"Datos {year}",
                        "url": f"https://datos.example.gov.co/{i}/datos.csv",
                        "format": "CSV",
                        "last_modified": "2025-03-01T00:00:00",
                    },
                    {
                        "id": str(uuid.UUID(int=rng.getrandbits(128))),
                        "name": "Ficha técnica",
                        "url": f"https://datos.example.gov.co/{i}/ficha.pdf",
                        "format": "PDF",
                    },
                ],
            }
        )
    return sorted(out, key=lambda d: d["id"])


def serve(datasets: list[dict[str, Any]]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            query = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
            rows, start = int(query.get("rows", 10)), int(query.get("start", 0))
            page = datasets[start : start + rows]
            if query.get("fl"):
                page = [{k: d.get(k) for k in query["fl"].split(",")} for d in page]
            body = json.dumps({"success": True, "result": {"count": len(datasets), "results": page}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def progress(label: str):
    def wrap(ids: list[str]):
        total = len(ids)
        for n, obj_id in enumerate(ids, start=1):
            if n % 50 == 0 or n == total:
                print(f"\r{label}: {n}/{total}", end="", file=sys.stderr, flush=True)
            yield obj_id
        print(file=sys.stderr)

    return wrap


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--ini", default=str(ROOT / ".state" / "ckan.ini"))
    parser.add_argument("--order", choices=["cim-first", "upstream-first"], default="upstream-first")
    parser.add_argument("--only", choices=["cim", "baseline"], help="run one harvester (profiling; no ratio)")
    parser.add_argument("--consumers", type=int, default=2, help="fetch consumers (0: run in this process)")
    parser.add_argument("--floor", action="store_true", help="also time vanilla CKAN's package_create")
    parser.add_argument("--floor-worker", nargs=2, metavar=("INI", "SLICE"), help=argparse.SUPPRESS)
    parser.add_argument("--out")
    args = parser.parse_args()
    if args.floor_worker:
        floor_worker(args.records, *args.floor_worker)
        return

    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    plugins = load_config(args.ini)["ckan.plugins"]
    plugins = " ".join(plugins if isinstance(plugins, list) else plugins.split())
    ini = Path(tempfile.mkdtemp(prefix="cim-bench-")) / "bench.ini"
    text = Path(args.ini).read_text(encoding="utf-8")
    extra = f"ckan.plugins = {plugins} ckan_harvester\nckanext.cimibague.workflow.notifications = false\n"
    ini.write_text(text.replace("[app:main]\n", "[app:main]\n" + extra, 1), encoding="utf-8")
    os.environ["CKAN_INI"] = str(ini)
    app = make_app(load_config(str(ini)))
    consumers = start_consumers(ini, args.consumers) if args.consumers else []
    try:
        with app._wsgi_app.test_request_context():
            run_bench(args)
    finally:
        for process in consumers:
            process.terminate()
        for process in consumers:
            process.wait(timeout=20)


def start_consumers(ini: Path, fetchers: int) -> list[subprocess.Popen]:
    """ckanext-harvest's gather consumer and ``fetchers`` fetch consumers, with the Redis socket timeout
    bin/cim gives them (ckanext-harvest #581); returns once they have loaded CKAN."""
    from ckan.cli import load_config

    redis_url = load_config(str(ini))["ckan.redis.url"]
    env = dict(os.environ, CKAN_REDIS_URL=f"{redis_url}?socket_timeout=31536000")
    ckan_bin = Path(sys.executable).parent / "ckan"
    log = open(ini.parent / "consumers.log", "w")  # noqa: SIM115 - lives as long as the processes
    kinds = ["gather"] + ["fetch"] * fetchers
    processes = [
        subprocess.Popen(
            [str(ckan_bin), "-c", str(ini), "harvester", f"{kind}-consumer"], env=env, stdout=log, stderr=log
        )
        for kind in kinds
    ]
    time.sleep(12)  # loading CKAN and its plugins
    if any(p.poll() is not None for p in processes):
        raise SystemExit(f"a consumer did not start: see {ini.parent / 'consumers.log'}")
    print(f"consumers: 1 gather, {fetchers} fetch (log {ini.parent / 'consumers.log'})", file=sys.stderr)
    return processes


def run_with_consumers(source_id: str, label: str) -> dict[str, Any]:
    """Queue a job for the consumers and wait until it is finished; the job's stats and errors."""
    import ckan.model as model
    import ckan.plugins.toolkit as tk
    from ckanext.harvest.model import HarvestJob, HarvestObject

    ctx = {"ignore_auth": True, "user": tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]}
    job = tk.get_action("harvest_job_create")(dict(ctx), {"source_id": source_id, "run": True})
    # harvest_jobs_run is called only once every object is done: it also re-queues the WAITING objects it
    # does not see on Redis, and an object a consumer has just popped is such one (it would be imported twice)
    while True:
        time.sleep(0.25)
        model.Session.remove()
        gathered = model.Session.query(HarvestJob.gather_finished).filter(HarvestJob.id == job["id"]).scalar()
        states = dict(
            model.Session.query(HarvestObject.state, sqlalchemy.func.count())
            .filter(HarvestObject.harvest_job_id == job["id"])
            .group_by(HarvestObject.state)
            .all()
        )
        done = states.get("COMPLETE", 0) + states.get("ERROR", 0)
        print(f"\r{label}: {done} objects done", end="", file=sys.stderr, flush=True)
        if gathered and done == sum(states.values()):
            break
    tk.get_action("harvest_jobs_run")(dict(ctx), {"source_id": source_id})
    print(file=sys.stderr)
    shown = tk.get_action("harvest_job_show")(dict(ctx), {"id": job["id"]})
    objects = model.Session.query(HarvestObject).filter(HarvestObject.harvest_job_id == job["id"]).all()
    errors = [error.message for obj in objects for error in obj.errors]
    gather = [e.message for e in model.Session.get(HarvestJob, job["id"]).gather_errors]
    statuses: dict[str, int] = {}
    for obj in objects:
        statuses[obj.report_status or obj.state] = statuses.get(obj.report_status or obj.state, 0) + 1
    return {"added": shown["stats"].get("added", 0), "errors": errors + gather, "statuses": statuses}


def cleanup(ctx: Any) -> None:
    """Purge what an interrupted run left: the bench sources and every dataset of the bench node."""
    import ckan.model as model
    import ckan.plugins.toolkit as tk

    org = model.Group.get(ORG)
    for pkg in model.Session.query(model.Package).filter(model.Package.owner_org == org.id).all():
        if pkg.type == "harvest":
            tk.get_action("harvest_source_clear")(ctx(), {"id": pkg.id})
    for (package_id,) in model.Session.query(model.Package.id).filter(model.Package.owner_org == org.id).all():
        tk.get_action("dataset_purge")(ctx(), {"id": package_id})
    model.Session.remove()


def package_dicts(count: int, owner_org: str) -> list[dict[str, Any]]:
    """The bench records as a vanilla CKAN client would post them to package_create."""
    keep = ("name", "title", "notes", "license_id", "maintainer", "maintainer_email", "extras", "tags")
    return [
        dict(
            {k: d[k] for k in keep},
            name=d["name"].replace("bench-cosecha", "bench-floor"),
            owner_org=owner_org,
            private=False,
            resources=[{k: v for k, v in r.items() if k != "id"} for r in d["resources"]],
        )
        for d in records(count)
    ]


def floor_worker(count: int, ini: str, part: str) -> None:
    """One process of --floor: load vanilla CKAN, say ready, wait for the signal, create its share."""
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(ini))
    index, parts = (int(n) for n in part.split("/"))
    with app._wsgi_app.test_request_context():
        import ckan.model as model
        import ckan.plugins.toolkit as tk

        site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
        mine = package_dicts(count, model.Group.get(ORG).id)[index::parts]
        print("ready", flush=True)
        sys.stdin.readline()
        for data in mine:
            tk.get_action("package_create")({"user": site_user, "ignore_auth": True}, data)
        print("done", flush=True)


def run_floor(args: argparse.Namespace, processes: int) -> dict[str, Any]:
    """Vanilla CKAN's package_create on the same records in ``processes`` processes (see --floor)."""
    from ckan.cli import load_config

    ini = Path(tempfile.mkdtemp(prefix="cim-floor-")) / "vanilla.ini"
    text = Path(args.ini).read_text(encoding="utf-8")
    ini.write_text(
        text.replace("[app:main]\n", "[app:main]\nckan.plugins = activity\nckan.search.solr_commit = false\n", 1),
        encoding="utf-8",
    )
    assert load_config(str(ini))["ckan.plugins"] in (["activity"], "activity")
    workers = [
        subprocess.Popen(
            [sys.executable, __file__, "--records", str(args.records), "--floor-worker", str(ini), f"{i}/{processes}"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for i in range(processes)
    ]
    for worker in workers:
        if worker.stdout.readline().strip() != "ready":
            raise SystemExit("a --floor worker did not start")
    started = time.perf_counter()
    for worker in workers:
        worker.stdin.write("go\n")
        worker.stdin.flush()
    failed = sum(worker.stdout.readline().strip() != "done" for worker in workers)
    seconds = time.perf_counter() - started
    for worker in workers:
        worker.wait(timeout=60)
    created = args.records if not failed else None
    return {
        "what": "vanilla CKAN 2.12 package_create (plugins: activity), same records, no harvesting",
        "processes": processes,
        "records": args.records,
        "failed_processes": failed,
        "seconds": round(seconds, 2),
        "datasets_per_second": round(created / seconds, 2) if created else None,
    }


def run_bench(args: argparse.Namespace) -> None:
    import ckan.model as model
    import ckan.plugins.toolkit as tk

    from ckanext.cimibague.harvesters.run import run_job

    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    ctx = lambda: {"user": site_user, "ignore_auth": True}  # noqa: E731
    if model.Group.get(ORG) is None:
        tk.get_action("organization_create")(ctx(), {"name": ORG, "title": "Nodo del benchmark de cosecha"})
    entidad = next(g for g in tk.get_action("group_list")(ctx(), {"type": "entidad"}))
    cleanup(ctx)
    datasets = records(args.records)
    server = serve(datasets)
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    config = {
        "entidad": entidad,
        "tipo": "bases-de-datos",
        "filas_por_pagina": 100,
        "valores_por_defecto": {
            "cobertura_geografica": ["municipio"],
            "origen": "externa",
            "datos_personales": "no_contiene",
        },
    }
    plans = [("ckanext-harvest CKANHarvester", "ckan", {}), ("CIM CKAN harvester", "cimibague_ckan", config)]
    if args.order == "cim-first":
        plans.reverse()
    if args.only:
        plans = [p for p in plans if (p[1] == "cimibague_ckan") == (args.only == "cim")]
    results: dict[str, Any] = {}
    for label, source_type, source_config in plans:
        name = f"bench-{source_type.replace('_', '-')}-{uuid.uuid4().hex[:6]}"
        source = tk.get_action("harvest_source_create")(
            ctx(),
            {
                "name": name,
                "title": name,
                "url": url,
                "source_type": source_type,
                "owner_org": ORG,
                "config": json.dumps(source_config),
            },
        )
        started = time.perf_counter()
        if args.consumers:
            outcome = run_with_consumers(source["id"], label)
            created, problems = outcome["added"], outcome["errors"]
            print(f"{label}: {outcome['statuses']}", file=sys.stderr)
        else:
            report = run_job(source["id"], progress=progress(label))
            created = report.count("added")
            problems = [m for o in report.objects.values() for m in o["errors"]] + report.gather_errors
        seconds = time.perf_counter() - started
        errors, sample = len(problems), problems[:1]
        results[source_type] = {
            "harvester": label,
            "records": len(datasets),
            "created": created,
            "errors": errors,
            "first_error": sample[0][:300] if sample else None,
            "seconds": round(seconds, 2),
            "datasets_per_second": round(created / seconds, 2) if seconds else None,
        }
        tk.get_action("harvest_source_clear")(ctx(), {"id": source["id"]})
        tk.get_action("harvest_source_delete")(ctx(), {"id": source["id"], "clear": True})
        model.Session.remove()
    server.shutdown()
    floor = None
    if args.floor:
        floor = run_floor(args, max(args.consumers, 1))
        cleanup(ctx)
    ours, theirs = results.get("cimibague_ckan"), results.get("ckan")
    ratio = None
    if ours and theirs and theirs["datasets_per_second"]:
        ratio = round(ours["datasets_per_second"] / theirs["datasets_per_second"], 2)
    out = {
        "benchmark": "harvest",
        "records": args.records,
        "cim": ours,
        "baseline": theirs,
        "ratio_cim_over_baseline": ratio,
        "target_datasets_per_second": 25,
        "target_met": bool(ours and ours["datasets_per_second"] >= 25 and not ours["errors"]),
        "floor": floor,
        "fetch_consumers": args.consumers,
        "cpus": os.cpu_count(),
    }
    text = json.dumps(out, indent=2, ensure_ascii=False)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

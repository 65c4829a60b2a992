"""Transparency benchmark: /transparencia and the entity scorecard at 10,000 datasets and 20,000 requests,
side by side with the plain search page (/dataset/) on the same data, in the same run.

    bin/cim start          # services, migrations, nodes and entities (then `bin/cim stop` the web if you like)
    .state/venv/bin/python bench/transparency.py --datasets 10000 --requests 20000 --out bench/results/transparency.json

Runs in-process against the development site's configuration (.state/ckan.ini; --ini to change it) and
its PostgreSQL and Solr: loads published CIM datasets named ``tbench-NNNNNN`` through ``package_create``
(as the workflow publishes them, with a first-publication date spread over two years in the history;
reruns reuse them) and requests (``cimibague_solicitud`` rows, bulk-inserted: their creation is not what
is measured), then times, with the same WSGI client: GET /transparencia served as citizens get it
(figures cached for a minute), GET /transparencia with the cached figures expired before every request
(served stale while a thread recomputes them, the production path after each minute), GET /transparencia
with the cache emptied before every request (every figure recomputed in the request: Solr facets and
pivots, grouped SQL — what only the first visitor after a process starts gets), GET /dataset/ (CKAN's
search page: the baseline) and the scorecard action, cold. Prints JSON: p50/p95/mean in ms of each, the ratios to the
search page, and the goal of the Planning issue (p95 of /transparencia <= 300 ms).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path
from typing import Any

from timing import emit, summary  # bench/timing.py (the benchmarks run as scripts from bench/)

ROOT = Path(__file__).resolve().parents[1]
PREFIX = "tbench-"
TYPES = ["bases-de-datos", "observatorios", "politicas-publicas", "plan-de-desarrollo"]
PER_TYPE: dict[str, dict[str, Any]] = {
    "bases-de-datos": {"origen": "externa", "datos_personales": "no_contiene", "unidad_observacion": "Hogar"},
    "observatorios": {"observatorio": "mercado_laboral", "linea_tematica": "Desempleo"},
    "politicas-publicas": {"politica": "Política pública de juventud", "estado_implementacion": "implementacion"},
    "plan-de-desarrollo": {
        "plan": "Ibagué Vibra",
        "periodo_plan": "2024-2027",
        "tipo_indicador": "resultado",
        "sector": "educacion",
        "programa": "Educación de calidad",
    },
}
PERIODS = ["mensual", "trimestral", "semestral", "anual", "irregular"]
LEVELS = ["publica"] * 18 + ["clasificada", "reservada"]


def progress(label: str, done: int, total: int, start: float) -> None:
    rate = done / max(time.perf_counter() - start, 1e-9)
    print(f"\r{label} {done}/{total} ({rate:.1f}/s)", end="", file=sys.stderr)


def synthetic_dataset(i: int, rng: random.Random, node: str, entity: str, today: dt.date) -> dict[str, Any]:
    kind = TYPES[i % len(TYPES)]
    cut = today - dt.timedelta(days=rng.randint(0, 700))
    level = rng.choice(LEVELS)
    data: dict[str, Any] = {
        "type": kind,
        "name": f"{PREFIX}{i:06d}",
        "title": f"Conjunto de carga {i} ({kind})",
        "notes": "Datos sintéticos de la prueba de carga de la página de transparencia.",
        "owner_org": node,
        "entidad_fuente": entity,
        "periodicidad": rng.choice(PERIODS),
        "cobertura_geografica": [f"comuna-{1 + i % 13}"],
        "temporal_start": "2020-01-01",
        "temporal_end": cut.isoformat(),
        "fecha_corte": cut.isoformat(),
        "contact_name": "Centro de Información Municipal",
        "contact_email": "cim@ibague.gov.co",
        "license_id": "cc-by",
        "nivel_acceso": level,
        "estado_flujo": "publicado",
        "private": False,
        "resources": [
            {
                "name": "Datos",
                "url": f"http://127.0.0.1/tbench/{i}.csv",
                "format": "CSV",
                "fecha_actualizacion": (cut + dt.timedelta(days=rng.randint(0, 30))).isoformat(),
                "tipo_recurso": "datos",
            }
        ],
        **PER_TYPE[kind],
    }
    if level != "publica":
        data.update(
            clasificacion_fundamento="Ley 1712 de 2014, art. 18",
            clasificacion_excepcion="Derecho a la intimidad",
            clasificacion_fecha="2024-01-15",
            clasificacion_plazo="15 años",
        )
    return data


def load_datasets(target: int, rng: random.Random) -> dict[str, Any]:
    import ckan.model as model
    import ckan.plugins.toolkit as tk
    import sqlalchemy as sa

    from ckanext.cimibague.workflow import service
    from ckanext.cimibague.workflow.model import Event

    site = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    nodes = [g.name for g in model.Session.query(model.Group).filter_by(is_organization=True, state="active")]
    entities = [g.name for g in model.Session.query(model.Group).filter_by(type="entidad", state="active")]
    if not nodes or not entities:
        raise SystemExit("no nodes or entities: run `bin/cim start` (it seeds them) first")
    existing = (
        model.Session.query(sa.func.count(model.Package.id)).filter(model.Package.name.like(f"{PREFIX}%")).scalar()
    )
    today = dt.date.today()
    start = time.perf_counter()
    for done, i in enumerate(range(existing, target), 1):
        data = synthetic_dataset(i, rng, nodes[i % len(nodes)], entities[i % len(entities)], today)
        context = {"user": site, "ignore_auth": True, service.WORKFLOW_CONTEXT: True}
        created = tk.get_action("package_create")(context, data)
        received = dt.datetime.now() - dt.timedelta(days=rng.randint(1, 730))
        published = received + dt.timedelta(days=rng.randint(1, 60), hours=rng.randint(0, 23))
        model.Session.add(
            Event(
                package_id=created["id"],
                kind="transicion",
                from_state="aprobado",
                to_state="publicado",
                created=published,
            )
        )
        # reception = the dataset's creation (what /transparencia measures from)
        model.Session.execute(
            sa.text("UPDATE package SET metadata_created = :when WHERE id = :id"),
            {"when": received, "id": created["id"]},
        )
        model.Session.commit()
        if done % 50 == 0 or i == target - 1:
            progress("conjuntos", existing + done, target, start)
    if existing < target:
        print(file=sys.stderr)
    elapsed = time.perf_counter() - start
    created_now = max(target - existing, 0)
    return {
        "existing": existing,
        "created": created_now,
        "seconds": round(elapsed, 1),
        "per_second": round(created_now / elapsed, 1) if created_now else None,
    }


def load_requests(target: int, rng: random.Random) -> dict[str, Any]:
    import ckan.model as model
    import sqlalchemy as sa
    from ckan.model.types import make_uuid

    existing = model.Session.execute(
        sa.text("SELECT count(*) FROM cimibague_solicitud WHERE asunto LIKE 'Carga %'")
    ).scalar()
    nodes = [g.id for g in model.Session.query(model.Group).filter_by(is_organization=True, state="active")]
    entities = [g.id for g in model.Session.query(model.Group).filter_by(type="entidad", state="active")]
    today = dt.date.today()
    states = ["enviada"] * 3 + ["respondida"] * 5 + ["respondida_parcial", "vencida", "borrador", "anulada"]
    start = time.perf_counter()
    batch: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for i in range(existing, target):
        sent = today - dt.timedelta(days=rng.randint(0, 700))
        state = rng.choice(states)
        row = {
            "id": make_uuid(),
            "owner_org": nodes[i % len(nodes)],
            "entidad_id": entities[i % len(entities)],
            "asunto": f"Carga {i}",
            "numero_oficio": f"OF-{i}",
            "fecha_solicitud": None if state == "borrador" else sent,
            "fecha_limite": sent + dt.timedelta(days=rng.choice([15, 30, 45])),
            "estado": state,
            "now": dt.datetime.now(),
        }
        batch.append(row)
        if state in ("respondida", "respondida_parcial"):
            events.append(
                {
                    "id": make_uuid(),
                    "solicitud_id": row["id"],
                    "fecha": sent + dt.timedelta(days=rng.randint(1, 60)),
                    "now": dt.datetime.now(),
                    "to_state": state,
                }
            )
        if len(batch) >= 2000 or i == target - 1:
            model.Session.execute(
                sa.text(
                    "INSERT INTO cimibague_solicitud (id, owner_org, entidad_id, asunto, numero_oficio,"
                    " fecha_solicitud, fecha_limite, estado, generada, created, modified) VALUES (:id, :owner_org,"
                    " :entidad_id, :asunto, :numero_oficio, :fecha_solicitud, :fecha_limite, :estado, false,"
                    " :now, :now)"
                ),
                batch,
            )
            if events:
                model.Session.execute(
                    sa.text(
                        "INSERT INTO cimibague_solicitud_evento (id, solicitud_id, created, kind, to_state, fecha)"
                        " VALUES (:id, :solicitud_id, :now, 'respuesta', :to_state, :fecha)"
                    ),
                    events,
                )
            model.Session.commit()
            progress("solicitudes", i + 1, target, start)
            batch, events = [], []
    if existing < target:
        print(file=sys.stderr)
    return {"existing": existing, "created": max(target - existing, 0)}


def measure(client: Any, url: str, rounds: int, before: Any = None) -> dict[str, float]:
    times = []
    for _ in range(rounds):
        if before:
            before()
        start = time.perf_counter()
        response = client.get(url)
        body = response.get_data()
        times.append(time.perf_counter() - start)
        if response.status_code != 200 or not body:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
    return summary(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ini", default=str(ROOT / ".state" / "ckan.ini"))
    parser.add_argument("--datasets", type=int, default=10000)
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    args = parser.parse_args()

    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(args.ini))
    flask_app = app._wsgi_app  # type: ignore[attr-defined]
    rng = random.Random(7)
    with flask_app.test_request_context():
        import ckan.plugins.toolkit as tk
        from ckan.lib.search import commit

        from ckanext.cimibague import transparency
        from ckanext.cimibague.planning import scorecard

        loaded = {"datasets": load_datasets(args.datasets, rng), "requests": load_requests(args.requests, rng)}
        commit()
        client = flask_app.test_client()
        client.get("/transparencia")  # warm the process (templates, first connections)
        client.get("/dataset/")
        site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})

        def expire() -> None:
            """The cached figures one minute old: the page serves them and a thread recomputes them."""
            while transparency._REFRESHING.is_set():  # one refresh at a time, as in production
                time.sleep(0.01)
            cached = transparency._CACHE.get("figures")
            if cached:
                transparency._CACHE["figures"] = (time.monotonic() - transparency.CACHE_SECONDS - 1, cached[1])

        def scorecard_cold() -> dict[str, float]:
            import ckan.model as model

            user = model.User.get(site_user["name"])
            times = []
            for _ in range(args.rounds):
                scorecard.clear_cache()
                start = time.perf_counter()
                scorecard.scorecard(user)
                times.append(time.perf_counter() - start)
            return summary(times)

        found = tk.get_action("package_search")({"ignore_auth": True}, {"rows": 0, "include_private": False})
        result: dict[str, Any] = {
            "bench": "transparency",
            "datasets_public": found["count"],
            "load": loaded,
            "search_page": measure(client, "/dataset/", args.rounds),
            "transparencia_served": measure(client, "/transparencia", args.rounds),
            "transparencia_expired": measure(client, "/transparencia", args.rounds, before=expire),
            "transparencia_cold": measure(client, "/transparencia", args.rounds, before=transparency.clear_cache),
            "scorecard_cold": scorecard_cold(),
        }
    base = result["search_page"]["p95_ms"]
    result["ratio_cold_to_search_p95"] = round(result["transparencia_cold"]["p95_ms"] / base, 2)
    result["ratio_served_to_search_p95"] = round(result["transparencia_served"]["p95_ms"] / base, 2)
    result["goal"] = {
        "transparencia_p95_ms_max": 300,
        "met_served": result["transparencia_served"]["p95_ms"] <= 300,
        "met_expired": result["transparencia_expired"]["p95_ms"] <= 300,
        "met_cold": result["transparencia_cold"]["p95_ms"] <= 300,
    }
    emit(result, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""DataStore benchmark: loading a 200,000-row Colombian CSV with the CIM typing against xloader's plain
load of the same file, and datastore_search (a filter and a sort) through CKAN against the same query
sent to PostgreSQL directly — measured in the same run, on the same machine.

    bin/cim services
    .state/venv/bin/python bench/datastore_load.py --rows 200000 --out bench/results/datastore.json

In-process against the development site's configuration (.state/ckan.ini; --ini) and its DataStore
(CKAN_DATASTORE_WRITE_URL / _READ_URL, by default the ones bin/cim creates). It writes the CSV (Windows-1252,
``;``, thousands dot, decimal comma, dd/mm/aaaa), creates one published dataset with two resources, and
times, --repeat times each: the CIM load (tabular.analyse + write_copy_csv + data_api/tables.replace: COPY
into typed columns, swap, indexes, ANALYZE) of resource A, and xloader's plain load (what its job's direct
load runs on the raw file: load_csv — tabulator conversion + COPY, every column text, full-text UPDATE —,
the record count and the column indexes) of resource B. Then, on A's table,
--queries requests of GET /api/3/action/datastore_search (filters + sort, anonymous, WSGI client) and the
same SELECT (rows and total) on the DataStore's read-only connection. Prints JSON with the goals of the
Data API issue: load ≤ 1.5× the plain load, search p95 ≤ 2× PostgreSQL direct.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from timing import emit, summary  # bench/timing.py (the benchmarks run as scripts from bench/)

ROOT = Path(__file__).resolve().parents[1]
HEADER = ["Comuna", "Barrio", "Población", "Hogares", "Tasa de desempleo", "Ingreso promedio", "Fecha de corte"]


def write_csv(path: Path, rows: int, rng: random.Random) -> None:
    def thousands(n: int) -> str:
        return f"{n:,}".replace(",", ".")

    with path.open("w", encoding="cp1252", newline="") as out:
        out.write(";".join(HEADER) + "\r\n")
        for i in range(rows):
            day = dt.date(2015, 1, 1) + dt.timedelta(days=rng.randint(0, 3000))
            out.write(
                ";".join(
                    [
                        f"Comuna {1 + i % 13}",
                        f"Barrio Señorial {rng.randint(1, 400)}",
                        thousands(rng.randint(100, 250000)),
                        thousands(rng.randint(10, 60000)),
                        f"{rng.uniform(2, 25):.2f}".replace(".", ","),
                        thousands(rng.randint(800000, 9000000)) + f",{rng.randint(0, 99):02d}",
                        day.strftime("%d/%m/%Y"),
                    ]
                )
                + "\r\n"
            )


def dataset() -> tuple[str, str]:
    """A published dataset with two resources (format TXT: nothing queues a load), reused across runs."""
    import ckan.model as model
    import ckan.plugins.toolkit as tk

    from ckanext.cimibague.workflow import service

    site = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    context = {"user": site, "ignore_auth": True, service.WORKFLOW_CONTEXT: True}
    pkg = model.Package.get("dbench-tabla")
    if pkg is None:
        node = model.Session.query(model.Group).filter_by(is_organization=True, state="active").first()
        entity = model.Session.query(model.Group).filter_by(type="entidad", state="active").first()
        if node is None or entity is None:
            raise SystemExit("no nodes or entities: run `bin/cim start` once (it seeds them)")
        resource = {"url": "http://127.0.0.1/tabla.csv", "format": "TXT", "fecha_actualizacion": "2024-01-31"}
        tk.get_action("package_create")(
            context,
            {
                "type": "bases-de-datos",
                "name": "dbench-tabla",
                "title": "Tabla de la prueba de carga del DataStore",
                "notes": "Datos sintéticos.",
                "owner_org": node.name,
                "entidad_fuente": entity.name,
                "periodicidad": "anual",
                "cobertura_geografica": ["comuna-1"],
                "temporal_start": "2015-01-01",
                "temporal_end": "2023-12-31",
                "fecha_corte": "2023-12-31",
                "contact_name": "CIM",
                "contact_email": "cim@ibague.gov.co",
                "license_id": "cc-by",
                "origen": "externa",
                "datos_personales": "no_contiene",
                "estado_flujo": "publicado",
                "private": False,
                "resources": [
                    {**resource, "name": "CIM", "tipo_recurso": "datos"},
                    {**resource, "name": "Plano", "tipo_recurso": "datos"},
                ],
            },
        )
        pkg = model.Package.get("dbench-tabla")
    ids = [r.id for r in sorted(pkg.resources, key=lambda r: r.position)]
    return ids[0], ids[1]


def cim_load(path: Path, resource_id: str, logger: Any) -> dict[str, Any]:
    """What the load job does with a file once read (data_api/load.py ``_load``), phase by phase."""
    from ckanext.cimibague import tabular
    from ckanext.cimibague.data_api import dictionary, tables

    phases: dict[str, float] = {}
    start = mark = time.perf_counter()

    def phase(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        phases[name] = round(now - mark, 3)
        mark = now

    analysis = tabular.analyse(path, "csv", max_bytes=200 * 1024 * 1024)
    phase("analyse")
    fields = dictionary.fields(analysis, dictionary.previous(resource_id))
    canonical = path.with_suffix(".copia.csv")
    misfits = tabular.write_copy_csv(analysis, path, canonical, [field.column for field in fields])
    fields = dictionary.with_misfits(fields, misfits)
    phase("write_copy_csv")
    built: list[float] = []
    create_indexes = tables.create_indexes

    def timed_indexes(*args: Any, **kwargs: Any) -> None:  # CKAN's index build, inside the swap
        begun = time.perf_counter()
        create_indexes(*args, **kwargs)
        built.append(time.perf_counter() - begun)

    tables.create_indexes = timed_indexes
    try:
        tables.replace(resource_id, fields, canonical, logger)
    finally:
        tables.create_indexes = create_indexes
    phase("copy_swap_index_analyze")
    phases["of_which_indexes"] = round(sum(built), 3)
    seconds = time.perf_counter() - start
    canonical.unlink()
    return {"seconds": seconds, "phases": phases, "types": {field.id: field.type for field in fields}}


def plain_load(path: Path, resource_id: str, logger: Any) -> dict[str, float]:
    """xloader's direct load, as its job runs it: load_csv, record count, column indexes (timed apart)."""
    from ckanext.xloader import loader

    start = time.perf_counter()
    fields = loader.load_csv(
        str(path), resource_id=resource_id, mimetype="text/csv", allow_type_guessing=False, logger=logger
    )
    loader.calculate_record_count(resource_id=resource_id, logger=logger)
    loaded = time.perf_counter()
    loader.create_column_indexes(fields=fields, resource_id=resource_id, logger=logger)
    end = time.perf_counter()
    return {"seconds": end - start, "indexes": end - loaded}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ini", default=str(ROOT / ".state" / "ckan.ini"))
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    port = os.environ.get("CIM_PG_PORT", "55432")
    os.environ.setdefault("CKAN_DATASTORE_WRITE_URL", f"postgresql://ckan:ckan@127.0.0.1:{port}/cimibague_datastore")
    os.environ.setdefault(
        "CKAN_DATASTORE_READ_URL", f"postgresql://cim_datastore_ro:datastore@127.0.0.1:{port}/cimibague_datastore"
    )

    import logging

    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(args.ini))
    flask_app = app._wsgi_app  # type: ignore[attr-defined]
    logger = logging.getLogger("bench.datastore")
    logger.setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as folder, flask_app.test_request_context():
        import sqlalchemy as sa

        path = Path(folder) / "municipal.csv"
        print(f"escribiendo {args.rows} filas…", file=sys.stderr)
        write_csv(path, args.rows, random.Random(11))
        resource_a, resource_b = dataset()
        cim, plain, plain_indexes, types, phases = [], [], [], {}, []
        for n in range(args.repeat):
            print(f"carga {n + 1}/{args.repeat}…", file=sys.stderr)
            result = cim_load(path, resource_a, logger)
            cim.append(result["seconds"])
            types = result["types"]
            phases.append(result["phases"])
            xloader = plain_load(path, resource_b, logger)
            plain.append(xloader["seconds"])
            plain_indexes.append(xloader["indexes"])
        client = flask_app.test_client()
        params = {
            "resource_id": resource_a,
            "filters": json.dumps({"Comuna": "Comuna 7"}),
            "sort": "Poblacion desc",
            "limit": 100,
        }
        through_ckan = []
        for _ in range(args.queries):
            start = time.perf_counter()
            response = client.get("/api/3/action/datastore_search", query_string=params)
            body = response.get_json()
            through_ckan.append(time.perf_counter() - start)
            if not body or not body.get("success"):
                raise SystemExit(f"datastore_search failed: {response.status_code} {response.get_data()[:300]!r}")
        engine = sa.create_engine(os.environ["CKAN_DATASTORE_READ_URL"])
        direct = []
        with engine.connect() as conn:
            table = f'"{resource_a}"'
            rows_sql = sa.text(f'SELECT * FROM {table} WHERE "Comuna" = :c ORDER BY "Poblacion" DESC LIMIT 100')
            count_sql = sa.text(f'SELECT count(*) FROM {table} WHERE "Comuna" = :c')
            for _ in range(args.queries):
                start = time.perf_counter()
                conn.execute(rows_sql, {"c": "Comuna 7"}).fetchall()
                conn.execute(count_sql, {"c": "Comuna 7"}).scalar()
                direct.append(time.perf_counter() - start)
    result: dict[str, Any] = {
        "bench": "datastore",
        "rows": args.rows,
        "types": types,
        "load_cim_seconds": [round(s, 2) for s in cim],
        "load_cim_phases_seconds": phases,
        "load_plain_xloader_seconds": [round(s, 2) for s in plain],
        "load_plain_xloader_indexes_seconds": [round(s, 2) for s in plain_indexes],
        "load_ratio_median": round(statistics.median(cim) / statistics.median(plain), 2),
        # both without building CKAN's indexes (the same ones: full text, text columns)
        "load_ratio_median_without_indexes": round(
            statistics.median([c - ph["of_which_indexes"] for c, ph in zip(cim, phases, strict=True)])
            / statistics.median([p - i for p, i in zip(plain, plain_indexes, strict=True)]),
            2,
        ),
        "search_through_ckan": summary(through_ckan),
        "search_postgres_direct": summary(direct),
    }
    result["search_ratio_p95"] = round(
        result["search_through_ckan"]["p95_ms"] / result["search_postgres_direct"]["p95_ms"], 2
    )
    result["goals"] = {
        "load_ratio_max": 1.5,
        "load_met": result["load_ratio_median"] <= 1.5,
        "search_ratio_max": 2.0,
        "search_met": result["search_ratio_p95"] <= 2.0,
    }
    emit(result, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

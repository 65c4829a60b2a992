"""Search benchmark: package_search through CKAN against the same query sent to Solr directly.

    bin/cim start
    .state/venv/bin/python bench/search.py --datasets 1000      # or 10000
    .state/venv/bin/python bench/search.py --datasets 1000 --queries 300 --out bench/results/search.json

Loads synthetic datasets (Spanish titles, tags, formats, comunas) through the Action API into the node
"bench-nodo" until it holds --datasets of them (a progress line on stderr; reruns reuse them), then runs
the same mix of queries (q + facets + fq) through CKAN's API (HTTP, anonymous, as a citizen would) and
straight to Solr with the parameters CKAN sends, sequentially, and prints JSON: p50/p95/mean in ms for
both, the ratio, and the targets of the Stack issue (p95 through CKAN <= 150 ms and <= 3x direct Solr at
10,000 datasets). The baseline (direct Solr) is measured in the same run on the same data.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests
from timing import emit, summary  # bench/timing.py (the benchmarks run as scripts from bench/)

ROOT = Path(__file__).resolve().parents[1]
ORG = "bench-nodo"
TOPICS = [
    "Población",
    "Educación",
    "Salud",
    "Vivienda",
    "Movilidad",
    "Seguridad",
    "Empleo",
    "Ambiente",
    "Cultura",
    "Deporte",
    "Presupuesto",
    "Servicios públicos",
    "Usos del suelo",
    "Pobreza",
]
ASPECTS = [
    "por comuna",
    "por corregimiento",
    "histórico",
    "anual",
    "mensual",
    "por sexo y edad",
    "según el POT",
    "del Plan de Desarrollo",
    "georreferenciado",
    "por barrio",
]
TAGS = [
    "educacion",
    "salud",
    "vivienda",
    "movilidad",
    "seguridad",
    "empleo",
    "ambiente",
    "cultura",
    "presupuesto",
    "pobreza",
    "comuna",
    "corregimiento",
    "indicadores",
    "censo",
]
FORMATS = ["CSV", "XLSX", "JSON", "PDF", "GeoJSON", "SHP"]
QUERIES = [
    {"q": "educacion", "fq": "tags:comuna"},
    {"q": "vivienda comuna", "fq": "res_format:CSV"},
    {"q": "poblacion", "fq": "tags:censo"},
    {"q": "salud mensual", "fq": ""},
    {"q": "informacion", "fq": "res_format:XLSX"},
    {"q": "pot", "fq": ""},
    {"q": "", "fq": "tags:presupuesto"},
    {"q": "empleo por sexo", "fq": "tags:indicadores"},
]
FACETS = ["organization", "groups", "tags", "res_format", "license_id"]
QUERY_FIELDS = "name^4 title^4 tags^2 groups^2 text"


def sysadmin_token() -> str:
    ini = ROOT / ".state" / "ckan.ini"
    out = subprocess.run(
        [
            str(ROOT / ".state" / "venv" / "bin" / "ckan"),
            "-c",
            str(ini),
            "user",
            "token",
            "add",
            "admin",
            "bench",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return out.strip().splitlines()[-1].strip()


class Api:
    def __init__(self, url: str, token: str | None = None) -> None:
        self.url = url.rstrip("/")
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = token

    def call(self, action: str, **data: Any) -> Any:
        response = self.session.post(f"{self.url}/api/3/action/{action}", json=data, timeout=60)
        body = response.json()
        if not body.get("success"):
            raise RuntimeError(f"{action}: {body.get('error')}")
        return body["result"]


def synthetic_dataset(i: int, rng: random.Random) -> dict[str, Any]:
    topic, aspect = rng.choice(TOPICS), rng.choice(ASPECTS)
    return {
        "name": f"bench-{i:06d}",
        "title": f"{topic} {aspect} {2015 + i % 10}",
        "notes": f"Datos sintéticos de prueba de carga: {topic.lower()} {aspect} en Ibagué, comuna {1 + i % 13}.",
        "owner_org": ORG,
        "license_id": rng.choice(["cc-by", "cc-by-sa", "odc-odbl"]),
        "tags": [{"name": t} for t in rng.sample(TAGS, 3)],
        "resources": [
            {"name": f"{topic} ({fmt})", "url": f"http://127.0.0.1/bench/{i}.{fmt.lower()}", "format": fmt}
            for fmt in rng.sample(FORMATS, 2)
        ],
    }


def load(api: Api, target: int, workers: int) -> dict[str, Any]:
    try:
        api.call("organization_show", id=ORG)
    except RuntimeError:
        api.call("organization_create", name=ORG, title="Nodo de pruebas de carga")
    existing = api.call("package_search", fq=f"organization:{ORG}", rows=0, include_private=True)["count"]
    todo = list(range(existing, target))
    rng = random.Random(42)
    start = time.perf_counter()
    done = 0

    def create(i: int) -> None:
        api.call("package_create", **synthetic_dataset(i, random.Random(rng.random() + i)))

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for _ in pool.map(create, todo):
            done += 1
            if done % 25 == 0 or done == len(todo):
                rate = done / (time.perf_counter() - start)
                print(f"\rcargando {existing + done}/{target} conjuntos ({rate:.1f}/s)", end="", file=sys.stderr)
    if todo:
        print(file=sys.stderr)
    elapsed = time.perf_counter() - start
    return {
        "existing": existing,
        "created": len(todo),
        "seconds": round(elapsed, 1),
        "per_second": round(len(todo) / elapsed, 1) if todo else None,
    }


def solr_params(query: dict[str, str], site_id: str) -> list[tuple[str, str]]:
    """The parameters CKAN 2.12's package_search sends to Solr for an anonymous user."""
    q = query["q"] or "*:*"
    params = [
        ("q", q),
        ("rows", "20"),
        ("start", "0"),
        ("wt", "json"),
        ("fl", "id validated_data_dict"),
        ("facet", "true"),
        ("facet.limit", "50"),
        ("facet.mincount", "1"),
        ("sort", "score desc, metadata_modified desc"),
        ("q.op", "AND"),
    ]
    if ":" not in q:  # as CKAN: dismax over its query fields unless the query names a field
        params += [("defType", "dismax"), ("tie", "0.1"), ("mm", "2<-1 5<80%"), ("qf", QUERY_FIELDS)]
    params += [("facet.field", f) for f in FACETS]
    fqs = [query["fq"]] if query["fq"] else []
    fqs += ["-dataset_type:harvest", f'+site_id:"{site_id}"', "+state:active", "+permission_labels:(public)"]
    params += [("fq", fq) for fq in fqs]
    return params


def measure(url: str, solr: str, site_id: str, rounds: int) -> dict[str, Any]:
    ckan, direct = requests.Session(), requests.Session()
    ckan_times: list[float] = []
    solr_times: list[float] = []
    counts: dict[str, int] = {}
    for query in QUERIES:  # warm both sides the same way
        ckan.get(f"{url}/api/3/action/package_search", params=_ckan_params(query), timeout=30)
        direct.get(f"{solr}/select", params=solr_params(query, site_id), timeout=30)
    for i in range(rounds):
        query = QUERIES[i % len(QUERIES)]
        t0 = time.perf_counter()
        r = ckan.get(f"{url}/api/3/action/package_search", params=_ckan_params(query), timeout=30)
        ckan_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        s = direct.get(f"{solr}/select", params=solr_params(query, site_id), timeout=30)
        solr_times.append(time.perf_counter() - t0)
        key = f"{query['q']}|{query['fq']}"
        ckan_count, solr_count = r.json()["result"]["count"], s.json()["response"]["numFound"]
        if ckan_count != solr_count:
            raise SystemExit(f"CKAN and Solr disagree for {key}: {ckan_count} vs {solr_count}")
        counts[key] = ckan_count
    return {"ckan": summary(ckan_times), "solr_direct": summary(solr_times), "hits_per_query": counts}


def _ckan_params(query: dict[str, str]) -> dict[str, str]:
    params = {"q": query["q"], "rows": "20", "facet.field": json.dumps(FACETS), "facet.limit": "50"}
    if query["fq"]:
        params["fq"] = query["fq"]
    return params


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:5000")
    parser.add_argument("--solr", default="http://127.0.0.1:58983/solr/ckan")
    parser.add_argument("--site-id", default="cimibague-dev")
    parser.add_argument("--datasets", type=int, default=1000)
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--workers", type=int, default=4, help="concurrent requests while loading")
    parser.add_argument("--token", help="sysadmin API token (default: a new one for the dev admin)")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    args = parser.parse_args()

    loading = load(Api(args.url, args.token or sysadmin_token()), args.datasets, args.workers)
    total = requests.get(f"{args.url}/api/3/action/package_search", params={"rows": 0}, timeout=30).json()
    result = measure(args.url, args.solr, args.site_id, args.queries)
    p95, base = result["ckan"]["p95_ms"], result["solr_direct"]["p95_ms"]
    report = {
        "benchmark": "package_search",
        "datasets_in_bench_node": args.datasets,
        "datasets_visible": total["result"]["count"],
        "loading": loading,
        **result,
        "ratio_p95_ckan_over_solr": round(p95 / base, 2),
        "targets": {
            "p95_ms_max": 150,
            "ratio_max": 3.0,
            "apply_at_datasets": 10000,
            "met": p95 <= 150 and p95 / base <= 3.0,
        },
    }
    emit(report, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

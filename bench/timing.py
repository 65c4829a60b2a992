"""What the benchmarks share: percentiles of timings and the JSON they print (and save with --out)."""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any


def percentile(values: list[float], pct: float) -> float:
    """Linear interpolation between the closest ranks."""
    ordered = sorted(values)
    k = (len(ordered) - 1) * pct / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary(times: list[float]) -> dict[str, float]:
    """p50, p95 and mean in milliseconds of timings in seconds."""
    ms = [t * 1000 for t in times]
    return {
        "p50_ms": round(percentile(ms, 50), 2),
        "p95_ms": round(percentile(ms, 95), 2),
        "mean_ms": round(statistics.mean(ms), 2),
        "n": len(ms),
    }


def emit(result: dict[str, Any], out: Path | None) -> None:
    """Print the result as JSON, and write it to ``out`` too when given."""
    text = json.dumps(result, indent=2, ensure_ascii=False)
    print(text)
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text + "\n", encoding="utf-8")

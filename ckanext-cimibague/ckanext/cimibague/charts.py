"""Server-side SVG charts: an indicator's series against its baseline and target (no JavaScript needed)."""

from __future__ import annotations

from decimal import Decimal
from html import escape
from typing import Any

from markupsafe import Markup

from ckanext.cimibague.logic.validators import parse_number

__all__ = ["indicator_svg"]

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 24, 36, 48


def _fmt(number: Decimal) -> str:
    text = f"{number:,.2f}".rstrip("0").rstrip(".")
    return text.replace(",", "\u2009")  # thin space as thousands separator, readable in es and en


def indicator_svg(dataset: dict[str, Any], labels: dict[str, str] | None = None) -> Markup:
    """An accessible SVG line chart of ``serie`` with the baseline and the target as reference lines.

    Empty markup when the indicator has no numeric series.
    """
    labels = {"baseline": "Línea base", "target": "Meta", "title": dataset.get("title", ""), **(labels or {})}
    points = [
        (str(item.get("periodo", "")), parse_number(item.get("valor")))
        for item in dataset.get("serie") or []
        if parse_number(item.get("valor")) is not None
    ]
    points.sort(key=lambda p: p[0])
    if not points:
        return Markup("")
    baseline = parse_number(dataset.get("linea_base_valor"))
    target = parse_number(dataset.get("meta_valor"))
    values = [v for _, v in points] + [v for v in (baseline, target) if v is not None]
    low, high = min(values), max(values)
    if low == high:
        low, high = low - 1, high + 1
    pad = (high - low) / 10
    low, high = low - pad, high + pad

    def y(value: Decimal) -> float:
        return TOP + float((high - value) / (high - low)) * (HEIGHT - TOP - BOTTOM)

    step = (WIDTH - LEFT - RIGHT) / max(len(points) - 1, 1)

    def x(i: int) -> float:
        return LEFT + (i * step if len(points) > 1 else (WIDTH - LEFT - RIGHT) / 2)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="cimibague-indicator-chart" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="chart-title chart-desc" style="max-width:100%;height:auto">',
        f'<title id="chart-title">{escape(labels["title"])}</title>',
        '<desc id="chart-desc">'
        + escape("; ".join(f"{period}: {_fmt(value)}" for period, value in points))
        + "</desc>",
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - RIGHT}" y2="{HEIGHT - BOTTOM}" stroke="#555"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{HEIGHT - BOTTOM}" stroke="#555"/>',
    ]
    for value, text in ((low + pad, _fmt(low + pad)), (high - pad, _fmt(high - pad))):
        parts.append(
            f'<text x="{LEFT - 8}" y="{y(value) + 4:.1f}" text-anchor="end" font-size="12" fill="#333">{text}</text>'
        )
    for ref, key, color in ((baseline, "baseline", "#6c757d"), (target, "target", "#1e7b34")):
        if ref is None:
            continue
        parts.append(
            f'<line class="cimibague-{key}" x1="{LEFT}" y1="{y(ref):.1f}" x2="{WIDTH - RIGHT}" y2="{y(ref):.1f}" '
            f'stroke="{color}" stroke-width="2" stroke-dasharray="6 4"/>'
        )
        parts.append(
            f'<text x="{WIDTH - RIGHT}" y="{y(ref) - 6:.1f}" text-anchor="end" font-size="12" fill="{color}">'
            f"{escape(labels[key])}: {_fmt(ref)}</text>"
        )
    coords = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, (_, v) in enumerate(points))
    parts.append(
        f'<polyline class="cimibague-series" points="{coords}" fill="none" stroke="#0b5394" stroke-width="3"/>'
    )
    for i, (period, value) in enumerate(points):
        parts.append(
            f'<circle cx="{x(i):.1f}" cy="{y(value):.1f}" r="4" fill="#0b5394"><title>{escape(period)}: '
            f"{_fmt(value)}</title></circle>"
        )
        parts.append(
            f'<text x="{x(i):.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle" font-size="12" '
            f'fill="#333">{escape(period)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))

"""Server-side SVG charts: an indicator's series against its baseline and target (no JavaScript needed)."""

from __future__ import annotations

from decimal import Decimal
from html import escape
from typing import Any

from markupsafe import Markup

from ckanext.cimibague.logic.validators import parse_number

__all__ = ["bar_svg", "indicator_svg"]

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


BAR_COLOUR = "#0b5394"  # 7.6:1 against white


def bar_svg(items: list[tuple[str, int]], title: str, vertical: bool = False) -> Markup:
    """An accessible SVG bar chart of (label, count): horizontal bars (long labels, e.g. the ejes) or, with
    ``vertical``, columns (e.g. months). The numbers are also in the chart's description and on each bar;
    pages show them as a table too. Empty markup when there is nothing to draw."""
    if not items or not any(count for _, count in items):
        return Markup("")
    uid = f"bar-{abs(hash((title, tuple(items)))) % 10**8}"
    top = max(count for _, count in items) or 1
    desc = "; ".join(f"{label}: {count}" for label, count in items)
    if vertical:
        width, height, left, bottom, top_margin = max(320, 48 * len(items) + 60), 260, 40, 64, 24
        band = (width - left - 16) / len(items)
        plot = height - bottom - top_margin
        shapes = []
        for i, (label, count) in enumerate(items):
            h = plot * count / top
            x = left + i * band + band * 0.15
            y = top_margin + plot - h
            shapes.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{band * 0.7:.1f}" height="{h:.1f}" fill="{BAR_COLOUR}">'
                f"<title>{escape(label)}: {count}</title></rect>"
                f'<text x="{x + band * 0.35:.1f}" y="{y - 4:.1f}" text-anchor="middle" font-size="11" '
                f'fill="#222">{count}</text>'
                f'<text x="{x + band * 0.35:.1f}" y="{height - bottom + 14}" text-anchor="end" font-size="11" '
                f'fill="#222" transform="rotate(-45 {x + band * 0.35:.1f} {height - bottom + 14})">'
                f"{escape(label)}</text>"
            )
        axis = f'<line x1="{left}" y1="{top_margin + plot}" x2="{width - 16}" y2="{top_margin + plot}" stroke="#555"/>'
    else:
        row, left, right = 28, 300, 48
        width, height = 720, row * len(items) + 16
        span = width - left - right
        shapes = []
        for i, (label, count) in enumerate(items):
            y = 8 + i * row
            w = span * count / top
            shapes.append(
                f'<text x="{left - 8}" y="{y + 17}" text-anchor="end" font-size="13" fill="#222">'
                f"{escape(label)}</text>"
                f'<rect x="{left}" y="{y + 4}" width="{w:.1f}" height="{row - 10}" fill="{BAR_COLOUR}">'
                f"<title>{escape(label)}: {count}</title></rect>"
                f'<text x="{left + w + 6:.1f}" y="{y + 17}" font-size="13" fill="#222">{count}</text>'
            )
        axis = f'<line x1="{left}" y1="4" x2="{left}" y2="{height - 4}" stroke="#555"/>'
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="cimibague-bar-chart" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{uid}-title {uid}-desc" style="max-width:100%;height:auto">'
        f'<title id="{uid}-title">{escape(title)}</title><desc id="{uid}-desc">{escape(desc)}</desc>'
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>{axis}{"".join(shapes)}</svg>'
    )

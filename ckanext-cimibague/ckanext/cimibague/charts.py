"""Server-side SVG charts (no JavaScript needed): an indicator's series against its baseline and target, bars
of counts (transparency) and the charts of DataStore tables (``series_svg``, the ``cimibague_grafico`` view)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_UP, Decimal, localcontext
from html import escape
from typing import Any

from markupsafe import Markup

from ckanext.cimibague.logic.validators import parse_number

__all__ = ["bar_svg", "indicator_svg", "number_text", "series_svg"]

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


def number_text(value: Decimal | float | int, locale: str = "es") -> str:
    """A number as written in ``locale``; in Spanish the Colombian way, thousands dot and decimal comma
    (``1.234.567,5``), whatever the locale data of Babel says. At most two decimals (four below 1), without
    trailing zeros."""
    number = Decimal(str(value))
    if not number.is_finite():
        return str(value)
    places = 2 if number.copy_abs() >= 1 or number == 0 else 4
    with localcontext() as context:
        context.prec = max(28, number.adjusted() + places + 2)  # enough digits for any whole part
        number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if number == 0:
        number = number.copy_abs()  # no "-0"
    if locale.startswith("es"):
        group, point = ".", ","
    else:
        from babel.numbers import get_decimal_symbol, get_group_symbol

        group, point = get_group_symbol(locale), get_decimal_symbol(locale)
    sign = "-" if number < 0 else ""
    whole, _, fraction = f"{number.copy_abs():f}".partition(".")
    groups = f"{int(whole):,}".replace(",", group)
    fraction = fraction.rstrip("0")
    return f"{sign}{groups}{point}{fraction}" if fraction else f"{sign}{groups}"


def _ticks(low: float, high: float, count: int = 4) -> list[float]:
    """Round values (1, 2, 2.5 or 5 × 10^k apart) covering [low, high], zero included."""
    span = high - low or abs(high) or 1.0
    raw = span / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw * (1 - 1e-9))
    start, stop = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
    if start == stop:
        stop += 1
    return [i * step for i in range(start, stop + 1)]


def _scale(low: float, high: float) -> tuple[float, float]:
    """The value axis: from the round tick at or below ``low`` to the one at or above ``high`` (zero
    included); a side under a tenth of the range ends at its value (plus a margin) rather than a tick."""
    ticks = _ticks(low, high)
    start, stop = ticks[0], ticks[-1]
    margin = (stop - start) / 50
    if low < 0 and -low < (stop - start) / 10:
        start = low - margin
    if high > 0 and high < (stop - start) / 10:
        stop = high + margin
    return start, stop


def _short(label: str, size: int) -> str:
    return label if len(label) <= size else label[: size - 1] + "…"


def series_svg(
    points: Sequence[tuple[str, Decimal]],
    title: str,
    *,
    kind: str = "bars",
    horizontal: bool = False,
    fmt: Callable[[Decimal], str] = number_text,
    uid: str | None = None,
) -> Markup:
    """An accessible SVG chart of (label, value) in their order: ``kind`` ``bars`` (columns, or with
    ``horizontal`` bars with their labels on the left: categories) or ``lines``. Values may be negative
    (measured from a zero line); ``fmt`` writes them (ticks, value labels, the description). Every value
    is in the chart's ``<desc>`` and in each mark's ``<title>``; long labels are shortened on the axis only.
    Empty markup when there is nothing to draw."""
    if not points:
        return Markup("")
    uid = uid or f"serie-{abs(hash((title, tuple(points)))) % 10**8}"
    values = [float(value) for _, value in points]
    if not all(math.isfinite(v) for v in values):
        return Markup("")
    low, high = _scale(min(0.0, *values), max(0.0, *values))
    ticks = [t for t in _ticks(low, high) if low <= t <= high]
    tick_labels = [fmt(Decimal(repr(t))) for t in ticks]
    desc = "; ".join(f"{label}: {fmt(value)}" for label, value in points)
    marks: list[str] = []
    n = len(points)
    if horizontal:
        row, left, right, top = 26, 230, 90, 10
        width = 720
        plot_h = row * n
        height = top + plot_h + 28
        span_w = width - left - right

        def xpos(v: float) -> float:
            return left + span_w * (v - low) / (high - low)

        zero = xpos(0.0)
        for t, text in zip(ticks, tick_labels, strict=True):
            marks.append(
                f'<line x1="{xpos(t):.1f}" y1="{top}" x2="{xpos(t):.1f}" y2="{top + plot_h}" stroke="#ddd"/>'
                f'<text x="{xpos(t):.1f}" y="{top + plot_h + 18}" text-anchor="middle" font-size="11" '
                f'fill="#333">{escape(text)}</text>'
            )
        for i, (label, value) in enumerate(points):
            y = top + i * row
            v = float(value)
            x0, x1 = sorted((zero, xpos(v)))
            shown = escape(fmt(value))
            value_x, anchor = (x1 + 5, "start") if v >= 0 else (x0 - 5, "end")
            if anchor == "end" and value_x - 7 * len(shown) < left:  # no room left of a short bar: after zero
                value_x, anchor = zero + 5, "start"
            marks.append(
                f'<text x="{left - 8}" y="{y + 17}" text-anchor="end" font-size="12" fill="#222">'
                f"{escape(_short(label, 34))}</text>"
                f'<rect x="{x0:.1f}" y="{y + 4}" width="{x1 - x0:.1f}" height="{row - 8}" fill="{BAR_COLOUR}">'
                f"<title>{escape(label)}: {shown}</title></rect>"
                f'<text x="{value_x:.1f}" y="{y + 17}" text-anchor="{anchor}" font-size="12" fill="#222">{shown}</text>'
            )
        marks.append(f'<line x1="{zero:.1f}" y1="{top}" x2="{zero:.1f}" y2="{top + plot_h}" stroke="#555"/>')
    else:
        band = max(14.0, min(120.0, 640 / n))
        bar = min(band * 0.7, 64.0)
        left = 16 + 7 * max(len(t) for t in tick_labels)
        top, bottom, right = 24, 96, 16
        width = round(left + band * n + right)
        height = 340
        plot_h = height - top - bottom

        def ypos(v: float) -> float:
            return top + plot_h * (high - v) / (high - low)

        zero = ypos(0.0)
        for t, text in zip(ticks, tick_labels, strict=True):
            marks.append(
                f'<line x1="{left}" y1="{ypos(t):.1f}" x2="{width - right}" y2="{ypos(t):.1f}" stroke="#ddd"/>'
                f'<text x="{left - 6}" y="{ypos(t) + 4:.1f}" text-anchor="end" font-size="11" '
                f'fill="#333">{escape(text)}</text>'
            )
        centres = [left + band * (i + 0.5) for i in range(n)]
        label_every = max(1, math.ceil(n / 25))  # at most 25 labels under the axis; all in the titles
        if kind == "lines":
            coords = " ".join(f"{cx:.1f},{ypos(float(v)):.1f}" for cx, (_, v) in zip(centres, points, strict=True))
            marks.append(
                f'<polyline class="cimibague-series" points="{coords}" fill="none" stroke="{BAR_COLOUR}" '
                f'stroke-width="2.5"/>'
            )
        for i, (cx, (label, value)) in enumerate(zip(centres, points, strict=True)):
            v = float(value)
            shown = escape(fmt(value))
            tip = f"<title>{escape(label)}: {shown}</title>"
            if kind == "lines":
                marks.append(f'<circle cx="{cx:.1f}" cy="{ypos(v):.1f}" r="4" fill="{BAR_COLOUR}">{tip}</circle>')
            else:
                y0, y1 = sorted((zero, ypos(v)))
                marks.append(
                    f'<rect x="{cx - bar / 2:.1f}" y="{y0:.1f}" width="{bar:.1f}" height="{y1 - y0:.1f}" '
                    f'fill="{BAR_COLOUR}">{tip}</rect>'
                )
            if n <= 16:
                above = ypos(v) - 6 if v >= 0 else ypos(v) + 14
                marks.append(
                    f'<text x="{cx:.1f}" y="{above:.1f}" text-anchor="middle" font-size="11" fill="#222">{shown}</text>'
                )
            if i % label_every == 0:
                ly = top + plot_h + 14
                marks.append(
                    f'<text x="{cx:.1f}" y="{ly}" text-anchor="end" font-size="11" fill="#222" '
                    f'transform="rotate(-45 {cx:.1f} {ly})">{escape(_short(label, 18))}</text>'
                )
        marks.append(f'<line x1="{left}" y1="{zero:.1f}" x2="{width - right}" y2="{zero:.1f}" stroke="#555"/>')
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="cimibague-series-chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" role="img" aria-labelledby="{uid}-title {uid}-desc" style="max-width:100%;height:auto">'
        f'<title id="{uid}-title">{escape(title)}</title><desc id="{uid}-desc">{escape(desc)}</desc>'
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>{"".join(marks)}</svg>'
    )

"""The indicator chart: a real picture of the series, the baseline and the target."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from ckanext.cimibague.charts import indicator_svg

pytestmark = pytest.mark.unit

SVG = "{http://www.w3.org/2000/svg}"
INDICATOR = {
    "title": "Cobertura neta en educación media",
    "linea_base_valor": "45.5",
    "meta_valor": "60",
    "serie": [
        {"periodo": "2024", "valor": "50"},
        {"periodo": "2023", "valor": "45.5"},
        {"periodo": "2025", "valor": "x"},
    ],
}


def test_chart_draws_the_numeric_series_in_period_order_with_baseline_and_target():
    svg = ET.fromstring(str(indicator_svg(INDICATOR)))
    assert svg.get("role") == "img"
    assert svg.find(f"{SVG}title").text == "Cobertura neta en educación media"
    (series,) = [e for e in svg.iter(f"{SVG}polyline") if e.get("class") == "cimibague-series"]
    points = [tuple(map(float, p.split(","))) for p in series.get("points").split()]
    assert len(points) == 2  # "x" is not a number and is left out
    assert points[0][0] < points[1][0] and points[0][1] > points[1][1]  # 2023 left of 2024; 45.5 lower than 50
    lines = {e.get("class"): e for e in svg.iter(f"{SVG}line") if e.get("class")}
    baseline_y, target_y = (
        float(lines["cimibague-baseline"].get("y1")),
        float(lines["cimibague-target"].get("y1")),
    )
    assert target_y < baseline_y  # the target (60) is drawn above the baseline (45.5)
    assert abs(baseline_y - points[0][1]) < 0.1  # the first value equals the baseline
    assert "2023: 45.5; 2024: 50" in svg.find(f"{SVG}desc").text


def test_no_series_no_chart():
    assert str(indicator_svg({"title": "Sin datos", "serie": []})) == ""


def test_titles_are_escaped():
    svg = str(indicator_svg({**INDICATOR, "title": "<script>alert(1)</script>"}))
    assert "<script>" not in svg


@pytest.mark.parametrize("vertical", [False, True])
def test_bar_chart_bars_are_proportional_and_described(vertical):
    from ckanext.cimibague.charts import bar_svg

    svg = ET.fromstring(str(bar_svg([("Observatorios", 4), ("POT <b>", 2), ("Vacío", 0)], "Publicados", vertical)))
    assert svg.get("role") == "img"
    title_id, desc_id = svg.get("aria-labelledby").split()
    assert svg.find(f"{SVG}title").get("id") == title_id and svg.find(f"{SVG}title").text == "Publicados"
    assert svg.find(f"{SVG}desc").get("id") == desc_id
    assert svg.find(f"{SVG}desc").text == "Observatorios: 4; POT <b>: 2; Vacío: 0"  # escaped in the markup
    bars = [rect for rect in svg.iter(f"{SVG}rect") if rect.find(f"{SVG}title") is not None]
    size = "height" if vertical else "width"
    sizes = [float(bar.get(size)) for bar in bars]
    assert sizes[0] == pytest.approx(2 * sizes[1]) and sizes[2] == 0


def test_no_counts_no_bar_chart():
    from ckanext.cimibague.charts import bar_svg

    assert str(bar_svg([], "x")) == "" and str(bar_svg([("a", 0)], "x")) == ""

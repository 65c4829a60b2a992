"""The freshness rule: every periodicity, month ends, leap years, the publication delay, the states."""

from __future__ import annotations

import datetime as dt

import pytest

from ckanext.cimibague import vocabularies
from ckanext.cimibague.freshness import (
    AL_DIA,
    POR_VENCER,
    SIN_PERIODICIDAD,
    STATES,
    VENCIDO,
    add_months,
    dataset_freshness,
    freshness,
    last_update,
    parse_date,
)

pytestmark = pytest.mark.unit
D = dt.date


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2025, 1, 15), 1, D(2025, 2, 15)),
        (D(2025, 1, 31), 1, D(2025, 2, 28)),  # month end stays month end
        (D(2024, 1, 31), 1, D(2024, 2, 29)),  # leap year
        (D(2025, 2, 28), 1, D(2025, 3, 31)),  # 28 Feb is the month's end in a common year
        (D(2024, 2, 28), 1, D(2024, 3, 28)),  # ... but not in a leap year
        (D(2024, 2, 29), 1, D(2024, 3, 31)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2023, 2, 28), 12, D(2024, 2, 29)),  # end of February to end of February
        (D(2025, 1, 30), 1, D(2025, 2, 28)),  # a day February lacks: its last day
        (D(2025, 11, 30), 3, D(2026, 2, 28)),
        (D(2025, 12, 15), 1, D(2026, 1, 15)),  # across the year
        (D(2025, 6, 30), 6, D(2025, 12, 31)),
        (D(2020, 2, 29), 48, D(2024, 2, 29)),
        (D(2015, 3, 31), 120, D(2025, 3, 31)),
    ],
)
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


# periodicity -> (cut-off, published on, expected next update): the next cut-off plus the same delay
EXPECTED = {
    "diaria": (D(2025, 3, 10), D(2025, 3, 10), D(2025, 3, 11)),
    "semanal": (D(2025, 3, 9), D(2025, 3, 11), D(2025, 3, 18)),
    "mensual": (D(2025, 1, 31), D(2025, 2, 15), D(2025, 3, 15)),  # 28 Feb + 15 days
    "bimestral": (D(2024, 12, 31), D(2025, 1, 10), D(2025, 3, 10)),  # 28 Feb + 10 days
    "trimestral": (D(2024, 12, 31), D(2025, 1, 31), D(2025, 5, 1)),  # 31 Mar + 31 days
    "semestral": (D(2024, 6, 30), D(2024, 7, 30), D(2025, 1, 30)),  # 31 Dec + 30 days
    "anual": (D(2024, 12, 31), D(2025, 3, 1), D(2026, 3, 1)),  # 31 Dec 2025 + 60 days
    "bienal": (D(2023, 12, 31), D(2024, 1, 31), D(2026, 1, 31)),
    "cuatrienal": (D(2023, 12, 31), D(2024, 6, 30), D(2028, 6, 30)),  # leap year 2028: 182 days
    "decenal": (D(2018, 12, 31), D(2019, 12, 31), D(2029, 12, 31)),
}


def test_every_periodicity_of_the_vocabulary_is_covered():
    codes = {item["code"] for item in vocabularies.load("periodicidades")}
    assert codes == set(EXPECTED) | {"irregular", "no_se_actualiza"}


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_expected_date_per_periodicity(code):
    corte, published, expected = EXPECTED[code]
    result = freshness(code, corte, published, today=published)
    assert result.expected == expected
    assert result.state == AL_DIA or (code == "diaria" and result.state == POR_VENCER)
    day_after = freshness(code, corte, published, today=expected + dt.timedelta(days=1))
    assert day_after == freshness(code, corte, published, today=expected + dt.timedelta(days=400))
    assert day_after.state == VENCIDO


@pytest.mark.parametrize("code", ["irregular", "no_se_actualiza", None, "", "quincenal"])
def test_no_period_no_state(code):
    assert freshness(code, D(2025, 1, 31), D(2025, 2, 1), today=D(2030, 1, 1)).state == SIN_PERIODICIDAD
    assert freshness(code, D(2025, 1, 31), D(2025, 2, 1), today=D(2030, 1, 1)).expected is None


def test_no_dates_no_state():
    assert freshness("mensual", None, None, today=D(2025, 1, 1)).state == SIN_PERIODICIDAD


def test_states_around_the_expected_date():
    # monthly, cut-off 31 Jan, published on the cut-off day: next update expected 28 Feb
    def state(today: dt.date, warn: int = 15) -> str:
        return freshness("mensual", D(2025, 1, 31), D(2025, 1, 31), today, warn).state

    assert state(D(2025, 2, 1)) == AL_DIA
    assert state(D(2025, 2, 13)) == AL_DIA
    assert state(D(2025, 2, 14)) == POR_VENCER  # 14 days before: inside the 15-day window ...
    assert state(D(2025, 2, 14), warn=5) == AL_DIA  # ... configurable
    assert state(D(2025, 2, 28)) == POR_VENCER  # the expected day itself is not late yet
    assert state(D(2025, 3, 1)) == VENCIDO
    assert state(D(2025, 2, 28), warn=0) == POR_VENCER
    assert state(D(2025, 2, 27), warn=0) == AL_DIA


def test_the_warning_window_is_at_most_half_a_period():
    # a weekly dataset is not "por vencer" for the whole week with a 15-day window
    assert freshness("semanal", D(2025, 3, 3), D(2025, 3, 3), D(2025, 3, 4)).state == AL_DIA
    assert freshness("semanal", D(2025, 3, 3), D(2025, 3, 3), D(2025, 3, 7)).state == POR_VENCER
    # daily: only on the expected day
    assert freshness("diaria", D(2025, 3, 3), D(2025, 3, 3), D(2025, 3, 3)).state == AL_DIA
    assert freshness("diaria", D(2025, 3, 3), D(2025, 3, 3), D(2025, 3, 4)).state == POR_VENCER


def test_the_delay_is_never_negative_nor_longer_than_a_period():
    # updated before its cut-off (a projection): no negative delay
    assert freshness("anual", D(2025, 12, 31), D(2025, 6, 1), D(2025, 7, 1)).expected == D(2026, 12, 31)
    # published three years after its (annual) cut-off: the delay counts one year at most
    assert freshness("anual", D(2020, 12, 31), D(2023, 12, 31), D(2024, 1, 1)).expected == D(2022, 12, 31)


def test_without_a_cut_off_the_last_update_starts_the_period():
    result = freshness("trimestral", None, D(2024, 11, 30), today=D(2025, 1, 1))
    assert result.expected == D(2025, 2, 28)
    assert result.state == AL_DIA


def test_dataset_dicts():
    pkg = {
        "periodicidad": "mensual",
        "fecha_corte": "2025-01-31",
        "resources": [
            {"fecha_actualizacion": "2025-02-10"},
            {"fecha_actualizacion": "2025-02-15T08:00:00"},
            {"fecha_actualizacion": ""},
            {},
        ],
    }
    assert last_update(pkg) == D(2025, 2, 15)
    assert dataset_freshness(pkg, D(2025, 3, 16)).state == VENCIDO
    assert dataset_freshness(pkg, D(2025, 3, 1)).expected == D(2025, 3, 15)
    assert last_update({"resources": []}) is None
    assert parse_date("31/01/2025") is None
    assert parse_date("2025-13-01") is None
    assert parse_date(D(2025, 1, 1)) == D(2025, 1, 1)


def test_every_state_has_a_spanish_and_an_english_label():
    assert set(STATES) == {AL_DIA, POR_VENCER, VENCIDO, SIN_PERIODICIDAD}
    assert all(label["es"] and label["en"] for label in STATES.values())

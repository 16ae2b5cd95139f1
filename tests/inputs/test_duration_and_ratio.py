"""Durations and ratio bounds: the spellings users write, and their round trip."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chaos.duration import format_duration, parse_duration, parse_rate
from vocabulary import parse_ratio_bound


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("500ms", 0.5),
        ("2s", 2.0),
        ("1m", 60.0),
        ("1h", 3600.0),
        ("1m30s", 90.0),
        ("1.5s", 1.5),
        ("0s", 0.0),
    ],
)
def test_durations_parse(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    "bad", [2, "2", "2 sec", "-1s", "1.0005s", "s", "", "1s1s", True, None, "2d"]
)
def test_bad_durations_are_refused_with_the_accepted_forms(bad: object) -> None:
    with pytest.raises(ValueError, match="expected"):
        parse_duration(bad)


@given(st.integers(min_value=0, max_value=10 * 24 * 3_600_000))
def test_duration_round_trips_through_its_canonical_text(milliseconds: int) -> None:
    seconds = milliseconds / 1000
    text = format_duration(seconds)
    assert parse_duration(text) == seconds
    assert format_duration(parse_duration(text)) == text


@given(
    st.integers(min_value=0, max_value=99),
    st.integers(min_value=0, max_value=59),
    st.integers(min_value=0, max_value=59),
    st.integers(min_value=0, max_value=999),
)
def test_compound_spelling_adds_up(hours: int, minutes: int, seconds: int, millis: int) -> None:
    text = f"{hours}h{minutes}m{seconds}s{millis}ms"
    assert (
        parse_duration(text)
        == (hours * 3_600_000 + minutes * 60_000 + seconds * 1000 + millis) / 1000
    )


def test_rates() -> None:
    assert parse_rate("10/s") == 10.0
    assert parse_rate("30/m") == 0.5
    assert parse_rate("3600 / h") == 1.0
    for bad in ("10", "0/s", "10/d", 10):
        with pytest.raises(ValueError, match="expected"):
            parse_rate(bad)


def test_ratio_bounds() -> None:
    at_least = parse_ratio_bound(">= 0.8")
    assert at_least.holds(0.8) and at_least.holds(1.0) and not at_least.holds(0.79)
    at_most = parse_ratio_bound("<= 5%")
    assert at_most.threshold == 0.05 and at_most.holds(0.05) and not at_most.holds(0.06)
    assert not parse_ratio_bound("> 0.5").holds(0.5)
    assert str(parse_ratio_bound(">=0.95")) == ">= 0.95"
    for bad in ("0.8", "=> 0.8", ">= 1.5", ">= 120%", 0.8):
        with pytest.raises(ValueError, match="expected"):
            parse_ratio_bound(bad)

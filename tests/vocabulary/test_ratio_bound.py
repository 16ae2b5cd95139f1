"""Three file syntaxes for a ratio bound, one value and one parser."""

from __future__ import annotations

import pytest

from chaos.stop_condition import StopCondition
from slo.spec import Objective
from vocabulary import RatioBound, parse_ratio_bound


def test_every_syntax_parses_into_the_same_value() -> None:
    slo_max = Objective.model_validate({"name": "a", "ratio": "failed", "max": 0.05})
    slo_min = Objective.model_validate({"name": "b", "ratio": "success", "min": 0.95})
    stop = StopCondition.model_validate({"failed_ratio_above": 0.5})
    assert slo_max.bound == parse_ratio_bound("<= 5%") == RatioBound("<=", 0.05)
    assert slo_min.bound == parse_ratio_bound(">= 0.95") and not slo_min.bound.at_most
    assert stop.stops_when == parse_ratio_bound("> 0.5") and str(stop.stops_when) == "> 0.5"


@pytest.mark.parametrize("value", [1.5, -0.1, "<= 101%", ">= 2"])
def test_a_threshold_outside_zero_to_one_is_refused_the_same_way(value: object) -> None:
    with pytest.raises(ValueError, match="expected a ratio between 0 and 1"):
        parse_ratio_bound(value, implied="<=")


def test_a_bare_number_needs_a_syntax_that_implies_the_comparison() -> None:
    with pytest.raises(ValueError, match="expected a ratio bound like"):
        parse_ratio_bound(0.5)
    with pytest.raises(ValueError, match="expected a ratio bound like"):
        parse_ratio_bound(True, implied=">")

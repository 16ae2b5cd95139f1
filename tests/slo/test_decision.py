"""The one place an interval meets its bound: it never passes what it cannot vouch for."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from slo.confseq import ratio_sequence
from slo.decision import against_bound, decide, decide_ratio, samples_to_settle
from slo.verdict import Verdict

_VALUES = st.floats(min_value=0.0, max_value=1e6, allow_nan=False)
_ENDS = st.one_of(st.none(), _VALUES)


@given(_ENDS, _ENDS, _VALUES, st.booleans())
def test_a_verdict_never_crosses_the_interval(
    a: float | None, b: float | None, bound: float, at_most: bool
) -> None:
    lower, upper = (a, b) if a is None or b is None or a <= b else (b, a)
    verdict = against_bound((lower, upper), bound, at_most=at_most)
    good, bad = (upper, lower) if at_most else (lower, upper)
    if verdict is Verdict.PASS:  # the whole interval on the good side
        assert good is not None and (good <= bound if at_most else good >= bound)
    if verdict is Verdict.FAIL:  # the whole interval on the bad side
        assert bad is not None and (bad > bound if at_most else bad < bound)
    crosses = lower is not None and upper is not None and lower < bound < upper
    if crosses or (lower is None and upper is None):
        assert verdict is Verdict.INCONCLUSIVE


@given(_VALUES, _VALUES, _VALUES, _VALUES, st.booleans())
def test_an_uncertain_bound_decides_only_past_its_whole_interval(
    low: float, high: float, bound_low: float, bound_high: float, at_most: bool
) -> None:
    interval = (min(low, high), max(low, high))
    bounds = (min(bound_low, bound_high), max(bound_low, bound_high))
    verdict = against_bound(interval, bounds, at_most=at_most)
    # decided against the whole bound means decided against every point of it
    for point in bounds:
        if verdict.decided:
            assert against_bound(interval, point, at_most=at_most) is verdict


@given(st.integers(0, 2_000), st.integers(0, 2_000), st.floats(0.0, 1.0), st.booleans())
def test_fewer_than_min_samples_never_pass(
    samples: int, min_samples: int, share: float, at_most: bool
) -> None:
    decision = decide(
        (share, share), 0.5, at_most=at_most, samples=samples, min_samples=min_samples
    )
    if samples < max(min_samples, 1):
        assert decision.verdict is not Verdict.PASS
    assert decision.too_few == (
        samples > 0
        and samples < min_samples
        and against_bound((share, share), 0.5, at_most=at_most) is Verdict.PASS
    )


@given(st.integers(0, 3_000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_a_ratio_passes_only_when_its_confidence_sequence_clears_the_target(
    counts: tuple[int, int],
) -> None:
    hits, n = counts
    decision = decide_ratio(hits, n, 0.05, True, 0.95)
    lower, upper = ratio_sequence(hits, n, 0.95)
    assert (decision.lower, decision.upper) == (lower, upper)
    if decision.verdict is Verdict.PASS:
        assert upper <= 0.05
    elif decision.verdict is Verdict.FAIL:
        assert lower > 0.05
    else:
        assert decision.more_samples is None or decision.more_samples > 0


def test_more_samples_settle_a_ratio_that_holds() -> None:
    hits, n = 3, 100  # 3% against a 5% ceiling: inconclusive now
    assert decide_ratio(hits, n, 0.05, True, 0.95).verdict is Verdict.INCONCLUSIVE
    more = samples_to_settle(hits, n, 0.05, True, 0.95)
    assert more is not None and more > 0
    total = n + more
    assert decide_ratio(round(0.03 * total), total, 0.05, True, 0.95).verdict is Verdict.PASS


def test_a_ratio_sitting_on_its_target_never_settles() -> None:
    assert samples_to_settle(5, 100, 0.05, True, 0.95, limit=10**6) is None


def test_verdicts_read_as_their_words() -> None:
    assert [str(v) for v in Verdict] == ["pass", "fail", "inconclusive"]
    assert Verdict.worst([Verdict.PASS, Verdict.INCONCLUSIVE]) is Verdict.INCONCLUSIVE
    assert Verdict.worst([Verdict.INCONCLUSIVE, Verdict.FAIL]) is Verdict.FAIL
    assert Verdict.worst([]) is Verdict.PASS

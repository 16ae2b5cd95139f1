import random

from slo.stats import (
    percentile_rank_bounds,
    ratio_verdict,
    samples_to_settle,
    two_proportion_worse,
    wilson_interval,
)


def test_wilson_interval_covers_the_true_ratio_about_95_percent_of_the_time() -> None:
    rng = random.Random(20261126)
    for true_ratio, n in ((0.05, 200), (0.01, 1000), (0.5, 50)):
        draws = 2000
        covered = 0
        for _ in range(draws):
            hits = sum(rng.random() < true_ratio for _ in range(n))
            lower, upper = wilson_interval(hits, n, 0.95)
            covered += lower <= true_ratio <= upper
        assert 0.925 <= covered / draws <= 0.975, (true_ratio, n, covered / draws)


def test_wider_confidence_gives_a_wider_interval() -> None:
    narrow = wilson_interval(10, 200, 0.90)
    wide = wilson_interval(10, 200, 0.99)
    assert wide[0] < narrow[0] and wide[1] > narrow[1]


def test_percentile_bounds_cover_the_true_p95_about_95_percent_of_the_time() -> None:
    rng = random.Random(5)
    n, q, draws, covered = 400, 0.95, 1000, 0
    true_p95 = -100 * __import__("math").log(1 - q)  # exponential with mean 100
    for _ in range(draws):
        sample = sorted(rng.expovariate(1 / 100) for _ in range(n))
        low, high = percentile_rank_bounds(n, q, 0.95)
        assert low is not None and high is not None
        covered += sample[low - 1] <= true_p95 <= sample[high - 1]
    assert 0.93 <= covered / draws <= 0.985


def test_a_tiny_sample_cannot_bound_a_p99_from_above() -> None:
    assert percentile_rank_bounds(50, 0.99, 0.95)[1] is None


def test_verdicts_follow_the_interval() -> None:
    assert ratio_verdict(0.01, 0.03, 0.05, at_most=True) == "pass"
    assert ratio_verdict(0.06, 0.09, 0.05, at_most=True) == "fail"
    assert ratio_verdict(0.03, 0.07, 0.05, at_most=True) == "inconclusive"
    assert ratio_verdict(0.995, 0.999, 0.99, at_most=False) == "pass"


def test_samples_to_settle_is_enough_when_the_ratio_holds() -> None:
    hits, n = 3, 100  # 3% against a 5% ceiling: inconclusive now
    lower, upper = wilson_interval(hits, n, 0.95)
    assert ratio_verdict(lower, upper, 0.05, True) == "inconclusive"
    more = samples_to_settle(hits, n, 0.05, True, 0.95)
    assert more is not None and more > 0
    total = n + more
    lower, upper = wilson_interval(round(0.03 * total), total, 0.95)
    assert ratio_verdict(lower, upper, 0.05, True) == "pass"


def test_a_ratio_sitting_on_its_target_never_settles() -> None:
    assert samples_to_settle(5, 100, 0.05, True, 0.95, limit=10**6) is None


def test_two_proportion_test_flags_a_real_regression_not_noise() -> None:
    assert two_proportion_worse(60, 1000, 20, 1000, 0.95)[0]
    assert not two_proportion_worse(22, 1000, 20, 1000, 0.95)[0]
    assert not two_proportion_worse(10, 1000, 20, 1000, 0.95)[0]  # better is not worse


def test_a_target_reads_as_written_without_padding_zeros() -> None:
    from slo.formatting import show_percent

    assert [show_percent(v) for v in (0.02, 0.07, 0.0005, 0.999, 1.0, 0.0)] == [
        "2%",
        "7%",
        "0.05%",
        "99.9%",
        "100%",
        "0%",
    ]

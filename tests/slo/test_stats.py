from slo.confseq import ratio_sequence
from slo.stats import ratio_verdict, samples_to_settle, two_proportion_worse


def test_verdicts_follow_the_interval() -> None:
    assert ratio_verdict(0.01, 0.03, 0.05, at_most=True) == "pass"
    assert ratio_verdict(0.06, 0.09, 0.05, at_most=True) == "fail"
    assert ratio_verdict(0.03, 0.07, 0.05, at_most=True) == "inconclusive"
    assert ratio_verdict(0.995, 0.999, 0.99, at_most=False) == "pass"


def test_samples_to_settle_is_enough_when_the_ratio_holds() -> None:
    hits, n = 3, 100  # 3% against a 5% ceiling: inconclusive now
    lower, upper = ratio_sequence(hits, n, 0.95)
    assert ratio_verdict(lower, upper, 0.05, True) == "inconclusive"
    more = samples_to_settle(hits, n, 0.05, True, 0.95)
    assert more is not None and more > 0
    total = n + more
    lower, upper = ratio_sequence(round(0.03 * total), total, 0.95)
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

from slo.stats import two_proportion_worse


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

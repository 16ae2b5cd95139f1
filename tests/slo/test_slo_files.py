from pathlib import Path

import pytest

from slo.loader import SloFileError, load_slo_file
from slo.spec import RatioKind

OPENSLO = Path(__file__).parent / "openslo"
EXAMPLES = Path(__file__).parents[2] / "slo" / "examples"


def write(tmp_path: Path, text: str, name: str = "slo.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize("name", ["chaos-core.yaml", "load.yaml"])
def test_shipped_examples_load(name: str) -> None:
    spec = load_slo_file(EXAMPLES / name)
    assert spec.objectives and spec.name == name.removesuffix(".yaml")


def test_openslo_threshold_metric_becomes_a_latency_percentile() -> None:
    spec = load_slo_file(OPENSLO / "search-latency.yaml")
    (objective,) = spec.objectives
    assert (spec.name, objective.latency, objective.max_ms) == ("search-slo", "p99", 500.0)


def test_openslo_timeslices_become_time_slices() -> None:
    spec = load_slo_file(OPENSLO / "availability-timeslices.yaml")
    internal, sla = spec.objectives
    assert internal.ratio is RatioKind.STATUS_IN and internal.statuses == [
        "success",
        "partial",
        "degraded",
    ]
    # timeSliceTarget bounds each slice; target is the share of good slices
    assert (internal.min, internal.slice_s, internal.good_slices) == (0.99, 60.0, 0.995)
    assert sla.name == "service-availability: SLA" and sla.good_slices == 0.99


def test_openslo_sli_reference_with_bad_events_becomes_a_ceiling() -> None:
    (objective,) = load_slo_file(OPENSLO / "sli-and-slo.yaml").objectives
    assert objective.statuses == ["failed"] and objective.max == pytest.approx(0.001)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "query: latency_ms",
            "query: Any",
            ":20: field 'spec.indicator.spec.thresholdMetric.metricSource.spec.query': "
            "expected 'latency_ms', got 'Any'",
        ),
        (
            "op: lt",
            "op: gt",
            ":27: field 'spec.objectives[0].op': a latency objective supports op 'lt' or 'lte'",
        ),
        (
            "target: 0.99",
            "target: 99",
            ":29: field 'spec.objectives[0].target': expected a fraction between 0 and 1, got 99",
        ),
    ],
)
def test_openslo_unsupported_or_wrong_parts_are_named(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    text = (OPENSLO / "search-latency.yaml").read_text().replace(old, new)
    with pytest.raises(SloFileError) as caught:
        load_slo_file(write(tmp_path, text))
    message = str(caught.value)
    assert expected in message and "\n" not in message


def test_openslo_unknown_kinds_are_refused(tmp_path: Path) -> None:
    text = "apiVersion: openslo/v1\nkind: Alert\nmetadata: {name: x}\nspec: {}\n"
    with pytest.raises(SloFileError, match=r":2: field 'kind': expected one of SLO, SLI, "):
        load_slo_file(write(tmp_path, text))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "objectives:\n  - {name: a, ratio: failed, max: 0.1, colour: red}\n",
            ":2: field 'objectives[0].colour': unknown key",
        ),
        (
            "objectives:\n  - name: a\n    latency: p99.x\n    max_ms: 5\n",
            ":3: field 'objectives[0].latency': expected a percentile",
        ),
        (
            "objectives:\n  - name: a\n    ratio: failed\n",
            ":2: field 'objectives[0]': "
            "expected exactly one of 'max' or 'min' in a ratio objective",
        ),
        ("objectives:\n  - {name: a, ratio: failed, max: 1.5}\n", "field 'objectives[0].max'"),
        (
            "on_inconclusive: maybe\nobjectives:\n  - {name: a, ratio: failed, max: 0.1}\n",
            ":1: field 'on_inconclusive'",
        ),
        ("objectives: [\n", "not valid YAML"),
    ],
)
def test_malformed_native_files_give_one_line_naming_the_line(
    tmp_path: Path, text: str, expected: str
) -> None:
    with pytest.raises(SloFileError) as caught:
        load_slo_file(write(tmp_path, text))
    assert expected in str(caught.value) and "\n" not in str(caught.value)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SloFileError, match="SLO file not found"):
        load_slo_file(tmp_path / "absent.yaml")


def test_duplicate_objective_names_point_at_the_second(tmp_path: Path) -> None:
    text = (
        "objectives:\n"
        "  - {name: a, ratio: failed, max: 0.1}\n"
        "  - {name: a, ratio: partial, max: 0.1}\n"
    )
    with pytest.raises(
        SloFileError, match=r":3: field 'objectives\[1\].name': expected unique objective names"
    ):
        load_slo_file(write(tmp_path, text))

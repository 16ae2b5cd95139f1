"""OpenSLO v1 documents that are incomplete, contradict themselves, span several files, or
are of another SLO format: each gets one line naming the field, or imports."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import synthetic
from typer.testing import CliRunner

from scenarios.cli.app import app
from slo.loader import SloFileError, load_slo_file, load_slo_files
from vocabulary import write_observations

QUERY = {"metricSource": {"type": "Gauntlet", "spec": {"query": "all"}}}
GOOD = {"metricSource": {"type": "Gauntlet", "spec": {"query": "status in (success, partial)"}}}
SLO: dict[str, Any] = {
    "apiVersion": "openslo/v1",
    "kind": "SLO",
    "metadata": {"name": "availability"},
    "spec": {
        "service": "orchestrator",
        "indicator": {
            "metadata": {"name": "answered"},
            "spec": {"ratioMetric": {"counter": True, "good": GOOD, "total": QUERY}},
        },
        "budgetingMethod": "Occurrences",
        "objectives": [{"displayName": "answered", "target": 0.99}],
    },
}
Edit = Callable[[dict[str, Any]], None]


def sli_spec(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["spec"]["indicator"]["spec"]


def objective(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["spec"]["objectives"][0]


def write(path: Path, *documents: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump_all(documents, sort_keys=False))
    return path


def refusal(tmp_path: Path, edit: Edit) -> str:
    document = copy.deepcopy(SLO)
    edit(document)
    with pytest.raises(SloFileError) as caught:
        load_slo_file(write(tmp_path / "slo.yaml", document))
    message = str(caught.value)
    assert "\n" not in message
    return message


REFUSED: list[tuple[str, Edit, str]] = [
    (
        "both target and targetPercent",
        lambda d: objective(d).update(targetPercent=99.0),
        "field 'spec.objectives[0].targetPercent': expected either 'target' or 'targetPercent', "
        "not both",
    ),
    (
        "neither target nor targetPercent",
        lambda d: objective(d).pop("target"),
        "field 'spec.objectives[0]': expected 'target' or 'targetPercent'",
    ),
    (
        "both good and bad",
        lambda d: sli_spec(d)["ratioMetric"].update(bad=GOOD),
        "field 'spec.indicator.spec.ratioMetric.bad': expected either 'good' or 'bad', not both",
    ),
    (
        "neither good nor bad",
        lambda d: sli_spec(d)["ratioMetric"].pop("good"),
        "field 'spec.indicator.spec.ratioMetric': expected 'good' or 'bad'",
    ),
    (
        "no total",
        lambda d: sli_spec(d)["ratioMetric"].pop("total"),
        "field 'spec.indicator.spec.ratioMetric.total': required field is missing",
    ),
    (
        "raw beside good",
        lambda d: sli_spec(d)["ratioMetric"].update(raw=QUERY, rawType="success"),
        "field 'spec.indicator.spec.ratioMetric.good': 'raw' excludes good, bad and total",
    ),
    (
        "both ratioMetric and thresholdMetric",
        lambda d: sli_spec(d).update(thresholdMetric=QUERY),
        "field 'spec.indicator.spec.thresholdMetric': expected either 'ratioMetric' or "
        "'thresholdMetric', not both",
    ),
    (
        "neither ratioMetric nor thresholdMetric",
        lambda d: sli_spec(d).pop("ratioMetric"),
        "field 'spec.indicator.spec': expected 'ratioMetric' or 'thresholdMetric'",
    ),
    (
        "no budgetingMethod",
        lambda d: d["spec"].pop("budgetingMethod"),
        "field 'spec.budgetingMethod': required field is missing",
    ),
    (
        "unknown budgetingMethod",
        lambda d: d["spec"].update(budgetingMethod="Weekly"),
        "field 'spec.budgetingMethod': expected one of Occurrences, Timeslices, "
        "RatioTimeslices, got 'Weekly'",
    ),
    (
        "no service",
        lambda d: d["spec"].pop("service"),
        "field 'spec.service': required field is missing",
    ),
    (
        "no objectives",
        lambda d: d["spec"].pop("objectives"),
        "field 'spec.objectives': required field is missing",
    ),
    (
        "no metadata.name",
        lambda d: d["metadata"].pop("name"),
        "field 'metadata.name': required field is missing",
    ),
    ("no kind", lambda d: d.pop("kind"), "field 'kind': required field is missing"),
    (
        "both indicator and indicatorRef",
        lambda d: d["spec"].update(indicatorRef="answered"),
        "field 'spec.indicatorRef': expected either 'indicator' or 'indicatorRef', not both",
    ),
    (
        "no indicator",
        lambda d: d["spec"].pop("indicator"),
        "field 'spec.indicator': expected 'indicator' or 'indicatorRef'",
    ),
    (
        "two time windows",
        lambda d: d["spec"].update(timeWindow=[{"duration": "1d"}, {"duration": "2d"}]),
        "field 'spec.timeWindow': expected a list of exactly one item",
    ),
    (
        "time window without duration",
        lambda d: d["spec"].update(timeWindow=[{"isRolling": True}]),
        "field 'spec.timeWindow[0].duration': required field is missing",
    ),
    (
        "timeSliceTarget under Occurrences",
        lambda d: objective(d).update(timeSliceTarget=0.9),
        "field 'spec.objectives[0].timeSliceTarget': only with budgetingMethod Timeslices",
    ),
    (
        "Timeslices without timeSliceTarget",
        lambda d: (
            d["spec"].update(budgetingMethod="Timeslices"),
            objective(d).update(timeSliceWindow="1m"),
        ),
        "field 'spec.objectives[0].timeSliceTarget': required with budgetingMethod Timeslices",
    ),
    (
        "RatioTimeslices without timeSliceWindow",
        lambda d: d["spec"].update(budgetingMethod="RatioTimeslices"),
        "field 'spec.objectives[0].timeSliceWindow': required with budgetingMethod RatioTimeslices",
    ),
    (
        "timeSliceTarget under RatioTimeslices",
        lambda d: (
            d["spec"].update(budgetingMethod="RatioTimeslices"),
            objective(d).update(timeSliceWindow="1m", timeSliceTarget=0.9),
        ),
        "field 'spec.objectives[0].timeSliceTarget': only with budgetingMethod Timeslices",
    ),
    (
        "value on a ratio objective",
        lambda d: objective(d).update(value=5),
        "field 'spec.objectives[0].value': 'value' is only for a thresholdMetric",
    ),
]


@pytest.mark.parametrize(
    ("edit", "expected"), [(e, x) for _, e, x in REFUSED], ids=[i for i, _, _ in REFUSED]
)
def test_incomplete_or_contradicting_documents_are_refused_naming_the_field(
    tmp_path: Path, edit: Edit, expected: str
) -> None:
    assert expected in refusal(tmp_path, edit)


def test_the_unedited_document_imports(tmp_path: Path) -> None:
    (only,) = load_slo_file(write(tmp_path / "slo.yaml", SLO)).objectives
    assert (only.name, only.min, only.statuses) == ("availability", 0.99, ["success", "partial"])


def test_time_slice_window_as_a_bare_number_is_minutes(tmp_path: Path) -> None:
    document = copy.deepcopy(SLO)
    document["spec"]["budgetingMethod"] = "RatioTimeslices"
    objective(document)["timeSliceWindow"] = 5
    (only,) = load_slo_file(write(tmp_path / "slo.yaml", document)).objectives
    assert (only.budgeting, only.slice_s, only.min) == ("ratio_timeslices", 300.0, 0.99)


# --- several files ----------------------------------------------------------------------------
SLI = {
    "apiVersion": "openslo/v1",
    "kind": "SLI",
    "metadata": {"name": "answered"},
    "spec": {"ratioMetric": {"good": GOOD, "total": QUERY}},
}


def referencing_slo() -> dict[str, Any]:
    document = copy.deepcopy(SLO)
    document["spec"].pop("indicator")
    document["spec"]["indicatorRef"] = "answered"
    return document


def test_indicator_ref_resolves_across_files_and_folders(tmp_path: Path) -> None:
    folder = tmp_path / "openslo"
    folder.mkdir()
    sli = write(folder / "sli.yaml", SLI)
    slo = write(folder / "slo.yaml", referencing_slo())
    (folder / "notes.txt").write_text("not an SLO file")
    for spec in (load_slo_files([slo, sli]), load_slo_files([folder])):
        (only,) = spec.objectives
        assert (only.name, only.min, only.statuses) == (
            "availability",
            0.99,
            ["success", "partial"],
        )


def test_indicator_ref_without_its_sli_names_the_reference(tmp_path: Path) -> None:
    slo = write(tmp_path / "slo.yaml", referencing_slo())
    with pytest.raises(SloFileError) as caught:
        load_slo_file(slo)
    assert str(caught.value) == (
        f"{slo}:11: field 'spec.indicatorRef': no SLI document named 'answered' in the SLO files"
    )


def test_an_error_in_the_second_file_names_that_file(tmp_path: Path) -> None:
    broken = copy.deepcopy(SLI)
    broken["spec"]["ratioMetric"]["bad"] = GOOD
    sli = write(tmp_path / "sli.yaml", broken)
    slo = write(tmp_path / "slo.yaml", referencing_slo())
    with pytest.raises(SloFileError) as caught:
        load_slo_files([slo, sli])
    assert str(caught.value).startswith(f"{sli}:")
    assert "field 'spec.ratioMetric.bad': expected either 'good' or 'bad', not both" in str(
        caught.value
    )


def test_two_slis_of_one_name_are_refused(tmp_path: Path) -> None:
    first, second = write(tmp_path / "a.yaml", SLI), write(tmp_path / "b.yaml", SLI)
    with pytest.raises(SloFileError, match=r"b\.yaml:4: field 'metadata\.name': a second SLI"):
        load_slo_files([first, second, write(tmp_path / "c.yaml", referencing_slo())])


def test_several_native_files_are_refused(tmp_path: Path) -> None:
    native = tmp_path / "native.yaml"
    native.write_text("objectives:\n  - {name: a, ratio: failed, max: 0.1}\n")
    with pytest.raises(SloFileError, match="several SLO files must all be OpenSLO v1"):
        load_slo_files([native, native])


def test_missing_file_among_several_is_named(tmp_path: Path) -> None:
    with pytest.raises(SloFileError, match=r"absent\.yaml: SLO file not found"):
        load_slo_files([write(tmp_path / "sli.yaml", SLI), tmp_path / "absent.yaml"])


def test_gate_takes_several_slo_files_and_lists_what_it_does_not_evaluate(
    tmp_path: Path,
) -> None:
    slo = referencing_slo()
    slo["spec"]["alertPolicies"] = [{"alertPolicyRef": "page-on-call"}]
    service = {"apiVersion": "openslo/v1", "kind": "Service", "metadata": {"name": "orch"}}
    observations = tmp_path / "observations.jsonl"
    with observations.open("w") as stream:
        write_observations(stream, synthetic(2000))
    result = CliRunner().invoke(
        app,
        [
            "gate",
            str(observations),
            "--slo",
            str(write(tmp_path / "slo.yaml", slo, service)),
            "--slo",
            str(write(tmp_path / "sli.yaml", SLI)),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "not evaluated: Service 'orch'" in result.output
    assert "not evaluated: SLO 'availability': alertPolicies (1)" in result.output


# --- other SLO formats ----------------------------------------------------------------------
SLOTH = """version: "prometheus/v1"
service: "myservice"
slos:
  - name: "requests-availability"
    objective: 99.9
    sli:
      events:
        error_query: sum(rate(http_request_duration_seconds_count{code=~"5.."}[{{.window}}]))
        total_query: sum(rate(http_request_duration_seconds_count[{{.window}}]))
"""
SLOTH_K8S = """apiVersion: sloth.slok.dev/v1
kind: PrometheusServiceLevel
metadata: {name: myservice}
spec: {service: myservice, slos: []}
"""
PYRRA = """apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata: {name: api-errors}
spec:
  target: "99"
  window: 2w
  indicator:
    ratio:
      errors: {metric: 'http_requests_total{code=~"5.."}'}
      total: {metric: http_requests_total}
"""
SUPPORTED = "the gate reads OpenSLO v1 ('apiVersion: openslo/v1') or its own SLO file format"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (SLOTH, ":1: field 'version': a Sloth SLO file (prometheus/v1); "),
        (
            SLOTH_K8S,
            ":1: field 'apiVersion': a Sloth Kubernetes document "
            "(sloth.slok.dev/v1 PrometheusServiceLevel); ",
        ),
        (
            PYRRA,
            ":1: field 'apiVersion': a Pyrra document (pyrra.dev/v1alpha1 ServiceLevelObjective); ",
        ),
        ("apiVersion: openslo/v2\nkind: SLO\n", ":1: field 'apiVersion': an OpenSLO v2 document; "),
    ],
    ids=["sloth", "sloth-k8s", "pyrra", "openslo-v2"],
)
def test_other_slo_formats_are_named_with_what_is_supported(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = tmp_path / "slo.yaml"
    path.write_text(text)
    with pytest.raises(SloFileError) as caught:
        load_slo_file(path)
    assert str(caught.value) == f"{path}{expected}{SUPPORTED}"

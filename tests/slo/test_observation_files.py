"""Observation files on the columnar path: globs of worker files, the fast writer, bad lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import synthetic

from slo.evaluation import evaluate, evaluate_files
from slo.frame import READERS, expand
from slo.spec import SloSpec
from vocabulary import ObservationFileError, read_observations, write_observations

SPEC = SloSpec.model_validate(
    {
        "objectives": [
            {"name": "failed", "ratio": "failed", "max": 0.05},
            {"name": "p95", "latency": "p95", "max_ms": 400, "per": "intent"},
            {"name": "db", "ratio": "tool_error", "tool": "direct_query", "max": 0.2},
        ]
    }
)
GOOD = {"ts": 1_700_000_000.5, "scenario": "s", "status": "success", "latency_ms": 12.5}


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_the_writer_round_trips_through_the_record_validator(tmp_path: Path) -> None:
    records = list(synthetic(50, failed=0.1, tool_error=("direct_query", 0.3)))
    path = tmp_path / "observations.jsonl"
    with path.open("w") as stream:
        assert write_observations(stream, records) == 50
    assert list(read_observations(path)) == records


def test_a_glob_of_worker_files_is_one_run(tmp_path: Path) -> None:
    records = list(synthetic(600, failed=0.02, intents=("a", "b")))
    for worker in range(3):
        with (tmp_path / f"observations-w{worker}.jsonl").open("w") as stream:
            write_observations(stream, records[worker::3])
    from_files = evaluate_files(tmp_path / "observations-*.jsonl", SPEC)
    in_memory = evaluate(records, SPEC)
    assert from_files.observations == 600
    assert [(r.label, r.observed, r.hits, r.samples) for r in from_files.results] == [
        (r.label, r.observed, r.hits, r.samples) for r in in_memory.results
    ]


@pytest.mark.parametrize("reader", sorted(READERS))
@pytest.mark.parametrize(
    ("bad_line", "expected"),
    [
        ('{"ts": 1.0, "scenario": "s", "status": "success"', "not JSON"),
        ('{"ts": 1.0, "scenario": "s", "latency_ms": 3}', "field 'status'"),
        ('{"ts": 1.0, "scenario": "s", "status": "success", "latency_ms": -1}', "latency_ms"),
        (
            '{"ts": 1.0, "scenario": "s", "status": "success", "latency_ms": 1, "phase": "x"}',
            "phase",
        ),
        ('{"ts": "soon", "scenario": "s", "status": "success", "latency_ms": 1}', "field 'ts'"),
    ],
)
def test_a_bad_line_is_named_by_file_and_line(
    tmp_path: Path, reader: str, bad_line: str, expected: str
) -> None:
    good = write_lines(tmp_path / "a.jsonl", [json.dumps(GOOD)] * 3)
    bad = write_lines(tmp_path / "b.jsonl", [json.dumps(GOOD)] * 4 + [bad_line, json.dumps(GOOD)])
    with pytest.raises(ObservationFileError) as error:
        evaluate_files([good, bad], SPEC, reader=reader)  # type: ignore[arg-type]
    message = str(error.value)
    assert message.startswith(f"{bad}:5: ") and expected in message
    assert "\n" not in message


def test_missing_files_and_empty_globs_are_named(tmp_path: Path) -> None:
    with pytest.raises(ObservationFileError, match="observations file not found"):
        expand(tmp_path / "absent.jsonl")
    with pytest.raises(ObservationFileError, match="no observations file matches"):
        expand(str(tmp_path / "worker-*.jsonl"))


@pytest.mark.parametrize("reader", sorted(READERS))
def test_both_readers_give_the_same_frame(reader: str) -> None:
    golden = Path(__file__).parent / "golden" / "chaos.jsonl"
    frame = READERS[reader]([golden], SPEC)
    expected = READERS["polars"]([golden], SPEC)
    assert frame.height == 3934
    assert frame.equals(expected)

"""The observation record: a JSON line that reads back as it was written, or names its fault."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vocabulary import (
    STATUSES,
    Observation,
    ObservationFileError,
    Phase,
    read_observations,
    write_observations,
)

TEXT = st.text(max_size=8)
OBSERVATIONS = st.builds(
    Observation,
    ts=st.floats(0, 2e9),
    source=TEXT,
    scenario=TEXT,
    phase=st.sampled_from(Phase),
    request_id=TEXT,
    tenant=TEXT,
    intent=TEXT,
    status=st.sampled_from(STATUSES),
    latency_ms=st.floats(0, 1e6),
    tool_errors=st.dictionaries(TEXT, TEXT, max_size=3),
    fallback_used=st.booleans(),
    extra=st.dictionaries(TEXT, st.integers() | TEXT, max_size=3),
)


@given(st.lists(OBSERVATIONS, max_size=5))
def test_written_observations_read_back_equal(observations: list[Observation]) -> None:
    stream = io.StringIO()
    assert write_observations(stream, observations) == len(observations)
    lines = stream.getvalue().split("\n")[:-1]  # U+2028 inside a string is not a line end
    assert [Observation.from_json(line) for line in lines] == observations


def test_the_json_line_keeps_the_record_shape() -> None:
    line = Observation(ts=1.5, scenario="s", status="partial", latency_ms=2.0).to_json()
    assert json.loads(line) == {
        "ts": 1.5,
        "source": "scenario",
        "scenario": "s",
        "phase": "baseline",
        "request_id": "",
        "tenant": "",
        "intent": "",
        "status": "partial",
        "latency_ms": 2.0,
        "tool_errors": {},
        "fallback_used": False,
        "extra": {},
    }
    assert Observation(ts=1, scenario="s", status="failed", latency_ms=0, phase="fault").phase is (
        Phase.FAULT
    )


@pytest.mark.parametrize(
    "line, message",
    [
        ("{", ":2: not JSON"),
        ("[1]", ":2: Input should be an object"),
        ('{"ts": 1, "scenario": "s", "status": "failed"}', "field 'latency_ms': Field required"),
        ('{"ts": 1, "scenario": "s", "status": "failed", "latency_ms": -1}', "field 'latency_ms'"),
        ('{"ts": "x", "scenario": "s", "status": "failed", "latency_ms": 1}', "field 'ts'"),
        ('{"ts": 1, "scenario": "s", "status": "x", "latency_ms": 1, "phase": "p"}', "'phase'"),
        ('{"ts": 1, "scenario": "s", "status": "x", "latency_ms": 1, "colour": 1}', "'colour'"),
        (
            '{"ts": 1, "scenario": "s", "status": "x", "latency_ms": 1, "tool_errors": {"a": 1}}',
            "field 'tool_errors.a'",
        ),
    ],
)
def test_a_bad_line_names_file_line_and_field(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "observations.jsonl"
    good = Observation(ts=1, scenario="s", status="success", latency_ms=1).to_json()
    path.write_text(f"{good}\n{line}\n", encoding="utf-8")
    with pytest.raises(ObservationFileError, match=f"^{path}") as caught:
        list(read_observations(path))
    assert message in str(caught.value) and "\n" not in str(caught.value)

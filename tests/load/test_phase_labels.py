"""A load run and a scenario label a request by the same rule: everything it lived through."""

from __future__ import annotations

from pathlib import Path

from load.transport.observations import merge_observation_directory, segment_prefix
from scenarios.runner.method import Phases
from vocabulary import FaultWindow, Observation, Phase
from vocabulary.segment_format import observations_of
from vocabulary.segment_writer import SegmentWriter

FAULT = FaultWindow(100.0, 110.0)


def _request(ts: float, latency_ms: float) -> Observation:
    return Observation(
        ts=ts, source="load", scenario="s", request_id=f"r{ts}", status="success",
        latency_ms=latency_ms,
    )  # fmt: skip


def _both_labels(request: Observation, folder: Path) -> tuple[Phase, Phase]:
    workers = folder / f"workers-{request.request_id}"
    with SegmentWriter(workers, segment_prefix("w0")) as segments:
        segments.append(request)
    merge = merge_observation_directory(workers, [FAULT], into=workers / "merged")
    merged = [o for path in merge.segments for o in observations_of(path)]
    phases = Phases()
    phases.windows.append(FAULT)
    return merged[0].phase, phases.during(request.ts, request.ended)


def test_a_request_that_started_healthy_and_ended_in_a_fault_met_the_fault(
    tmp_path: Path,
) -> None:
    assert _both_labels(_request(99.5, 1000.0), tmp_path) == (Phase.FAULT, Phase.FAULT)


def test_both_paths_agree_before_during_and_after_the_fault(tmp_path: Path) -> None:
    cases = {
        (98.0, 500.0): Phase.BASELINE,  # answered before the fault landed
        (105.0, 10.0): Phase.FAULT,
        (109.9, 500.0): Phase.FAULT,  # started in the fault, answered after it
        (110.0, 10.0): Phase.RECOVERY,  # the fault's end already belongs to recovery
    }
    labels = {case: _both_labels(_request(*case), tmp_path) for case in cases}
    assert labels == {case: (phase, phase) for case, phase in cases.items()}

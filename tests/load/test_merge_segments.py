"""The end-of-run merge, columnar and out of core, gives what the harness's rule always gave:
every worker's observations in time order (equal starts in the order read), each request id
once (the first met), each labelled by `phase_during`, the ids met again listed."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pyarrow.parquet as pq

from load.transport.merge_segments import DUPLICATE_SAMPLE
from load.transport.observations import merge_observation_directory, segment_prefix
from slo import evaluate, evaluate_files, load_slo_file
from vocabulary import FaultWindow, Observation, phase_during, write_observations
from vocabulary.segment_format import SCHEMA, observations_of
from vocabulary.segment_writer import SegmentWriter

EXAMPLES = Path(__file__).resolve().parents[2] / "slo" / "examples"
T0 = 1_760_000_000.0
# overlapping, then a gap (recovery), then one still open at the end
WINDOWS = [FaultWindow(T0 + 5, T0 + 9), FaultWindow(T0 + 8, T0 + 12), FaultWindow(T0 + 20)]
STATUSES = ("success", "success", "success", "partial", "degraded", "failed")


def _observation(rng: random.Random, worker: str, request_id: str) -> Observation:
    status = rng.choice(STATUSES)
    return Observation(
        ts=T0 + rng.randint(0, 2_400) / 100,  # on a 10 ms grid: equal starts across workers
        source="load",
        scenario="merge",
        request_id=request_id,
        tenant=rng.choice(("acme", "globex")),
        intent=rng.choice(("service_overview", "incident_triage", "")),
        status=status,
        # up to 3 s: many requests start healthy and end in a fault, or the other way round
        latency_ms=rng.choice((rng.uniform(0, 3_000), float(rng.randint(0, 30) * 100))),
        tool_errors={"direct_query": "timeout"} if status != "success" else {},
        fallback_used=status == "partial",
        extra={"worker": worker, "http_status": 200} if rng.random() < 0.9 else {},
    )


def _request_id(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.9:
        return f"{rng.getrandbits(128):032x}"  # a uuid4 hex id: stored as 16 bytes
    return "" if roll < 0.92 else f"retry-{rng.randint(0, 50)}"  # kept as text


def _generated(seed: int = 7) -> dict[str, list[Observation]]:
    """Three workers' observations, in the order each recorded them; about one in twenty
    delivered again (a resend, here or at another worker, with another start and answer)."""
    rng = random.Random(seed)
    workers: dict[str, list[Observation]] = {"w-a": [], "w-b": [], "w-c": []}
    recorded: list[str] = []
    for _ in range(3_000):
        worker = rng.choice(list(workers))
        again = recorded and rng.random() < 0.05
        request_id = rng.choice(recorded) if again else _request_id(rng)
        workers[worker].append(_observation(rng, worker, request_id))
        recorded.append(request_id)
    return workers


def _old_rule(
    workers: dict[str, list[Observation]], windows: list[FaultWindow]
) -> tuple[list[Observation], list[str]]:
    """The merge as the harness did it with a Python list: the reference."""
    seen: set[str] = set()
    duplicates: list[str] = []
    merged: list[Observation] = []
    for observations in workers.values():
        for observation in observations:
            if observation.request_id in seen:
                duplicates.append(observation.request_id)
                continue
            seen.add(observation.request_id)
            phase = phase_during(observation.ts, observation.ended, windows)
            merged.append(observation.in_phase(phase))
    merged.sort(key=lambda o: o.ts)
    return merged, duplicates


def _record(folder: Path, workers: dict[str, list[Observation]]) -> None:
    """As the collector leaves them: rotated segments, and one worker of an older run's
    JSON lines; plus a worker that joined and ran no request."""
    for worker, observations in workers.items():
        if worker == "w-c":
            with (folder / f"{segment_prefix(worker)}.jsonl").open("w") as stream:
                write_observations(stream, observations)
            continue
        with SegmentWriter(folder, segment_prefix(worker), rows_per_segment=300) as segments:
            segments.extend(observations)
    idle = {"worker": "w-idle", "requests": 0, "sent_total": 0}
    (folder / "requests-w-idle.json").write_text(json.dumps(idle))


def test_the_merged_segments_equal_the_old_rule(tmp_path: Path) -> None:
    workers = _generated()
    _record(tmp_path, workers)
    merge = merge_observation_directory(tmp_path, WINDOWS, into=tmp_path / "observations")

    expected, duplicates = _old_rule(workers, WINDOWS)
    recorded = [o for path in merge.segments for o in observations_of(path)]
    assert recorded == expected  # time order, ties in the order read, phases, every field
    # the case holds baseline, fault and recovery, and equal starts to keep in order
    assert len({o.phase for o in recorded}) == 3
    assert len({o.ts for o in recorded}) < len(recorded)
    assert merge.count == len(expected) and merge.duplicates == len(duplicates) > 100
    assert merge.duplicate_request_ids == duplicates[:DUPLICATE_SAMPLE]
    assert merge.per_worker == {w: len(o) for w, o in workers.items()} | {"w-idle": 0}
    assert not (tmp_path / ".observations-merge").exists()  # DuckDB's spill folder, removed
    for path in merge.segments:
        assert pq.read_schema(path).remove_metadata() == SCHEMA


def test_the_evaluation_reads_the_merged_segments_as_the_old_list(tmp_path: Path) -> None:
    workers = _generated(seed=11)
    _record(tmp_path, workers)
    merge = merge_observation_directory(tmp_path, WINDOWS, into=tmp_path / "observations")
    spec = load_slo_file(EXAMPLES / "chaos-core.yaml")  # objectives per phase

    from_files = evaluate_files(merge.segments, spec)
    from_list = evaluate(_old_rule(workers, WINDOWS)[0], spec)
    assert from_files.observations == merge.count
    assert [(r.label, r.samples, r.observed, r.verdict) for r in from_files.results] == [
        (r.label, r.samples, r.observed, r.verdict) for r in from_list.results
    ]


def test_a_rerun_into_the_same_folder_keeps_only_its_own_segments(tmp_path: Path) -> None:
    workers, into = tmp_path / "workers", tmp_path / "observations"
    workers.mkdir()
    _record(workers, _generated(seed=3))
    first = merge_observation_directory(workers, WINDOWS, into=into)
    shutil.copy(first.segments[0], into / "observations-000009.parquet")  # a longer run's
    for path in workers.iterdir():
        path.unlink()
    _record(workers, {"w-a": _generated(seed=4)["w-a"][:10]})
    second = merge_observation_directory(workers, WINDOWS, into=into)
    assert sorted(into.iterdir()) == second.segments  # nothing left of the first run
    assert sum(1 for path in second.segments for _ in observations_of(path)) == 10

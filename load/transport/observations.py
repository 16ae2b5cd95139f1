"""Observation files of a load run: each Locust worker's own segments, merged afterwards.

The harness's collector (`load.transport.collector`) writes each worker's acknowledged
batches to that worker's own segments (`observations-<worker>-<seq>.parquet`; a folder of
an older run may hold `observations-<worker>.jsonl` instead, read the same), and at the end
its figures beside them: what the worker
says it sent and how many requests Locust's request event saw there. A request id is
unique per request, so the merge can prove that nothing was counted twice, and the figures
that nothing was lost.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from vocabulary import FaultWindow, Observation, phase_during, read_observations
from vocabulary.segment_format import observations_of

COUNT_GLOB = "requests-*.json"
_WORKER_FILE = re.compile(r"observations-(?P<worker>.+?)(?:-\d{6}\.parquet|\.jsonl)")


def segment_prefix(worker_id: str) -> str:
    """The name a worker's segments start with (`vocabulary.segment_writer`)."""
    return f"observations-{worker_id}"


def worker_count_path(directory: Path, worker_id: str) -> Path:
    return directory / f"requests-{worker_id}.json"


@dataclass
class MergeResult:
    observations: list[Observation]
    per_worker: dict[str, int]  # observations read from each worker's file
    requests_reported: dict[str, int]  # what each worker's Locust request event counted
    duplicate_request_ids: list[str] = field(default_factory=list)
    sent_totals: dict[str, int] = field(default_factory=dict)  # what each worker says it sent
    clock_offsets_s: dict[str, float] = field(default_factory=dict)  # harness - worker clock

    @property
    def lost(self) -> int:
        """Requests Locust reported that have no observation (negative: observations extra)."""
        return sum(self.requests_reported.values()) - sum(self.per_worker.values())


def merge_observations(
    sources: Iterable[tuple[str, Iterable[Observation]]],
    fault_windows: Sequence[FaultWindow] = (),
    requests_reported: dict[str, int] | None = None,
) -> MergeResult:
    """Merge per-worker observation streams in time order, labelling each with its phase.

    `fault_windows` are when faults were actually active, in epoch seconds. A request is
    labelled by everything it lived through, start to answer (`vocabulary.phase_during`),
    the same rule a scenario applies.

    A request id seen twice is kept once and listed in `duplicate_request_ids`.
    """
    seen: set[str] = set()
    duplicates: list[str] = []
    merged: list[Observation] = []
    per_worker: dict[str, int] = {}
    for worker_id, observations in sources:
        per_worker.setdefault(worker_id, 0)
        for observation in observations:
            per_worker[worker_id] += 1
            if observation.request_id in seen:
                duplicates.append(observation.request_id)
                continue
            seen.add(observation.request_id)
            phase = phase_during(observation.ts, observation.ended, fault_windows)
            merged.append(observation.in_phase(phase))
    merged.sort(key=lambda o: o.ts)
    return MergeResult(merged, per_worker, dict(requests_reported or {}), duplicates)


def merge_observation_directory(
    directory: Path, fault_windows: Sequence[FaultWindow] = ()
) -> MergeResult:
    """Merge every worker file found in `directory` (written by `load.transport.collector`)."""
    files: dict[str, list[Path]] = {}
    for path in sorted(directory.iterdir()):
        found = _WORKER_FILE.fullmatch(path.name)
        if found is not None:
            files.setdefault(found["worker"], []).append(path)
    sources = [(worker, list(_records(paths))) for worker, paths in files.items()]
    reported: dict[str, int] = {}
    sent: dict[str, int] = {}
    offsets: dict[str, float] = {}
    for path in sorted(directory.glob(COUNT_GLOB)):
        record = json.loads(path.read_text(encoding="utf-8"))
        worker = str(record["worker"])
        reported[worker] = int(record["requests"] or 0)  # None: no final batch arrived
        sent[worker] = int(record.get("sent_total") or 0)
        if record.get("clock_offset_s") is not None:
            offsets[worker] = float(record["clock_offset_s"])
        if worker not in files:
            sources.append((worker, []))  # it joined and ran no request
    merged = merge_observations(sources, fault_windows, reported)
    merged.sent_totals = sent
    merged.clock_offsets_s = offsets
    return merged


def _records(paths: Sequence[Path]) -> Iterator[Observation]:
    for path in paths:
        yield from observations_of(path) if path.suffix == ".parquet" else read_observations(path)

"""Observation files of a load run: one JSON-lines file per Locust process, merged afterwards.

Locust's own worker→master report channel loses the last report at shutdown, so every
process that runs users writes each observation to its own file (flushed regularly and at
exit), and the harness merges the files. A request id is unique per request, so the merge
can prove that nothing was counted twice; each worker also writes how many requests
Locust's request event saw, so it can prove nothing was lost.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from vocabulary import FaultWindow, Observation, phase_at, read_observations

OBSERVATION_GLOB = "observations-*.jsonl"
COUNT_GLOB = "requests-*.json"


def worker_observation_path(directory: Path, worker_id: str) -> Path:
    return directory / f"observations-{worker_id}.jsonl"


def worker_count_path(directory: Path, worker_id: str) -> Path:
    return directory / f"requests-{worker_id}.json"


class ObservationWriter:
    """Buffers observations of one worker and appends them to its own file on `flush`.

    Not thread-safe and does no I/O on `add`: the Locust process calls `flush` from one
    periodic greenlet and once more when it quits.
    """

    def __init__(self, directory: Path, worker_id: str) -> None:
        self.worker_id = worker_id
        self.path = worker_observation_path(directory, worker_id)
        self._count_path = worker_count_path(directory, worker_id)
        self._pending: list[str] = []
        self._stream: IO[str] | None = self.path.open("a", encoding="utf-8")
        self.requests_seen = 0  # every request Locust reported, observed or not

    def add(self, observation: Observation) -> None:
        self._pending.append(observation.to_json())

    def count_request(self) -> None:
        self.requests_seen += 1

    def flush(self) -> None:
        if self._stream is None:
            return
        if self._pending:
            lines, self._pending = self._pending, []
            self._stream.write("\n".join(lines) + "\n")
        self._stream.flush()
        # Written atomically so a reader never sees half a count.
        tmp = self._count_path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"worker": self.worker_id, "requests": self.requests_seen}))
        tmp.replace(self._count_path)

    def close(self) -> None:
        self.flush()
        if self._stream is not None:
            self._stream.close()
            self._stream = None


@dataclass
class MergeResult:
    observations: list[Observation]
    per_worker: dict[str, int]  # observations read from each worker's file
    requests_reported: dict[str, int]  # what each worker's Locust request event counted
    duplicate_request_ids: list[str] = field(default_factory=list)

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

    `fault_windows` are when faults were actually active, in epoch seconds.

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
            phase = phase_at(observation.ts, fault_windows)
            merged.append(observation.in_phase(phase))
    merged.sort(key=lambda o: o.ts)
    return MergeResult(merged, per_worker, dict(requests_reported or {}), duplicates)


def merge_observation_directory(
    directory: Path, fault_windows: Sequence[FaultWindow] = ()
) -> MergeResult:
    """Merge every worker file found in `directory` (see `ObservationWriter`)."""
    sources = []
    for path in sorted(directory.glob(OBSERVATION_GLOB)):
        worker_id = path.stem.removeprefix("observations-")
        sources.append((worker_id, list(read_observations(path))))
    reported = {}
    for path in sorted(directory.glob(COUNT_GLOB)):
        record = json.loads(path.read_text(encoding="utf-8"))
        reported[str(record["worker"])] = int(record["requests"])
    return merge_observations(sources, fault_windows, reported)

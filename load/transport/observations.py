"""Observation files of a load run: each Locust worker's own segments, merged afterwards.

The harness's collector (`load.transport.collector`) writes each worker's acknowledged
batches to that worker's own segments (`observations-<worker>-<seq>.parquet`; a folder of
an older run may hold `observations-<worker>.jsonl` instead, read the same), and at the end
its figures beside them: what the worker
says it sent and how many requests Locust's request event saw there. A request id is
unique per request, so the merge can prove that nothing was counted twice, and the figures
that nothing was lost. The merge itself (`merge_segments`) writes the run's own segments and
hands back counts, never the observations: a run's memory must not grow with its length.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from vocabulary import FaultWindow

from .merge_segments import merge_segments

COUNT_GLOB = "requests-*.json"
_WORKER_FILE = re.compile(r"observations-(?P<worker>.+?)(?:-\d{6}\.parquet|\.jsonl)")


def segment_prefix(worker_id: str) -> str:
    """The name a worker's segments start with (`vocabulary.segment_writer`)."""
    return f"observations-{worker_id}"


def worker_count_path(directory: Path, worker_id: str) -> Path:
    return directory / f"requests-{worker_id}.json"


@dataclass
class MergeResult:
    count: int  # observations merged into the run's segments, each request id once
    per_worker: dict[str, int]  # observations read from each worker's file
    requests_reported: dict[str, int]  # what each worker's Locust request event counted
    duplicates: int = 0  # observations left out: a request id met before
    duplicate_request_ids: list[str] = field(default_factory=list)  # the first of them
    sent_totals: dict[str, int] = field(default_factory=dict)  # what each worker says it sent
    clock_offsets_s: dict[str, float] = field(default_factory=dict)  # harness - worker clock
    segments: list[Path] = field(default_factory=list)  # the merged run, in time order

    @property
    def lost(self) -> int:
        """Requests Locust reported that have no observation (negative: observations extra)."""
        return sum(self.requests_reported.values()) - sum(self.per_worker.values())


def merge_observation_directory(
    directory: Path, fault_windows: Sequence[FaultWindow] = (), *, into: Path
) -> MergeResult:
    """Merge every worker file found in `directory` (written by `load.transport.collector`)
    into the run's segments in `into` (`merge_segments`: time order, each request id once,
    labelled by the faults' windows, in memory that does not grow with the run)."""
    files: dict[str, list[Path]] = {}
    for path in sorted(directory.iterdir()):
        found = _WORKER_FILE.fullmatch(path.name)
        if found is not None:
            files.setdefault(found["worker"], []).append(path)
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
        files.setdefault(worker, [])  # it joined and ran no request
    merged = merge_segments(list(files.items()), fault_windows, into)
    return MergeResult(
        merged.count,
        merged.per_worker,
        reported,
        merged.duplicates,
        merged.duplicate_sample,
        sent,
        offsets,
        merged.segments,
    )

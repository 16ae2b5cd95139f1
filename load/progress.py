"""The live progress line of a load run: RPS, p95 and the status mix, from the worker files.

Reads only what was appended to each worker's observation file since the last look, so it
costs nothing per request and works for any number of Locust processes.
"""

from __future__ import annotations

import json
import time
from collections import Counter, deque
from pathlib import Path

from .observations import OBSERVATION_GLOB


class ProgressTracker:
    """Rolling view over the last `window_s` seconds of observations, plus run totals."""

    def __init__(self, directory: Path, window_s: float = 5.0) -> None:
        self._directory = directory
        self._window_s = window_s
        self._offsets: dict[Path, int] = {}
        self._recent: deque[tuple[float, float, str]] = deque()  # (seen at, latency, status)
        self.totals: Counter[str] = Counter()

    def poll(self, now: float | None = None) -> None:
        now = time.time() if now is None else now
        for path in sorted(self._directory.glob(OBSERVATION_GLOB)):
            offset = self._offsets.get(path, 0)
            with path.open("rb") as stream:
                stream.seek(offset)
                chunk = stream.read()
            complete = chunk[
                : chunk.rfind(b"\n") + 1
            ]  # a half-written line waits for the next poll
            self._offsets[path] = offset + len(complete)
            for line in complete.splitlines():
                record = json.loads(line)
                self._recent.append((now, float(record["latency_ms"]), record["status"]))
                self.totals[record["status"]] += 1
        while self._recent and self._recent[0][0] < now - self._window_s:
            self._recent.popleft()

    def line(self, elapsed_s: float, phase: str) -> str:
        latencies = sorted(latency for _, latency, _ in self._recent)
        p95 = latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))] if latencies else 0.0
        rps = len(self._recent) / self._window_s
        total = sum(self.totals.values())
        mix = (
            " ".join(
                f"{status} {100 * count / total:.0f}%"
                for status, count in sorted(self.totals.items())
            )
            if total
            else "-"
        )
        return (
            f"{elapsed_s:5.0f}s  {phase:<8}  {rps:7.1f} req/s  p95 {p95:7.1f} ms  "
            f"requests {total}  [{mix}]"
        )

"""The live line of a load run: users, requests per second, p95 and the status mix.

Fed by the collector as batches arrive (`add`), so it costs nothing per request and sees
every Locust worker, local or remote. Time is passed in, never read, so tests use a
made-up clock.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterable


class ProgressTracker:
    """Rolling view over the last `window_s` seconds of answers, plus run totals."""

    def __init__(self, window_s: float = 5.0) -> None:
        self._window_s = window_s
        self._recent: deque[tuple[float, float]] = deque()  # (arrived at, latency ms)
        self.totals: Counter[str] = Counter()
        self.users = 0

    def add(self, answers: Iterable[tuple[float, str]], now: float) -> None:
        """Record `(latency_ms, status)` pairs that arrived at `now`."""
        for latency_ms, status in answers:
            self._recent.append((now, latency_ms))
            self.totals[status] += 1

    def line(self, elapsed_s: float, phase: str, now: float) -> str:
        while self._recent and self._recent[0][0] < now - self._window_s:
            self._recent.popleft()
        latencies = sorted(latency for _, latency in self._recent)
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
            f"{elapsed_s:5.0f}s  {phase:<8}  users {self.users:<4} {rps:7.1f} req/s  "
            f"p95 {p95:7.1f} ms  requests {total}  [{mix}]"
        )

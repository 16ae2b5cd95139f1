"""Every HTTP method a caller makes up becomes a metric label of its own."""

from __future__ import annotations

DEFECT = "method label unbounded: each made-up HTTP method adds time series to /metrics"
SCENARIOS = ("junk-methods",)


class _EveryMethod:
    def __contains__(self, method: object) -> bool:
        return True


def apply() -> None:
    from catalogue import replace

    from orchestrator.service import _http_metrics

    replace(_http_metrics, "_KNOWN_METHODS", _EveryMethod())

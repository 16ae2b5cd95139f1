"""No tool ever falls back: a failed primary path is the answer."""

from __future__ import annotations

DEFECT = "no fallback: topology's snapshot and audit's spool are never used"
SCENARIOS = ("database-down-degraded", "audit-poison-record")


def apply() -> None:
    from catalogue import replace

    from orchestrator.call_policy import GuardedTool

    def without_fallback(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        build(self, *args, **kwargs)
        replace(self, "_fallback_seconds", None)

    build = replace(GuardedTool, "__init__", without_fallback)

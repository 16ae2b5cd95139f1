"""Topology catches its own database error and answers from its snapshot inside the
primary path: the stale graph is reported as a primary success, not a fallback."""

from __future__ import annotations

DEFECT = "fallback called primary: topology's stale snapshot is answered with fallback_used false"
SCENARIOS = ("database-down-degraded",)


def apply() -> None:
    from catalogue import replace

    from orchestrator.errors import ToolError
    from orchestrator.tools._topology import TopologyTool

    async def cached_on_error(self, arguments, ctx):  # type: ignore[no-untyped-def]
        try:
            return await run(self, arguments, ctx)
        except ToolError as error:
            if error.is_security:
                raise
            return await self.fallback(arguments, ctx)  # a miss raises the upstream error

    run = replace(TopologyTool, "run", cached_on_error)

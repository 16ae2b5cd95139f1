"""Runs a plan stage by stage, each stage's calls concurrently, and states one status.

A call whose dependency failed is not run (`dependency_failed`); a call whose stage starts
after the request deadline is not run (`timeout`). The status is a pure function of the
results: primary successes, fallbacks and failures.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from typing import Any

import _tools
import asyncpg
from _audit import AuditWriter, make_record
from _calls import Call, CallRunner, result
from _limits import ToolGuard
from _plans import Planned
from _settings import Settings
from _sql_checks import SqlChecks


def status_of(results: list[dict[str, Any]]) -> str:
    primary = any(r["success"] and not r["fallback_used"] for r in results)
    fallback = any(r["success"] and r["fallback_used"] for r in results)
    failure = any(not r["success"] for r in results)
    if primary:
        return "partial" if failure or fallback else "success"
    return "degraded" if fallback else "failed"


class Orchestrator:
    def __init__(self, settings: Settings, pools: dict[str, asyncpg.Pool]) -> None:
        self.settings, self.pools = settings, pools
        self.audit = AuditWriter(pools["audit"], settings.spool_dir)
        self.snapshots: dict[tuple[str, str], tuple[dict, str]] = {}
        self.sql_checks = SqlChecks()
        self.guards = {}
        self.runners = {}
        for tool in ("direct_query", "metrics", "topology", "audit"):
            limit = settings.rate_limits.get(tool)
            rate = (limit.per_minute / 60.0, limit.burst) if limit else None
            guard = ToolGuard(settings.breaker_threshold, settings.breaker_cool_down, rate)
            self.guards[tool] = guard
            self.runners[tool] = CallRunner(guard, retried=tool != "audit")

    def statistics(self) -> dict[str, Any]:
        return {tool: guard.statistics() for tool, guard in self.guards.items()}

    async def orchestrate(self, plan: Planned) -> dict[str, Any]:
        started = time.monotonic()
        seconds = self.settings.request_deadline
        if plan.deadline_seconds is not None:
            seconds = min(seconds, plan.deadline_seconds)
        deadline = started + seconds
        done: dict[str, dict[str, Any]] = {}
        trace = []
        for number, stage in enumerate(plan.stages, start=1):
            async with asyncio.TaskGroup() as group:
                tasks = [group.create_task(self._call(c, plan, deadline, done)) for c in stage]
            for call, task in zip(stage, tasks, strict=True):
                outcome, began, ended = task.result()
                done[call.call_id] = outcome
                trace.append(
                    {"call_id": call.call_id, "tool_id": call.tool_id, "stage": number,
                     "start_ms": round((began - started) * 1000, 2),
                     "end_ms": round((ended - started) * 1000, 2)}
                )  # fmt: skip
        results = [done[call.call_id] for stage in plan.stages for call in stage]
        return self._answer(plan, results, trace, started)

    def _answer(self, plan: Planned, results: list, trace: list, started: float) -> dict:
        status = status_of(results)
        by_outcome: dict[str, list[str]] = {"ok": [], "failed": [], "fallback": []}
        for r in results:
            kind = "failed" if not r["success"] else "fallback" if r["fallback_used"] else "ok"
            if r["tool_id"] not in by_outcome[kind]:
                by_outcome[kind].append(r["tool_id"])
        failures = [f"{r['call_id']}: {r['error_code']}" for r in results if not r["success"]]
        return {
            "request_id": plan.request_id,
            "tenant_id": plan.tenant,
            "status": status,
            "results": results,
            "successful_tools": by_outcome["ok"],
            "failed_tools": by_outcome["failed"],
            "fallback_tools": by_outcome["fallback"],
            "error_message": "; ".join(failures) if status == "failed" else None,
            "trace": trace,
            "latency_ms": round((time.monotonic() - started) * 1000, 2),
        }

    async def _call(self, call: Call, plan: Planned, deadline: float, done: dict):
        began = time.monotonic()
        failed_deps = [d for d in call.depends_on if not done[d]["success"]]
        if failed_deps:
            outcome = result(
                call, began, 0, error_code="dependency_failed",
                error_message=f"not run: {', '.join(failed_deps)} failed",
            )  # fmt: skip
        else:
            deps = {d: done[d]["data"] for d in call.depends_on}
            primary, fallback = self._tool(call, plan, deps)
            runner = self.runners[call.tool_id]
            outcome = await runner.run(call, plan.tenant, deadline, primary, fallback)
        return outcome, began, time.monotonic()

    def _tool(self, call: Call, plan: Planned, deps: dict):
        tenant, args = plan.tenant, call.arguments
        if call.tool_id == "audit":
            record = make_record(plan.request_id, tenant, plan.action, plan.detail)
            return (lambda left: self.audit.write(record, left)), (lambda: self.audit.spool(record))
        if call.tool_id == "direct_query":
            pool = self.pools["direct_query"]
            checks = self.sql_checks
            return (lambda left: _tools.direct_query(pool, checks, tenant, args, left)), None
        if call.tool_id == "metrics":
            pool = self.pools["metrics"]
            return (lambda left: _tools.metrics(pool, tenant, args, left, deps)), None
        return (lambda left: self._topology(tenant, args, left)), (
            lambda: self._snapshot(tenant, args)
        )

    async def _topology(self, tenant: str, args: dict, left: float) -> dict:
        graph = await _tools.topology(self.pools["topology"], tenant, args, left)
        self.snapshots[(tenant, graph["service"])] = (graph, datetime.now(UTC).isoformat())
        return graph

    async def _snapshot(self, tenant: str, args: dict) -> dict:
        saved = self.snapshots.get((tenant, str(args.get("service"))))
        if saved is None:
            raise LookupError("no snapshot of this graph yet")
        graph, taken_at = saved
        return {**graph, "stale": True, "snapshot_taken_at": taken_at}

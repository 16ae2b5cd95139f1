"""Engine benchmark: what the orchestrator costs over the work it orchestrates.

(a) efficiency = critical-path latency / observed latency, for a plan of 8 calls in
    2 stages (4 + 4) whose tools sleep 20 ms: the critical path is 40 ms. Median of
    many sequential requests. Also reported against the critical path the tools
    actually slept (asyncio.sleep overshoots by up to a millisecond per timer).
(b) throughput of the full engine (every policy on) with zero-latency tools, divided by
    the throughput of bare `asyncio.gather` of the same calls stage by stage, no policy.
    Both run in the same process, in alternating rounds so drift hits both alike.
(c) the same for the engine's bare shape with no policy at all: per stage a TaskGroup,
    per call a driver task, per attempt a task of its own (so a deadline can abandon a
    cleanup that will not end). The ceiling any engine of that shape can reach.

Prints the three ratios, one per line, and writes bench/results/engine.json (not with
--quick, which runs a few requests and two rounds).
    .venv/bin/python bench/engine.py [--rounds N] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from machine_load import MachineLoad, in_words

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from orchestrator import (  # noqa: E402
    CallContext,
    CapabilityType,
    OrchestrationRequest,
    Orchestrator,
    Plan,
    Stage,
    ToolCall,
    ToolCapability,
)
from orchestrator.deadline import LingeringTasks  # noqa: E402

STAGES, CALLS_PER_STAGE, SLEEP_SECONDS = 2, 4, 0.020
CRITICAL_PATH_MS = STAGES * SLEEP_SECONDS * 1000.0


class SleepingTool:
    def __init__(self, tool_id: str, sleep_seconds: float) -> None:
        self.capability = ToolCapability.build(
            tool_id=tool_id,
            capability_type=CapabilityType.READ_ONLY,
            max_concurrent_calls=1000,
            rate_limit_per_minute=10**9,
            timeout_seconds=5.0,
        )
        self.sleep_seconds = sleep_seconds
        self.slept: list[float] = []

    async def run(self, arguments: Mapping[str, Any], ctx: CallContext) -> Any:
        if self.sleep_seconds:
            began = time.perf_counter()
            await asyncio.sleep(self.sleep_seconds)
            self.slept.append(time.perf_counter() - began)
        return {"call": ctx.call_id}


def _plan() -> Plan:
    stages = []
    for s in range(STAGES):
        calls = [
            ToolCall(
                call_id=f"s{s}c{c}", tool_id=f"t{c}", depends_on=[f"s{s - 1}c{c}"] if s else []
            )
            for c in range(CALLS_PER_STAGE)
        ]
        stages.append(Stage(calls=calls))
    return Plan(stages=stages)


def _tools(sleep_seconds: float) -> list[SleepingTool]:
    return [SleepingTool(f"t{c}", sleep_seconds) for c in range(CALLS_PER_STAGE)]


async def measure_efficiency(requests: int) -> dict[str, float]:
    """Engine and bare `asyncio.gather` on the same sleeping tools, request by request in
    turn, so both see the same machine. Bare gather's efficiency is the physical limit:
    what the event loop itself costs around 40 ms of timers on this machine."""
    tools = _tools(SLEEP_SECONDS)
    plan = _plan()
    request = OrchestrationRequest(tenant_id="bench", plan=plan)
    runs: dict[str, tuple[list[float], list[float]]] = {"engine": ([], []), "gather": ([], [])}
    async with Orchestrator(tools, lingering=LingeringTasks()) as orchestrator:

        async def engine() -> None:
            response = await orchestrator.orchestrate(request)
            assert response.status.value == "success", response.status

        for index in range(requests + 5):
            for name, run in (("engine", engine), ("gather", lambda: _gather(tools, plan))):
                for tool in tools:
                    tool.slept.clear()
                began = time.perf_counter()
                await run()
                observed_ms = (time.perf_counter() - began) * 1000.0
                # Each stage's calls are one per tool, so per tool: [stage 0, stage 1].
                slept = sum(max(t.slept[s] for t in tools) for s in range(STAGES)) * 1000.0
                if index >= 5:  # warm-up
                    runs[name][0].append(observed_ms)
                    runs[name][1].append(slept)
    (observed, slept_paths), (gather_observed, gather_slept) = runs["engine"], runs["gather"]
    median = statistics.median(observed)
    efficiency = statistics.median(slept_paths) / median
    gather_efficiency = statistics.median(gather_slept) / statistics.median(gather_observed)
    return {
        "efficiency": CRITICAL_PATH_MS / median,
        "efficiency_vs_slept_critical_path": efficiency,
        "gather_efficiency_vs_slept_critical_path": gather_efficiency,
        "efficiency_over_gather_efficiency": efficiency / gather_efficiency,
        "observed_median_ms": median,
        "observed_p95_ms": _p95(observed),
        "gather_observed_median_ms": statistics.median(gather_observed),
        "slept_critical_path_median_ms": statistics.median(slept_paths),
    }


async def _gather(tools: list[SleepingTool], plan: Plan) -> None:
    """The plan with no engine at all: each stage's calls in one `asyncio.gather`."""
    by_id = {tool.capability.tool_id: tool for tool in tools}
    for stage in plan.stages:
        await asyncio.gather(
            *(
                by_id[call.tool_id].run(
                    call.arguments, CallContext("r", "bench", True, call.call_id)
                )
                for call in stage.calls
            )
        )


async def measure_throughput(rounds: int, requests_per_round: int) -> dict[str, float]:
    tools = _tools(0.0)
    by_id = {tool.capability.tool_id: tool for tool in tools}
    plan = _plan()
    request = OrchestrationRequest(tenant_id="bench", plan=plan)

    async def bare_gather() -> None:
        await _gather(tools, plan)

    async def bare_shape() -> None:
        async def driver(call: ToolCall) -> Any:
            context = CallContext("r", "bench", True, call.call_id)
            return await asyncio.create_task(by_id[call.tool_id].run(call.arguments, context))

        for stage in plan.stages:
            async with asyncio.TaskGroup() as group:
                for call in stage.calls:
                    group.create_task(driver(call))

    async def rate(run: Any) -> float:
        began = time.perf_counter()
        for _ in range(requests_per_round):
            await run()
        return requests_per_round / (time.perf_counter() - began)

    engine_rates, gather_rates, shape_rates = [], [], []
    async with Orchestrator(tools, lingering=LingeringTasks()) as orchestrator:

        async def engine() -> None:
            await orchestrator.orchestrate(request)

        for round_index in range(rounds + 1):
            rates = (await rate(engine), await rate(bare_gather), await rate(bare_shape))
            if round_index:  # round 0 warms up all three
                engine_rates.append(rates[0])
                gather_rates.append(rates[1])
                shape_rates.append(rates[2])
    ratios = [e / g for e, g in zip(engine_rates, gather_rates, strict=False)]
    shape_ratios = [s / g for s, g in zip(shape_rates, gather_rates, strict=False)]
    return {
        "throughput_ratio_vs_gather": statistics.median(ratios),
        "bare_shape_ratio_vs_gather": statistics.median(shape_ratios),
        "engine_requests_per_second_median": statistics.median(engine_rates),
        "gather_requests_per_second_median": statistics.median(gather_rates),
        "engine_request_us_median": 1e6 / statistics.median(engine_rates),
        "gather_request_us_median": 1e6 / statistics.median(gather_rates),
        "throughput_ratio_p5": _p5(ratios),
    }


def _p95(values: list[float]) -> float:
    return sorted(values)[min(len(values) - 1, int(0.95 * len(values)))]


def _p5(values: list[float]) -> float:
    return sorted(values)[int(0.05 * len(values))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--requests", type=int, default=100, help="requests for the efficiency median"
    )
    parser.add_argument("--rounds", type=int, default=30, help="alternating throughput rounds")
    parser.add_argument("--per-round", type=int, default=200, help="requests per throughput round")
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).parent / "results" / "engine.json"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="tiny sizes, two rounds: checks that it runs; writes no results file",
    )
    args = parser.parse_args()
    if args.quick:
        args.requests, args.rounds, args.per_round = 5, 2, 20
    load = MachineLoad()
    efficiency = asyncio.run(measure_efficiency(args.requests))
    throughput = asyncio.run(measure_throughput(args.rounds, args.per_round))
    print(
        f"efficiency vs slept critical path: {efficiency['efficiency_vs_slept_critical_path']:.4f}"
    )
    print(
        "bare gather efficiency vs slept critical path: "
        f"{efficiency['gather_efficiency_vs_slept_critical_path']:.4f}"
    )
    print(f"throughput / asyncio.gather: {throughput['throughput_ratio_vs_gather']:.4f}")
    print(f"bare stage shape / asyncio.gather: {throughput['bare_shape_ratio_vs_gather']:.4f}")
    machine = load.figures()
    print(f"  ({in_words(machine)})")
    report = {
        **efficiency,
        **throughput,
        "critical_path_ms": CRITICAL_PATH_MS,
        "plan": f"{STAGES} stages x {CALLS_PER_STAGE} calls",
        **machine,
        "python": sys.version.split()[0],
        "targets": {"efficiency_vs_slept_critical_path": 0.98, "throughput_ratio_vs_gather": 0.5},
    }
    if args.quick:
        return
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

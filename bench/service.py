"""Service ceiling and load-generator capacity, measured side by side in one run.

    .venv/bin/python bench/service.py [--users 16] [--seconds 8] [--rounds 3] [--quick]

Same Locust settings (users, duration, one process, closed model, no think time) against:
  1. the orchestrator service (FastAPI + uvicorn, one worker) on a plan of three
     zero-latency in-process tools;
  2. a bare endpoint on the same server stack returning a constant body (the ceiling).
Service and bare run in alternating rounds; prints service ÷ bare (the median of the
rounds' ratios), the machine's load average, and the load generator's requests per
CPU-second of its own process (measured with getrusage on the reaped Locust child, import
time included, so it is a lower bound of what one Locust process can drive), and service ÷
bare in requests per CPU-second of the server process: on a busy machine the rate swings
with the share of a core each server gets, its CPU per request much less. Writes
bench/results/service.json (not with --quick: 2 users for 1 s each, one round).
Loopback only; every run is bounded by Locust's own duration plus the harness's deadline.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import sys
import tempfile
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from orchestrator.deadline import LingeringTasks

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BENCH_KEY = "bench-key-acme"
TOOL_IDS = ("zero_a", "zero_b", "zero_c")
CONSTANT = {"request_id": "x", "tenant_id": "acme", "status": "success", "results": []}


class ZeroLatencyTool:
    """A tool that answers at once: what is left is the orchestrator's own cost."""

    def __init__(self, tool_id: str) -> None:
        from orchestrator import CapabilityType, ToolCapability

        self.capability = ToolCapability(
            tool_id=tool_id, capability_type=CapabilityType.READ_ONLY, max_concurrent_calls=10_000
        )

    async def run(self, arguments: Mapping[str, Any], ctx: Any) -> Any:
        return {"ok": True}

    async def fallback(self, arguments: Mapping[str, Any], ctx: Any) -> Any:
        return {"ok": True}


def zero_latency_app() -> FastAPI:
    """uvicorn factory: the real service and orchestrator over zero-latency tools."""
    from orchestrator import Plan, Stage, ToolCall
    from orchestrator.executor import Orchestrator
    from orchestrator.planner import Planner
    from orchestrator.service import create_app

    plan = Plan(stages=[Stage(calls=[ToolCall(call_id=t, tool_id=t) for t in TOOL_IDS])])
    planner = Planner({"zero": lambda parameters: plan})
    orchestrator = Orchestrator(
        [ZeroLatencyTool(t) for t in TOOL_IDS], lingering=LingeringTasks(), planner=planner
    )
    return create_app(orchestrator, {BENCH_KEY: "acme"}, owns_orchestrator=True)


def bare_app() -> FastAPI:
    """uvicorn factory: the same server stack returning a constant body."""
    app = FastAPI()

    @app.post("/v1/orchestrate")
    async def orchestrate() -> dict[str, Any]:
        # A fresh request id, as the service gives: observations are merged by request id.
        return {**CONSTANT, "request_id": uuid.uuid4().hex}

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


async def _measure(app: str, users: int, seconds: float, work: Path) -> dict[str, float]:
    import polars as pl
    from machine_load import process_tree_cpu_s

    from load.control.locust_args import LocustOptions, locust_args
    from load.inputs.run_config import LocustRunConfig, ShapeStep, WeightedIntent, WeightedTenant
    from load.transport.collector import ObservationCollector, bound_socket
    from load.transport.observations import merge_observation_directory
    from target.child_process import ChildProcess
    from target.uvicorn_service import start_service

    (work / "workers").mkdir(parents=True)
    service, url = await start_service(None, log_path=work / "service.log", app=app)
    server_pid = service.process.pid
    collector = ObservationCollector(work / "workers", worker_config={})
    sock = bound_socket("127.0.0.1", 0)
    try:
        config = LocustRunConfig(
            scenario="bench",
            host=url,
            observation_dir=work / "workers",
            duration_s=seconds,
            intents=[WeightedIntent(intent="zero", weight=1)],
            tenants=[WeightedTenant(tenant="acme", weight=1, api_key=BENCH_KEY)],
            shape=[ShapeStep(at_s=0, users=users, spawn_rate=users)],
            flush_interval_s=1.0,
            collector_url=f"http://127.0.0.1:{sock.getsockname()[1]}",
        ).write(work / "locust.json")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        server_before = process_tree_cpu_s(server_pid)
        async with collector.serving(sock):
            locust = await ChildProcess.start(
                "locust",
                [
                    sys.executable,
                    "-m",
                    "load.in_locust.locust_main",
                    str(config),
                    *locust_args(
                        LocustRunConfig.read(config), LocustOptions(csv_prefix=work / "locust")
                    ),
                ],
                log_path=work / "locust.log",
            )
            async with asyncio.timeout(seconds + 60):
                await locust.process.wait()
            server_cpu = process_tree_cpu_s(server_pid) - server_before
            await collector.wait_until_complete(timeout_s=30)  # its final batch
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        collector.write_counts()  # closes each worker's open segment
    finally:
        sock.close()
        await service.stop(grace_s=5)
    merge = merge_observation_directory(work / "workers", into=work / "observations")
    # the merged run, in time order: its first and last start, and its statuses
    merged = pl.read_parquet(merge.segments, columns=["ts", "status"])
    answered = merged.filter(pl.col("status") != "failed").height
    span = merged["ts"][-1] - merged["ts"][0] if merged.height > 1 else float("nan")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "requests": merged.height,
        "answered": answered,
        "seconds": round(span, 3),
        "req_per_s": round(merged.height / span, 1),
        "locust_cpu_s": round(cpu, 3),
        "locust_req_per_cpu_s": round(merged.height / cpu, 1),
        "server_cpu_s": round(server_cpu, 3),
        "server_req_per_cpu_s": round(merged.height / server_cpu, 1),
    }


async def _bench(users: int, seconds: float, rounds: int) -> dict[str, Any]:
    runs: dict[str, list[dict[str, float]]] = {"service": [], "bare": []}
    apps = {"service": "bench.service:zero_latency_app", "bare": "bench.service:bare_app"}
    # here, not at the top: uvicorn imports this file as `bench.service` for its apps
    from machine_load import MachineLoad

    load = MachineLoad()
    with tempfile.TemporaryDirectory(prefix="gauntlet-bench-") as tmp:
        for index in range(rounds):
            # Alternate which goes first, so neither always meets the quieter machine.
            order = ("service", "bare") if index % 2 == 0 else ("bare", "service")
            for name in order:
                work = Path(tmp) / f"{name}-{index}"
                runs[name].append(await _measure(apps[name], users, seconds, work))
    service, bare = runs["service"], runs["bare"]
    ratios = [s["req_per_s"] / b["req_per_s"] for s, b in zip(service, bare, strict=True)]
    # The server's own CPU per request: what the busy machine's scheduling leaves out.
    cpu_ratios = [
        s["server_req_per_cpu_s"] / b["server_req_per_cpu_s"]
        for s, b in zip(service, bare, strict=True)
    ]
    bare_capacity = statistics.median(b["locust_req_per_cpu_s"] for b in bare)
    bare_rate = statistics.median(b["req_per_s"] for b in bare)
    return {
        "settings": {
            "users": users,
            "seconds": seconds,
            "rounds": rounds,
            "locust_processes": 1,
            "uvicorn_workers": 1,
            "user_class": "FastHttpUser",
            "think_time_s": 0,
        },
        "service_zero_latency_tools": service,
        "bare_endpoint": bare,
        "service_over_bare": round(statistics.median(ratios), 3),
        "service_over_bare_per_round": [round(r, 3) for r in ratios],
        "service_over_bare_per_server_cpu_s": round(statistics.median(cpu_ratios), 3),
        "service_over_bare_per_server_cpu_s_per_round": [round(r, 3) for r in cpu_ratios],
        "service_req_per_s_median": statistics.median(s["req_per_s"] for s in service),
        "bare_req_per_s_median": bare_rate,
        "locust_req_per_cpu_s_per_process": bare_capacity,
        "bare_rps_over_locust_capacity": round(bare_rate / bare_capacity, 3),
        "machine": load.figures(),
    }


def main() -> None:
    from machine_load import in_words

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="tiny sizes: checks that it runs; writes no results file",
    )
    args = parser.parse_args()
    if args.quick:
        args.users, args.seconds, args.rounds = 2, 1.0, 1
    result = asyncio.run(_bench(args.users, args.seconds, args.rounds))
    out = ROOT / "bench" / "results" / "service.json"
    if not args.quick:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"service (3 zero-latency tools): {result['service_req_per_s_median']:8.1f} req/s")
    print(f"bare endpoint (ceiling):        {result['bare_req_per_s_median']:8.1f} req/s")
    print(f"service / bare:                 {result['service_over_bare']:.3f}")
    print(f"  (rounds {result['service_over_bare_per_round']}; {in_words(result['machine'])})")
    print(
        "service / bare, requests per server CPU-second: "
        f"{result['service_over_bare_per_server_cpu_s']:.3f} "
        f"(rounds {result['service_over_bare_per_server_cpu_s_per_round']})"
    )
    print(
        "Locust capacity per process:    "
        f"{result['locust_req_per_cpu_s_per_process']:8.1f} req per CPU-second "
        f"(bare run used {result['bare_rps_over_locust_capacity']:.0%} of one Locust process)"
    )
    if not args.quick:
        print(f"written: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

"""A healthy request against the database's own floor, measured side by side in one run.

    .venv/bin/python bench/latency_floor.py [--requests 300] [--profile out.prof] [--quick]

On one embedded Postgres with the seeded ops world, alternating request by request:
  1. the orchestrator, in process and without HTTP: a `service_overview` request (overview
     SQL, metrics, topology, and the server's audit record: four tools in one stage);
  2. bare psycopg: the same four workloads on four open connections in parallel, each
     its own transaction with the same tenant scope (role, tenant, timeouts) and the same
     SQL, with nothing around it: no pool, no validator, no policy, no contracts.
Prints orchestrator ÷ bare at p50 and p95 and writes bench/results/latency_floor.json
(not with --quick, which runs a few requests).
With --profile, the orchestrator's requests also run once more under cProfile.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg
from machine_load import MachineLoad, in_words

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chaos import schema  # noqa: E402
from chaos.postgres import start_ops_postgres  # noqa: E402
from orchestrator.contracts import OrchestrationRequest, OrchestrationStatus  # noqa: E402
from orchestrator.deadline import LingeringTasks  # noqa: E402
from orchestrator.executor import Orchestrator  # noqa: E402
from orchestrator.intents import SERVICE_OVERVIEW_SQL, register_ops_intents  # noqa: E402
from orchestrator.planner import Planner  # noqa: E402
from orchestrator.tools import build_tools  # noqa: E402
from orchestrator.tools._audit_replay import INSERT as AUDIT_INSERT  # noqa: E402
from orchestrator.tools._metrics import _AGGREGATES as METRICS_SQL  # noqa: E402
from orchestrator.tools._tenant_tx import begin_tenant_scope  # noqa: E402
from orchestrator.tools._topology import _EDGES as TOPOLOGY_EDGES_SQL  # noqa: E402
from orchestrator.tools._topology import _EXISTS as TOPOLOGY_EXISTS_SQL  # noqa: E402

TENANT = "acme"
SERVICE = "checkout"
BUDGET_SECONDS = 2.5
WARMUP = 30


class BareWorkloads:
    """The four workloads on four connections held open for the whole run."""

    def __init__(self, connections: list[psycopg.AsyncConnection[Any]]) -> None:
        self._ops, self._metrics, self._topology, self._audit = connections

    @classmethod
    async def connect(cls, reader_ops: str, reader_metrics: str, auditor: str) -> BareWorkloads:
        dsns = (reader_ops, reader_metrics, reader_ops, auditor)
        return cls([await psycopg.AsyncConnection.connect(dsn) for dsn in dsns])

    async def aclose(self) -> None:
        for conn in (self._ops, self._metrics, self._topology, self._audit):
            await conn.close()

    async def request(self) -> None:
        await asyncio.gather(self._overview(), self._latency(), self._graph(), self._record())

    async def _overview(self) -> None:
        async with self._ops.transaction():
            await begin_tenant_scope(self._ops, TENANT, BUDGET_SECONDS, read_only=True)
            cursor = await self._ops.execute(SERVICE_OVERVIEW_SQL, {"service": SERVICE})
            await cursor.fetchall()

    async def _latency(self) -> None:
        params = {"metric": "latency_p95_ms", "services": [SERVICE], "window": 15}
        async with self._metrics.transaction():
            await begin_tenant_scope(self._metrics, TENANT, BUDGET_SECONDS, read_only=True)
            await (await self._metrics.execute(METRICS_SQL, params)).fetchall()

    async def _graph(self) -> None:
        params = {"service": SERVICE, "depth": 2}
        async with self._topology.transaction():
            await begin_tenant_scope(self._topology, TENANT, BUDGET_SECONDS, read_only=True)
            await (await self._topology.execute(TOPOLOGY_EXISTS_SQL, params)).fetchone()
            await (await self._topology.execute(TOPOLOGY_EDGES_SQL, params)).fetchall()

    async def _record(self) -> None:
        row = {
            "request_id": uuid.uuid4().hex,
            "tenant_id": TENANT,
            "action": "service_overview",
            "detail": json.dumps({"intent": "service_overview", "service": SERVICE}),
            "at": time.time(),
        }
        async with self._audit.transaction():
            await begin_tenant_scope(self._audit, TENANT, BUDGET_SECONDS, read_only=False)
            await self._audit.execute(AUDIT_INSERT, row)


def _orchestrator(reader_ops: str, reader_metrics: str, auditor: str, spool: Path) -> Orchestrator:
    """Built as the service builds it (see `orchestrator.service._config.build_app`)."""
    lingering = LingeringTasks()
    tools = build_tools(
        reader_ops,
        reader_metrics,
        auditor,
        spool_dir=spool,
        lingering=lingering,
    )
    planner = Planner()
    register_ops_intents(planner)
    return Orchestrator(tools, planner=planner, lingering=lingering)


async def _timed_ms(work: Any) -> float:
    began = time.perf_counter()
    await work()
    return (time.perf_counter() - began) * 1000.0


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18]


async def _bench(
    dsns: tuple[str, str, str], requests: int, profile: Path | None, warmup: int = WARMUP
) -> dict:
    with tempfile.TemporaryDirectory(prefix="latency-floor-") as spool:
        orchestrator = _orchestrator(*dsns, Path(spool))
        bare = await BareWorkloads.connect(*dsns)

        async def orchestrated() -> None:
            answer = await orchestrator.orchestrate(
                OrchestrationRequest(
                    tenant_id=TENANT, intent="service_overview", parameters={"service": SERVICE}
                )
            )
            if answer.status is not OrchestrationStatus.SUCCESS:
                raise RuntimeError(f"not a healthy request: {answer.model_dump_json()}")

        try:
            for _ in range(warmup):
                await orchestrated()
                await bare.request()
            ours: list[float] = []
            floor: list[float] = []
            for n in range(requests):
                # Alternate which goes first, so neither always meets a warmer cache.
                if n % 2:
                    ours.append(await _timed_ms(orchestrated))
                    floor.append(await _timed_ms(bare.request))
                else:
                    floor.append(await _timed_ms(bare.request))
                    ours.append(await _timed_ms(orchestrated))
            if profile is not None:
                profiler = cProfile.Profile()
                profiler.enable()
                for _ in range(requests):
                    await orchestrated()
                profiler.disable()
                profiler.dump_stats(str(profile))
        finally:
            await bare.aclose()
            await orchestrator.aclose()
    return {
        "requests": requests,
        "intent": "service_overview",
        "tools_per_request": 4,
        "orchestrator_p50_ms": round(statistics.median(ours), 3),
        "orchestrator_p95_ms": round(_p95(ours), 3),
        "bare_p50_ms": round(statistics.median(floor), 3),
        "bare_p95_ms": round(_p95(floor), 3),
        "ratio_p50": round(statistics.median(ours) / statistics.median(floor), 3),
        "ratio_p95": round(_p95(ours) / _p95(floor), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--profile", type=Path, default=None, help="write cProfile stats here")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="tiny sizes: checks that it runs; writes no results file",
    )
    args = parser.parse_args()
    requests, warmup = (10, 3) if args.quick else (args.requests, WARMUP)
    load = MachineLoad()
    server = start_ops_postgres("embedded")
    try:
        dsns = (
            server.dsn(schema.OPS_DB, schema.READER),
            server.dsn(schema.METRICS_DB, schema.READER),
            server.dsn(schema.OPS_DB, schema.AUDITOR),
        )
        result = asyncio.run(_bench(dsns, requests, args.profile, warmup))
    finally:
        server.close()
    result["machine"] = load.figures()
    out = ROOT / "bench" / "results" / "latency_floor.json"
    if not args.quick:
        out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"orchestrator p50 / bare psycopg p50: {result['ratio_p50']:.3f}")
    print(f"orchestrator p95 / bare psycopg p95: {result['ratio_p95']:.3f}")
    print(
        f"  (p50 {result['orchestrator_p50_ms']:.2f} ms vs {result['bare_p50_ms']:.2f} ms; "
        f"p95 {result['orchestrator_p95_ms']:.2f} ms vs {result['bare_p95_ms']:.2f} ms; "
        f"{in_words(result['machine'])})"
    )
    if not args.quick:
        print(f"written: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

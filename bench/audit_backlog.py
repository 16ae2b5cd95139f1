"""Audit benchmark: a spool backlog must not slow requests, and must drain.

On a real embedded Postgres, one audit tool:
(a) request latency of `audit.run` with an empty spool, and with a backlog of 5,000
    spooled records draining in the background (only requests that started while the
    backlog was still pending count), side by side in one run; the ratio is printed;
(b) drain rate: records per second the background replayer commits;
(c) for contrast, what one request would have waited had it drained the backlog itself
    (`flush_spool()` of the same backlog, inline).

Prints the figures and writes bench/results/audit_backlog.json (not with --quick).
    .venv/bin/python bench/audit_backlog.py [--backlog 5000] [--requests 200] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from chaos import schema  # noqa: E402
from chaos.postgres import start_ops_postgres  # noqa: E402
from orchestrator import CallContext  # noqa: E402
from orchestrator.deadline import LingeringTasks  # noqa: E402
from orchestrator.tools import build_tools  # noqa: E402
from orchestrator.tools._audit import AuditTool  # noqa: E402

BUDGET_SECONDS = 2.5


def _ctx(request_id: str) -> CallContext:
    # A 2.5 s budget from now, as the orchestrator gives a call: an absolute deadline on
    # the running loop's clock.
    return CallContext(
        request_id=request_id,
        tenant_id="acme",
        authenticated=True,
        call_id="audit",
        dependency_outputs={},
        deadline_at=asyncio.get_running_loop().time() + BUDGET_SECONDS,
    )


def _spool_backlog(audit: AuditTool, prefix: str, count: int) -> None:
    for n in range(count):
        audit.spool.append(
            {
                "request_id": f"{prefix}-{n}",
                "tenant_id": "acme",
                "action": "bench",
                "detail": {"n": n},
                "at": time.time(),
            }
        )


async def _requests(audit: AuditTool, prefix: str, count: int) -> list[tuple[float, bool]]:
    """Sequential requests: (latency in ms, whether a backlog was pending at its start)."""
    samples = []
    for n in range(count):
        pending = audit.spool.has_pending()
        began = time.perf_counter()
        await audit.run({"action": "bench"}, _ctx(f"{prefix}-{n}"))
        samples.append(((time.perf_counter() - began) * 1000.0, pending))
    return samples


async def _wait_drained(audit: AuditTool, began: float) -> float:
    while audit.spool.has_pending():
        await asyncio.sleep(0.01)
    return time.perf_counter() - began


async def bench(dsn: str, spool_dir: Path, backlog: int, requests: int) -> dict[str, float]:
    (audit,) = [
        t
        for t in build_tools(dsn, dsn, dsn, spool_dir=spool_dir, lingering=LingeringTasks())
        if t.capability.tool_id == "audit"
    ]
    try:
        await _requests(audit, "warm", 20)
        empty = [ms for ms, _ in await _requests(audit, "empty", requests)]

        _spool_backlog(audit, "backlog", backlog)
        began = time.perf_counter()
        drained = asyncio.create_task(_wait_drained(audit, began))
        during = [ms for ms, pending in await _requests(audit, "during", requests) if pending]
        drain_seconds = await drained

        _spool_backlog(audit, "inline", backlog)
        began = time.perf_counter()
        await audit.flush_spool()
        inline_seconds = time.perf_counter() - began
    finally:
        await audit.aclose()
    return {
        "backlog_records": backlog,
        "empty_median_ms": statistics.median(empty),
        "empty_p95_ms": statistics.quantiles(empty, n=20)[18],
        "backlog_requests_measured": len(during),
        "backlog_median_ms": statistics.median(during) if during else float("nan"),
        "backlog_p95_ms": statistics.quantiles(during, n=20)[18]
        if len(during) > 1
        else float("nan"),
        "latency_ratio_backlog_over_empty": (statistics.median(during) / statistics.median(empty))
        if during
        else float("nan"),
        "background_drain_seconds": drain_seconds,
        "drain_records_per_second": backlog / drain_seconds,
        "inline_flush_seconds": inline_seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backlog", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="tiny sizes, one round: checks that it runs; writes no results file",
    )
    args = parser.parse_args()
    if args.quick:
        args.backlog, args.requests = 100, 10
    server = start_ops_postgres("embedded")
    try:
        with tempfile.TemporaryDirectory(prefix="audit-bench-") as spool_dir:
            figures = asyncio.run(
                bench(
                    server.dsn(schema.OPS_DB, schema.AUDITOR),
                    Path(spool_dir),
                    args.backlog,
                    args.requests,
                )
            )
    finally:
        server.close()
    for name, value in figures.items():
        print(f"{name}: {value:.3f}" if isinstance(value, float) else f"{name}: {value}")
    if args.quick:
        return
    out = Path(__file__).resolve().parent / "results" / "audit_backlog.json"
    out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

"""The harness's own CPU per request, by HTTP client, measured side by side in one run.

    .venv/bin/python bench/client_cost.py [--requests 3000] [--callers 32] [--rounds 3] [--quick]

A bare endpoint (uvicorn, a constant JSON body) in a child process; in this process,
`callers` closed-loop callers share one client and send `requests` POSTs between them:
  1. httpx.AsyncClient with its default pool (what a run used before);
  2. the run's client, `scenarios.runner.service_client` (aiohttp).
Alternating rounds; prints this process's CPU milliseconds per request for each (the
median of the rounds) and httpx ÷ run's client. The harness's CPU per request is time a
verdict can blame on the system under test when the machine is busy. Writes
bench/results/client_cost.json (not with --quick: 200 requests, one round).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chaos import free_loopback_port  # noqa: E402
from scenarios.runner.service_client import service_client  # noqa: E402

BARE_APP = """
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": b'{"status":"success","results":[]}'})
"""


async def _drive(send: Callable[[], Awaitable[None]], requests: int, callers: int) -> None:
    async def caller() -> None:
        for _ in range(requests // callers):
            await send()

    await asyncio.gather(*(caller() for _ in range(callers)))


async def with_httpx(url: str, requests: int, callers: int) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        await _drive(lambda: client.post("/v1/orchestrate", content=b"{}"), requests, callers)


async def with_run_client(url: str, requests: int, callers: int) -> None:
    async with service_client(url, timeout_s=30) as client:
        await _drive(
            lambda: client.request("POST", "/v1/orchestrate", content=b"{}"), requests, callers
        )


def cpu_ms_per_request(client, url: str, requests: int, callers: int) -> float:
    started = time.process_time()
    asyncio.run(client(url, requests, callers))
    return (time.process_time() - started) * 1000 / (requests // callers * callers)


def _wait_listening(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the bare endpoint did not start within 30 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--callers", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--quick", action="store_true", help="200 requests, one round, no results file"
    )
    args = parser.parse_args()
    requests, rounds = (200, 1) if args.quick else (args.requests, args.rounds)
    port = free_loopback_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            BARE_APP + f"\nimport uvicorn\nuvicorn.run(app, port={port}, log_level='warning')",
        ],
    )
    try:
        _wait_listening(port)
        url = f"http://127.0.0.1:{port}"
        old, new = [], []
        for _ in range(rounds):  # alternated, so a busy neighbour slows both alike
            old.append(cpu_ms_per_request(with_httpx, url, requests, args.callers))
            new.append(cpu_ms_per_request(with_run_client, url, requests, args.callers))
    finally:
        server.terminate()
        server.wait(timeout=30)
    result = {
        "requests": requests,
        "callers": args.callers,
        "rounds": rounds,
        "httpx_cpu_ms_per_request": round(statistics.median(old), 3),
        "run_client_cpu_ms_per_request": round(statistics.median(new), 3),
        "httpx_over_run_client": round(statistics.median(old) / statistics.median(new), 2),
    }
    print(
        f"harness CPU per request, {args.callers} callers: "
        f"httpx {result['httpx_cpu_ms_per_request']} ms, "
        f"the run's client {result['run_client_cpu_ms_per_request']} ms "
        f"(httpx costs {result['httpx_over_run_client']}x, median of {rounds})"
    )
    if not args.quick:
        out = ROOT / "bench" / "results" / "client_cost.json"
        out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

"""One caller's kept-alive requests, by how the server's listening socket was made.

    .venv/bin/python bench/keepalive_latency.py [--requests 400] [--rounds 3] [--quick]

One uvicorn server in this process (a constant JSON body, answered as head then body, as
uvicorn sends every answer) listens on two sockets:
  1. a bare stream socket, `socket.socket(AF_INET, SOCK_STREAM)` (how the reference's
     listener, the in-loop host and the load collector made theirs before);
  2. `orchestrator.service.bind_listener`, which names IPPROTO_TCP.
asyncio sets TCP_NODELAY only on a connection whose socket says it is TCP, and an accepted
connection inherits the listener's proto. One caller (the run's own aiohttp client) sends
`requests` GETs, one after another on one kept-alive connection, to each in alternating
rounds; prints the p50 latency of each (median of the rounds) and bare ÷ bind_listener.
Writes bench/results/keepalive_latency.json (not with --quick: 40 requests, one round).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import statistics
import sys
import time
from pathlib import Path

import uvicorn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from orchestrator.service import bind_listener  # noqa: E402
from scenarios.runner.service_client import service_client  # noqa: E402

RESULT = ROOT / "bench" / "results" / "keepalive_latency.json"


async def constant(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
    if scope["type"] != "http":
        return
    headers = [(b"content-type", b"application/json")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b'{"status":"success","results":[]}'})


def bare_listener() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    return sock


async def p50_ms(url: str, requests: int) -> float:
    """The median latency of `requests` GETs sent one after another on one connection."""
    latencies = []
    async with service_client(url, timeout_s=10) as client:
        for _ in range(requests):
            started = time.perf_counter()
            await client.request("GET", "/")
            latencies.append((time.perf_counter() - started) * 1000)
    return statistics.median(latencies)


async def measure(requests: int, rounds: int) -> dict[str, list[float]]:
    listeners = {
        "bare stream socket": bare_listener(),
        "bind_listener": bind_listener("127.0.0.1", 0),
    }
    config = uvicorn.Config(constant, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve(sockets=list(listeners.values())))
    while not server.started:
        await asyncio.sleep(0.02)
    medians: dict[str, list[float]] = {name: [] for name in listeners}
    try:
        for index in range(rounds):
            order = list(listeners) if index % 2 == 0 else list(reversed(listeners))
            for name in order:
                port = listeners[name].getsockname()[1]
                medians[name].append(await p50_ms(f"http://127.0.0.1:{port}", requests))
    finally:
        server.should_exit = True
        await serving
    return medians


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="40 requests, one round, no file")
    args = parser.parse_args()
    if args.quick:
        args.requests, args.rounds = 40, 1
    medians = asyncio.run(measure(args.requests, args.rounds))
    bare = statistics.median(medians["bare stream socket"])
    named = statistics.median(medians["bind_listener"])
    print(f"one caller, kept alive, p50: bare stream socket {bare:.2f} ms,", end=" ")
    print(f"bind_listener {named:.2f} ms")
    print(f"bare stream socket p50 / bind_listener p50: {bare / named:.1f}")
    if not args.quick:
        document = {
            "requests": args.requests,
            "rounds": args.rounds,
            "p50_ms": medians,
            "ratio_bare_over_bind_listener": round(bare / named, 1),
        }
        RESULT.write_text(json.dumps(document, indent=1) + "\n")
        print(f"wrote {RESULT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

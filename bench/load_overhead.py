"""Gauntlet's load path against plain Locust, side by side in one run.

    .venv/bin/python bench/load_overhead.py [--users 8] [--seconds 5] [--rounds 7] [--quick]

One bare endpoint (a minimal HTTP/1.1 server on loopback, in a process of its own, answering
every POST at once with a well-formed orchestration answer) is driven in alternating rounds
by the same number of users, with no think time, from one Locust process:
  1. plain Locust: a `FastHttpUser` posting the same body, nothing else
     (bench/plain_locust/locustfile.py);
  2. Gauntlet's load path: its users (each answer judged into an observation), the shipper,
     the harness's collector (ledger, acknowledgement, storage) and Locust's CSV reports.
The figure is requests per CPU-second of the load processes: the Locust process with any
process it forks, plus the harness's own process (where the collector runs; idle in plain
rounds), over a steady window that starts once every user runs, so startup and imports are
left out. Requests are counted by the endpoint. Prints Gauntlet ÷ plain (median of the
rounds' ratios) and writes bench/results/load_overhead.json (not with --quick).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from machine_load import MachineLoad, in_words, process_tree_cpu_s

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

API_KEY = "bench-key-acme"  # the plain locustfile sends the same key
PLAIN_LOCUSTFILE = ROOT / "bench" / "plain_locust" / "locustfile.py"
SETTLE_S = 1.5  # after the first request: every user spawned (spawn rate = users per second)
# Locust's own end is only a bound: each round stops its Locust once the window closes.
# Its run time counts from its start, not from its first request, and on a busy machine
# that start can take seconds: with a tight bound Locust ended inside the window.
MARGIN_S = 30.0


# -- the bare endpoint, in a process of its own ------------------------------------------------


def serve_bare_endpoint(port: Any, served: Any) -> None:
    """Process target: serve on a free loopback port, published in `port`; count answers
    in `served` (both shared integers)."""
    asyncio.run(_serve(port, served))


async def _serve(port: Any, served: Any) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: _BareEndpoint(served), "127.0.0.1", 0)
    port.value = server.sockets[0].getsockname()[1]
    await server.serve_forever()


class _BareEndpoint(asyncio.Protocol):
    """HTTP/1.1 keep-alive, one answer per request, read by its Content-Length."""

    def __init__(self, served: Any) -> None:
        self._served = served
        self._buffer = b""
        self._transport: Any = None

    def connection_made(self, transport: Any) -> None:
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        while (head_end := self._buffer.find(b"\r\n\r\n")) >= 0:
            end = head_end + 4 + _content_length(self._buffer[:head_end])
            if len(self._buffer) < end:
                return
            self._buffer = self._buffer[end:]
            self._served.value += 1
            self._transport.write(_answer())


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    return 0


def _answer() -> bytes:
    # A fresh request id per answer, as a real service gives: observations are keyed by it.
    body = b'{"request_id":"%s","tenant_id":"acme","status":"success","results":[]}' % (
        os.urandom(16).hex().encode()
    )
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
    return head % len(body) + body


# -- one round ---------------------------------------------------------------------------------


class Endpoint:
    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._port = context.RawValue("i", 0)
        self._served = context.RawValue("q", 0)
        self._process = context.Process(
            target=serve_bare_endpoint, args=(self._port, self._served), daemon=True
        )

    def __enter__(self) -> Endpoint:
        self._process.start()
        deadline = time.monotonic() + 60
        while not self._port.value:
            if time.monotonic() > deadline or not self._process.is_alive():
                raise RuntimeError("the bare endpoint did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self._process.terminate()
        self._process.join(timeout=10)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port.value}"

    @property
    def served(self) -> int:
        return self._served.value


async def _window(endpoint: Endpoint, locust: Any, seconds: float) -> dict[str, float]:
    """Requests and CPU over `seconds` of steady load, once every user runs."""
    first, pid = endpoint.served, locust.process.pid
    while endpoint.served == first:
        if locust.returncode is not None:
            raise RuntimeError(
                f"{locust.name} ended before its first request:\n{locust.log_tail()}"
            )
        await asyncio.sleep(0.05)
    await asyncio.sleep(SETTLE_S)
    served, load_cpu, harness_cpu = endpoint.served, process_tree_cpu_s(pid), time.process_time()
    began = time.monotonic()
    await asyncio.sleep(seconds)
    requests = endpoint.served - served
    load_cpu = process_tree_cpu_s(pid) - load_cpu
    harness_cpu = time.process_time() - harness_cpu
    cpu = load_cpu + harness_cpu
    return {
        "requests": requests,
        "seconds": round(time.monotonic() - began, 3),
        "locust_cpu_s": round(load_cpu, 3),
        "harness_cpu_s": round(harness_cpu, 3),
        "req_per_s": round(requests / (time.monotonic() - began), 1),
        "req_per_cpu_s": round(requests / cpu, 1) if cpu else float("nan"),
    }


def _run_seconds(window_s: float) -> int:
    """The bound on each Locust's run: the window, the settling before it, a margin for a
    slow start (whole seconds: Locust's --run-time takes no fraction)."""
    return math.ceil(SETTLE_S + window_s + MARGIN_S)


async def _plain_round(endpoint: Endpoint, users: int, seconds: float, work: Path) -> dict:
    from target.child_process import ChildProcess

    run_s = _run_seconds(seconds)
    work.mkdir(parents=True)
    argv = [sys.executable, "-m", "locust", "-f", str(PLAIN_LOCUSTFILE), "--headless"]
    argv += ["-u", str(users), "-r", str(users), "-t", f"{run_s}s", "--host", endpoint.url]
    argv += ["--loglevel", "WARNING", "--stop-timeout", "2", "--exit-code-on-error", "0"]
    locust = await ChildProcess.start("plain locust", argv, log_path=work / "plain.log")
    try:
        figures = await _window(endpoint, locust, seconds)
    finally:
        await locust.stop(grace_s=10)
    return figures


async def _gauntlet_round(endpoint: Endpoint, users: int, seconds: float, work: Path) -> dict:
    from load.control.locust_args import LocustOptions, locust_args
    from load.inputs.run_config import LocustRunConfig, ShapeStep, WeightedIntent, WeightedTenant
    from load.transport.collector import ObservationCollector, bound_socket
    from target.child_process import ChildProcess

    run_s = _run_seconds(seconds)
    (work / "workers").mkdir(parents=True)
    collector = ObservationCollector(work / "workers", worker_config={})
    sock = bound_socket("127.0.0.1", 0)
    config = LocustRunConfig(
        scenario="load-overhead",
        host=endpoint.url,
        observation_dir=work / "workers",
        duration_s=run_s,
        intents=[WeightedIntent(intent="zero", weight=1)],
        tenants=[WeightedTenant(tenant="acme", weight=1, api_key=API_KEY)],
        shape=[ShapeStep(at_s=0, users=users, spawn_rate=users)],
        collector_url=f"http://127.0.0.1:{sock.getsockname()[1]}",
    )
    path = config.write(work / "locust.json")
    argv = [sys.executable, "-m", "load.in_locust.locust_main", str(path)]
    argv += locust_args(config, LocustOptions(csv_prefix=work / "locust"))
    try:
        async with collector.serving(sock):
            locust = await ChildProcess.start("gauntlet locust", argv, log_path=work / "g.log")
            try:
                figures = await _window(endpoint, locust, seconds)
            finally:
                await locust.stop(grace_s=10)  # SIGTERM: its users ship their last batch
            await collector.wait_until_complete(timeout_s=30)
    finally:
        sock.close()
    figures["observations_stored"] = collector.ledger.stored
    return figures


async def _bench(users: int, seconds: float, rounds: int) -> dict[str, Any]:
    plain: list[dict] = []
    gauntlet: list[dict] = []
    load = MachineLoad()
    with Endpoint() as endpoint, tempfile.TemporaryDirectory(prefix="load-overhead-") as tmp:
        for index in range(rounds):
            work = Path(tmp) / f"round-{index}"
            # Alternate which goes first, so neither always meets the quieter machine.
            order = ("plain", "gauntlet") if index % 2 == 0 else ("gauntlet", "plain")
            for name in order:
                if name == "plain":
                    plain.append(await _plain_round(endpoint, users, seconds, work / name))
                else:
                    gauntlet.append(await _gauntlet_round(endpoint, users, seconds, work / name))
    ratios = [g["req_per_cpu_s"] / p["req_per_cpu_s"] for g, p in zip(gauntlet, plain, strict=True)]
    return {
        "ratio": round(statistics.median(ratios), 3),
        "ratios": [round(r, 3) for r in ratios],
        "gauntlet_req_per_cpu_s": statistics.median(g["req_per_cpu_s"] for g in gauntlet),
        "plain_locust_req_per_cpu_s": statistics.median(p["req_per_cpu_s"] for p in plain),
        "rounds": {"gauntlet": gauntlet, "plain_locust": plain},
        "settings": {
            "users": users,
            "window_s": seconds,
            "rounds": rounds,
            "locust_processes": 1,
            "user_class": "FastHttpUser",
            "think_time_s": 0,
        },
        "target": {"ratio": 0.8},
        "machine": load.figures(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5.0, help="steady window per round")
    parser.add_argument("--rounds", type=int, default=7, help="alternating rounds")
    parser.add_argument(
        "--quick", action="store_true", help="tiny sizes: checks that it runs; writes no results"
    )
    args = parser.parse_args()
    if args.quick:
        args.users, args.seconds, args.rounds = 2, 1.0, 1
    result = asyncio.run(_bench(args.users, args.seconds, args.rounds))
    print(f"plain locust:      {result['plain_locust_req_per_cpu_s']:8.1f} req per CPU-second")
    print(f"gauntlet load path: {result['gauntlet_req_per_cpu_s']:7.1f} req per CPU-second")
    print(f"gauntlet load path / plain locust, requests per CPU-second: {result['ratio']:.3f}")
    print(f"  (rounds {result['ratios']}; {in_words(result['machine'])})")
    if not args.quick:
        out = ROOT / "bench" / "results" / "load_overhead.json"
        out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        print(f"written: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

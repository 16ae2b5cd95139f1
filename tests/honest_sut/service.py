"""An independent, well-behaved system under test, built from docs/contract.md alone.

    GAUNTLET_OPS_DSN=... GAUNTLET_METRICS_DSN=... GAUNTLET_AUDIT_DSN=... \
    GAUNTLET_API_KEYS='{"key": "acme"}' PORT=8081 python tests/honest_sut/service.py

An outside team's answer to the contract on another stack than the reference (aiohttp
and asyncpg): concurrent stages, a deadline per call and per request, breakers, token
buckets and bulkheads per tool with a per-tenant share, topology snapshots, and an audit
record per request that is written or spooled and replayed. It imports nothing of
Gauntlet; the core suite should pass it. Exit codes: 2 for a bad environment, 3 for a
port it cannot bind, 0 after SIGTERM or SIGINT.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _db import open_pool  # noqa: E402
from _executor import Orchestrator  # noqa: E402
from _http import make_app  # noqa: E402
from _limits import SLOTS_PER_TOOL  # noqa: E402
from _settings import Settings, SettingsError, settings_from  # noqa: E402
from aiohttp import web  # noqa: E402

log = logging.getLogger("honest")


async def _open_pools(settings: Settings) -> dict:
    dsn = {
        "direct_query": settings.ops_dsn,
        "topology": settings.ops_dsn,
        "metrics": settings.metrics_dsn,
        "audit": settings.audit_dsn,
    }
    opened = await asyncio.gather(*(open_pool(d, SLOTS_PER_TOOL) for d in dsn.values()))
    return dict(zip(dsn, opened, strict=True))


def _stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()

    def on_signal() -> None:
        if stop.is_set():  # a second signal: stop waiting for in-flight requests
            os._exit(0)
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, on_signal)


async def serve(settings: Settings) -> int:
    stop = asyncio.Event()
    _stop_on_signals(stop)
    pools = await _open_pools(settings)
    orchestrator = Orchestrator(settings, pools)
    await orchestrator.sql_checks.warm()
    runner = web.AppRunner(make_app(orchestrator), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.port, shutdown_timeout=10)
    try:
        await site.start()
    except OSError as exc:
        print(f"cannot listen on {settings.host}:{settings.port}: {exc}", file=sys.stderr)
        return 3
    print(f"listening on http://{settings.host}:{settings.port}", flush=True)
    async with asyncio.TaskGroup() as group:
        replay = group.create_task(orchestrator.audit.replay_forever())
        await stop.wait()
        await runner.cleanup()  # in-flight requests finish first
        replay.cancel()
    orchestrator.sql_checks.close()
    for pool in pools.values():
        try:
            async with asyncio.timeout(5):
                await pool.close()
        except TimeoutError:
            pool.terminate()  # a connection the network holds open must not hold us
    return 0


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    try:
        settings = settings_from(dict(os.environ))
    except SettingsError as exc:
        print(f"honest service: {exc}", file=sys.stderr)
        sys.exit(2)
    sys.exit(asyncio.run(serve(settings)))


if __name__ == "__main__":
    main()

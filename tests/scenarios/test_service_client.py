"""The run's client: every answer whole with its status, every failure to answer a
`TransportError`, and a connection the server closed while idle never mistaken for one."""

from __future__ import annotations

import asyncio
import socket
import time

from aiohttp import web

from scenarios.runner.service_client import TransportError, service_client


async def _serving(app: web.Application, keepalive_s: float = 75.0) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, keepalive_timeout=keepalive_s)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}/"


def _echo_app() -> web.Application:
    async def echo(request: web.Request) -> web.Response:
        body = await request.read()
        return web.Response(status=207, body=body[::-1], headers={"x-key": request.headers["k"]})

    app = web.Application()
    app.router.add_post("/v1/echo", echo)
    return app


def test_an_answer_comes_back_whole_with_its_status() -> None:
    async def go() -> tuple[int, bytes]:
        runner, url = await _serving(_echo_app())
        try:
            async with service_client(url, timeout_s=5) as client:
                reply = await client.request("POST", "/v1/echo", content=b"abc", headers={"k": "1"})
                return reply.status, reply.content
        finally:
            await runner.cleanup()

    assert asyncio.run(go()) == (207, b"cba")


def test_a_refused_connection_and_a_silent_server_are_transport_errors() -> None:
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        closed_port = free.getsockname()[1]  # nothing listens once the socket closes

    async def go() -> list[str]:
        silent = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        silent_port = silent.sockets[0].getsockname()[1]
        errors = []
        for url, timeout in (
            (f"http://127.0.0.1:{closed_port}", 5.0),
            (f"http://127.0.0.1:{silent_port}", 0.3),
        ):
            async with service_client(url, timeout_s=timeout) as client:
                try:
                    await client.request("POST", "/v1/echo", content=b"{}")
                except TransportError as exc:
                    errors.append(str(exc))
        silent.close()
        return errors

    errors = asyncio.run(go())
    assert len(errors) == 2
    assert all(errors)


def test_connections_the_server_closed_while_idle_are_not_reused() -> None:
    """A server that closes idle connections after 0.2 s: each request after a pause goes
    out on a fresh connection and is answered, never failed as a dropped one."""

    async def go() -> list[int]:
        runner, url = await _serving(_echo_app(), keepalive_s=0.2)
        statuses = []
        try:
            async with service_client(url, timeout_s=5) as client:
                for _ in range(5):
                    reply = await client.request(
                        "POST", "/v1/echo", content=b"x", headers={"k": "1"}
                    )
                    statuses.append(reply.status)
                    await asyncio.sleep(0.4)
        finally:
            await runner.cleanup()
        return statuses

    assert asyncio.run(go()) == [207] * 5


def test_the_client_counts_how_long_the_harness_s_loop_stalled() -> None:
    """A loop held up 0.3 s (as a starved or busy harness is) shows in `stalled_s`."""

    async def go() -> float:
        async with service_client("http://127.0.0.1:9", timeout_s=1) as client:
            await asyncio.sleep(0.05)
            before = client.stalled_s
            time.sleep(0.3)  # blocks the loop, as a stall does
            await asyncio.sleep(0.05)
            return client.stalled_s - before

    assert asyncio.run(go()) >= 0.25

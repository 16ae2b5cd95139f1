"""`workload.fresh_connections`: each request of the workload arrives on a connection of
its own, as new callers do; without it the requests share kept-alive connections. Seen
from a real HTTP server, by the client port each request came from."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from scenarios.runner.exchange import exchange
from scenarios.runner.service_client import service_client
from scenarios.runner.traffic import TrafficMix
from scenarios.spec.model import Workload
from vocabulary import Phase

KEYS = {"acme": "key-acme", "globex": "key-globex"}


class _Recorder(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive unless the client asks to close
    ports: list[int] = []

    def do_POST(self) -> None:  # noqa: N802 (the handler's naming)
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.ports.append(self.client_address[1])
        body = b'{"error": "recorded"}'
        self.send_response(400)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: object) -> None:
        pass


@contextmanager
def _recording_server() -> Iterator[tuple[str, list[int]]]:
    handler = type("Recorder", (_Recorder,), {"ports": []})
    with ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}", handler.ports
        finally:
            server.shutdown()


def _client_ports(fresh: bool, requests: int = 6) -> list[int]:
    workload = Workload.model_validate(
        {
            "intents": [{"intent": "ad_hoc_query", "parameters": {"sql": "SELECT 1"}}],
            "tenants": ["acme"],
            "requests": requests,
            "fresh_connections": fresh,
        }
    )
    mix = TrafficMix(workload, KEYS, seed=1)

    async def send_all(url: str) -> None:
        async with service_client(url, timeout_s=30) as client:
            for _ in range(requests):
                await exchange(
                    client,
                    mix.draw(),
                    scenario="s",
                    phase_of=lambda _start, _end: Phase.BASELINE,
                    tenants=KEYS,
                )

    with _recording_server() as (url, ports):
        asyncio.run(send_all(url))
    return ports


def test_fresh_connections_send_each_request_on_a_new_connection() -> None:
    ports = _client_ports(fresh=True)
    assert len(ports) == 6 and len(set(ports)) == 6


def test_without_it_the_requests_share_a_kept_alive_connection() -> None:
    ports = _client_ports(fresh=False)
    assert len(ports) == 6 and len(set(ports)) == 1

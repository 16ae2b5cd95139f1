"""The harness's end of the acknowledged transfer: a small HTTP endpoint for Locust workers.

    GET  /config    the run's Locust configuration (what `gauntlet worker` needs to join)
    POST /batches   one numbered batch (`load.transport.ledger.Batch`); answers {"ack": seq}

A worker, local or on another host, knows only this address. It reads `/config` (the
service's address, the traffic mix, the shape, where Locust's master listens), then ships
its observations here. Each stored batch is checked record by record, added to the worker's
own rotating segments (`observations-<worker>-<seq>.parquet`, see `vocabulary.segment_writer`)
before it is acknowledged, and handed to `on_batch` (the live line, the stop conditions).
A harness that crashes loses at most each worker's open segment; `write_counts` at the end
closes them. The endpoint outlives the Locust master, so the last
batches of a stopping worker still arrive.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import uvicorn
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from vocabulary import Observation
from vocabulary.segment_writer import SegmentWriter

from .ledger import Batch, BatchLedger, Receipt
from .observations import segment_prefix, worker_count_path

__all__ = ["ObservationCollector", "bound_socket"]


class ObservationCollector:
    def __init__(
        self,
        directory: Path,
        worker_config: dict[str, object],
        on_batch: Callable[[Batch], None] = lambda batch: None,
    ) -> None:
        self.directory = directory
        self.worker_config = worker_config
        self.ledger = BatchLedger()
        self.on_batch = on_batch
        self._writers: dict[str, SegmentWriter] = {}
        self.app = Starlette(
            routes=[
                Route("/config", self._config, methods=["GET"]),
                Route("/batches", self._batch, methods=["POST"]),
            ]
        )

    async def _config(self, _request: Request) -> JSONResponse:
        return JSONResponse(self.worker_config)

    async def _batch(self, request: Request) -> JSONResponse:
        try:
            batch = Batch.model_validate_json(await request.body())
        except ValidationError as exc:
            return JSONResponse({"error": f"not a batch: {exc.errors()[0]['msg']}"}, 422)
        try:
            records = [Observation.from_json(line) for line in batch.observations]
        except ValueError as exc:  # refused before the ledger counts it: the batch is resent
            return JSONResponse({"error": f"not an observation: {exc}"}, 422)
        receipt = self.ledger.receive(batch, arrived_at=time.time())
        if receipt is Receipt.GAP:
            expected = self.ledger.accounts[batch.worker].last_seq + 1
            return JSONResponse({"error": f"expected batch {expected} first"}, 409)
        if receipt is Receipt.STORED:
            self._store(batch.worker, records)
            self.on_batch(batch)
        return JSONResponse({"ack": batch.seq})

    def _store(self, worker: str, records: list[Observation]) -> None:
        if not records:
            return
        writer = self._writers.get(worker)
        if writer is None:
            writer = SegmentWriter(self.directory, segment_prefix(worker))
            self._writers[worker] = writer
        writer.extend(records)

    async def wait_until_complete(self, timeout_s: float) -> list[str]:
        """Wait for every known worker's final batch; returns the workers still incomplete."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout_s):
                while self.ledger.incomplete():
                    await asyncio.sleep(0.1)
        return self.ledger.incomplete()

    def write_counts(self) -> None:
        """At the end: each worker's open segment closed, and its own figures beside its
        observations, for the merge's checks."""
        for writer in self._writers.values():
            writer.close()
        for account in self.ledger.accounts.values():
            record = {
                "worker": account.worker,
                "requests": account.requests_seen,
                "sent_total": account.sent_total,
                "stored": account.stored,
                "complete": account.complete,
                "resent_batches": account.duplicates,
                "clock_offset_s": account.clock_offset_s,
            }
            path = worker_count_path(self.directory, account.worker)
            path.write_text(json.dumps(record), encoding="utf-8")

    @contextlib.asynccontextmanager
    async def serving(self, sock: socket.socket) -> AsyncIterator[None]:
        """Serve on the already bound `sock` for the body of the `async with`."""
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=2,
        )
        server = _HarnessOwnedServer(config)
        # Not a TaskGroup around the body: the body's own error (Locust failed to start, ...)
        # must reach the caller as itself, not inside an ExceptionGroup. The task is always
        # awaited below, so it never outlives this block.
        task = asyncio.create_task(server.serve(sockets=[sock]))
        try:
            while not server.started and not task.done():
                await asyncio.sleep(0.01)
            if task.done():
                task.result()  # it could not start: raise why
            yield
        finally:
            server.should_exit = True
            try:
                await task
            except asyncio.CancelledError:
                task.cancel()
                raise


class _HarnessOwnedServer(uvicorn.Server):
    # The harness handles Ctrl-C (and rolls back its faults); the endpoint must not take it.
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def bound_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket; binding here makes a taken port a clear OSError, early."""
    # IPPROTO_TCP named, so that asyncio sets TCP_NODELAY on the accepted connections
    # (they inherit this proto): else each answer may wait 40 ms for a delayed ACK
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise OSError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.listen(128)
    return sock

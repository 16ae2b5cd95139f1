"""The locustfile: users that post orchestration requests. Runs only inside Locust's process.

Loaded by `load/in_locust/locust_main.py` (never imported by the harness: Locust's gevent patches
the whole process). Everything that decides anything lives in pure modules
(`vocabulary.answer`, `arrival`, `shape_replay`, `shipper`); this file wires them
to Locust. Every process that runs users (a local runner or a worker, on any host) ships
its observations to the harness's collector, acknowledged batch by batch, and delivers the
last batch when it quits (Locust's own report channel would drop it).
"""

from __future__ import annotations

import gc
import json
import os
import random
import re
import socket
import sys
import time
import urllib.request
from itertools import accumulate
from pathlib import Path

import gevent
import gevent.lock
from locust import FastHttpUser, LoadTestShape, events, task
from locust.contrib.fasthttp import ResponseContextManager
from locust.runners import MasterRunner, WorkerRunner

from contract import request_body
from load.in_locust.shipper import ObservationShipper
from load.inputs.arrival import ArrivalTimetable, intended_latency_ms
from load.inputs.run_config import CONFIG_ENV, LocustRunConfig
from load.inputs.shape_replay import ShapeReplay
from load.transport.ledger import Batch
from vocabulary import API_KEY_HEADER, ORCHESTRATE_PATH, Answer, Asked, judge_answer

# Each judged label gets its own line in Locust's statistics (`orchestrate [partial]` ...):
# partial, degraded and failed orchestrations are answers, not Locust failures.
REQUEST_LABEL = "orchestrate"
CONFIG = LocustRunConfig.read(Path(os.environ[CONFIG_ENV]))
_REPLAY = ShapeReplay(CONFIG.shape, CONFIG.duration_s)
# Cumulative weights once, not a weight list per request (`random.choices` accumulates them).
_INTENT_WEIGHTS = list(accumulate(i.weight for i in CONFIG.intents))
_TENANT_WEIGHTS = list(accumulate(t.weight for t in CONFIG.tenants))
_shipper: ObservationShipper | None = None
_shipping = gevent.lock.Semaphore()  # the periodic and the final delivery never interleave


class OrchestrationUser(FastHttpUser):
    """Posts `/v1/orchestrate` with intents and tenants drawn by the profile's weights."""

    host = CONFIG.host
    network_timeout = CONFIG.request_timeout_s
    connection_timeout = CONFIG.request_timeout_s

    def on_start(self) -> None:
        self._timetable = (
            ArrivalTimetable.for_user(time.time(), CONFIG.arrival_rate, max(_REPLAY.peak_users, 1))
            if CONFIG.arrival_rate
            else None
        )

    def wait_time(self) -> float:
        if self._timetable is not None:
            return self._timetable.wait_before_next(time.time())
        return CONFIG.think_time_s

    @task
    def orchestrate(self) -> None:
        intent = random.choices(CONFIG.intents, cum_weights=_INTENT_WEIGHTS)[0]
        tenant = random.choices(CONFIG.tenants, cum_weights=_TENANT_WEIGHTS)[0]
        request_id = os.urandom(16).hex()  # as random as uuid4().hex, without its constructor
        body = request_body(tenant.tenant, intent.intent, intent.parameters, request_id=request_id)
        scheduled = self._timetable.take_slot() if self._timetable is not None else None
        sent = time.time()
        with self.client.post(
            ORCHESTRATE_PATH,
            json=body,
            headers={API_KEY_HEADER: tenant.api_key},
            name=REQUEST_LABEL,
            catch_response=True,
        ) as response:
            latency_ms, extra = _timing(response, scheduled, sent)
            asked = Asked(
                ts=scheduled if scheduled is not None else sent,
                source="load",
                scenario=CONFIG.scenario,
                tenant=tenant.tenant,
                intent=intent.intent,
                request_id=request_id,
                extra=extra,
            )
            answer = _judged(response, asked, latency_ms)
        if _shipper is not None:
            _shipper.add(answer.observation.to_json())


def _timing(
    response: ResponseContextManager, scheduled: float | None, sent: float
) -> tuple[float, dict[str, object]]:
    """The latency to record, and the observation's extras that say how it was measured."""
    service_ms = response.request_meta["response_time"]
    extra: dict[str, object] = {}
    latency_ms = service_ms
    if scheduled is not None:
        # Coordinated-omission-free: a late send counts its waiting time.
        latency_ms = intended_latency_ms(scheduled, time.time())
        extra["service_ms"] = round(service_ms, 3)
        extra["send_delay_ms"] = round(max(0.0, sent - scheduled) * 1000, 3)
    if _shipper is not None:
        extra["worker"] = _shipper.worker_id
    return latency_ms, extra


def _judged(response: ResponseContextManager, asked: Asked, latency_ms: float) -> Answer:
    """Judge the exchange, and tell Locust under which label it counts and whether it failed."""
    error = getattr(response, "error", None)
    answer = judge_answer(
        asked,
        latency_ms=latency_ms,
        http_status=response.status_code or 0,
        content=response.content if response.status_code else None,
        transport_error=None if error is None else f"{type(error).__name__}: {error}",
    )
    response.request_meta["name"] = f"{REQUEST_LABEL} [{answer.label}]"
    response.request_meta["response_time"] = latency_ms
    if answer.failure is None:
        response.success()
    else:
        response.failure(answer.failure)
    return answer


class ProfileShape(LoadTestShape):
    """The profile's shape, replayed second by second (see `load/inputs/shape_replay.py`)."""

    def tick(self) -> tuple[int, float] | None:
        return _REPLAY.tick(self.get_run_time())


def _post_batch(batch: Batch) -> int | None:
    request = urllib.request.Request(
        CONFIG.collector_url + "/batches",
        data=batch.model_dump_json().encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=CONFIG.ship_timeout_s) as response:
            return int(json.loads(response.read())["ack"])
    except (OSError, ValueError, KeyError):  # no answer or a refusal: resend later
        return None


def _ship(environment, *, final: bool, within_s: float) -> bool:
    if _shipper is None:
        return True
    with _shipping:
        _shipper.users = environment.runner.user_count if environment.runner else 0
        return _shipper.ship(final=final, deadline=time.monotonic() + within_s)


def _ship_forever(environment) -> None:
    while True:  # the first round registers this worker with the collector
        _ship(environment, final=False, within_s=CONFIG.ship_timeout_s)
        gevent.sleep(CONFIG.flush_interval_s)


def _worker_id() -> str:
    host = re.sub(r"[^A-Za-z0-9._-]", "-", socket.gethostname())[:150] or "host"
    return f"{host}-{os.getpid()}"


@events.init.add_listener
def _freeze_startup_heap(environment, **_kwargs) -> None:
    # Everything imported so far (Locust, gevent, pydantic, this file) lives as long as the
    # process: out of the collector's reach, a full collection no longer walks it again.
    gc.freeze()


@events.init.add_listener
def _open_shipper(environment, **_kwargs) -> None:
    global _shipper
    if isinstance(environment.runner, MasterRunner):
        return  # the master runs no users; each worker ships its own observations
    _shipper = ObservationShipper(_worker_id(), post=_post_batch, sleep=gevent.sleep)
    gevent.spawn(_ship_forever, environment)


@events.request.add_listener
def _count_request(**_kwargs) -> None:
    if _shipper is not None:
        _shipper.count_request()


@events.test_start.add_listener
def _mark_start(environment, **_kwargs) -> None:
    if isinstance(environment.runner, WorkerRunner):
        return
    marker = CONFIG.observation_dir / "started.json"
    CONFIG.observation_dir.mkdir(parents=True, exist_ok=True)
    # Written aside, then renamed: the driver polls for the marker and reads it as soon as
    # it exists, and a file written in place can exist before it has its content.
    written = marker.with_suffix(".json.tmp")
    written.write_text(json.dumps({"started": time.time(), "pid": os.getpid()}))
    os.replace(written, marker)


@events.quitting.add_listener
def _deliver_the_rest(environment, **_kwargs) -> None:
    if not _ship(environment, final=True, within_s=CONFIG.final_delivery_timeout_s):
        sys.stderr.write(
            f"gauntlet worker {_shipper.worker_id}: the collector did not acknowledge the "
            f"final batch within {CONFIG.final_delivery_timeout_s:g}s\n"
        )

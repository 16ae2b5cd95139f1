"""The service end to end on real Postgres: `gauntlet serve`, and uvicorn worker processes
built by `app_from_env` from the config file `gauntlet serve` writes."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from chaos import free_loopback_port
from chaos.seed import SERVICES
from scenarios.cli.cmd_serve import EXAMPLE_SERVICE

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
STARTUP_LIMIT_SECONDS = 60.0  # generous: only stops a hung start from hanging the suite


class RunningServe:
    def __init__(
        self,
        process: subprocess.Popen[str],
        url: str,
        api_key: str,
        tenant_id: str,
        config_path: str,
    ) -> None:
        self.process, self.url, self.api_key, self.tenant_id = process, url, api_key, tenant_id
        self.config_path = config_path
        self.config = json.loads(Path(config_path).read_text())
        self.banner: dict[str, str] = {}


def _read_banner(process: subprocess.Popen[str]) -> dict[str, str]:
    """Reads stdout until the example curl line; returns what the banner told us."""
    found: dict[str, str] = {}
    deadline = time.monotonic() + STARTUP_LIMIT_SECONDS
    assert process.stdout is not None
    while "curl" not in found and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        if match := re.search(r"listening on (http://\S+)", line):
            found["url"] = match.group(1)
        if match := re.search(r"GAUNTLET_SERVICE_CONFIG=(\S+)", line):
            found["config"] = match.group(1)
        if match := re.search(r"credentials \(.*\): (\S+)", line):
            found["credentials"] = match.group(1)
        if match := re.search(r"API key of (\S+): (\S+)", line):
            found[f"key:{match.group(1)}"] = match.group(2)
        if "curl" in line:
            found["curl"] = line
    return found


@pytest.fixture(scope="module")
def serve() -> Iterator[RunningServe]:
    process = subprocess.Popen(
        [sys.executable, "-m", "scenarios.cli", "serve", "--port", "0", "--tenants", "2"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        banner = _read_banner(process)
        if not {"url", "config", "curl"} <= set(banner):
            process.kill()
            pytest.fail(f"gauntlet serve did not start: {banner}; stderr: {process.stderr.read()}")
        key = re.search(r"X-API-Key: (\S+?)'", banner["curl"]).group(1)
        tenant = re.search(r'"tenant_id": "([^"]+)"', banner["curl"]).group(1)
        serving = RunningServe(process, banner["url"], key, tenant, banner["config"])
        serving.banner = banner
        yield serving
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _overview(url: str, key: str, tenant_id: str) -> httpx.Response:
    return httpx.post(
        f"{url}/v1/orchestrate",
        headers={"X-API-Key": key},
        timeout=30.0,
        json={
            "tenant_id": tenant_id,
            "intent": "service_overview",
            "parameters": {"service": EXAMPLE_SERVICE},
        },
    )


def test_serve_answers_success_for_a_seeded_tenant(serve: RunningServe) -> None:
    response = _overview(serve.url, serve.api_key, serve.tenant_id)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["status"] == "success", answer
    assert response.headers["X-Gauntlet-Status"] == "success"
    assert answer["tenant_id"] == serve.tenant_id and answer["results"]
    assert all(result["success"] for result in answer["results"])
    overview = next(r for r in answer["results"] if r["call_id"] == "overview")
    assert EXAMPLE_SERVICE in SERVICES and EXAMPLE_SERVICE in json.dumps(overview["data"])


def test_serve_refuses_a_key_for_another_tenant(serve: RunningServe) -> None:
    other_key, other_tenant = next(
        (k, t) for k, t in serve.config["api_keys"].items() if t != serve.tenant_id
    )
    response = _overview(serve.url, other_key, serve.tenant_id)
    assert response.status_code == 403
    assert _overview(serve.url, other_key, other_tenant).json()["status"] == "success"


def test_serve_prints_its_random_credentials_and_keeps_them_owner_only(
    serve: RunningServe,
) -> None:
    path = Path(serve.banner["credentials"])
    assert path.stat().st_mode & 0o777 == 0o600
    credentials = json.loads(path.read_text())
    printed = {k.removeprefix("key:"): v for k, v in serve.banner.items() if k.startswith("key:")}
    assert printed == credentials["api_keys"]
    assert {tenant: key for key, tenant in serve.config["api_keys"].items()} == printed
    reader = credentials["database_passwords"]["gauntlet_reader"]
    assert f":{reader}@" in serve.config["ops_dsn"]
    with psycopg.connect(serve.config["ops_dsn"]):
        pass  # the printed password is the live one


def test_uvicorn_workers_built_from_the_config_file_answer_too(serve: RunningServe) -> None:
    port = free_loopback_port()
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "orchestrator.service:app_from_env",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=REPO,
        env={**os.environ, "GAUNTLET_SERVICE_CONFIG": serve.config_path},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + STARTUP_LIMIT_SECONDS
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=2.0).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert worker.poll() is None, worker.stderr.read()
            assert time.monotonic() < deadline, "uvicorn workers did not come up"
            time.sleep(0.1)
        # A worker's first request opens its pools and starts its validator: on a busy
        # machine that can outlast a call's deadline (partial). What a worker built from the
        # config promises is that it reaches the configured databases: a success shows it.
        statuses = []
        while "success" not in statuses and len(statuses) < 12:
            response = _overview(url, serve.api_key, serve.tenant_id)
            assert response.status_code == 200, response.text
            statuses.append(response.json()["status"])
        assert "success" in statuses and "failed" not in statuses, statuses
    finally:
        worker.send_signal(signal.SIGINT)
        assert worker.wait(timeout=30) == 0


# Runs last in this module: it ends the shared `gauntlet serve` process.
def test_ctrl_c_stops_the_service_and_postgres(serve: RunningServe) -> None:
    ops_dsn = serve.config["ops_dsn"]
    with psycopg.connect(ops_dsn, connect_timeout=5):
        pass  # Postgres is up before the interrupt
    serve.process.send_signal(signal.SIGINT)
    assert serve.process.wait(timeout=30) == 0
    assert "stopped" in serve.process.stderr.read()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(ops_dsn, connect_timeout=2).close()

"""`gauntlet serve --chaos` with `gauntlet fault add|list|remove` against it, end to end:
real Postgres, real Toxiproxy, the real console script; Ctrl-C stops it with exit 0."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from chaos.toxiproxy import ToxiproxyClient
from scenarios import exit_codes

pytestmark = pytest.mark.integration

GAUNTLET = Path(sys.executable).parent / "gauntlet"


@pytest.fixture
def chaos_stack(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], dict[str, str]]]:
    # stderr to a file: the service's connection warnings under faults must not fill a pipe
    stderr = (tmp_path / "serve.err").open("w")
    serve = subprocess.Popen(
        [str(GAUNTLET), "serve", "--chaos", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    facts = {"stderr": str(tmp_path / "serve.err")}
    assert serve.stdout is not None
    deadline = time.monotonic() + 120
    for line in serve.stdout:
        if match := re.search(r"listening on (http://\S+)", line):
            facts["url"] = match.group(1)
        if match := re.search(r"API key of acme: (\S+)", line):
            facts["key"] = match.group(1)
        if match := re.search(r"chaos: Toxiproxy (http://\S+)", line):
            facts["toxiproxy"] = match.group(1)
        if "break it by hand" in line or time.monotonic() > deadline:
            break
    assert {"url", "key", "toxiproxy"} <= set(facts), Path(facts["stderr"]).read_text()
    try:
        yield serve, facts
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait()
        stderr.close()


def fault(serve: subprocess.Popen[str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(GAUNTLET), "fault", *args, "--stack", str(serve.pid)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_faults_added_by_hand_break_the_stack_are_listed_and_go_with_it(
    chaos_stack: tuple[subprocess.Popen[str], dict[str, str]],
) -> None:
    serve, facts = chaos_stack
    toxiproxy = ToxiproxyClient(facts["toxiproxy"])
    proxies = {name.split("_")[1]: name for name in toxiproxy.proxies()}

    latency = fault(serve, "add", "latency", "upstream=metrics", "latency_ms=3000")
    down = fault(serve, "add", "down", "upstream=ops")
    assert latency.returncode == down.returncode == exit_codes.OK, latency.stderr + down.stderr
    latency_id = latency.stdout.split()[1].rstrip(":")
    down_id = down.stdout.split()[1].rstrip(":")
    assert [t.attributes["latency"] for t in toxiproxy.toxics(proxies["metrics"])] == [3000]
    assert not toxiproxy.proxy(proxies["ops"]).enabled

    answer = httpx.post(
        f"{facts['url']}/v1/orchestrate",
        headers={"X-API-Key": facts["key"]},
        json={"tenant_id": "acme", "intent": "service_overview", "parameters": {"service": "x"}},
        timeout=30,
    )
    assert answer.json()["status"] != "success"  # the faults are real

    listed = fault(serve, "list")
    assert listed.returncode == exit_codes.OK
    rows = {line.split()[0]: line for line in listed.stdout.splitlines()[1:]}
    assert set(rows) == {latency_id, down_id}
    assert re.search(r"\s\d+s\s+latency upstream=metrics .*latency_ms=3000", rows[latency_id])

    assert fault(serve, "remove", down_id).returncode == exit_codes.OK
    assert toxiproxy.proxy(proxies["ops"]).enabled
    assert fault(serve, "remove", "nosuch").returncode == exit_codes.BAD_INPUT
    unknown = fault(serve, "add", "latency", "upstream=metrcs", "latency_ms=1")
    assert unknown.returncode == exit_codes.BAD_INPUT
    assert "unknown upstream 'metrcs' (did you mean 'metrics'?)" in unknown.stderr

    serve.send_signal(signal.SIGINT)  # Ctrl-C: the documented way to stop a server
    assert serve.wait(timeout=60) == exit_codes.OK
    stderr = Path(facts["stderr"]).read_text()
    assert "removed 1 fault(s) added by hand" in stderr and "Traceback" not in stderr
    # the driver's warnings under faults go to their log, not the terminal
    assert "psycopg" not in stderr and len(stderr.splitlines()) <= 5, stderr
    gone = fault(serve, "list")
    assert gone.returncode == exit_codes.BAD_INPUT and "no running" in gone.stderr

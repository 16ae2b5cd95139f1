"""SIGTERM and SIGINT stop the service whenever they land, and a second one ends the drain.

A signal once fell between `gauntlet serve` printing `listening on` and uvicorn installing
its handlers, into a no-op left there, and the service ran forever: these tests send
signals at exactly such moments.
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterable
from pathlib import Path

import pytest
import uvicorn

from orchestrator.service import StopSignals

REPO = Path(__file__).resolve().parents[2]


def _server() -> uvicorn.Server:
    return uvicorn.Server(uvicorn.Config(app=None))


def test_a_signal_before_the_server_exists_stops_it_once_attached() -> None:
    stop = StopSignals()
    stop(signal.SIGTERM, None)
    server = _server()
    stop.attach(server)
    assert server.should_exit and not server.force_exit


def test_the_first_signal_drains_and_the_second_stops_waiting() -> None:
    stop = StopSignals()
    server = _server()
    stop.attach(server)
    stop(signal.SIGTERM, None)
    assert server.should_exit and not server.force_exit
    stop(signal.SIGINT, None)
    assert server.force_exit


def test_during_startup_only_the_first_signal_interrupts() -> None:
    stop = StopSignals(interrupts_startup=True)
    with pytest.raises(KeyboardInterrupt):
        stop(signal.SIGTERM, None)
    stop(signal.SIGTERM, None)  # the unwinding of the first is not itself interrupted


def test_once_the_app_exists_a_startup_signal_is_remembered_not_raised() -> None:
    # Raising now would unwind past an app whose pools only the server's shutdown closes.
    stop = StopSignals(interrupts_startup=True)
    stop.remember_from_now()
    stop(signal.SIGTERM, None)
    server = _server()
    stop.attach(server)
    assert server.should_exit


def test_installed_restores_the_previous_handlers() -> None:
    before = signal.getsignal(signal.SIGTERM)
    stop = StopSignals()
    with stop.installed():
        assert signal.getsignal(signal.SIGTERM) is stop
    assert signal.getsignal(signal.SIGTERM) is before


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _service_env(tmp_path: Path) -> dict[str, str]:
    # Nothing listens on these ports: the service starts without its databases and answers
    # `failed`; stopping it needs none of them.
    return {
        "GAUNTLET_OPS_DSN": "postgresql://reader:pw@127.0.0.1:1/ops",
        "GAUNTLET_METRICS_DSN": "postgresql://reader:pw@127.0.0.1:2/metrics",
        "GAUNTLET_AUDIT_DSN": "postgresql://auditor:pw@127.0.0.1:1/ops",
        "GAUNTLET_API_KEYS": json.dumps({"key-acme": "acme"}),
        "GAUNTLET_SPOOL_DIR": str(tmp_path / "spool"),
        "PORT": str(_free_port()),
        "PATH": "/usr/bin:/bin",
    }


@pytest.mark.parametrize("signals", [(signal.SIGTERM,), (signal.SIGINT,), (signal.SIGTERM,) * 2])
def test_the_reference_service_exits_0_on_a_signal_right_after_it_listens(
    tmp_path: Path, signals: tuple[signal.Signals, ...]
) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "orchestrator.service"],
        env=_service_env(tmp_path),
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    said: list[str] = []
    listening = threading.Event()

    def read(stream: Iterable[str]) -> None:  # both pipes, so the child never blocks on one
        for line in stream:
            said.append(line)
            if "listening on" in line:
                listening.set()

    for stream in (process.stdout, process.stderr):
        threading.Thread(target=read, args=(stream,), daemon=True).start()
    try:
        assert listening.wait(60), f"never listened: {''.join(said)}"
        for sig in signals:
            process.send_signal(sig)
        assert process.wait(timeout=30) == 0, "".join(said)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.integration
def test_serve_stops_cleanly_wherever_a_signal_lands() -> None:
    """The stress run of bench/serve_signals.py, small: start-up, listening, serving, twice."""
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "serve_signals.py"), "--quick"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "8 of 8 starts stopped cleanly" in done.stdout

"""SIGTERM and SIGINT stop the service whenever they land, and a second one ends the drain.

A signal once fell between `gauntlet serve` printing `listening on` and uvicorn installing
its handlers, into a no-op left there, and the service ran forever: these tests send
signals at exactly such moments.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest
import uvicorn
from service_support import ListeningChild, offline_service_env

from chaos import free_loopback_port
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


@pytest.mark.parametrize("signals", [(signal.SIGTERM,), (signal.SIGINT,), (signal.SIGTERM,) * 2])
def test_the_reference_service_exits_0_on_a_signal_right_after_it_listens(
    tmp_path: Path, signals: tuple[signal.Signals, ...]
) -> None:
    argv = [sys.executable, "-m", "orchestrator.service"]
    env = offline_service_env(tmp_path / "spool", free_loopback_port())
    with ListeningChild(argv, env=env, cwd=REPO) as child:
        assert child.listening.wait(60), f"never listened: {child.output}"
        for sig in signals:
            child.process.send_signal(sig)
        assert child.process.wait(timeout=30) == 0, child.output


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

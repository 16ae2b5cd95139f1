"""`gauntlet serve` keeps its audit spool where the user put it, across a shutdown."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from collections.abc import Iterable
from pathlib import Path

import pytest

from orchestrator.tools._audit_spool import AuditSpool

pytestmark = pytest.mark.integration

GAUNTLET = Path(sys.executable).parent / "gauntlet"


def test_serve_never_deletes_its_spool(tmp_path: Path) -> None:
    spool_dir = tmp_path / "kept-spool"
    # A record still waiting for the database when the service stops.
    AuditSpool(spool_dir).append({"request_id": "waiting"})
    process = subprocess.Popen(
        [str(GAUNTLET), "serve", "--port", "0", "--tenants", "1", "--spool-dir", str(spool_dir)],
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
        assert listening.wait(120), f"serve never listened: {''.join(said)}"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0, "".join(said)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert spool_dir.is_dir()
    assert "waiting" in {r.get("request_id") for r in AuditSpool(spool_dir).pending_records()}

"""`gauntlet serve` keeps its audit spool where the user put it, across a shutdown."""

from __future__ import annotations

import signal
import subprocess
import sys
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
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if "listening on" in line:
                break
        else:
            pytest.fail(f"serve never listened: {process.stderr.read() if process.stderr else ''}")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert spool_dir.is_dir()
    assert "waiting" in {r.get("request_id") for r in AuditSpool(spool_dir).pending_records()}

"""`gauntlet serve` keeps its audit spool where the user put it, across a shutdown."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import pytest
from service_support import ListeningChild

from orchestrator.tools._audit_spool import AuditSpool

pytestmark = pytest.mark.integration

GAUNTLET = Path(sys.executable).parent / "gauntlet"


def test_serve_never_deletes_its_spool(tmp_path: Path) -> None:
    spool_dir = tmp_path / "kept-spool"
    # A record still waiting for the database when the service stops.
    AuditSpool(spool_dir).append({"request_id": "waiting"})
    argv = [str(GAUNTLET), "serve", "--port", "0", "--tenants", "1", "--spool-dir", str(spool_dir)]
    with ListeningChild(argv) as child:
        assert child.listening.wait(120), f"serve never listened: {child.output}"
        child.process.send_signal(signal.SIGTERM)
        assert child.process.wait(timeout=60) == 0, child.output
    assert spool_dir.is_dir()
    assert "waiting" in {r.get("request_id") for r in AuditSpool(spool_dir).pending_records()}

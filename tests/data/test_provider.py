"""The embedded provider's lifecycle, and clean-up after a run that died."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest

from chaos.postgres import EmbeddedPostgres, PostgresUnavailable, cleanup_stale, open_postgres

pytestmark = pytest.mark.integration


def test_stop_start_kill_restart_keep_port_and_data(tmp_path: Path) -> None:
    server = EmbeddedPostgres(state_dir=tmp_path)
    try:
        server.start()
        port = server.port
        with psycopg.connect(server.admin_dsn, autocommit=True) as conn:
            conn.execute("CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)")
        server.stop()
        assert not server.is_running()
        server.start()
        server.kill()
        assert not server.is_running()
        server.restart()  # crash recovery
        with psycopg.connect(server.admin_dsn) as conn:
            assert conn.execute("SELECT n FROM kept").fetchone() == (42,)
        assert server.port == port
    finally:
        server.close()


def test_cleanup_stale_removes_a_server_whose_owner_died(tmp_path: Path) -> None:
    server = EmbeddedPostgres(state_dir=tmp_path)
    server.start()
    state_file = next(tmp_path.glob("embedded-*.json"))
    record = json.loads(state_file.read_text())
    record["owner_pid"] = 2**22 + 1  # beyond pid_max: an owner that no longer exists
    state_file.write_text(json.dumps(record))
    removed = cleanup_stale(tmp_path)
    assert removed == [Path(record["base_dir"])] and not removed[0].exists()
    assert not server.is_running()
    server.close()


def test_bad_specs_get_one_clear_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")
    with pytest.raises(ValueError, match="expected 'embedded', 'docker' or a postgresql://"):
        open_postgres("mysql://x")
    with pytest.raises(PostgresUnavailable, match="Docker engine not reachable .*--db embedded"):
        open_postgres("docker")

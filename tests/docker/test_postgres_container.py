"""The testcontainers Postgres backend on a real engine: the ops world, on loopback only."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from chaos import schema
from chaos.postgres import DockerPostgres, start_ops_postgres

pytestmark = pytest.mark.docker


def test_ops_world_in_a_container_survives_stop_kill_and_restart(docker_engine: Any) -> None:
    server = start_ops_postgres("docker")
    assert isinstance(server, DockerPostgres)
    container_id = server.container_id
    try:
        bindings = docker_engine.api.inspect_container(container_id)["HostConfig"]["PortBindings"]
        assert [b["HostIp"] for b in bindings["5432/tcp"]] == ["127.0.0.1"]
        assert server.host == "127.0.0.1"
        with psycopg.connect(server.dsn(schema.OPS_DB, server.superuser)) as conn:
            tables = conn.execute(
                "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', "
                "'information_schema')"
            ).fetchone()
            assert tables is not None and tables[0] > 0
            conn.execute("CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)")
        server.stop()
        assert not server.is_running()
        server.start()
        server.kill()
        assert not server.is_running()
        server.restart()  # crash recovery; the port may be mapped anew
        with psycopg.connect(server.dsn(schema.OPS_DB, server.superuser)) as conn:
            assert conn.execute("SELECT n FROM kept").fetchone() == (42,)
    finally:
        server.close()
    assert docker_engine.containers.list(all=True, filters={"id": container_id}) == []

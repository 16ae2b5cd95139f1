"""Database faults against a real Postgres (the embedded provider, on TCP)."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from chaos_world import TestWorld
from psycopg import errors as pg_errors

from chaos.faults import FaultInjectionError, parse_fault
from chaos.postgres import EmbeddedPostgres
from chaos.toxiproxy import ToxiproxyClient

pytestmark = pytest.mark.integration
APP_ROLE = "gauntlet_fault_app"
ROLE_CONNECTION_LIMIT = 4


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedPostgres]:
    server = EmbeddedPostgres(state_dir=tmp_path_factory.mktemp("pg-state"))
    try:
        server.start()
        with psycopg.connect(server.admin_dsn, autocommit=True) as admin:
            admin.execute(
                f"CREATE ROLE {APP_ROLE} LOGIN CONNECTION LIMIT {ROLE_CONNECTION_LIMIT}"
                f" PASSWORD '{server.password_for(APP_ROLE)}'"
            )
            admin.execute("CREATE TABLE alerts (id int PRIMARY KEY, severity text NOT NULL)")
            admin.execute("INSERT INTO alerts SELECT i, 'sev' || i FROM generate_series(1, 50) i")
            admin.execute(f"GRANT SELECT ON alerts TO {APP_ROLE}")
        yield server
    finally:
        server.close()


@pytest.fixture
def db_world(database: EmbeddedPostgres, toxiproxy: ToxiproxyClient) -> TestWorld:
    if not database.is_running():
        database.start()
    return TestWorld(
        toxiproxy=toxiproxy,
        postgres=database,
        admin_dsn=database.admin_dsn,
        app_dsn=database.dsn("postgres", APP_ROLE),
        app_roles=(APP_ROLE,),
    )


def _severities(dsn: str) -> list[str]:
    with psycopg.connect(dsn, connect_timeout=5) as conn:
        return [row[0] for row in conn.execute("SELECT severity FROM alerts ORDER BY id")]


def test_rename_column_breaks_queries_and_is_renamed_back(db_world: TestWorld) -> None:
    before = _severities(db_world.app_dsn)
    fault = parse_fault(
        {
            "kind": "rename_column",
            "table": "public.alerts",
            "column": "severity",
            "new_name": "level",
        }
    )
    with fault.apply(db_world), pytest.raises(pg_errors.UndefinedColumn):
        _severities(db_world.app_dsn)
    assert _severities(db_world.app_dsn) == before


def test_rename_onto_an_existing_column_changes_nothing(db_world: TestWorld) -> None:
    before = _severities(db_world.app_dsn)
    fault = parse_fault(
        {"kind": "rename_column", "table": "alerts", "column": "severity", "new_name": "id"}
    )
    with pytest.raises(FaultInjectionError, match="already exists"), fault.apply(db_world):
        pass
    # The undo must not have renamed the pre-existing `id` column to `severity`.
    assert _severities(db_world.app_dsn) == before


def test_drop_column_hides_the_column_and_restores_it_with_its_data(db_world: TestWorld) -> None:
    before = _severities(db_world.app_dsn)
    fault = parse_fault({"kind": "drop_column", "table": "alerts", "column": "severity"})
    with pytest.raises(RuntimeError), fault.apply(db_world):
        with pytest.raises(pg_errors.UndefinedColumn):
            _severities(db_world.app_dsn)
        raise RuntimeError("scenario crashed")
    assert _severities(db_world.app_dsn) == before


def test_table_lock_blocks_readers_until_rolled_back(db_world: TestWorld) -> None:
    def read_with_lock_timeout() -> int:
        with psycopg.connect(db_world.app_dsn, connect_timeout=5) as conn:
            conn.execute("SET lock_timeout = '200ms'")
            return len(conn.execute("SELECT id FROM alerts").fetchall())

    with (
        parse_fault({"kind": "table_lock", "table": "alerts"}).apply(db_world),
        pytest.raises(pg_errors.LockNotAvailable),
    ):
        read_with_lock_timeout()
    assert read_with_lock_timeout() == 50


def test_terminate_backends_ends_application_sessions_only(db_world: TestWorld) -> None:
    with psycopg.connect(db_world.app_dsn) as app, psycopg.connect(db_world.admin_dsn) as admin:
        with parse_fault({"kind": "terminate_backends"}).apply(db_world):
            pass
        with pytest.raises(psycopg.OperationalError):
            app.execute("SELECT 1")
        assert admin.execute("SELECT 1").fetchone() == (1,)


def test_terminate_backends_says_whether_it_met_a_session(db_world: TestWorld) -> None:
    fault = parse_fault({"kind": "terminate_backends"})
    assert fault.evidence() is None  # not applied yet: nothing to say
    with fault.apply(db_world):
        pass
    met, detail = fault.evidence() or (None, "")
    assert met is False and "no session" in detail
    with psycopg.connect(db_world.app_dsn), fault.apply(db_world):
        pass
    assert fault.evidence() == (True, "terminated 1 session(s) of the system")


def test_terminate_backends_on_one_database_spares_the_others(db_world: TestWorld) -> None:
    fault = parse_fault({"kind": "terminate_backends", "database": "no_such_db"})
    with psycopg.connect(db_world.app_dsn) as app:
        with fault.apply(db_world):
            pass
        assert app.execute("SELECT 1").fetchone() == (1,)  # its database was not the one
    met, detail = fault.evidence() or (None, "")
    assert met is False and "on database no_such_db" in detail


def test_exhaust_connections_refuses_new_ones_until_rolled_back(db_world: TestWorld) -> None:
    with (
        parse_fault({"kind": "exhaust_connections"}).apply(db_world),
        pytest.raises(psycopg.OperationalError, match="too many connections"),
    ):
        psycopg.connect(db_world.app_dsn, connect_timeout=5)
    with psycopg.connect(db_world.app_dsn, connect_timeout=5) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)


@pytest.mark.parametrize("kind", ["db_stop", "db_kill"])
def test_stopping_the_database_refuses_connections_until_rolled_back(
    db_world: TestWorld, kind: str
) -> None:
    with (
        psycopg.connect(db_world.app_dsn) as open_session,
        parse_fault({"kind": kind}).apply(db_world),
    ):
        assert not db_world.postgres.is_running()
        with pytest.raises(psycopg.OperationalError):
            open_session.execute("SELECT 1")
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(db_world.app_dsn, connect_timeout=2)
    assert db_world.postgres.is_running()
    assert len(_severities(db_world.app_dsn)) == 50


def test_db_restart_cuts_sessions_and_leaves_the_server_running(db_world: TestWorld) -> None:
    with psycopg.connect(db_world.app_dsn) as open_session:
        with parse_fault({"kind": "db_restart"}).apply(db_world):
            assert db_world.postgres.is_running()
        with pytest.raises(psycopg.OperationalError):
            open_session.execute("SELECT 1")
    assert len(_severities(db_world.app_dsn)) == 50

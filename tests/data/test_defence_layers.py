"""Each database defence stops its attacks ALONE: the others are lifted for the test.

Layers, and the test that proves each one with the rest switched off:

  revoked EXECUTE   test_revoke_alone_*          (run by a role with every other right)
  tenant roles      test_tenant_role_alone_*     (the revoked functions granted back)
  reset on return   test_reset_alone_*           (a role allowed to take advisory locks),
                    and test_a_reset_on_a_stalled_connection_* (it never hangs the pool)
  idle timeout      test_idle_in_transaction_*   (a transaction left open by its client)

Lifting a layer happens inside a superuser transaction that is rolled back (GRANT,
ALTER POLICY and CREATE ROLE are transactional), or on a throwaway role, so the shared
server is left as it was.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import httpx
import psycopg
import pytest
from data_world import call_context, proxy_to
from psycopg import errors as pg_errors
from psycopg import sql

from chaos.postgres import EmbeddedPostgres, random_password
from orchestrator.deadline import LingeringTasks
from orchestrator.tools import DirectQueryTool, GuardedPool, tenant_role
from orchestrator.tools._guarded_pool import RESET_TIMEOUT_SECONDS
from orchestrator.tools._tenant_tx import begin_tenant_scope

pytestmark = pytest.mark.integration

# What each dangerous function would do for an attacker, called the plain way.
DANGEROUS_CALLS = {
    "ts_stat runs SQL text": (
        "SELECT * FROM ts_stat('SELECT to_tsvector(query) FROM pg_stat_activity')"
    ),
    "ts_rewrite runs SQL text": (
        "SELECT ts_rewrite('a'::tsquery, 'SELECT ''a''::tsquery, ''b''::tsquery')"
    ),
    "query_to_xml runs SQL text": "SELECT query_to_xml('SELECT 1', true, true, '')",
    "cancel a backend": "SELECT pg_cancel_backend(pg_backend_pid())",
    "terminate a backend": "SELECT pg_terminate_backend(0)",
    "session advisory lock": "SELECT pg_try_advisory_lock(1)",
    "shared advisory lock": "SELECT pg_advisory_lock_shared(1)",
    "transaction advisory lock": "SELECT pg_try_advisory_xact_lock(1)",
    "table statistics": "SELECT pg_stat_get_live_tuples('ops.incidents'::regclass)",
    "pg_stat_activity": "SELECT query FROM pg_stat_activity",
    "read a file": "SELECT pg_read_file('postgresql.conf')",
    "list a directory": "SELECT pg_ls_dir('.')",
    "large object": "SELECT lo_creat(-1)",
    "re-point the tenant": "SELECT set_config('app.tenant_id', 'globex', true)",
    "notify other sessions": "SELECT pg_notify('ch', 'x')",
}
# The same name patterns as the schema's revoke script: none may stay executable.
DANGEROUS_NAMES = """
    p.proname IN ('ts_stat', 'ts_rewrite', 'pg_cancel_backend', 'pg_terminate_backend',
                  'pg_notify', 'set_config', 'pg_stat_file', 'pg_current_logfile',
                  'loread', 'lowrite')
    OR p.proname LIKE '%%advisory%%' OR p.proname LIKE 'pg\\_stat\\_get\\_%%'
    OR p.proname LIKE '%%\\_to\\_xml%%' OR p.proname LIKE 'pg\\_read\\_%%file'
    OR p.proname LIKE 'pg\\_ls\\_%%' OR p.proname LIKE 'lo\\_%%' OR p.proname LIKE 'dblink%%'
"""


def _admin(postgres: EmbeddedPostgres) -> psycopg.Connection[Any]:
    return psycopg.connect(postgres.dsn("ops", postgres.superuser))


def _refused(conn: psycopg.Connection[Any], statement: str) -> bool:
    """True when the database refuses `statement` for lack of privilege."""
    conn.execute("SAVEPOINT attempt")
    try:
        conn.execute(statement)
    except pg_errors.InsufficientPrivilege:
        conn.execute("ROLLBACK TO SAVEPOINT attempt")
        return True
    conn.execute("RELEASE SAVEPOINT attempt")
    return False


# --- revoked EXECUTE --------------------------------------------------------------------


def test_revoke_alone_refuses_every_dangerous_function_to_an_all_seeing_role(
    postgres: EmbeddedPostgres,
) -> None:
    """A role that bypasses RLS, reads all statistics and may signal any backend: the
    tenant-role layer is as permissive as it gets, and only the revoke stands."""
    with _admin(postgres) as conn:
        conn.execute(
            "CREATE ROLE layer_probe BYPASSRLS IN ROLE pg_read_all_stats, pg_signal_backend"
        )
        conn.execute("GRANT USAGE ON SCHEMA ops TO layer_probe")
        conn.execute("GRANT SELECT ON ALL TABLES IN SCHEMA ops TO layer_probe")
        conn.execute("SET ROLE layer_probe")
        allowed = [name for name, call in DANGEROUS_CALLS.items() if not _refused(conn, call)]
        conn.rollback()
    assert allowed == []


def test_revoke_covers_every_overload_matching_the_dangerous_names(
    postgres: EmbeddedPostgres,
) -> None:
    role = tenant_role("acme")
    for database in ("ops", "metrics"):
        with psycopg.connect(postgres.dsn(database, postgres.superuser)) as conn:
            executable = conn.execute(
                f"SELECT p.oid::regprocedure::text FROM pg_proc AS p WHERE ({DANGEROUS_NAMES}) "
                "AND has_function_privilege(%s, p.oid, 'EXECUTE')",
                [role],
            ).fetchall()
            assert executable == [], f"{database}: {executable}"


# --- one role per tenant ----------------------------------------------------------------


def _grant_dangerous_functions_back(conn: psycopg.Connection[Any]) -> None:
    for signature in (
        "ts_stat(text)",
        "pg_stat_get_activity(integer)",
        "pg_cancel_backend(integer)",
        "set_config(text, text, boolean)",
    ):
        conn.execute(f"GRANT EXECUTE ON FUNCTION pg_catalog.{signature} TO PUBLIC")


def test_tenant_role_alone_hides_and_protects_other_tenants_sessions(
    postgres: EmbeddedPostgres,
) -> None:
    """With the revoked functions granted back, the tenant's role still cannot read the
    victim's SQL text through ts_stat or pg_stat_activity, nor cancel its query."""
    secret = "rolelayersecret0815"
    victim_tool = DirectQueryTool(
        GuardedPool(postgres.dsn("ops", "gauntlet_reader"), max_size=1, lingering=LingeringTasks()),
        validate_queries=False,
    )

    def attack() -> tuple[list[str], str, bool]:
        with _admin(postgres) as admin, _admin(postgres) as attacker:
            victim_pid = _running_pid(admin, secret)
            _grant_dangerous_functions_back(attacker)
            attacker.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(tenant_role("acme"))))
            words = attacker.execute(
                "SELECT word FROM ts_stat('SELECT to_tsvector(''simple'', query) "
                "FROM pg_stat_activity')"
            ).fetchall()
            seen = attacker.execute(
                "SELECT coalesce(query, '<null>') FROM pg_stat_activity WHERE pid = %s",
                [victim_pid],
            ).fetchone()
            cancel_refused = _refused(attacker, f"SELECT pg_cancel_backend({victim_pid})")
            attacker.rollback()
        return [word for (word,) in words], seen[0] if seen else "<no row>", cancel_refused

    async def scenario() -> tuple[Any, tuple[list[str], str, bool]]:
        try:
            async with asyncio.TaskGroup() as group:
                victim = group.create_task(
                    victim_tool.run(
                        {"sql": f"SELECT '{secret}' AS s, pg_sleep(1.5) FROM ops.tenants"},
                        call_context("globex", budget_seconds=4.0),
                    )
                )
                await asyncio.sleep(0.4)
                seen = await asyncio.to_thread(attack)
            return victim.result(), seen
        finally:
            await victim_tool.aclose()

    victim, (words, seen_text, cancel_refused) = asyncio.run(scenario())
    assert secret not in words and secret not in seen_text
    assert seen_text == "<insufficient privilege>"
    assert cancel_refused
    assert victim["rows"][0]["s"] == secret  # the victim's query ran to its end


def _running_pid(admin: psycopg.Connection[Any], marker: str) -> int:
    for _ in range(100):
        row = admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE query LIKE %s AND pid <> pg_backend_pid()",
            [f"%{marker}%"],
        ).fetchone()
        admin.rollback()
        if row:
            return row[0]
        time.sleep(0.02)
    raise AssertionError(f"the victim's query ({marker}) never showed up")


def test_tenant_role_alone_keys_row_level_security(postgres: EmbeddedPostgres) -> None:
    """The setting-keyed policy made to pass every row, and the tenant setting pointed at
    another tenant (what set_config would do): the role alone still shows its own rows."""
    with _admin(postgres) as conn:
        conn.execute("ALTER POLICY tenant_isolation ON ops.services USING (true)")
        _grant_dangerous_functions_back(conn)
        conn.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(tenant_role("acme"))))
        conn.execute("SELECT set_config('app.tenant_id', 'globex', true)")
        tenants = conn.execute("SELECT DISTINCT tenant_id FROM ops.services").fetchall()
        conn.rollback()
    assert tenants == [("acme",)]


def test_the_reader_login_reads_nothing_without_a_tenant_role(postgres: EmbeddedPostgres) -> None:
    with psycopg.connect(postgres.dsn("ops", "gauntlet_reader")) as conn:
        conn.execute("SET LOCAL app.tenant_id = 'acme'")
        with pytest.raises(pg_errors.InsufficientPrivilege):
            conn.execute("SELECT count(*) FROM ops.services")


# --- connections reset on return to the pool ---------------------------------------------


@pytest.fixture
def locker_dsn(postgres: EmbeddedPostgres) -> Iterator[str]:
    """A login role that MAY take advisory locks: the revoke layer does not apply to it."""
    password = random_password()
    with _admin(postgres) as conn:
        conn.execute(
            sql.SQL("CREATE ROLE layer_locker LOGIN PASSWORD {}").format(sql.Literal(password))
        )
        conn.execute("GRANT CONNECT ON DATABASE ops TO layer_locker")
        conn.execute("GRANT EXECUTE ON FUNCTION pg_advisory_lock(bigint) TO layer_locker")
    dsn = f"postgresql://layer_locker:{password}@{postgres.host}:{postgres.port}/ops"
    try:
        yield dsn
    finally:
        with _admin(postgres) as conn:
            conn.execute("DROP OWNED BY layer_locker")
            conn.execute("DROP ROLE layer_locker")


def test_reset_alone_releases_advisory_locks_and_session_state(
    postgres: EmbeddedPostgres, locker_dsn: str
) -> None:
    pool = GuardedPool(locker_dsn, max_size=1, lingering=LingeringTasks())

    async def leave_a_mess(conn: psycopg.AsyncConnection[Any]) -> int:
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_lock(424242)")
            await conn.execute("SET work_mem = '77MB'")  # a session setting, not LOCAL
        pid = (await (await conn.execute("SELECT pg_backend_pid()")).fetchone())[0]
        await conn.rollback()
        return pid

    async def next_borrower(conn: psycopg.AsyncConnection[Any]) -> tuple[int, str]:
        row = await (
            await conn.execute("SELECT pg_backend_pid(), current_setting('work_mem')")
        ).fetchone()
        await conn.rollback()
        return row

    async def scenario() -> tuple[int, tuple[int, str], int]:
        try:
            first_pid = await pool.run(3.0, leave_a_mess)
            await asyncio.sleep(0.1)  # the pool resets the connection after it comes back
            with _admin(postgres) as admin:
                held = admin.execute(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 424242"
                ).fetchone()[0]
            return first_pid, await pool.run(3.0, next_borrower), held
        finally:
            await pool.aclose()

    first_pid, (second_pid, work_mem), held = asyncio.run(scenario())
    assert second_pid == first_pid  # the same session was lent out again ...
    assert held == 0  # ... without the lock its previous user took
    assert work_mem != "77MB"


# --- idle_in_transaction_session_timeout -------------------------------------------------


def test_idle_in_transaction_timeout_ends_a_stalled_transaction(
    postgres: EmbeddedPostgres,
) -> None:
    """A client that opens a tenant transaction and goes quiet is cut off by the server
    shortly after the transaction's own budget, not left holding its snapshot."""
    pool = GuardedPool(
        postgres.dsn("ops", "gauntlet_reader"), max_size=1, lingering=LingeringTasks()
    )

    async def stall(conn: psycopg.AsyncConnection[Any]) -> None:
        async with conn.transaction():
            await begin_tenant_scope(conn, "acme", 0.3, read_only=True)
            await asyncio.sleep(3.0)  # idle in transaction, well past budget + grace
            await conn.execute("SELECT 1")

    async def scenario() -> None:
        try:
            await pool.run(10.0, stall)
        finally:
            await pool.aclose()

    # The server's FATAL arrives as its own error class; a lost socket as OperationalError.
    with pytest.raises((pg_errors.IdleInTransactionSessionTimeout, psycopg.OperationalError)):
        asyncio.run(scenario())


def test_a_reset_on_a_stalled_connection_gives_up_and_discards_it(
    postgres: EmbeddedPostgres, toxiproxy_url: str
) -> None:
    """The reset runs in one of the pool's few workers: a connection that stalls as it
    comes back must not hold that worker, nor be lent out again."""
    port = proxy_to(toxiproxy_url, "ops_reset_stall", postgres.port)
    dsn = postgres.dsn("ops", "gauntlet_reader").replace(f":{postgres.port}/", f":{port}/")
    toxics = f"{toxiproxy_url}/proxies/ops_reset_stall/toxics"
    pool = GuardedPool(dsn, max_size=1, connect_timeout=1.0, lingering=LingeringTasks())

    async def pid(conn: psycopg.AsyncConnection[Any]) -> int:
        row = await (await conn.execute("SELECT pg_backend_pid()")).fetchone()
        await conn.rollback()
        return row[0]

    async def pid_then_stall(conn: psycopg.AsyncConnection[Any]) -> int:
        backend = await pid(conn)
        stall = {"name": "stall", "type": "timeout", "attributes": {"timeout": 0}}
        httpx.post(toxics, json=stall).raise_for_status()  # the reset will meet this
        return backend

    async def scenario() -> tuple[int, int]:
        try:
            stalled = await pool.run(3.0, pid_then_stall)
            await asyncio.sleep(RESET_TIMEOUT_SECONDS + 0.5)  # the reset gives up meanwhile
            httpx.delete(f"{toxics}/stall").raise_for_status()
            return stalled, await pool.run(5.0, pid)
        finally:
            await pool.aclose()

    stalled, fresh = asyncio.run(scenario())
    assert fresh != stalled  # the stalled session was discarded, a new one lent out

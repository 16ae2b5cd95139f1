"""The database's own log of statements, on a real Postgres: what `refused_before_database`
reads to tell a statement refused before the database from one the database saw."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from chaos import schema
from chaos.faults.tenant_abuse import ADVISORY_LOCK_FLOOD, CANCEL_FOREIGN_QUERIES, FOREIGN_SQL_TEXT
from chaos.postgres import EmbeddedPostgres, log_statements, parse_records
from scenarios.runner.exchange import Outcome
from scenarios.runner.expectation_checks import judge_expectations
from scenarios.runner.statement_watch import StatementWatch
from scenarios.spec.loader import load_scenario
from scenarios.spec.promises_file import promises_in_effect
from vocabulary import Answer, Observation, Phase

CORE = Path(__file__).resolve().parents[2] / "scenarios" / "core"
ATTACKS = {
    "19-foreign-sql-text.yaml": FOREIGN_SQL_TEXT,
    "20-cancel-foreign-queries.yaml": CANCEL_FOREIGN_QUERIES,
    "21-advisory-lock-flood.yaml": ADVISORY_LOCK_FLOOD,
}


def _answered(code: str | None, attack: str | None) -> Outcome:
    errors = {"direct_query": code} if code else {}
    observation = Observation(
        ts=0.0,
        scenario="s",
        phase=Phase.BASELINE,
        status="failed" if code else "success",
        latency_ms=5.0,
        tool_errors=errors,
        request_id=secrets.token_hex(4),
    )
    return Outcome(Answer(observation, observation.status, None, 200), attack, frozenset(), True)


@dataclass
class _World:
    postgres: EmbeddedPostgres


def _as_reader(postgres: EmbeddedPostgres, sql: str, *params: object) -> None:
    """Send `sql` as the system's role would, whatever Postgres makes of it."""
    with psycopg.connect(postgres.dsn(schema.OPS_DB, schema.READER), autocommit=True) as conn:
        try:
            conn.execute(sql, params or None)  # type: ignore[arg-type]
        except psycopg.Error:
            pass  # refused by Postgres: it still saw the statement


@pytest.fixture
def logging(postgres: EmbeddedPostgres) -> Iterator[EmbeddedPostgres]:
    """The server logging every statement, as a watch has it while a scenario runs."""
    log_statements(postgres.admin_dsn, every=True)
    try:
        yield postgres
    finally:
        log_statements(postgres.admin_dsn, every=False)


def test_a_server_logs_no_statement_unless_a_watch_asks(postgres: EmbeddedPostgres) -> None:
    log = postgres.statement_log()
    mark = log.mark()
    probe = f"probe_{secrets.token_hex(6)}"
    _as_reader(postgres, f"SELECT 1 AS {probe}")
    assert not any(probe in (r.statement or "") for r in log.records_since(mark, [schema.READER]))


def test_each_statement_of_a_login_role_is_logged_under_that_role(
    logging: EmbeddedPostgres,
) -> None:
    postgres = logging
    log = postgres.statement_log()
    mark = log.mark()
    probe = f"probe_{secrets.token_hex(6)}"
    _as_reader(postgres, f"SELECT 1 AS {probe}")  # simple protocol
    _as_reader(postgres, f"SELECT %s::text AS {probe}_bound", "x")  # extended protocol
    with psycopg.connect(postgres.admin_dsn, autocommit=True) as admin:
        admin.execute(f"SELECT 2 AS {probe}_admin")
    texts = [r.statement or "" for r in log.records_since(mark, schema.LOGIN_ROLES)]
    assert any(f"AS {probe}" in text for text in texts)
    assert any(f"AS {probe}_bound" in text for text in texts)
    assert not any(f"{probe}_admin" in text for text in texts)  # not the system's role


def test_a_statement_postgres_refuses_is_still_logged(logging: EmbeddedPostgres) -> None:
    postgres = logging
    log = postgres.statement_log()
    mark = log.mark()
    probe = f"probe_{secrets.token_hex(6)}"
    _as_reader(postgres, f"SELEC {probe} FROM nowhere")  # a syntax error: never parsed
    _as_reader(postgres, f"SELECT {probe}()")  # no such function
    texts = [r.statement or "" for r in log.records_since(mark, [schema.READER])]
    assert sum(probe in text for text in texts) >= 2


def test_sql_text_sent_as_a_bound_value_is_data_not_a_statement(
    logging: EmbeddedPostgres,
) -> None:
    """An audit record of an attack holds its SQL: the database stored it, never ran it."""
    postgres = logging
    log = postgres.statement_log()
    mark = log.mark()
    _as_reader(postgres, "SELECT length(%s::text) AS n", FOREIGN_SQL_TEXT)
    records = log.records_since(mark, [schema.READER])
    assert any("ts_stat" in r.text for r in records)  # the parameter, in a DETAIL record
    assert not any("ts_stat" in (r.statement or "") for r in records)


def test_a_record_over_several_lines_is_one_record() -> None:
    text = (
        "2026-12-07 00:41:03.512 UTC [4127] gauntlet_reader@ops LOG:  statement: SELECT 1\n"
        "\tFROM t\n"
        "2026-12-07 00:41:03.600 UTC [4100] LOG:  checkpoint starting: time\n"
        "2026-12-07 00:41:03.700 UTC [4128] postgres@ops ERROR:  syntax error\n"
        "2026-12-07 00:41:03.700 UTC [4128] postgres@ops STATEMENT:  SELEC 1\n"
    )
    records = parse_records(text)
    assert [(r.role, r.level, r.text) for r in records] == [
        ("gauntlet_reader", "LOG", "statement: SELECT 1\nFROM t"),
        ("postgres", "ERROR", "syntax error"),
        ("postgres", "STATEMENT", "SELEC 1"),
    ]
    assert [r.statement for r in records] == ["SELECT 1\nFROM t", None, "SELEC 1"]


def _judge(name: str, postgres: EmbeddedPostgres, *, validated: bool) -> str:
    scenario = load_scenario(CORE / name, promises_in_effect(None, reference=True))
    watch = StatementWatch.begin(_World(postgres), scenario)
    _as_reader(postgres, "SELECT service FROM ops.services")  # the system's own work
    if not validated:  # a system with a hole: the attack reaches Postgres
        _as_reader(postgres, ATTACKS[name])
    outcomes = [_answered("unsafe_query", "attack") for _ in range(12)]
    outcomes += [_answered(None, None) for _ in range(12)]
    seen = asyncio.run(watch.seen())
    [check] = [
        c
        for c in judge_expectations(scenario, outcomes, audit_rows={}, seen_by_database=seen)
        if c.name == "refused_before_database"
    ]
    return check.verdict


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_an_attack_the_database_saw_fails_however_it_was_answered(
    name: str, postgres: EmbeddedPostgres
) -> None:
    assert _judge(name, postgres, validated=False) == "fail"


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_an_attack_refused_before_the_database_passes(
    name: str, postgres: EmbeddedPostgres
) -> None:
    assert _judge(name, postgres, validated=True) == "pass"


def test_a_docker_server_gets_the_same_settings_as_command_arguments() -> None:
    from chaos.postgres._docker import _as_arguments
    from chaos.postgres._statement_log import STATEMENT_LOG_SETTINGS

    assert _as_arguments(STATEMENT_LOG_SETTINGS) == (
        "log_min_error_statement=error",
        "log_line_prefix=%m [%p] %q%u@%d ",
    )

"""Ordinary analytical queries the validator must accept, with the SQL it hands back."""

from __future__ import annotations

import pytest
import sqlglot
from corpus import CORPUS_DIR, load_named_queries

from orchestrator.safety import validate_direct_query

TENANT = "acme"

SAFE_QUERIES: dict[str, str] = load_named_queries(CORPUS_DIR / "accepted_examples.sql")


@pytest.mark.parametrize("query", SAFE_QUERIES.values(), ids=SAFE_QUERIES.keys())
def test_accepts_analytical_query(query: str) -> None:
    result = validate_direct_query(query, tenant_id=TENANT)
    assert result.is_safe, [v.message for v in result.violations]
    assert result.violations == ()
    statements = [s for s in sqlglot.parse(result.sql, read="postgres") if s is not None]
    assert len(statements) == 1


def test_placeholders_survive_unchanged() -> None:
    result = validate_direct_query("SELECT * FROM t WHERE a = %(a)s AND b = %s AND c = %(c_2)s")
    assert result.sql is not None
    assert "%(a)s" in result.sql and "%s" in result.sql and "%(c_2)s" in result.sql


def test_string_literal_content_is_preserved() -> None:
    result = validate_direct_query("SELECT 'x; DELETE FROM services; --' AS note")
    assert result.sql == "SELECT 'x; DELETE FROM services; --' AS note LIMIT 10000"


def test_comments_are_dropped_from_output() -> None:
    result = validate_direct_query("SELECT 1 /* hidden */ -- trailing\n")
    assert result.sql == "SELECT 1 LIMIT 10000"

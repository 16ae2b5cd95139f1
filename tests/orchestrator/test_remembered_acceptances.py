"""The remembered acceptances of the validator: keyed on everything the verdict depends on."""

from __future__ import annotations

import pytest

from orchestrator.tools._accepted_queries import AcceptedQueries


def test_an_acceptance_holds_only_for_its_own_query_tenant_and_row_limit() -> None:
    accepted = AcceptedQueries()
    accepted.remember("SELECT 1", "acme", 100, "SELECT 1 LIMIT 100")
    assert accepted.get("SELECT 1", "acme", 100) == "SELECT 1 LIMIT 100"
    assert accepted.get("SELECT 1", "globex", 100) is None
    assert accepted.get("SELECT 1", "acme", 10) is None
    assert accepted.get("SELECT 2", "acme", 100) is None


def test_the_least_recently_used_acceptance_goes_first() -> None:
    accepted = AcceptedQueries(capacity=2)
    accepted.remember("a", "acme", 1, "A")
    accepted.remember("b", "acme", 1, "B")
    assert accepted.get("a", "acme", 1) == "A"  # now "b" is the least recently used
    accepted.remember("c", "acme", 1, "C")
    assert len(accepted) == 2
    assert accepted.get("b", "acme", 1) is None
    assert accepted.get("a", "acme", 1) == "A" and accepted.get("c", "acme", 1) == "C"


def test_capacity_must_be_positive() -> None:
    with pytest.raises(ValueError):
        AcceptedQueries(capacity=0)

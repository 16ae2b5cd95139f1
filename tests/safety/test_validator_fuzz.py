"""Grammar-guided fuzzing: the validator only ever answers, and never lets a forbidden
function through. `bench/validator_fuzz.py` runs the same property for 100,000+ cases."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from sql_strategies import forbidden_calls_in, hostile_sql

from orchestrator.safety import QueryValidation, validate_direct_query

MAKE_TEST_EXAMPLES = 1500


def check_one(sql: str) -> QueryValidation:
    """The property: a verdict, never an exception; accepted SQL calls nothing forbidden."""
    result = validate_direct_query(sql, tenant_id="acme")
    assert isinstance(result, QueryValidation)
    if result.is_safe:
        assert result.sql is not None and not result.violations
        assert not forbidden_calls_in(result.sql), (sql, result.sql)
    else:
        assert result.violations and result.sql is None
    return result


@settings(
    max_examples=MAKE_TEST_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(hostile_sql)
def test_validator_answers_every_composed_query(sql: str) -> None:
    check_one(sql)

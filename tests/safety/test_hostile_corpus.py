"""The hostile corpus: every statement of every class is refused with its class's code."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from conftest import TENANT
from corpus import CORPUS_DIR

from orchestrator.safety import validate_direct_query


def _cases() -> list[Any]:
    classes = yaml.safe_load((CORPUS_DIR / "hostile.yaml").read_text(encoding="utf-8"))
    cases = []
    for name, spec in classes.items():
        for number, query in enumerate(spec["queries"]):
            cases.append(pytest.param(query, frozenset(spec["codes"]), id=f"{name}-{number}"))
    return cases


HOSTILE = _cases()


def test_every_class_of_the_issue_is_covered() -> None:
    classes = {case.id.rsplit("-", 1)[0] for case in HOSTILE}
    assert classes >= {
        "attribute_call", "reg_cast", "ts_stat", "advisory_lock", "backend_signal",
        "stat_function", "to_xml", "file_and_large_object", "dblink", "writable_cte",
        "select_into", "locking", "session_change", "multi_statement",
        "comment_and_unicode_trick",
    }  # fmt: skip


@pytest.mark.parametrize(("query", "codes"), HOSTILE)
def test_hostile_query_is_refused_with_its_class_code(query: str, codes: frozenset[str]) -> None:
    result = validate_direct_query(query, tenant_id=TENANT)
    assert not result.is_safe, result.sql
    assert codes & set(result.codes), result.codes

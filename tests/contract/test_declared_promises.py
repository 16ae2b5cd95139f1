"""The promises file: its published schema is current, it reads as YAML or JSON, and a
mistake is one line naming the file, the line and the field."""

from __future__ import annotations

import math
from pathlib import Path

import jsonschema
import pytest

from contract import PROMISED_QUANTITIES, Promises, promises_json_schema, promises_json_schema_text
from scenarios.spec.promises_file import load_promises, promises_in_effect
from vocabulary import YamlInputError

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_the_published_schema_file_is_current() -> None:
    assert (DOCS / "promises.schema.json").read_text() == promises_json_schema_text()
    jsonschema.Draft202012Validator.check_schema(promises_json_schema())


def test_the_reference_promises_follow_the_schema() -> None:
    promises = promises_in_effect(None, reference=True)
    jsonschema.validate(promises.model_dump(mode="json"), promises_json_schema())
    assert promises.promised("tenant_slots.direct_query") == 5
    assert promises.promised("tenant_burst.direct_query") == 20
    assert promises.promised("audit_spool_max_bytes") == 1024 * 1024


def test_declaring_nothing_means_no_limit() -> None:
    nothing = promises_in_effect(None, reference=False)
    assert nothing == Promises()
    assert all(math.isinf(nothing.promised(name)) for name in PROMISED_QUANTITIES)


def test_an_audit_spool_bound_is_one_quantity_in_bytes(tmp_path: Path) -> None:
    path = tmp_path / "promises.yaml"
    path.write_text("audit_spool: {max_pending_bytes: 65536}\n")
    promises = load_promises(path)
    assert promises.promised("audit_spool_max_bytes") == 65536
    assert "audit_spool_max_bytes" in PROMISED_QUANTITIES
    assert math.isinf(Promises().promised("audit_spool_max_bytes"))


def test_json_reads_like_yaml(tmp_path: Path) -> None:
    path = tmp_path / "promises.json"
    path.write_text('{"rate_limits": {"metrics": {"per_minute": 120}}}')
    promises = load_promises(path)
    assert promises.promised("rate_burst.metrics") == 120
    assert promises.promised("rate_per_second.metrics") == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "breaker: {failure_threshold: 4, cool_down_secs: 2}\n",
            "did you mean 'cool_down_seconds'",
        ),
        ("request_deadlines_seconds: 5\n", "did you mean 'request_deadline_seconds'"),
        ("bulkheads: {direct_qeury: {slots: 3}}\n", "did you mean 'direct_query'"),
        ("upstreams: {cache: nowhere}\n", "upstreams.cache"),
        ("audit_spool: {max_bytes: 4096}\n", "did you mean 'max_pending_bytes'"),
        ("audit_spool: {max_pending_bytes: 0}\n", "audit_spool.max_pending_bytes"),
    ],
)
def test_a_mistake_is_one_line_with_a_hint(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "promises.yaml"
    path.write_text(text)
    with pytest.raises(YamlInputError) as caught:
        load_promises(path)
    assert expected in str(caught.value)
    assert str(caught.value).startswith(f"{path}:1: ") and "\n" not in str(caught.value)

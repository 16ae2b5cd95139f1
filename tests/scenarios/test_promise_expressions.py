"""A scenario's numbers follow from what the system declares: expressions over the promised
quantities, parsed into a closed set of nodes, resolved for the promises in effect; what a
system does not declare is set aside, never judged."""

from __future__ import annotations

from pathlib import Path

import pytest

from contract import Promises
from scenarios.runner.experiment import ScenarioResult
from scenarios.spec.loader import BUILTIN_SUITES_DIR, load_scenario, load_suite
from scenarios.spec.promise_expressions import parse_expression
from scenarios.spec.promises_file import reference_promises
from slo import NotJudged
from vocabulary import YamlInputError

CORE = BUILTIN_SUITES_DIR / "core"
KNOB_SCENARIOS = (
    "burst-bulkhead",
    "rate-limit-burst",
    "breaker-poisoning",
    "breaker-fails-fast",
    "bulkhead-tenant-share",
    "rate-limit-tenant-share",
)
UNIVERSAL = {"no_cross_tenant_data", "audit_exactly_once", "within_deadline", "honest_status"}
SMALLER = Promises.model_validate(
    {
        "request_deadline_seconds": 2,
        "call_deadline_seconds": {"metrics": 1},
        "breaker": {"failure_threshold": 30, "cool_down_seconds": 1},
        "bulkheads": {"direct_query": {"slots": 4}},
        "tenant_share": 0.25,
        "rate_limits": {"direct_query": {"per_minute": 600, "burst": 8}},
    }
)


def _resolved(text: str, promises: Promises) -> object:
    return parse_expression(text).resolve(promises).written()


@pytest.mark.parametrize(
    ("text", "reference", "smaller"),
    [
        ("=4 * tenant_slots.direct_query /s", "20/s", "4/s"),
        ("=request_deadline_ms or 5000", 5000, 2000),
        ("=0.6 * call_deadline_ms.metrics", 1500, 600),
        ("=ceil(3.2 * bulkhead_slots.direct_query) or 32", 32, 13),
        (
            "=max(10000, breaker_failure_threshold * call_deadline_ms.metrics) ms",
            "10000ms",
            "30000ms",
        ),
        ("=min(4, tenant_slots.direct_query)", 4, 1),
        ("=-(1 - tenant_burst.direct_query) / 2", 9.5, 0.5),
    ],
)
def test_an_expression_takes_the_declared_values(text: str, reference: object, smaller: object):
    assert _resolved(text, reference_promises()) == reference
    assert _resolved(text, SMALLER) == smaller


def test_an_undeclared_quantity_is_infinite_and_an_or_falls_back() -> None:
    nothing = Promises()
    assert _resolved("=min(20, tenant_rate_per_second.direct_query) /s", nothing) == "20/s"
    assert _resolved("=request_deadline_ms or 5000", nothing) == 5000
    missing = parse_expression("=0.6 * call_deadline_ms.metrics").resolve(nothing)
    assert missing.value is None and missing.missing == {"call_deadline_ms.metrics"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("=tenant_slot.direct_query", "did you mean 'tenant_slots.direct_query'"),
        ("=bulkhead_slots.direct_qeury * 2", "did you mean 'bulkhead_slots.direct_query'"),
        ("=__import__('os').system('true')", "expected an expression of numbers"),
        ("=open('/etc/passwd')", "expected an expression of numbers"),
        ("=(lambda: 1)()", "expected an expression of numbers"),
        ("=2 ** 1000", "expected an expression of numbers"),
        ("=request_deadline_ms if 1 else 2", "expected an expression of numbers"),
        ("=request_deadline_ms > 1", "expected an expression of numbers"),
        ("=max(request_deadline_ms, key=1)", "expected an expression of numbers"),
        ("='5000'", "expected a number, got '5000'"),
        ("=True", "expected a number, got True"),
        ("=4 *", "expected an expression of numbers"),
        ("=request_deadline_ms.__class__", "unknown promised quantity"),
    ],
)
def test_anything_else_is_refused_in_one_line(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as refused:
        parse_expression(text)
    assert "\n" not in str(refused.value)


SCENARIO = """\
name: knob-scenario
workload:
  intents: [{{intent: service_overview, parameters: {{service: checkout}}}}]
  tenants: [acme]
  requests: {requests}
  concurrency: 2
expectations:
  - {{tool_errors: {{direct_query: [concurrency_limit]}}, needs: [{needs}]}}
  - {{latency_percentile: {{percentile: 50, max_ms: "{max_ms}"}}}}
  - no_cross_tenant_data: true
"""


def _scenario(tmp_path: Path, **fields: str) -> Path:
    values = {
        "requests": "20",
        "needs": "tenant_slots.direct_query",
        "max_ms": "=0.6 * call_deadline_ms.metrics",
    }
    path = tmp_path / "knob.yaml"
    path.write_text(SCENARIO.format(**(values | fields)))
    return path


@pytest.mark.parametrize(
    ("fields", "where", "message"),
    [
        (
            {"max_ms": "=0.6 * call_deadline_ms.metrix"},
            ":9: field 'expectations[1]",
            "did you mean 'call_deadline_ms.metrics'",
        ),
        ({"needs": "tenant_slot.direct_query"}, ":8: field 'expectations[0].needs[0]'", "slots"),
        ({"requests": '"=exec(1)"'}, ":5: field 'workload.requests'", "expected an expression"),
        ({"max_ms": "=1 / (request_deadline_ms - 5000)"}, ":9: field", "divides by zero"),
    ],
)
def test_a_bad_expression_or_need_names_its_file_line_and_field(
    tmp_path: Path, fields: dict[str, str], where: str, message: str
) -> None:
    path = _scenario(tmp_path, **fields)
    with pytest.raises(YamlInputError) as refused:
        load_scenario(path)
    text = str(refused.value)
    assert text.startswith(f"{path}{where}") and message in text and "\n" not in text


def test_an_expectation_on_an_undeclared_knob_is_set_aside_with_why(tmp_path: Path) -> None:
    path = _scenario(tmp_path)
    judged = load_scenario(path)  # the reference declares both
    assert [e.kind for e in judged.expectations][:2] == ["tool_errors", "latency_percentile"]
    assert judged.not_judged == ()
    bare = load_scenario(path, Promises())
    assert [e.kind for e in bare.expectations] == ["no_cross_tenant_data"]
    assert [(e.kind, why) for e, why in bare.not_judged] == [
        ("tool_errors", "the system declares no bulkhead for direct_query"),
        ("latency_percentile", "the system declares no call deadline for metrics"),
    ]
    assert bare.not_applicable is None


def test_a_workload_number_without_a_fallback_makes_the_scenario_not_applicable(
    tmp_path: Path,
) -> None:
    path = _scenario(tmp_path, requests='"=4 * tenant_burst.direct_query"')
    assert load_scenario(path).workload.requests == 80
    bare = load_scenario(path, Promises())
    why = "the system declares no rate limit for direct_query"
    assert bare.not_applicable == why
    # reported as one entry for the whole scenario, which never runs
    assert ScenarioResult(bare).not_judged == [
        NotJudged("knob-scenario", "scenario", f"not applicable: {why}")
    ]


def test_the_knob_scenarios_follow_the_declared_values() -> None:
    suite = {s.name: s for s in load_suite("core", SMALLER)}
    # 4 x one tenant's single slot, but below 0.8 of its share of the rate (3/s)
    assert suite["bulkhead-tenant-share"].workload.rate == 2.4
    assert suite["bulkhead-tenant-share"].workload.concurrency == 4
    assert suite["rate-limit-tenant-share"].workload.concurrency == 1
    assert suite["rate-limit-tenant-share"].workload.requests == 15 * 2
    assert suite["rate-limit-burst"].workload.concurrency == 4 * 2
    assert suite["burst-bulkhead"].workload.concurrency == 13
    fails_fast = suite["breaker-fails-fast"]
    assert fails_fast.faults[0].fault.latency_ms == 2500  # 1.5 s beyond the 1 s deadline
    assert fails_fast.faults[0].duration == 30.0  # 30 failures, each at its 1 s deadline
    bounds = [
        e.latency_percentile.max_ms
        for e in fails_fast.expectations
        if e.kind == "latency_percentile"
    ]
    assert bounds == [600]
    deadlines = [
        e.within_deadline.deadline_ms
        for name in KNOB_SCENARIOS
        for e in suite[name].expectations
        if e.kind == "within_deadline"
    ]
    assert deadlines == [2000, 2000]  # 11 and 16: the declared request deadline


def test_declaring_nothing_leaves_only_the_universal_promises_judged() -> None:
    suite = {s.name: s for s in load_suite("core", Promises())}
    for name in KNOB_SCENARIOS:
        scenario = suite[name]
        assert scenario.not_applicable is None, name
        assert {"no_cross_tenant_data", "audit_exactly_once"} <= {
            e.kind for e in scenario.expectations
        }
        for expectation, why in scenario.not_judged:
            assert expectation.kind not in UNIVERSAL and why.startswith("the system declares no")
    unjudged = {name: len(suite[name].not_judged) for name in KNOB_SCENARIOS}
    assert unjudged == {
        "burst-bulkhead": 1,  # the shedding codes; that direct_query admits work is universal
        "rate-limit-burst": 1,
        "breaker-poisoning": 0,  # one tenant cannot change another's outcome: universal
        "breaker-fails-fast": 4,
        "bulkhead-tenant-share": 1,
        "rate-limit-tenant-share": 1,
    }
    # of the suite's other scenarios only flapping-database judges a knob (its breaker opens
    # during an outage), 19-21 a validator (the attack never reaches the database), and
    # audit-spool-bound a spool bound, so a bare system loses those checks and no other
    others = {name: s for name, s in suite.items() if name not in KNOB_SCENARIOS}
    assert [why for _, why in others.pop("flapping-database").not_judged] == [
        "the system declares no breaker"
    ]
    for name in ("foreign-sql-text", "cancel-foreign-queries", "advisory-lock-flood"):
        assert [(e.kind, why) for e, why in others.pop(name).not_judged] == [
            ("refused_before_database", "the system declares no query validator")
        ]
    assert [(e.kind, why) for e, why in others.pop("audit-spool-bound").not_judged] == [
        ("tool_errors", "the system declares no bound on its audit spool"),
        ("spool_bytes_within_bound", "the system declares no bound on its audit spool"),
    ]
    assert all(not s.not_judged for s in others.values())

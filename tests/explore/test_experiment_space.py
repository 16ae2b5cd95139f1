"""The space of experiments: every generated experiment is a valid scenario whose file
`gauntlet validate` accepts and reads back as the same scenario; every fault kind is in it."""

from __future__ import annotations

import random
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chaos.faults import FAULT_KINDS, TenantAttack, parse_fault
from chaos.remote_world import REMOTE_FAULTS
from chaos.seed import SeedOptions
from contract import Promises
from scenarios.cli.cmd_validate import check_file
from scenarios.explore import FaultSpace, experiments
from scenarios.explore.experiments import rates
from scenarios.explore.fault_space import ABUSE_RATES, MAX_VOLLEY, fault_strategy
from scenarios.explore.find_file import scenario_document
from scenarios.explore.schema_names import OPS_COLUMNS
from scenarios.spec.model import Scenario
from vocabulary.yaml_input import parse_yaml_model

TENANTS = SeedOptions().tenant_ids
SPACE = FaultSpace(victims=TENANTS[:2], abusers=TENANTS[2:])
# Tests that count what the space draws use a fixed stream (`derandomize`): a share of 80
# random draws is itself random, and a bound on it would fail now and then
SLOW_DRAWS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SLOW_DRAWS
@given(experiments(SPACE))
def test_every_experiment_round_trips_through_its_scenario_file(scenario: Scenario) -> None:
    text = yaml.safe_dump(scenario_document(scenario, "found-1"), sort_keys=False)
    assert parse_yaml_model(text, Scenario) == scenario.model_copy(update={"name": "found-1"})


@settings(max_examples=15, deadline=None)
@given(experiments(SPACE))
def test_gauntlet_validate_accepts_every_experiment(scenario: Scenario) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "found.yaml"
        path.write_text(yaml.safe_dump(scenario_document(scenario, "found-1"), sort_keys=False))
        assert check_file(path) == "scenario found-1"


@SLOW_DRAWS
@given(experiments(SPACE))
def test_experiments_are_judged_on_the_universal_promises_only(scenario: Scenario) -> None:
    kinds = {type(e).kind for e in scenario.expectations}
    assert {"within_deadline", "honest_status", "no_cross_tenant_data"} <= kinds
    assert kinds <= {
        "within_deadline",
        "honest_status",
        "no_cross_tenant_data",
        "audit_exactly_once",
        "status_vs_baseline",
        "breaker_opens_on_upstream",
    }  # SPACE declares nothing: no promise of a system's own is judged
    # isolation and the breaker's honesty are judged where abuse alone acts (nothing hides),
    # isolation only from an attacker that is another tenant
    judged_as_abuse = "breaker_opens_on_upstream" in kinds
    by_another = any(getattr(t.fault, "as_tenant", None) for t in scenario.faults)
    assert ("status_vs_baseline" in kinds) == (judged_as_abuse and by_another)
    # attacks alone, however drawn, are judged as abuse alone
    assert judged_as_abuse == all(isinstance(t.fault, TenantAttack) for t in scenario.faults)
    for timed in scenario.faults:
        assert timed.fault.model_dump().get("as_tenant") in (None, *SPACE.abusers)


@SLOW_DRAWS
@given(st.data())
def test_every_registered_kind_draws_valid_faults_within_its_bounds(data: st.DataObject) -> None:
    for kind in FAULT_KINDS:
        fault = data.draw(fault_strategy(kind, SPACE), label=kind)
        assert parse_fault(fault.model_dump(mode="json")) == fault


@SLOW_DRAWS
@given(st.data())
def test_a_running_system_gets_only_network_faults_and_abuse_on_its_upstreams(
    data: st.DataObject,
) -> None:
    remote = tuple(k for k, cls in FAULT_KINDS.items() if issubclass(cls, REMOTE_FAULTS))
    space = FaultSpace(SPACE.victims, SPACE.abusers, kinds=remote, upstreams=("ops",))
    scenario = data.draw(experiments(space))
    for timed in scenario.faults:
        assert isinstance(timed.fault, REMOTE_FAULTS)
        assert getattr(timed.fault, "upstream", "ops") == "ops"


def test_schema_faults_name_real_columns() -> None:
    assert ("ops.services", "owner_team") in OPS_COLUMNS
    assert ("ops.audit_log", "request_id") in OPS_COLUMNS
    assert not any(column in {"PRIMARY", "FOREIGN", "UNIQUE"} for _, column in OPS_COLUMNS)


@SLOW_DRAWS
@given(st.data())
def test_declared_upstreams_and_deadline_are_in_the_space(data: st.DataObject) -> None:
    declared = Promises(request_deadline_seconds=3.0, upstreams={"cache": "127.0.0.1:6379"})
    space = FaultSpace(
        SPACE.victims, SPACE.abusers, upstreams=("ops", "metrics", "cache"), promises=declared
    )
    drawn = data.draw(fault_strategy("latency", space))
    assert drawn.upstream in {"ops", "metrics", "cache"}
    scenario = data.draw(experiments(space))
    (bound,) = [e for e in scenario.expectations if type(e).kind == "within_deadline"]
    assert bound.within_deadline.deadline_ms == 3000


def test_a_declared_upstream_is_drawn_at_all() -> None:
    space = FaultSpace(SPACE.victims, SPACE.abusers, upstreams=("ops", "metrics", "cache"))
    seen: set[str] = set()

    @settings(max_examples=60, deadline=None, database=None, derandomize=True)
    @given(fault_strategy("latency", space))
    def draw(fault) -> None:  # noqa: ANN001
        seen.add(fault.upstream)

    draw()
    assert "cache" in seen


def test_tenant_abuse_alone_is_drawn_often() -> None:
    alone: list[bool] = []

    @settings(max_examples=80, deadline=None, database=None, derandomize=True)
    @given(experiments(SPACE))
    def draw(scenario: Scenario) -> None:
        alone.append(all(isinstance(t.fault, TenantAttack) for t in scenario.faults))

    draw()
    assert sum(alone) >= 0.4 * len(alone)  # about 0.6; a draw over every kind gives ~0.2


@SLOW_DRAWS
@given(
    experiments(
        FaultSpace(
            SPACE.victims,
            SPACE.abusers,
            promises=Promises(
                request_deadline_seconds=4.0, query_validator={"max_sql_bytes": 16384}
            ),
        )
    )
)
def test_abuse_alone_leaves_a_recovery_and_a_declared_validator_is_judged(
    scenario: Scenario,
) -> None:
    """After abuse alone the method runs on for the request deadline (what an attack leaves
    behind shows there); attack SQL a statement log would name is judged against the
    declared validator."""
    kinds = {type(e).kind for e in scenario.expectations}
    if "status_vs_baseline" in kinds:  # drawn as abuse alone
        last_end = max(t.start + t.duration for t in scenario.faults)
        assert scenario.workload.duration - last_end >= 4.0
    marked = any(getattr(t.fault, "statement_mark", None) for t in scenario.faults)
    assert ("refused_before_database" in kinds) == marked


def _drawn(kind: str) -> list[TenantAttack]:
    faults: list[TenantAttack] = []

    @settings(max_examples=100, deadline=None, database=None, derandomize=True)
    @given(fault_strategy(kind, SPACE))
    def draw(fault) -> None:  # noqa: ANN001
        faults.append(fault)

    draw()
    return faults


def test_full_strength_is_drawn_often_and_shrinks_step_by_step() -> None:
    shares = [fault.share for fault in _drawn("injection")]  # the victims' own requests
    assert shares.count(1.0) >= 0.25 * len(shares)
    assert len(set(shares)) > 5  # the steps below are drawn too
    assert all(fault.rate is None for fault in _drawn("injection"))


def test_an_abuser_sends_beside_the_victims_in_volleys() -> None:
    """An attack acting as another tenant never takes requests from the victims: it sends
    its own at a rate, some of them in volleys (failures in a row), some one at a time."""
    drawn = _drawn("caller_error_burst")
    assert all(fault.share == 1.0 and fault.as_tenant in SPACE.abusers for fault in drawn)
    assert {fault.rate for fault in drawn} == set(map(float, ABUSE_RATES))
    bursts = {fault.burst for fault in drawn}
    assert 1 in bursts and max(bursts) == MAX_VOLLEY and len(bursts) > 5


def test_a_declared_rate_limit_puts_one_tenant_past_its_share() -> None:
    """A tenant's share of a declared rate is judged only where it is outrun: some drawn
    workloads send more than the share from one victim alone."""
    declared = Promises(
        rate_limits={"direct_query": {"per_minute": 3600, "burst": 40}}, tenant_share=0.5
    )
    space = FaultSpace(SPACE.victims, SPACE.abusers, promises=declared)
    assert rates(space)[-1] == 60 and rates(SPACE)[-1] == 30
    past: list[bool] = []

    @settings(max_examples=80, deadline=None, database=None, derandomize=True)
    @given(experiments(space))
    def draw(scenario: Scenario) -> None:
        kinds = {type(e).kind for e in scenario.expectations}
        outrunning = (scenario.workload.rate or 0) > 30
        assert ("calls_within_rate" in kinds) == outrunning
        past.append(outrunning and len(scenario.workload.tenants) == 1)

    draw()
    assert any(past)


@SLOW_DRAWS
@given(experiments(SPACE))
def test_victims_of_abuse_alone_send_what_the_abuser_sends(scenario: Scenario) -> None:
    """Isolation shows only where the victims use what the abuser abuses: beside a flood
    of ad hoc SQL, the victims ask ad hoc queries too (the same tool, its breaker, its
    slots)."""
    if not any(type(e).kind == "status_vs_baseline" for e in scenario.expectations):
        return  # not abuse alone
    asked = {mix.intent for mix in scenario.workload.intents}
    sent = {getattr(t.fault, "sends_intent", None) for t in scenario.faults} - {None}
    assert sent <= asked


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(
        sorted(k for k, c in FAULT_KINDS.items() if issubclass(c, TenantAttack))
    ).flatmap(lambda kind: fault_strategy(kind, SPACE))
)
def test_an_attack_sends_the_intent_it_declares(fault: TenantAttack) -> None:
    """`sends_intent` is what the attack's requests ask for (None: the workload's own)."""
    from chaos.faults.planned_request import PlannedRequest
    from chaos.faults.tenant import Crowd

    request = PlannedRequest("acme", "service_overview", {"service": "checkout"}, "key", "")
    crowd = Crowd({tenant: f"key-{tenant}" for tenant in TENANTS}, random.Random(1))
    sent = fault.rewrite(request, crowd)
    assert sent.intent == (fault.sends_intent or request.intent)

"""Judge a scenario's expectations on its outcomes: pure, one small function per kind.

Each expectation becomes an `slo.Check` (group = scenario name) so the reports and the
JUnit file show it beside the SLO objectives. An expectation scoped to a phase with no
request in it fails: an expectation that observed nothing has not held.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence

from scenarios.spec.expectations import (
    AuditExactlyOnce,
    LatencyPercentile,
    MaxLatency,
    NoCrossTenantData,
    SecurityRefusals,
    StatusMix,
    ToolErrors,
)
from scenarios.spec.model import Scenario
from slo import Check
from vocabulary import RatioBound

from .exchange import SECURITY_CODES, Outcome

AuditRows = Mapping[tuple[str, str], int]
"""Audit records per (tenant, request id)."""


def judge_expectations(
    scenario: Scenario, outcomes: Sequence[Outcome], *, audit_rows: AuditRows | None = None
) -> list[Check]:
    """One check per expectation. `audit_rows`: audit records per (tenant, request id),
    if counted."""
    checks = []
    for expectation in scenario.expectations:
        scoped = [
            o
            for o in outcomes
            if expectation.phase is None or o.observation.phase == expectation.phase
        ]
        name = _name(expectation)
        if not scoped:
            checks.append(
                Check(
                    scenario.name,
                    name,
                    False,
                    f"no request observed in phase '{expectation.phase}'",
                )
            )
            continue
        judge = _JUDGES[type(expectation)]
        passed, detail = judge(expectation, scoped, audit_rows)
        checks.append(Check(scenario.name, name, passed, detail))
    return checks


def judge_status(bounds: Mapping[str, RatioBound], outcomes: Sequence[Outcome]) -> tuple[bool, str]:
    """Status ratios against `{status: RatioBound}` (shared with the steady-state check)."""
    counts = Counter(o.observation.status for o in outcomes)
    total = len(outcomes)
    failures, parts = [], []
    for status, bound in bounds.items():
        ratio = counts[status] / total
        parts.append(f"{status} {ratio:.0%} ({bound})")
        if not bound.holds(ratio):
            failures.append(status)
    mix = ", ".join(f"{status} {count}" for status, count in counts.most_common())
    return not failures, f"{', '.join(parts)} of {total} requests (mix: {mix})"


def _status(e: StatusMix, outcomes: Sequence[Outcome], _: object) -> tuple[bool, str]:
    return judge_status(e.status, outcomes)


def _tool_errors(e: ToolErrors, outcomes: Sequence[Outcome], _: object) -> tuple[bool, str]:
    problems, seen = [], []
    for tool, allowed in e.tool_errors.items():
        codes = Counter(
            o.observation.tool_errors[tool] for o in outcomes if tool in o.observation.tool_errors
        )
        allowed_values = {code.value for code in allowed}
        seen.append(f"{tool}: {dict(codes) or 'no failure'}")
        if not allowed_values and codes:
            problems.append(f"{tool} should not fail")
        elif allowed_values and not codes:
            problems.append(f"{tool} never failed (expected {sorted(allowed_values)})")
        elif set(codes) - allowed_values:
            problems.append(f"{tool} failed with {sorted(set(codes) - allowed_values)}")
    return not problems, "; ".join(problems or seen)


def _max_latency(e: MaxLatency, outcomes: Sequence[Outcome], _: object) -> tuple[bool, str]:
    slowest = max(o.observation.latency_ms for o in outcomes)
    return (
        slowest <= e.max_latency_ms,
        f"slowest {slowest:.0f} ms (bound {e.max_latency_ms:.0f} ms)",
    )


def _percentile(e: LatencyPercentile, outcomes: Sequence[Outcome], _: object) -> tuple[bool, str]:
    latencies = sorted(o.observation.latency_ms for o in outcomes)
    bound = e.latency_percentile
    rank = max(0, math.ceil(bound.percentile / 100 * len(latencies)) - 1)  # nearest rank
    value = latencies[rank]
    return value <= bound.max_ms, (
        f"p{bound.percentile:g} {value:.0f} ms "
        f"(bound {bound.max_ms:.0f} ms, {len(latencies)} requests)"
    )


def _no_leak(_e: NoCrossTenantData, outcomes: Sequence[Outcome], _: object) -> tuple[bool, str]:
    leaks = [o for o in outcomes if o.leaked_tenants]
    if leaks:
        first = leaks[0]
        return False, (
            f"{len(leaks)} answers held other tenants' rows, e.g. "
            f"{first.observation.tenant} saw {sorted(first.leaked_tenants)}"
        )
    return True, f"{len(outcomes)} answers, none with another tenant's rows"


def _audit(
    _e: AuditExactlyOnce, outcomes: Sequence[Outcome], audit_rows: AuditRows | None
) -> tuple[bool, str]:
    if audit_rows is None:
        return False, "audit records were not counted"
    acknowledged = {
        (o.observation.tenant, o.observation.request_id) for o in outcomes if o.audit_acknowledged
    }
    missing = [key for key in acknowledged if audit_rows.get(key, 0) == 0]
    doubled = [key for key, n in audit_rows.items() if n > 1]
    if missing or doubled:
        return (
            False,
            f"{len(missing)} acknowledged requests without a record, {len(doubled)} doubled",
        )
    return True, f"{len(acknowledged)} acknowledged requests, one record each"


def _refusals(e: SecurityRefusals, outcomes: Sequence[Outcome], _: object) -> tuple[bool, str]:
    attacks = [o for o in outcomes if o.attack is not None]
    if not attacks:
        return False, "no attack request was sent"
    wanted = {c.value for c in e.security_refusals.codes} or SECURITY_CODES
    unrefused = [o for o in attacks if not (o.refusal_codes & wanted)]
    if unrefused:
        first = unrefused[0]
        return False, (
            f"{len(unrefused)} of {len(attacks)} attacks not refused with "
            f"{sorted(wanted)}, e.g. {first.attack} answered {first.observation.status}"
        )
    return True, f"all {len(attacks)} attack requests refused ({sorted(wanted)})"


_JUDGES: dict[type, Callable[..., tuple[bool, str]]] = {
    StatusMix: _status,
    ToolErrors: _tool_errors,
    MaxLatency: _max_latency,
    LatencyPercentile: _percentile,
    NoCrossTenantData: _no_leak,
    AuditExactlyOnce: _audit,
    SecurityRefusals: _refusals,
}


def _name(expectation: object) -> str:
    kind = type(expectation).kind  # type: ignore[attr-defined]
    phase = getattr(expectation, "phase", None)
    return f"{kind} [{phase}]" if phase else kind

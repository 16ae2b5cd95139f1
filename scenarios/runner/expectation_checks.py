"""Judge a scenario's expectations on its outcomes: pure, one small function per kind
(statuses here, latencies in `latency_verdicts.py`, rules in `rule_verdicts.py`).

Each expectation gets a verdict, `pass`, `fail` or `inconclusive`, and becomes an
`slo.Check` (group = scenario name) so the reports and the JUnit file show it beside the
SLO objectives. Statistical expectations (a status share strictly between 0 and 1, a
percentile against the baseline's) are judged with confidence sequences, which stay valid
however often they are looked at: the runner asks after every tick whether a phase is
decided and moves on as soon as it is. Everything else is a rule over every request
("no answer holds another tenant's rows"), judged on what was observed.

A statistical verdict, once decided, stays decided (`Decided`): a confidence sequence
covers the truth at every sample size at once, so the intersection of its intervals over
the looks taken is as valid as any one of them. Requests still in flight when a phase was
decided and stopped may add to its population afterwards without undoing the decision.

An expectation scoped to a phase with no request in it is inconclusive: it observed nothing.

Codes a fault must provoke (`tool_errors` naming codes, `codes_seen`), and the work a limit
must still admit (`tools_admitted`), keep a phase open until they are seen. Once the method
is over they are judged as a rule: a phase that answered `MIN_PROVOKED` requests without one
of them did not do what is promised, and that fails (a bulkhead that never refuses, a
breaker that never opens, a bulkhead that refuses everything).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence

from pydantic import BaseModel

from scenarios.spec.expectations import (
    AddedLatencyBound,
    AttacksAudited,
    AttacksContained,
    AuditDetailWhole,
    AuditExactlyOnce,
    BreakerOpensOnUpstream,
    CallsWithinRate,
    CodesSeen,
    FaultLanded,
    HonestStatus,
    LatencyAdded,
    LatencyPercentile,
    LatencyVsBaseline,
    MaxLatency,
    MemoryGrowth,
    MetricsGrowth,
    NoCrossTenantData,
    RefusedBeforeDatabase,
    RelativeLatencyBound,
    SecurityRefusals,
    SpoolBytesWithinBound,
    StatusMix,
    StatusVsBaseline,
    ToolErrors,
    ToolsAdmitted,
    WithinDeadline,
)
from scenarios.spec.model import Scenario
from slo import Check, Judgement, Verdict
from slo.decision import decide_ratio
from vocabulary import Phase, RatioBound

from . import rule_verdicts as rules
from .audit_detail import AuditDetails, audit_detail_whole
from .exchange import CAUGHT_IN_FLIGHT, Outcome
from .latency_verdicts import baseline_bracketed, judge_percentile, judge_vs_baseline
from .offered_rate import calls_within_rate, outran, outran_a_bucket, overran
from .rule_verdicts import AuditRows
from .statement_watch import SeenByDatabase
from .status_shift import baseline_share_bracketed, judge_share_vs_baseline

# "this fault makes the tool answer with these codes" has been put to the test after this
# many requests of the phase (judged after the method)
MIN_PROVOKED = 12
Decided = dict[tuple[int, str], Verdict]  # (expectation index, part) -> first decided verdict


def judge_expectations(
    scenario: Scenario,
    outcomes: Sequence[Outcome],
    *,
    audit_rows: AuditRows | None = None,
    audit_details: AuditDetails | None = None,
    decided: Decided | None = None,
    seen_by_database: SeenByDatabase | None = None,
) -> list[Check]:
    """One check per expectation. `audit_rows`: audit records per (tenant, request id), if
    counted; `audit_details`: their `detail`, if read; `decided`: statistical verdicts
    already decided while the run watched; `seen_by_database`: what the database's log saw
    of the method."""
    checks = []
    decided = decided if decided is not None else {}
    for index, expectation in enumerate(scenario.expectations):
        if isinstance(expectation, MemoryGrowth | MetricsGrowth | SpoolBytesWithinBound):
            continue  # measured on the system itself, not its answers (*_watch.py)
        if isinstance(expectation, AuditDetailWhole):
            judged = audit_detail_whole(outcomes, audit_details)
        elif isinstance(expectation, RefusedBeforeDatabase):  # judged on the whole method
            judged = rules.refused_before_database(expectation, outcomes, seen_by_database)
        elif isinstance(expectation, CallsWithinRate):  # so is a bucket: spans may be long
            judged = calls_within_rate(expectation, outcomes)
        else:
            judged = _judge(scenario, index, outcomes, audit_rows, decided, final=True)
        checks.append(
            Check(
                scenario.name,
                check_name(expectation),
                judged.verdict,
                judged.detail,
                phase=str(expectation.phase or ""),
                expected=_as_written(expectation),
            )
        )
    return checks


def undecided(
    scenario: Scenario, outcomes: Sequence[Outcome], phase: Phase, *, last: bool, decided: Decided
) -> list[str]:
    """Names of the expectations concerning `phase` that are not decided yet. Those scoped
    to the whole method concern only the `last` stretch of it. Audit records are counted
    once, after the method, and so is the database's log: neither holds a phase open."""
    waiting = []
    for index, expectation in enumerate(scenario.expectations):
        if phase is Phase.BASELINE and not _baseline_known(expectation, outcomes, scenario):
            waiting.append(f"{check_name(expectation)}: its baseline")
            continue
        if expectation.phase != phase and not (expectation.phase is None and last):
            continue
        if isinstance(
            expectation,
            AuditExactlyOnce
            | AuditDetailWhole
            | MemoryGrowth
            | MetricsGrowth
            | SpoolBytesWithinBound
            | RefusedBeforeDatabase,
        ):
            continue
        if isinstance(expectation, CallsWithinRate):  # judged after the method, but only
            if not outran_a_bucket(expectation, outcomes):  # once a tenant was over a bucket
                waiting.append(check_name(expectation))
            continue
        if not _judge(scenario, index, outcomes, None, decided, final=False).verdict.decided:
            waiting.append(check_name(expectation))
    return waiting


def _baseline_known(expectation: object, outcomes: Sequence[Outcome], scenario: Scenario) -> bool:
    """Whether the baseline an expectation compares with is known well enough (True for
    one that compares with none)."""
    baseline = [o for o in outcomes if o.observation.phase is Phase.BASELINE]
    if (relative := _baseline_bound(expectation)) is not None:
        return baseline_bracketed(relative, _latencies(baseline), scenario.confidence)
    if isinstance(expectation, StatusVsBaseline):
        counts = _sampled_statuses(baseline)
        return baseline_share_bracketed(expectation.status_vs_baseline, counts, scenario.confidence)
    return True


def _judge(
    scenario: Scenario,
    index: int,
    outcomes: Sequence[Outcome],
    audit_rows: Mapping[str, int] | None,
    decided: Decided,
    *,
    final: bool,
) -> Judgement:
    """`final`: the method is over, so what is still not seen will not be."""
    expectation = scenario.expectations[index]
    phase = expectation.phase
    scoped = [o for o in outcomes if phase is None or o.observation.phase == phase]
    if not scoped:
        return Judgement(Verdict.INCONCLUSIVE, f"no request observed in phase '{phase}'")
    if (relative := _baseline_bound(expectation)) is not None:
        judged = judge_vs_baseline(
            relative,
            _latencies(scoped),
            _latencies(o for o in outcomes if o.observation.phase is Phase.BASELINE),
            scenario.confidence,
        )
        return Judgement(_sticky(decided, (index, ""), judged.verdict), judged.detail)
    if isinstance(expectation, StatusVsBaseline):
        judged = judge_share_vs_baseline(
            expectation.status_vs_baseline,
            _sampled_statuses(scoped),
            _sampled_statuses(o for o in outcomes if o.observation.phase is Phase.BASELINE),
            scenario.confidence,
        )
        return Judgement(_sticky(decided, (index, ""), judged.verdict), judged.detail)
    if isinstance(expectation, StatusMix):
        return _status(expectation, scoped, scenario.confidence, decided, index)
    judge = _JUDGES[type(expectation)]
    judged = judge(expectation, scoped, audit_rows, scenario.confidence)
    if final and (overrun := _admitted_past_rate(expectation, scoped)) is not None:
        return Judgement(Verdict.FAIL, f"{overrun}; {judged.detail}")
    provoking = isinstance(expectation, ToolErrors | CodesSeen | ToolsAdmitted)
    if provoking and final and not judged.verdict.decided and len(scoped) >= MIN_PROVOKED:
        if (unprovoked := _never_outran(expectation, scoped)) is not None:
            return Judgement(Verdict.INCONCLUSIVE, f"{judged.detail}; {unprovoked}")
        ended = f"the method ended after {len(scoped)} requests of the phase"
        return Judgement(Verdict.FAIL, f"{judged.detail}; {ended}")
    return judged


def _never_outran(expectation: object, outcomes: Sequence[Outcome]) -> str | None:
    """Why the codes were never owed, if they are owed only past a rate none outran."""
    bucket = getattr(expectation, "owed_past_rate", None)
    if bucket is None:
        return None
    most = outran(outcomes, bucket.per_second, bucket.burst)
    if most.owed:
        return None
    return (
        f"no tenant's requests outran {bucket.per_second:g}/s with a burst of {bucket.burst:g}"
        f" (the system answered too slowly to be over its rate)"
    )


def _admitted_past_rate(expectation: object, outcomes: Sequence[Outcome]) -> str | None:
    """How a tenant's successful calls overran the bucket the refusals are owed past, if
    they did: refusing past the tool's whole limit is not refusing past the tenant's.
    Judged once the method is over (an answer still in flight may widen a span)."""
    bucket = getattr(expectation, "owed_past_rate", None)
    if bucket is None:
        return None
    for tool in getattr(expectation, "tool_errors", {}):
        if (overrun := overran(outcomes, tool, bucket.per_second, bucket.burst)) is not None:
            return overrun
    return None


def _sticky(decided: Decided, key: tuple[int, str], verdict: Verdict) -> Verdict:
    """The first decided verdict for `key`, recording `verdict` if it is the first."""
    if key not in decided and verdict.decided:
        decided[key] = verdict
    return decided.get(key, verdict)


def judge_status(bounds: Mapping[str, RatioBound], outcomes: Sequence[Outcome]) -> tuple[bool, str]:
    """Status shares against `{status: RatioBound}` as observed (the steady-state check)."""
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


def _status(
    e: StatusMix, outcomes: Sequence[Outcome], confidence: float, decided: Decided, index: int
) -> Judgement:
    own = [o for o in outcomes if o.attack is None]  # an attack's refusal is its point
    if not own:
        return Judgement(Verdict.INCONCLUSIVE, "no request of the scenario's own traffic")
    counts = Counter(o.observation.status for o in own)
    total = len(own)
    # a share is estimated over the requests sent into the phase (see CAUGHT_IN_FLIGHT)
    sampled = Counter(
        o.observation.status for o in own if not o.observation.extra.get(CAUGHT_IN_FLIGHT)
    )
    verdicts, parts = [], []
    for status, bound in e.status.items():
        hits = counts[status]
        if bound.threshold in (0.0, 1.0):  # a rule over every request, not a share to estimate
            verdicts.append(Verdict.of(bound.holds(hits / total)))
            parts.append(f"{status} {hits}/{total} ({bound})")
            continue
        hits, n = sampled[status], sampled.total()
        decision = decide_ratio(hits, n, bound.threshold, bound.at_most, confidence)
        verdict = _sticky(decided, (index, status), decision.verdict)
        verdicts.append(verdict)
        more = "" if verdict.decided else f", ~{decision.more_samples} more samples"
        parts.append(f"{status} {hits}/{n} sent in the phase ({bound}: {verdict}{more})")
    mix = ", ".join(f"{status} {count}" for status, count in counts.items())
    detail = f"{', '.join(parts)} at {confidence:.0%} (mix: {mix})"
    return Judgement(Verdict.worst(verdicts), detail)


def _percentile(
    e: LatencyPercentile, outcomes: Sequence[Outcome], _: object, c: float
) -> Judgement:
    return judge_percentile(e.latency_percentile, _latencies(outcomes), c)


_JUDGES: dict[type, Callable[..., Judgement]] = {
    ToolErrors: rules.tool_errors,
    CodesSeen: rules.codes_seen,
    ToolsAdmitted: rules.tools_admitted,
    WithinDeadline: rules.within_deadline,
    MaxLatency: rules.max_latency,
    LatencyPercentile: _percentile,
    NoCrossTenantData: rules.no_cross_tenant_data,
    AuditExactlyOnce: rules.audit_exactly_once,
    SecurityRefusals: rules.security_refusals,
    HonestStatus: rules.honest_status,
    BreakerOpensOnUpstream: rules.breaker_opens_on_upstream,
    FaultLanded: rules.fault_landed,
    AttacksAudited: rules.attacks_audited,
    AttacksContained: rules.attacks_contained,
}


def _baseline_bound(expectation: object) -> RelativeLatencyBound | AddedLatencyBound | None:
    """The bound of an expectation judged against the baseline, if it is one."""
    if isinstance(expectation, LatencyVsBaseline):
        return expectation.latency_vs_baseline
    if isinstance(expectation, LatencyAdded):
        return expectation.latency_added
    return None


def _sampled_statuses(outcomes: Iterable[Outcome]) -> Counter[str]:
    """Statuses of the scenario's own requests sent into the phase (see `_latencies`)."""
    return Counter(
        str(o.observation.status)
        for o in outcomes
        if o.attack is None and not o.observation.extra.get(CAUGHT_IN_FLIGHT)
    )


def _latencies(outcomes: object) -> list[float]:
    """Latencies of the scenario's own traffic sent into the phase: an attack's refusal is a
    different request, and one caught in flight by a phase change is no sample of either."""
    return sorted(
        o.observation.latency_ms
        for o in outcomes  # type: ignore[attr-defined]
        if o.attack is None and not o.observation.extra.get(CAUGHT_IN_FLIGHT)
    )


def _as_written(expectation: BaseModel) -> str:
    """The expectation as a scenario file writes it, on one line: what had to hold."""
    written = expectation.model_dump(mode="json", exclude={"phase", "needs"}, exclude_defaults=True)
    return ", ".join(f"{key}: {_flow(value)}" for key, value in written.items())


def _flow(value: object) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {_flow(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(item) for item in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def check_name(expectation: object) -> str:
    """The name of an expectation's check: its kind, and its phase if scoped."""
    kind = type(expectation).kind  # type: ignore[attr-defined]
    phase = getattr(expectation, "phase", None)
    return f"{kind} [{phase}]" if phase else kind

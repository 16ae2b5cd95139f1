"""Expectations that are rules over every request of their phase, judged on what was
observed: pure, one function per kind. A rule needs no confidence: one leaked row, one
late answer, one unrefused attack breaks it. Those that need a minimum of requests
before they have been put to the test say `inconclusive` until then.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from contract import status_of, upstream_health_codes
from scenarios.spec.expectations import (
    AttacksAudited,
    AttacksContained,
    AuditExactlyOnce,
    BreakerOpensOnUpstream,
    CodesSeen,
    FaultLanded,
    HonestStatus,
    MaxLatency,
    NoCrossTenantData,
    RefusedBeforeDatabase,
    SecurityRefusals,
    ToolErrors,
    ToolsAdmitted,
    WithinDeadline,
)
from slo import Judgement, Verdict

from .exchange import HARNESS_STALL, SECURITY_CODES, Outcome
from .statement_watch import SeenByDatabase

# "every attack is refused" is a rule, judged on every attack; below this many it has not
# been put to the test
MIN_ATTACKS = 12

AuditRows = Mapping[tuple[str, str], int]
"""Audit records per (tenant, request id)."""


def tool_errors(e: ToolErrors, outcomes: Sequence[Outcome], *_: object) -> Judgement:
    if e.traffic == "own":
        outcomes = [o for o in outcomes if o.attack is None]
    problems, waiting, seen = [], [], []
    for tool, allowed in e.tool_errors.items():
        codes = Counter(
            o.observation.tool_errors[tool] for o in outcomes if tool in o.observation.tool_errors
        )
        allowed_values = {code.value for code in allowed}
        seen.append(f"{tool}: {dict(codes) or 'no failure'}")
        if not allowed_values and codes:
            problems.append(f"{tool} should not fail")
        elif allowed_values and not codes:
            waiting.append(f"{tool} never failed (expected {sorted(allowed_values)})")
        elif set(codes) - allowed_values:
            problems.append(f"{tool} failed with {sorted(set(codes) - allowed_values)}")
    if problems:
        return Judgement(Verdict.FAIL, "; ".join(problems + seen))
    if waiting:
        return Judgement(Verdict.INCONCLUSIVE, "; ".join(waiting))
    return Judgement(Verdict.PASS, "; ".join(seen))


def codes_seen(e: CodesSeen, outcomes: Sequence[Outcome], *_: object) -> Judgement:
    missing = []
    for tool, wanted in e.codes_seen.items():
        codes = {o.observation.tool_errors.get(tool) for o in outcomes}
        missing += [f"{tool}: {code.value}" for code in wanted if code.value not in codes]
    if missing:
        waiting = f"not seen yet: {', '.join(missing)} in {len(outcomes)} requests"
        return Judgement(Verdict.INCONCLUSIVE, waiting)
    seen = f"seen in {len(outcomes)} requests: {', '.join(sorted(e.codes_seen))}"
    return Judgement(Verdict.PASS, seen)


def tools_admitted(e: ToolsAdmitted, outcomes: Sequence[Outcome], *_: object) -> Judgement:
    own = [o for o in outcomes if o.attack is None]
    admitted = {
        r["tool_id"]
        for o in own
        for r in o.answer.results
        if r.get("success") is True and r.get("fallback_used") is not True
    }
    missing = [tool for tool in e.tools_admitted if tool not in admitted]
    if missing:
        waiting = f"no success yet of {', '.join(missing)} in {len(own)} requests"
        return Judgement(Verdict.INCONCLUSIVE, waiting)
    return Judgement(
        Verdict.PASS, f"each admitted work in {len(own)} requests: {', '.join(e.tools_admitted)}"
    )


def within_deadline(e: WithinDeadline, outcomes: Sequence[Outcome], *_: object) -> Judgement:
    bound = e.within_deadline.deadline_ms + e.within_deadline.grace_ms
    slowest = max(o.observation.latency_ms for o in outcomes)
    detail = (
        f"slowest {slowest:.0f} ms of {len(outcomes)}; promise {e.within_deadline.deadline_ms:.0f}"
        f" ms + grace {e.within_deadline.grace_ms:.0f} ms"
    )
    return _late_answers(outcomes, bound, detail)


def max_latency(e: MaxLatency, outcomes: Sequence[Outcome], *_: object) -> Judgement:
    slowest = max(o.observation.latency_ms for o in outcomes)
    return _late_answers(
        outcomes, e.max_latency_ms, f"slowest {slowest:.0f} ms (bound {e.max_latency_ms:.0f} ms)"
    )


def _late_answers(outcomes: Sequence[Outcome], bound_ms: float, detail: str) -> Judgement:
    """Fails on an answer past `bound_ms` by the system's doing: later than the bound even
    without the time the harness's own loop stalled while it was in flight. Answers late
    only by the harness's stall leave the rule inconclusive: the harness cannot tell."""
    late = [o for o in outcomes if o.observation.latency_ms > bound_ms]
    if not late:
        return Judgement(Verdict.PASS, detail)
    system_late = [o for o in late if o.observation.latency_ms - _stall_ms(o) > bound_ms]
    if system_late:
        return Judgement(Verdict.FAIL, f"{len(system_late)} answers late; {detail}")
    stall = max(_stall_ms(o) for o in late)
    return Judgement(
        Verdict.INCONCLUSIVE,
        f"{len(late)} answers read late, each by less than the harness's own loop stalled "
        f"while it was in flight (up to {stall:.0f} ms: the machine is too busy to judge "
        f"the deadline); {detail}",
    )


def _stall_ms(outcome: Outcome) -> float:
    return float(outcome.observation.extra.get(HARNESS_STALL, 0.0))


def no_cross_tenant_data(
    _e: NoCrossTenantData, outcomes: Sequence[Outcome], *_: object
) -> Judgement:
    leaks = [o for o in outcomes if o.leaked_tenants]
    if leaks:
        first = leaks[0]
        return Judgement(
            Verdict.FAIL,
            f"{len(leaks)} answers held other tenants' rows, e.g. "
            f"{first.observation.tenant} saw {sorted(first.leaked_tenants)}",
        )
    return Judgement(Verdict.PASS, f"{len(outcomes)} answers, none with another tenant's rows")


def audit_exactly_once(
    _e: AuditExactlyOnce,
    outcomes: Sequence[Outcome],
    audit_rows: AuditRows | None,
    _: float,
) -> Judgement:
    """Every orchestrated request has one record, whatever its tool calls said: an answer
    owes it unless its audit call said the storage could not take it (`audit_owed`)."""
    if audit_rows is None:
        return Judgement(Verdict.INCONCLUSIVE, "audit records were not counted")
    owed = {(o.observation.tenant, o.observation.request_id) for o in outcomes if o.audit_owed}
    acknowledged = {
        (o.observation.tenant, o.observation.request_id) for o in outcomes if o.audit_acknowledged
    }
    missing = [key for key in owed | acknowledged if audit_rows.get(key, 0) == 0]
    doubled = [key for key, n in audit_rows.items() if n > 1]
    if missing or doubled:
        unacknowledged = sum(key not in acknowledged for key in missing)
        return Judgement(
            Verdict.FAIL,
            f"{len(missing)} answered requests without a record ({unacknowledged} of them "
            f"with no audit acknowledged, e.g. {sorted(missing)[:1]}), {len(doubled)} doubled",
        )
    return Judgement(
        Verdict.PASS,
        f"{len(owed | acknowledged)} answered requests owing a record "
        f"({len(acknowledged)} acknowledged), one record each",
    )


def security_refusals(e: SecurityRefusals, outcomes: Sequence[Outcome], *_: object) -> Judgement:
    attacks = [o for o in outcomes if o.attack is not None]
    wanted = {c.value for c in e.security_refusals.codes} or SECURITY_CODES
    unrefused = [o for o in attacks if not (o.refusal_codes & wanted)]
    if unrefused:
        first = unrefused[0]
        return Judgement(
            Verdict.FAIL,
            f"{len(unrefused)} of {len(attacks)} attacks not refused with "
            f"{sorted(wanted)}, e.g. {first.attack} answered {first.observation.status}",
        )
    if len(attacks) < MIN_ATTACKS:
        return Judgement(
            Verdict.INCONCLUSIVE,
            f"{len(attacks)} of the {MIN_ATTACKS} attack requests needed, all refused",
        )
    return Judgement(Verdict.PASS, f"all {len(attacks)} attack requests refused ({sorted(wanted)})")


def honest_status(_e: HonestStatus, outcomes: Sequence[Outcome], *_: object) -> Judgement:
    """Each answer's status against the one its results imply: a call cut by a fault may
    fail, but then the answer cannot say `success`, whatever else came back complete."""
    answers = [o for o in outcomes if o.answer.results and o.answer.failure is None]
    dishonest = []
    for o in answers:
        implied = status_of(
            (r["success"], r.get("fallback_used") is True) for r in o.answer.results
        )
        if implied != o.observation.status:
            dishonest.append((o, implied))
    if dishonest:
        first, implied = dishonest[0]
        return Judgement(
            Verdict.FAIL,
            f"{len(dishonest)} of {len(answers)} answers misstate their status, e.g. "
            f"{first.observation.request_id} says {first.observation.status} where its "
            f"results imply {implied}",
        )
    return Judgement(Verdict.PASS, f"{len(answers)} answers, each status the one its results imply")


UPSTREAM_CODES = frozenset(code.value for code in upstream_health_codes())


def breaker_opens_on_upstream(
    _e: BreakerOpensOnUpstream, outcomes: Sequence[Outcome], *_: object
) -> Judgement:
    """Each tool that answered `circuit_open` also failed upstream in the run: a breaker
    opened by callers' own errors (`invalid_arguments`, `unsafe_query`...) refuses the
    tool for nothing the upstream did."""
    refused: Counter[str] = Counter()
    failed_upstream: Counter[str] = Counter()
    for o in outcomes:
        for tool, code in o.observation.tool_errors.items():
            if code == "circuit_open":
                refused[tool] += 1
            elif code in UPSTREAM_CODES:
                failed_upstream[tool] += 1
    unjustified = sorted(tool for tool in refused if not failed_upstream[tool])
    if unjustified:
        tool = unjustified[0]
        others = Counter(
            o.observation.tool_errors[tool] for o in outcomes if tool in o.observation.tool_errors
        )
        return Judgement(
            Verdict.FAIL,
            f"{tool} answered circuit_open {refused[tool]} times with no upstream failure "
            f"in the run (its failures: {dict(others)})",
        )
    seen = ", ".join(f"{tool}: {n}" for tool, n in sorted(refused.items())) or "none"
    return Judgement(Verdict.PASS, f"circuit_open only after upstream failures ({seen})")


def fault_landed(e: FaultLanded, outcomes: Sequence[Outcome], *_: object) -> Judgement:
    """Each named tool failed, with the listed codes only. A tool that never failed means
    the fault never reached it: that is inconclusive, however long the phase ran."""
    problems, missing, seen = [], [], []
    for tool, allowed in e.fault_landed.items():
        codes = Counter(
            o.observation.tool_errors[tool] for o in outcomes if tool in o.observation.tool_errors
        )
        allowed_values = {code.value for code in allowed}
        if set(codes) - allowed_values:
            problems.append(f"{tool} failed with {sorted(set(codes) - allowed_values)}")
        landed = sum(n for code, n in codes.items() if code in allowed_values)
        if not landed:
            missing.append(tool)
        seen.append(f"{tool}: {dict(codes) or 'no failure'}")
    if problems:
        return Judgement(Verdict.FAIL, "; ".join(problems + seen))
    if missing:
        return Judgement(
            Verdict.INCONCLUSIVE,
            f"the fault never reached {', '.join(missing)} in {len(outcomes)} requests "
            f"(no failure with the codes it causes)",
        )
    return Judgement(Verdict.PASS, "the fault landed: " + "; ".join(seen))


def attacks_audited(e: AttacksAudited, outcomes: Sequence[Outcome], *_: object) -> Judgement:
    """The attack must have reached the audit path for the audit rules to test anything."""
    attacks = [o for o in outcomes if o.attack is not None]
    if len(attacks) < e.attacks_audited:
        sent = f"{len(attacks)} of the {e.attacks_audited} attack requests sent"
        return Judgement(Verdict.INCONCLUSIVE, sent)
    unaudited = [o for o in attacks if not o.audit_acknowledged]
    if unaudited:
        labels = Counter(o.answer.label for o in unaudited)
        return Judgement(
            Verdict.INCONCLUSIVE,
            f"{len(unaudited)} of {len(attacks)} attack requests never reached the audit "
            f"path ({', '.join(f'{label}: {n}' for label, n in labels.most_common())})",
        )
    return Judgement(Verdict.PASS, f"all {len(attacks)} attack requests answered and audited")


def attacks_contained(e: AttacksContained, outcomes: Sequence[Outcome], *_: object) -> Judgement:
    """No answer to an attack holds another tenant's rows; a refusal and an honest empty
    answer both pass. Only an answered attack (HTTP 200) tested the system: one refused up
    front (a 4xx before anything ran) tested nothing, so too few answered is inconclusive."""
    attacks = [o for o in outcomes if o.attack is not None]
    leaked = [o for o in attacks if o.leaked_tenants]
    if leaked:
        tenants = sorted(set().union(*(o.leaked_tenants for o in leaked)))
        return Judgement(
            Verdict.FAIL,
            f"{len(leaked)} of {len(attacks)} attack answers hold rows of {', '.join(tenants)}",
        )
    answered = [o for o in attacks if o.answer.failure is None]
    wanted = {code.value for code in e.attacks_contained.refused_with}
    ran = [o for o in answered if wanted and not set(o.observation.tool_errors.values()) & wanted]
    if ran:
        first = ran[0].observation
        return Judgement(
            Verdict.FAIL,
            f"{len(ran)} of {len(answered)} answered attacks not refused with {sorted(wanted)}, "
            f"e.g. {ran[0].attack} answered {first.status} "
            f"({first.tool_errors or 'no call failed'})",
        )
    outcome_mix = dict(Counter(_attack_outcome(o) for o in attacks))
    if len(answered) < MIN_ATTACKS:
        return Judgement(
            Verdict.INCONCLUSIVE,
            f"{len(answered)} of the {MIN_ATTACKS} answered attack requests needed "
            f"(the others never reached the system: {outcome_mix})",
        )
    return Judgement(
        Verdict.PASS,
        f"{len(answered)} attacks answered, none with another tenant's rows: {outcome_mix}",
    )


def _attack_outcome(o: Outcome) -> str:
    """`success`, a failed call's code, or how the request was refused before it ran."""
    if o.answer.failure is not None:
        return o.answer.label
    codes = sorted(set(o.observation.tool_errors.values()))
    return "/".join(codes) if codes else o.observation.status


def refused_before_database(
    _e: RefusedBeforeDatabase, outcomes: Sequence[Outcome], seen: SeenByDatabase | None
) -> Judgement:
    """No statement of the system's roles in the database's log names an attack's SQL. Put
    to the test only when the attacks were answered and the log shows the system's own
    statements (the log did see it); otherwise inconclusive, never a pass."""
    if seen is None or seen.unreadable is not None:
        why = seen.unreadable if seen is not None else "the database's log was not read"
        return Judgement(Verdict.INCONCLUSIVE, why)
    reached = {mark: n for mark, n in seen.marked.items() if n}
    answered = [o for o in outcomes if o.attack is not None and o.answer.failure is None]
    if reached:
        counts = ", ".join(f"{mark}: {n}" for mark, n in sorted(reached.items()))
        return Judgement(
            Verdict.FAIL,
            f"the database saw the attack's SQL from the system ({counts} statements, "
            f"{len(answered)} attacks answered), e.g. {seen.example!r}",
        )
    if len(answered) < MIN_ATTACKS:
        return Judgement(
            Verdict.INCONCLUSIVE,
            f"{len(answered)} of the {MIN_ATTACKS} answered attack requests needed",
        )
    if not seen.system_statements:
        return Judgement(
            Verdict.INCONCLUSIVE,
            "the database's log shows no statement of the system: it logs no statements",
        )
    return Judgement(
        Verdict.PASS,
        f"{len(answered)} attacks answered; none of their SQL "
        f"({', '.join(sorted(seen.marked))}) in the database's log, which holds "
        f"{seen.system_statements} statements of the system's own",
    )

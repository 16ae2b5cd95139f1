"""What a load run checks about itself, beside the SLO: nothing lost, nothing doubled, faults
applied on time; and the measurement note (`load.json`) written beside the reports."""

from __future__ import annotations

import json
from pathlib import Path

from load.inputs.profile import LoadProfile
from load.transport.observations import MergeResult
from slo import Check, Verdict

from .chaos_driver import AppliedFault, ChaosLog
from .drive import DriveOutcome
from .topology import Topology

# Phases are labelled on the master's clock by the workers' timestamps: a worker this far
# off moves requests across a fault window's edges by as much.
CLOCK_TOLERANCE_S = 0.5


def integrity_checks(
    merge: MergeResult,
    chaos_log: ChaosLog,
    outcome: DriveOutcome,
    locust_requests: int | None,
    *,
    topology: Topology,
    interrupted: bool,
) -> list[Check]:
    """Every check the run makes of itself, in the order the report shows them."""
    checks = [
        *_delivery_checks(merge, outcome),
        _locust_exit_check(outcome, interrupted),
        _clock_check(merge),
        *_early_end_checks(outcome, interrupted),
    ]
    if locust_requests is not None and not topology.distributed:
        # A master's figure comes through Locust's report channel, which drops the last
        # report at shutdown: only a single local runner's count is exact.
        checks.append(_locust_count_check(locust_requests, merge.count))
    return checks + [_fault_check(applied) for applied in chaos_log.applied]


def _delivery_checks(merge: MergeResult, outcome: DriveOutcome) -> list[Check]:
    """Each request recorded exactly once, every worker's last batch included."""
    per_worker = ", ".join(f"{w} {n}" for w, n in sorted(merge.per_worker.items())) or "none"
    return [
        Check(
            "load",
            "no request counted twice",
            Verdict.of(not merge.duplicates),
            f"{merge.duplicates} duplicate request ids",
        ),
        Check(
            "load",
            "every worker delivered its final batch",
            Verdict.of(not outcome.incomplete_workers and bool(merge.per_worker)),
            f"incomplete: {', '.join(outcome.incomplete_workers)}"
            if outcome.incomplete_workers
            else f"{len(merge.per_worker)} worker(s) complete",
        ),
        Check(
            "load",
            "no request lost",
            Verdict.of(merge.lost == 0 and merge.sent_totals == merge.per_worker),
            f"{merge.count} merged observations = per worker ({per_worker}); "
            f"Locust's request events: {sum(merge.requests_reported.values())}",
        ),
    ]


def _locust_exit_check(outcome: DriveOutcome, interrupted: bool) -> Check:
    return Check(
        "load",
        "Locust exited cleanly",
        Verdict.of(outcome.locust_exit == 0 or interrupted),
        f"exit code {outcome.locust_exit}",
    )


def _clock_check(merge: MergeResult) -> Check:
    skewed = {w: o for w, o in merge.clock_offsets_s.items() if abs(o) > CLOCK_TOLERANCE_S}
    return Check(
        "load",
        "worker clocks agree with the master's",
        Verdict.of(not skewed),
        ", ".join(f"{w} {o:+.2f}s" for w, o in sorted(skewed.items()))
        or f"within {CLOCK_TOLERANCE_S:g}s",
    )


def _early_end_checks(outcome: DriveOutcome, interrupted: bool) -> list[Check]:
    """A run cut short (Ctrl-C, SIGTERM, a stop condition) fails for that reason, named."""
    checks = []
    if interrupted:
        checks.append(
            Check("load", "run completed", Verdict.FAIL, "interrupted (Ctrl-C or SIGTERM)")
        )
    if outcome.tripped is not None:
        checks.append(
            Check("load", "no stop condition tripped", Verdict.FAIL, str(outcome.tripped))
        )
    return checks


def _locust_count_check(locust_requests: int, merged: int) -> Check:
    return Check(
        "load",
        "Locust's own count matches",
        Verdict.of(locust_requests == merged),
        f"Locust JSON summary {locust_requests}, merged observations {merged}",
    )


def _fault_check(applied: AppliedFault) -> Check:
    return Check(
        "chaos",
        f"fault {applied.span.fault.kind} applied and rolled back on time",
        Verdict.of(applied.error is None and applied.ended is not None),
        applied.error or _timing(applied),
    )


def _timing(applied: AppliedFault) -> str:
    if applied.started is None or applied.ended is None:
        return "not applied"
    return f"active {applied.ended - applied.started:.1f}s (planned from {applied.span.label})"


def write_measurement_note(
    out_dir: Path,
    profile: LoadProfile,
    merge: MergeResult,
    chaos_log: ChaosLog,
    outcome: DriveOutcome,
    interrupted: bool,
) -> None:
    arrival = profile.shape.kind == "constant_arrival"
    how = (
        "constant arrival rate: each request has a scheduled send time; latency_ms is measured "
        "from that scheduled time to the answer, so a send delayed by a slow service counts its "
        "wait (coordinated-omission-free); extra.service_ms is the time from the actual send"
        if arrival
        else "closed model: latency_ms is from the actual send to the full answer, "
        "as Locust measures it"
    )
    note = {
        "profile": profile.name,
        "latency_measurement": how,
        "interrupted": interrupted,
        "stopped_by": str(outcome.tripped) if outcome.tripped is not None else None,
        "merged_observations": merge.count,
        "observations_per_worker": merge.per_worker,
        "sent_per_worker": merge.sent_totals,
        "locust_request_events_per_worker": merge.requests_reported,
        "clock_offset_s_per_worker": merge.clock_offsets_s,
        "faults": [
            {
                "kind": a.span.fault.kind,
                "planned": a.span.label,
                "started": a.started,
                "ended": a.ended,
                "error": a.error,
            }
            for a in chaos_log.applied
        ],
    }
    (out_dir / "load.json").write_text(json.dumps(note, indent=2), encoding="utf-8")

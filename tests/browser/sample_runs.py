"""Realistic sample runs for the report pages: a chaos suite and a spike load, generated
with a fixed seed and written through the real observation writer, evaluation and report
writer (`python -m tests.browser.sample_runs OUT_DIR` writes both)."""

from __future__ import annotations

import random
import sys
from pathlib import Path

from slo.evaluation import evaluate
from slo.loader import load_slo_file
from slo.reports import write_reports
from slo.results import Check
from slo.verdict import Verdict
from vocabulary import FaultWindow, Observation, Phase, write_observations

EXAMPLES = Path(__file__).resolve().parents[2] / "slo" / "examples"
START = 1_760_000_000.0
INTENTS = ("service_overview", "incident_search", "metrics_query", "recent_deploys")
TENANTS = ("acme", "globex", "initech")


def chaos_observations(rng: random.Random) -> tuple[list[Observation], list[FaultWindow]]:
    """Two scenarios, 10 s apart (a gap with no request): an ops-db outage that makes answers
    partial or degraded, then a metrics latency fault that slows them up to the deadline."""
    observations: list[Observation] = []
    windows: list[FaultWindow] = []
    clock = START
    for scenario, fault, (partial, degraded, failed), slow_ms in (
        ("ops-db-outage", "ops-db outage (connection reset)", (0.55, 0.25, 0.03), 400.0),
        ("metrics-latency", "metrics latency 2000 ms", (0.35, 0.05, 0.01), 2300.0),
    ):
        for phase, seconds in ((Phase.BASELINE, 20), (Phase.FAULT, 30), (Phase.RECOVERY, 20)):
            if phase is Phase.FAULT:
                windows.append(FaultWindow(clock, clock + seconds, fault))
            end = clock + seconds
            while clock < end:
                roll = rng.random()
                if phase is Phase.FAULT:
                    status = (
                        "failed"
                        if roll < failed
                        else "degraded"
                        if roll < failed + degraded
                        else "partial"
                        if roll < failed + degraded + partial
                        else "success"
                    )
                    latency = rng.lognormvariate(0, 0.35) * slow_ms
                else:
                    status = "failed" if roll < 0.002 else "success"
                    latency = rng.lognormvariate(0, 0.5) * 60
                observations.append(
                    _observation(rng, clock, "scenario", scenario, phase, status, latency)
                )
                clock += rng.expovariate(8.0)
        clock += 10.0
    return observations, windows


def load_observations(rng: random.Random) -> tuple[list[Observation], list[FaultWindow]]:
    """A spike profile over 120 s (10 users, 60 at 50-70 s, back to 10), closed loop (each user
    waits for its answer, then thinks ~0.5 s), with ops-db latency injected at 80-100 s."""
    fault = FaultWindow(START + 80, START + 100, "ops-db latency 800 ms")

    def users_at(second: float) -> int:
        return 60 if 50 <= second < 70 else 10 if second < 110 else 4

    observations = []
    for user in range(60):
        clock = START + rng.uniform(0, 1)
        while clock < START + 120:
            second = clock - START
            if user >= users_at(second):
                clock += 1.0
                continue
            in_fault = fault.start <= clock < fault.end
            load = users_at(second) / 10
            latency = rng.lognormvariate(0, 0.45) * (45 + 25 * load) + (800 if in_fault else 0)
            roll = rng.random()
            bad = 0.25 if in_fault else 0.004 * load
            status = "partial" if roll < bad else "degraded" if roll < bad * 1.04 else "success"
            errors = {"direct_query": "timeout"} if status != "success" else {}
            observations.append(
                _observation(rng, clock, "load", "spike", Phase.BASELINE, status, latency, errors)
            )
            clock += latency / 1000 + rng.expovariate(2.0)
    observations.sort(key=lambda obs: obs.ts)
    return observations, [fault]


def _observation(
    rng: random.Random,
    ts: float,
    source: str,
    scenario: str,
    phase: Phase,
    status: str,
    latency_ms: float,
    tool_errors: dict[str, str] | None = None,
) -> Observation:
    return Observation(
        ts=ts,
        source=source,
        scenario=scenario,
        phase=phase,
        request_id=f"{rng.getrandbits(64):016x}",
        tenant=rng.choice(TENANTS),
        intent=rng.choices(INTENTS, weights=(4, 3, 2, 1))[0],
        status=status,
        latency_ms=round(latency_ms, 3),
        tool_errors=tool_errors or {},
    )


def write_sample(out_dir: Path, kind: str, *, interrupted: bool = False) -> dict[str, Path]:
    """Write the `chaos` or `load` sample run's observations and reports into `out_dir`."""
    rng = random.Random(2024)
    if kind == "chaos":
        observations, windows = chaos_observations(rng)
        spec, title = load_slo_file(EXAMPLES / "chaos-core.yaml"), "Gauntlet chaos suite"
        checks = [
            Check(
                "ops-db-outage", "status during fault", Verdict.PASS, "partial 55% (<= 70%) of 240"
            ),
            Check(
                "metrics-latency", "no cross-tenant rows", Verdict.PASS, "0 rows from other tenants"
            ),
            Check(
                "metrics-latency", "audit exactly once", Verdict.FAIL, "2 of 512 records missing"
            ),
        ]
    else:
        observations, windows = load_observations(rng)
        spec, title = load_slo_file(EXAMPLES / "load.yaml"), "Gauntlet load: spike"
        checks = [
            Check("load", "no request lost", Verdict.PASS, f"{len(observations)} observations")
        ]
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "observations.jsonl"
    with path.open("w", encoding="utf-8") as stream:
        write_observations(stream, observations)
    evaluation = evaluate(observations, spec)
    return write_reports(
        out_dir,
        evaluation,
        checks=checks,
        fault_windows=windows,
        title=title,
        observations=[path],
        interrupted=interrupted,
    )


if __name__ == "__main__":
    root = Path(sys.argv[1])
    for sample in ("chaos", "load"):
        print(write_sample(root / sample, sample)["html"])

"""Record the golden runs: seeded observation files and what the evaluator made of them.

The golden outputs were first recorded with the streaming, per-record evaluator that the
columnar engine replaced; `test_golden.py` holds the engine to them. Re-record only when a
statistic changes on purpose, and say so in the commit.

    .venv/bin/python tests/slo/golden/record.py [--observations-only]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from slo.evaluation import evaluate  # noqa: E402
from slo.spec import SloSpec  # noqa: E402
from vocabulary import read_observations  # noqa: E402

START = 1_700_000_000.0
INTENTS = ("incident_lookup", "capacity", "audit_trail", "topology")
TOOLS = ("direct_query", "metrics", "logs")


def chaos_run(rng: random.Random) -> list[dict[str, object]]:
    """Three scenarios, each baseline -> fault -> recovery, uneven spacing, tool errors."""
    records: list[dict[str, object]] = []
    for scenario_index, scenario in enumerate(("db-latency", "metrics-reset", "burst")):
        ts = START + scenario_index * 200.0
        for phase, seconds, bad, slow in (
            ("baseline", 50.0, 0.01, 40.0),
            ("fault", 40.0, 0.2, 400.0),
            ("recovery", 60.0, 0.01, 45.0),
        ):
            end = ts + seconds
            while ts < end:
                roll = rng.random()
                status = (
                    "failed"
                    if roll < bad / 3
                    else "partial"
                    if roll < bad
                    else "degraded"
                    if roll < bad * 1.2
                    else "success"
                )
                if phase == "recovery" and ts - (end - seconds) < 8:
                    status = "failed" if roll < 0.3 else status  # slow to recover at first
                errors = {}
                if status != "success":
                    errors[rng.choice(TOOLS)] = rng.choice(("timeout", "connection_error"))
                records.append(
                    {
                        "ts": round(ts, 6),
                        "source": "scenario",
                        "scenario": scenario,
                        "phase": phase,
                        "request_id": f"r{len(records)}",
                        "tenant": f"t{rng.randrange(3)}",
                        "intent": rng.choice(INTENTS),
                        "status": status,
                        "latency_ms": round(rng.lognormvariate(0, 0.6) * slow, 3),
                        "tool_errors": errors,
                        "fallback_used": status == "partial",
                        "extra": {"worker": rng.randrange(2)},
                    }
                )
                ts += rng.expovariate(9.0)
    return records


def load_run(rng: random.Random, count: int) -> list[dict[str, object]]:
    """A steady load run: a few thousand requests per intent, no phases but baseline."""
    records: list[dict[str, object]] = []
    for index in range(count):
        roll = rng.random()
        status = "failed" if roll < 0.0008 else "partial" if roll < 0.03 else "success"
        records.append(
            {
                "ts": START + index * 0.05,
                "source": "load",
                "scenario": "steady",
                "phase": "baseline",
                "intent": INTENTS[index % 4],
                "tenant": f"t{index % 5}",
                "status": status,
                "latency_ms": rng.expovariate(1 / 70.0),
                "tool_errors": {"metrics": "timeout"} if status == "partial" else {},
                "fallback_used": status == "partial",
            }
        )
    return records


def tiny_run(rng: random.Random) -> list[dict[str, object]]:
    return [
        {
            "ts": START + i * 0.3,
            "scenario": "tiny",
            "status": "success",
            "latency_ms": rng.uniform(5, 50),
        }
        for i in range(17)
    ]


CHAOS_SPEC = {
    "name": "golden-chaos",
    "filters": {"source": "scenario"},
    "objectives": [
        {"name": "answered", "ratio": "answered", "min": 0.97},
        {"name": "failed in faults", "ratio": "failed", "max": 0.05, "filters": {"phase": "fault"}},
        {
            "name": "failed outside faults",
            "ratio": "failed",
            "max": 0.02,
            "filters": {"phase": ["baseline", "recovery"]},
        },
        {"name": "partial per scenario", "ratio": "partial", "max": 0.1, "per": "scenario"},
        {"name": "fallback", "ratio": "fallback", "max": 0.05},
        {"name": "not ok", "ratio": "status_in", "statuses": ["failed", "degraded"], "max": 0.05},
        {"name": "logs errors", "ratio": "tool_error", "tool": "logs", "max": 0.01},
        {
            "name": "metrics timeouts",
            "ratio": "tool_error",
            "tool": "metrics",
            "error_code": "timeout",
            "max": 0.01,
        },
        {"name": "p99", "latency": "p99", "max_ms": 3000},
        {"name": "p95 per intent", "latency": "p95", "max_ms": 500, "per": "intent"},
        {"name": "p50 calm", "latency": "p50", "max_ms": 60, "filters": {"phase": "baseline"}},
        {"name": "failed per 20 s", "ratio": "failed", "max": 0.1, "window_s": 20},
        {
            "name": "answered per 30 s",
            "ratio": "answered",
            "min": 0.9,
            "window_s": 30,
            "windows_required": 0.8,
        },
        {
            "name": "fault vs calm",
            "ratio": "failed",
            "max": 0.3,
            "filters": {"phase": "fault"},
            "compare_with_phase": "baseline",
            "per": "scenario",
        },
        {"name": "recovers", "recovers_within_s": 10},
        {"name": "recovers fast", "recovers_within_s": 2, "stable_for_s": 3},
        {"name": "nobody", "ratio": "failed", "max": 0.1, "filters": {"scenario": "absent"}},
    ],
}

LOAD_SPEC = {
    "name": "golden-load",
    "min_samples": 200,
    "objectives": [
        {"name": "failed", "ratio": "failed", "max": 0.001},
        {"name": "answered", "ratio": "answered", "min": 0.999},
        {"name": "partial per tenant", "ratio": "partial", "max": 0.05, "per": "tenant"},
        {"name": "p99 per intent", "latency": "p99", "max_ms": 400, "per": "intent"},
        {"name": "p50 per intent", "latency": "p50", "max_ms": 45, "per": "intent"},
        {"name": "failed per minute", "ratio": "failed", "max": 0.01, "window_s": 60},
    ],
}

TINY_SPEC = {
    "name": "golden-tiny",
    "objectives": [
        {"name": "failed", "ratio": "failed", "max": 0.05},
        {"name": "p95", "latency": "p95", "max_ms": 100},
        {"name": "recovers", "recovers_within_s": 5},
    ],
}

RUNS = {
    "chaos": (lambda: chaos_run(random.Random(11)), CHAOS_SPEC),
    "load": (lambda: load_run(random.Random(12), 6_000), LOAD_SPEC),
    "tiny": (lambda: tiny_run(random.Random(13)), TINY_SPEC),
}


def evaluation_document(evaluation: object) -> dict[str, object]:
    document = dataclasses.asdict(evaluation)  # type: ignore[call-overload]
    document.pop("spec")
    return document


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--observations-only", action="store_true")
    args = parser.parse_args()
    for name, (make, spec) in RUNS.items():
        path = HERE / f"{name}.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in make()), encoding="utf-8")
        (HERE / f"{name}.slo.json").write_text(json.dumps(spec, indent=1) + "\n")
        if args.observations_only:
            continue
        evaluation = evaluate(read_observations(path), SloSpec.model_validate(spec))
        golden = HERE / f"{name}.golden.json"
        golden.write_text(json.dumps(evaluation_document(evaluation), indent=1) + "\n")
        print(f"{path.name}: {evaluation.observations} observations -> {golden.name}")


if __name__ == "__main__":
    main()

"""How often does `--baseline` catch a healthy-phase regression, and how often does it flag a
build that did not change? Measured on real core-suite runs.

    python bench/baseline_power.py [--quick] [--replicates N] [--shift 0.30] [--runs NAME ...]
    python bench/baseline_power.py --record RUN_DIR --state STATE [--name NAME]

`--record` keeps the healthy-phase requests (scenario, intent, status, latency) of a finished
`gauntlet run --out RUN_DIR` in bench/baseline_runs/, with the machine's state: `quiet`,
`neighbour` (beside `python3 -c 'while True: pass'`), or another word for another state (a
run that had a test suite beside it is in a state of its own). The benchmark then compares
every ordered pair of recorded runs in the same machine state, as `gauntlet run --baseline`
would:

- false alarms: the pair as recorded (the same build twice: any flag is false), and
  `--replicates` bootstrap replicates of it (each cell's requests resampled in both runs,
  keeping the run-to-run drift and adding sampling noise);
- power: the same, with the later run's healthy latencies made `--shift` slower;
- the sampling test alone (no margin): what a test on requests alone would flag.

Writes bench/results/baseline_power.json (not with --quick: two replicates, a check that the
benchmark runs, no measurement; not with --runs: a subset).
"""

from __future__ import annotations

import argparse
import gzip
import json
import shlex
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))

from slo.healthy import HealthyCell, cell_of  # noqa: E402
from slo.healthy_regression import LATENCY_MARGIN, compare_healthy  # noqa: E402

RUNS = BENCH / "baseline_runs"
INDEX = RUNS / "index.json"
RESULT = BENCH / "results" / "baseline_power.json"
CONFIDENCE = 0.95  # the core suite's SLO file
Samples = dict[tuple[str, str], tuple[np.ndarray, list[str]]]


def main() -> int:
    args = _arguments()
    if args.record:
        return _record(Path(args.record), args.state, args.name)
    runs = {name: run for name, run in _recorded().items() if not args.runs or name in args.runs}
    replicates = 2 if args.quick else args.replicates
    rng = np.random.default_rng(20261207)
    document: dict[str, Any] = {
        "command": shlex.join(["python", "bench/baseline_power.py", *sys.argv[1:]]),
        "shift": args.shift,
        "latency_margin": LATENCY_MARGIN,
        "replicates_per_pair": replicates,
        "runs": {
            name: {"state": run["state"], "load": run.get("load")} for name, run in runs.items()
        },
        "states": {},
    }
    for state in sorted({run["state"] for run in runs.values()}):
        names = [name for name, run in runs.items() if run["state"] == state]
        pairs = [(a, b) for a in names for b in names if a != b]
        if pairs:
            document["states"][state] = _measure(runs, pairs, replicates, args.shift, rng)
    _print(document)
    if not args.quick and not args.runs:
        RESULT.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return 0


def _measure(
    runs: dict[str, Any], pairs: list[tuple[str, str]], replicates: int, shift: float, rng: Any
) -> dict[str, Any]:
    """Every pair as recorded, then its bootstrap replicates: same build, then shifted."""
    as_recorded = [_verdicts(runs[a]["samples"], runs[b]["samples"], shift) for a, b in pairs]
    resampled = [
        _verdicts(_resampled(runs[a]["samples"], rng), _resampled(runs[b]["samples"], rng), shift)
        for a, b in pairs
        for _ in range(replicates)
    ]
    return {
        "pairs": [f"{a} -> {b}" for a, b in pairs],
        "as_recorded": _rates(as_recorded) | {"flagged_pairs": _flagged(pairs, as_recorded)},
        "bootstrap": _rates(resampled),
    }


def _verdicts(before: Samples, now: Samples, shift: float) -> dict[str, Any]:
    old = _cells(before)
    same = compare_healthy("baseline", old, _cells(now), CONFIDENCE)
    slower = compare_healthy("baseline", old, _cells(now, 1 + shift), CONFIDENCE)
    sampling_only = compare_healthy("baseline", old, _cells(now), CONFIDENCE, latency_margin=0)
    return {
        "false_alarm": same.regressed,
        "false_alarm_lines": same.lines()[:3],
        "caught": slower.regressed,
        "caught_p50": any(v.regressed for v in slower.verdicts if v.measure == "p50"),
        "sampling_only_false_alarm": sampling_only.regressed,
        "pooled_p50_shift": {
            v.intent: round(v.shift, 3) for v in same.verdicts if v.measure == "p50" and v.shift
        },
    }


def _rates(verdicts: list[dict[str, Any]]) -> dict[str, Any]:
    count = len(verdicts)

    def share(key: str) -> float:
        return round(sum(v[key] for v in verdicts) / count, 4) if count else 0.0

    return {
        "comparisons": count,
        "false_alarm_rate": share("false_alarm"),
        "power": share("caught"),
        "power_p50": share("caught_p50"),
        "sampling_test_alone_false_alarm_rate": share("sampling_only_false_alarm"),
    }


def _flagged(pairs: list[tuple[str, str]], verdicts: list[dict[str, Any]]) -> list[Any]:
    return [
        {"pair": f"{a} -> {b}", "lines": v["false_alarm_lines"], "p50_shift": v["pooled_p50_shift"]}
        for (a, b), v in zip(pairs, verdicts, strict=True)
        if v["false_alarm"]
    ] or [
        {"pair": f"{a} -> {b}", "p50_shift": v["pooled_p50_shift"]}
        for (a, b), v in zip(pairs, verdicts, strict=True)
    ]


def _cells(samples: Samples, factor: float = 1.0) -> list[HealthyCell]:
    return [
        cell_of(scenario, intent, latencies * factor, Counter(statuses))
        for (scenario, intent), (latencies, statuses) in sorted(samples.items())
    ]


def _resampled(samples: Samples, rng: Any) -> Samples:
    """Each cell's requests drawn again with replacement, as many as it had."""
    out: Samples = {}
    for key, (latencies, statuses) in samples.items():
        picks = rng.integers(0, len(latencies), len(latencies))
        out[key] = (latencies[picks], [statuses[i] for i in picks])
    return out


def _recorded() -> dict[str, Any]:
    index = json.loads(INDEX.read_text(encoding="utf-8")) if INDEX.exists() else {}
    runs = {}
    for name, facts in index.items():
        grouped: dict[tuple[str, str], tuple[list[float], list[str]]] = defaultdict(
            lambda: ([], [])
        )
        with gzip.open(RUNS / f"{name}.jsonl.gz", "rt", encoding="utf-8") as lines:
            for line in lines:
                row = json.loads(line)
                latencies, statuses = grouped[(row["scenario"], row["intent"])]
                latencies.append(row["latency_ms"])
                statuses.append(row["status"])
        samples = {key: (np.array(lat), st) for key, (lat, st) in grouped.items()}
        runs[name] = dict(facts) | {"samples": samples}
    return runs


def _record(folder: Path, state: str | None, name: str | None) -> int:
    """Keep a run's healthy requests (the scenarios' own, phase baseline)."""
    if not state:
        print("baseline_power: --record needs --state (quiet, neighbour, ...)", file=sys.stderr)
        return 2
    name = name or folder.name
    kept = []
    with (folder / "observations.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            if row.get("phase") == "baseline" and row.get("source", "scenario") != "attack":
                keys = ("scenario", "intent", "status", "latency_ms")
                kept.append(json.dumps({key: row.get(key, "") for key in keys}))
    RUNS.mkdir(exist_ok=True)
    with gzip.open(RUNS / f"{name}.jsonl.gz", "wt", encoding="utf-8") as out:
        out.write("\n".join(kept) + "\n")
    index = json.loads(INDEX.read_text(encoding="utf-8")) if INDEX.exists() else {}
    index[name] = {"state": state, "load": _report_facts(folder)}
    INDEX.write_text(json.dumps(index, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"recorded {name} ({state}): {len(kept)} healthy requests")
    return 0


def _report_facts(folder: Path) -> dict[str, Any]:
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    return {"verdict": report["verdict"], "started": report["started"], "ended": report["ended"]}


def _print(document: dict[str, Any]) -> None:
    print(f"baseline power: +{document['shift']:.0%} healthy latency, margin {LATENCY_MARGIN:.0%}")
    totals = {"as_recorded": [0, 0.0], "bootstrap": [0, 0.0]}
    power = [0, 0.0]
    for state, figures in document["states"].items():
        for kind in totals:
            rates = figures[kind]
            print(
                f"  {state:<9} {kind:<11} {rates['comparisons']:>4} comparisons: false alarms "
                f"{rates['false_alarm_rate']:.1%} (sampling test alone "
                f"{rates['sampling_test_alone_false_alarm_rate']:.1%}), "
                f"power {rates['power']:.1%} (p50 {rates['power_p50']:.1%})"
            )
            totals[kind][0] += rates["comparisons"]
            totals[kind][1] += rates["false_alarm_rate"] * rates["comparisons"]
        rates = figures["bootstrap"]
        power[0] += rates["comparisons"]
        power[1] += rates["power"] * rates["comparisons"]
    alarms = totals["bootstrap"]
    print(f"false alarms / comparisons: {alarms[1] / alarms[0] if alarms[0] else 0:.4f}")
    print(f"caught / shifted comparisons: {power[1] / power[0] if power[0] else 0:.4f}")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="two replicates, no results file")
    parser.add_argument("--replicates", type=int, default=40, help="bootstrap replicates a pair")
    parser.add_argument("--shift", type=float, default=0.30, help="the regression to catch")
    parser.add_argument("--runs", nargs="+", metavar="NAME", help="only these recorded runs")
    parser.add_argument("--record", metavar="RUN_DIR", help="keep a finished run's healthy phase")
    parser.add_argument("--state", help="with --record: quiet, neighbour, or another state")
    parser.add_argument("--name", help="with --record: its name (default: the folder's)")
    return parser.parse_args()


if __name__ == "__main__":
    sys.exit(main())

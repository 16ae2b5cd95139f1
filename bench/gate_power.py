"""The gate's power: does the core suite fail deliberately broken builds, and pass the clean one?

    python bench/gate_power.py [--mutant NAME ...] [--only SCENARIO ...] [--full] [--out PATH]

Runs `gauntlet run` on the clean reference orchestrator (the whole core suite), then once
per mutant of bench/mutants/, one defect at a time and one run after another (the suites
share the machine's cores). A mutant is switched on from outside the product: its service
is `python bench/mutants/serve.py NAME`, given to `gauntlet run --target-command`; the
clean build is `python -m orchestrator.service`, given the same way.

By default a mutant runs only the scenarios aimed at its defect (its SCENARIOS), to keep
the whole benchmark within minutes; `--full` runs the whole suite for each mutant.
`--only` runs the clean build on those scenarios alone (to measure one scenario's false
alarms, or a mutant beside the clean run of its own scenarios), not the whole suite.
A mutant is caught by the checks and objectives that fail on it and not on the clean
build (so a check that also fails on the clean build is never counted as a catch).

Writes bench/results/gate_power.json after every run:
    {"clean": {"verdict": "pass", ...}, "mutants": [{"name", "caught", "by", ...}, ...]}
Exit code 0: every mutant caught and the clean build passed; 1 otherwise; 2 bad input.
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH / "mutants"))

from catalogue import load_mutant, mutant_names  # noqa: E402

GAUNTLET = [sys.executable, "-m", "scenarios.cli"]
RESULT = BENCH / "results" / "gate_power.json"
REFERENCE_PROMISES = ROOT / "orchestrator" / "promises.yaml"


def main() -> int:
    args = _arguments()
    names = args.mutant or mutant_names()
    try:
        mutants = {name: load_mutant(name) for name in names}
    except LookupError as exc:
        print(f"gate_power: {exc}", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="gate-power-"))
    document: dict[str, Any] = {
        "command": shlex.join(["python", "bench/gate_power.py", *sys.argv[1:]]),
        "subsets": not args.full,
        "reports": str(work),
        "clean": None,
        "mutants": [],
    }
    print(f"gate power: clean build + {len(mutants)} mutants; reports in {work}")
    clean = _run(None, args.only, work / "clean")
    document["clean"] = clean
    _write(args.out, document)
    _say("clean", clean["verdict"], clean["wall_s"], clean["failures"])
    clean_failures = set(clean["failures"])
    for name, module in mutants.items():
        scenarios = None if args.full else list(module.SCENARIOS)
        run = _run(name, scenarios, work / name)
        by = sorted(set(run["failures"]) - clean_failures)
        document["mutants"].append(
            {
                "name": name,
                "defect": module.DEFECT,
                "caught": bool(by),
                "by": by,
                "scenarios": scenarios or "all",
                "exit_code": run["exit_code"],
                "wall_s": run["wall_s"],
            }
        )
        _write(args.out, document)
        _say(name, "caught" if by else "MISSED", run["wall_s"], by)
    caught = sum(m["caught"] for m in document["mutants"])
    document["summary"] = {
        "clean_passed": clean["verdict"] == "pass",
        "caught": caught,
        "mutants": len(document["mutants"]),
    }
    _write(args.out, document)
    print(f"caught {caught}/{len(mutants)} mutants; clean build: {clean['verdict']}; {args.out}")
    return 0 if caught == len(mutants) and clean["verdict"] == "pass" else 1


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mutant", action="append", help="only this mutant (repeatable)")
    parser.add_argument(
        "--only", action="append", help="the clean build on this scenario only (repeatable)"
    )
    parser.add_argument("--full", action="store_true", help="the whole suite for each mutant")
    parser.add_argument("--out", type=Path, default=RESULT, help="where to write the JSON")
    return parser.parse_args()


def _command(mutant: str | None, scenarios: list[str] | None, out: Path) -> list[str]:
    selection = [arg for name in scenarios or () for arg in ("--only", name)]
    service = (
        [sys.executable, "-m", "orchestrator.service"]
        if mutant is None
        else [sys.executable, str(BENCH / "mutants" / "serve.py"), mutant]
    )
    return [
        *GAUNTLET,
        "run",
        "--out",
        str(out),
        *selection,
        "--target-command",
        shlex.join(service),
        # A mutant is the reference with one defect: it declares what the reference does,
        # and is judged by it. (A command target declares nothing unless told.)
        "--promises",
        str(REFERENCE_PROMISES),
    ]


def _run(mutant: str | None, scenarios: list[str] | None, out: Path) -> dict[str, Any]:
    command = _command(mutant, scenarios, out)
    started = time.monotonic()
    with (out.parent / f"{out.name}.log").open("w") as log:
        code = subprocess.run(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT).returncode
    wall_s = round(time.monotonic() - started, 1)
    report = out / "report.json"
    if not report.exists():
        return {"verdict": "error", "exit_code": code, "failures": [], "wall_s": wall_s}
    document = json.loads(report.read_text())
    return {
        "verdict": document["verdict"],
        "exit_code": code,
        "failures": _failures(document),
        "inconclusive": [
            o["name"] for o in document["objectives"] if o["verdict"] == "inconclusive"
        ],
        "wall_s": wall_s,
    }


def _failures(report: dict[str, Any]) -> list[str]:
    """Failed scenario checks (`scenario: check`) and breached objectives (`slo: name`);
    an inconclusive check or objective is not a failure of the build."""
    checks = [
        f"{c['group']}: {c['name']}"
        for c in report["checks"]
        if not c["passed"] and not c.get("inconclusive", False)
    ]
    breached = [f"slo: {o['name']}" for o in report["objectives"] if o["verdict"] == "fail"]
    return sorted(checks + breached)


def _write(path: Path, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n")


def _say(name: str, verdict: str, wall_s: float, why: list[str]) -> None:
    print(f"  {name:<34} {verdict:<8} {wall_s:>6.1f}s  {'; '.join(why[:3])}", flush=True)


if __name__ == "__main__":
    raise SystemExit(main())

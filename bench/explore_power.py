"""The search's power: does `gauntlet explore` find deliberately broken builds by itself,
and find nothing on the clean one?

    python bench/explore_power.py [--mutant NAME ...] [--clean N] [--budget 10m] [--quick]

Each mutant of bench/mutants/ is served as `gate_power.py` serves it
(`python bench/mutants/serve.py NAME`, given to `--target-command`), and explored with the
budget, one run after another (the runs share the machine's cores). Explore never reads
the core scenarios, so the scenarios aimed at a mutant are left out by construction: it
knows only the fault registry, the universal promises and the declared ones: each build
declares the reference's (`--promises orchestrator/promises.yaml`), as in `gate_power.py`.
A mutant's search stops at its first find confirmed and shrunk (`--finds 1`); the clean
build's runs (`--clean N`) use the whole budget, since finding nothing is what they show.

Writes bench/results/explore_power.json after every run, keeping the rows of earlier runs
of other mutants (so the study can be spread over several sittings):
    {"mutants": [{"name", "found", "minutes", "reproduction", "scenario_lines", ...}],
     "clean": [{"found", "experiments", "wall_s", ...}]}
`--old-build DIR` explores an older checkout of the reference instead (its own `make
setup`; served as `env -C DIR DIR/.venv/bin/python -m orchestrator.service`) until two finds,
and replays each scenario it writes on that build and on today's reference, which it must
fail and pass (`"old_builds"` in the JSON).
`--quick` explores one mutant for 30 s and writes nothing. Exit code 0 unless bad input (2).
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

from catalogue import load_mutant  # noqa: E402

RESULT = BENCH / "results" / "explore_power.json"
REFERENCE_PROMISES = ROOT / "orchestrator" / "promises.yaml"
# Across the classes of defect, each a promise explore judges: honest status, deadlines,
# breakers, tenant fairness, audit, query safety.
STUDIED = (
    "partial-called-success",  # honest status
    "no-call-deadline",  # deadlines
    "breaker-shared-by-tenants",  # breakers: one tenant's timeouts open the others' breaker
    "breaker-counts-caller-errors",  # breakers: a tenant's own SQL errors open it
    "breaker-never-half-opens",  # breakers: a tool stays off after its upstream is back
    "validator-shared-by-tenants",  # tenant fairness
    "bulkhead-tenant-share-off",  # tenant fairness: one tenant's slow queries hold every slot
    "rate-limit-tenant-share-off",  # tenant fairness: one tenant spends the tool's whole rate
    "audit-not-written",  # audit
    "audit-keyed-by-request-id",  # audit
    "audit-only-for-success",  # audit
    "validator-admits-cancel-backend",  # query safety: the attacker cancels the victims' calls
    "validator-admits-ts-stat",  # query safety: a leak with no tenant id in it
)
# Defects whose promise explore does not judge yet: those the system declares (a bulkhead's
# slots, a breaker that opens, fallbacks); and a rate limit switched off, judged now (as a
# tenant's share of the rate, above) but not studied yet. Run them with --mutant.
DECLARED_ONLY = ("breaker-never-opens", "bulkhead-unbounded", "rate-limit-off", "no-fallback")
QUICK = ("partial-called-success", "30s")


def main() -> int:
    args = _arguments()
    # `--clean N` alone runs the clean build only; neither option: every mutant studied
    studied = [] if args.clean or args.old_build else list(STUDIED)
    names = [QUICK[0]] if args.quick else (args.mutant or studied)
    budget = QUICK[1] if args.quick else args.budget
    try:
        defects = {name: load_mutant(name).DEFECT for name in names}
    except LookupError as exc:
        print(f"explore_power: {exc}", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="explore-power-"))
    document = _previous(args.out) if not args.quick else {"mutants": [], "clean": []}
    print(f"explore power: {len(names)} mutants, {args.clean} clean runs; reports in {work}")
    rows = []
    for name in names:
        row = {"name": name, "defect": defects[name], **_explore(name, budget, args.seed, work)}
        rows.append(row)
        if not args.quick:
            document["mutants"] = _merged(document["mutants"], row)
            _write(args.out, document)
        print(f"  {name:<30} found: {row['found']}  ({row['minutes']} min)", flush=True)
    if args.old_build is not None:
        row = _old_build(args.old_build.resolve(), budget, args.seed, work)
        document.setdefault("old_builds", []).append(row)  # each seed's search is a row
        _write(args.out, document)
        print(f"  {row['build']}: {len(row['finds'])} finds", flush=True)
    for index in range(0 if args.quick else args.clean):
        run = _explore(None, budget, args.seed + 1 + index, work / f"clean-{index}")
        document["clean"].append(run)
        _write(args.out, document)
        print(f"  clean build, run {index + 1}: found: {run['found']}", flush=True)
    found = sum(row["found"] for row in rows)
    print(f"found / mutants: {found / max(len(rows), 1):.2f}")
    return 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mutant", action="append", help="only this mutant (repeatable)")
    parser.add_argument("--clean", type=int, default=0, help="runs on the clean build (N)")
    parser.add_argument("--budget", default="10m", help="each search's budget")
    parser.add_argument("--seed", type=int, default=1, help="the searches' seed")
    parser.add_argument("--out", type=Path, default=RESULT, help="where to write the JSON")
    parser.add_argument("--old-build", type=Path, help="an older checkout to explore (DIR)")
    parser.add_argument("--quick", action="store_true", help="one mutant, 30 s, no results")
    return parser.parse_args()


def _service(mutant: str | None) -> list[str]:
    if mutant is None:
        return [sys.executable, "-m", "orchestrator.service"]
    return [sys.executable, str(BENCH / "mutants" / "serve.py"), mutant]


def _old_service(build: Path) -> list[str]:
    # its own tree first on the path, and its own environment
    return [
        "env",
        "-C",
        str(build),
        str(build / ".venv" / "bin" / "python"),
        "-m",
        "orchestrator.service",
    ]


def _command(service: list[str], budget: str, seed: int, out: Path, finds: int | None) -> list[str]:
    stop = ["--finds", str(finds)] if finds else []
    return [
        *(sys.executable, "-m", "scenarios.cli", "explore"),
        *("--budget", budget, "--seed", str(seed), "--out", str(out), "--json", *stop),
        *("--target-command", shlex.join(service)),
        # A mutant is the reference with one defect: it declares what the reference does.
        *("--promises", str(REFERENCE_PROMISES.relative_to(ROOT))),
    ]


def _old_build(build: Path, budget: str, seed: int, work: Path) -> dict[str, Any]:
    """Explore an older build until two finds; replay each on it and on today's reference."""
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=build, capture_output=True, text=True
    ).stdout.strip()
    out = work / f"old-{commit}"
    command = _command(_old_service(build), budget, seed, out, 2)
    command = command[: command.index("--promises")]  # it declared no promises then
    run = _explored(command, out, work)
    finds = []
    for find in run.pop("all_finds", []):
        replays = {
            "old_build": _replay(find["scenario"], _old_service(build), work),
            "reference": _replay(find["scenario"], _service(None), work),
        }
        finds.append({**find, "replays": replays})
    return {"build": commit, **run, "finds": finds}


def _replay(scenario: str, service: list[str], work: Path) -> dict[str, Any]:
    """`gauntlet run --scenario` of a found file against `service`: its verdict and time."""
    out = Path(tempfile.mkdtemp(prefix="replay-", dir=work))
    command = [
        *(sys.executable, "-m", "scenarios.cli", "run", "--scenario", scenario),
        *("--out", str(out), "--target-command", shlex.join(service)),
    ]
    started = time.monotonic()
    with out.with_suffix(".log").open("w") as log:
        code = subprocess.run(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT).returncode
    report = out / "report.json"
    verdict = json.loads(report.read_text())["verdict"] if report.exists() else "error"
    return {
        "command": shlex.join(["gauntlet", *command[3:]]),
        "exit_code": code,
        "verdict": verdict,
        "wall_s": round(time.monotonic() - started, 1),
    }


def _explore(mutant: str | None, budget: str, seed: int, work: Path) -> dict[str, Any]:
    out = work / (mutant or "clean")
    command = _command(_service(mutant), budget, seed, out, 1 if mutant else None)
    run = _explored(command, out, work)
    run.pop("all_finds", None)
    return run


def _explored(command: list[str], out: Path, work: Path) -> dict[str, Any]:
    commit, at = _commit(), time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    started = time.monotonic()
    work.mkdir(parents=True, exist_ok=True)
    with (work / f"{out.name}.log").open("w") as log:
        done = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=log, text=True)
    wall_s = round(time.monotonic() - started, 1)
    run: dict[str, Any] = {
        "command": shlex.join(["gauntlet", *command[3:]]),
        "commit": commit,
        "started": at,
        "exit_code": done.returncode,
        "wall_s": wall_s,
    }
    try:
        summary = json.loads(done.stdout)
    except json.JSONDecodeError:
        return {**run, "found": False, "minutes": None, "error": f"see {out.name}.log"}
    return {**run, **_outcome(summary)}


def _outcome(summary: dict[str, Any]) -> dict[str, Any]:
    """The row's figures from explore's JSON summary (its first find, if any)."""
    outcome: dict[str, Any] = {
        "found": bool(summary["finds"]),
        "experiments": summary["experiments_tried"],
        "void": summary["void"],
        "used_s": summary["used_s"],
        "ended_by": summary["ended_by"],
        "unconfirmed": [c["promise"] for c in summary["unconfirmed"]],
        "minutes": None,
    }
    outcome["all_finds"] = [
        {
            "promise": f["promise"],
            "minutes": round(f["confirmed_s"] / 60, 1),
            "reproduction": f"{f['reproduction']['broke']} of {f['reproduction']['runs']}",
            "scenario": f["scenario"],
            "scenario_text": Path(f["scenario"]).read_text(encoding="utf-8"),
        }
        for f in summary["finds"]
    ]
    if not summary["finds"]:
        return outcome
    find = summary["finds"][0]
    scenario = Path(find["scenario"]).read_text(encoding="utf-8")
    reproduction = find["reproduction"]
    return {
        **outcome,
        "minutes": round(find["confirmed_s"] / 60, 1),
        "promise": find["promise"],
        "found_at": find["found_at"],
        "reproduction": f"{reproduction['broke']} of {reproduction['runs']}",
        "shrunk": find["shrunk"],
        "scenario_lines": len(scenario.splitlines()),
        "scenario": scenario,
    }


def _commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True)
    return done.stdout.decode().strip() or "unknown"


def _previous(path: Path) -> dict[str, Any]:
    if path.exists():
        return json.loads(path.read_text())
    return {"mutants": [], "clean": []}


def _merged(rows: list[dict[str, Any]], row: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in rows if r["name"] != row["name"]] + [row]


def _write(path: Path, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n")


if __name__ == "__main__":
    raise SystemExit(main())

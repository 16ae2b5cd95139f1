"""What an explore session says at its end: on the terminal, and as JSON with `--json`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console

from .confirmation import ALPHA
from .search import Candidate, Find, SearchReport

__all__ = ["how_found", "how_unconfirmed", "print_summary", "summary_document"]


def how_found(find: Find, report: SearchReport, target: str) -> list[str]:
    """The comment at the head of a find's scenario file."""
    return [
        f"Found by `gauntlet explore` (seed {report.seed}) against {target}.",
        f"Broken promise: {find.promise} ({find.detail}).",
        f"Experiment {find.found_at} broke it; confirmed on fresh runs at a level corrected "
        f"for the experiments tried (alpha spending, family-wise {ALPHA});",
        _shrinking(find),
        f"This experiment broke it in {find.reproduction.rate} fresh runs.",
    ]


def how_unconfirmed(candidate: Candidate, report: SearchReport, target: str) -> list[str]:
    """The comment at the head of an unconfirmed candidate's scenario file."""
    return [
        f"Not a find: `gauntlet explore` (seed {report.seed}) against {target} saw experiment "
        f"{candidate.found_at} break {candidate.promise},",
        f"but it broke in {candidate.reproduction.rate} fresh runs ({_why(candidate)}).",
        "Kept to be replayed (`gauntlet run --scenario` this file) and read, not to gate on.",
    ]


def _why(candidate: Candidate) -> str:
    return "noise or flaky" if candidate.reproduction.settled else "the budget ran out first"


def _shrinking(find: Find) -> str:
    if find.shrunk:
        return f"Shrunk in {find.shrink_steps} steps to this experiment, confirmed again."
    if find.shrink_steps == 0:
        return "No smaller experiment broke it: this is the experiment as first confirmed."
    return (
        f"Shrunk in {find.shrink_steps} steps, but the smallest was {find.smallest}: "
        "this is the experiment as first confirmed."
    )


def summary_document(
    report: SearchReport,
    files: list[Path],
    exit_code: int,
    folder: Path,
    unconfirmed: Sequence[Path] = (),
) -> dict[str, Any]:
    return {
        "command": "explore",
        "exit_code": exit_code,
        "seed": report.seed,
        "budget_s": report.budget_s,
        "used_s": round(report.used_s, 1),
        "restarts": report.restarts,
        "ended_by": report.ended_by,
        "experiments_tried": report.tried,
        "void": report.void,
        "over_capacity": report.over_capacity,
        "undecided": report.undecided,
        "finds_confirmed": len(report.finds),
        "finds": [
            {
                "promise": find.promise,
                "detail": find.detail,
                "found_at": find.found_at,
                "confirmed_s": round(find.confirmed_s, 1),
                "shrink_steps": find.shrink_steps,
                "shrunk": find.shrunk,
                "smallest": find.smallest,
                "reproduction": {"broke": find.reproduction.broke, "runs": find.reproduction.runs},
                "scenario": str(path),
            }
            for find, path in zip(report.finds, files, strict=True)
        ],
        "unconfirmed": [
            {
                "promise": c.promise,
                "found_at": c.found_at,
                "reproduction": {"broke": c.reproduction.broke, "runs": c.reproduction.runs},
                "settled": c.reproduction.settled,  # false: the budget ran out first
                "scenario": str(path),
            }
            for c, path in zip(report.unconfirmed, unconfirmed, strict=True)
        ],
        "reports": str(folder),
    }


def print_summary(
    report: SearchReport, files: list[Path], console: Console, unconfirmed: Sequence[Path] = ()
) -> None:
    ended = {
        "budget": "budget spent",
        "interrupted": "interrupted",
        "replayed": "replayed",
        "enough finds": "enough finds",
    }
    console.print(
        f"explored {report.tried} experiments in {report.used_s:.0f} s of a "
        f"{report.budget_s:.0f} s budget ({ended[report.ended_by]}; seed {report.seed}); "
        f"{report.void} void, {report.undecided} undecided",
        highlight=False,
    )
    if report.over_capacity:
        console.print(
            f"{report.over_capacity} drawn and not run: as many callers per victim as a void "
            "experiment whose calls the system refused for want of a slot",
            highlight=False,
        )
    for find, path in zip(report.finds, files, strict=True):
        console.print(
            f"[red]find[/]: {find.promise} broken, {find.reproduction.rate} fresh runs -> {path}",
            highlight=False,
        )
    for candidate, path in zip(report.unconfirmed, unconfirmed, strict=True):
        console.print(
            f"not confirmed: {candidate.promise} (experiment {candidate.found_at}; broke in "
            f"{candidate.reproduction.rate} fresh runs): {_why(candidate)}, not a find -> {path}",
            highlight=False,
        )
    if report.tried and report.void == report.tried:
        console.print(
            "[yellow]every experiment was void: the steady state never held before a method "
            "(the system is not steady to begin with; `gauntlet run` shows how)[/]"
        )
    elif not report.finds:
        console.print("[green]no promise confirmed broken[/]")

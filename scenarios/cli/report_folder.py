"""Where a command leaves its reports, how it says so, and its `--json` summary.

Every command that writes reports writes them to `reports/<timestamp>` unless told
otherwise, and prints exactly one line `reports: <folder>` naming the folder.

`ReportOutput` is what `--out` and `--json` ask of `run` and `load`: the folder, and how
the command answers when it refuses its input, cannot start, or ends.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, NoReturn

import typer

from scenarios import exit_codes

REPORTS_ROOT = Path("reports")
DEFAULT_HELP = "report folder [default: reports/<timestamp>]"


def report_folder(chosen: Path | None) -> Path:
    """`chosen`, or a new `reports/<YYYYmmdd-HHMMSS>` (suffixed if that second is taken)."""
    if chosen is not None:
        return chosen
    stamp = time.strftime("%Y%m%d-%H%M%S")
    folder = REPORTS_ROOT / stamp
    attempt = 1
    while folder.exists():
        attempt += 1
        folder = REPORTS_ROOT / f"{stamp}-{attempt}"
    return folder


@dataclass
class ReportOutput:
    """`--out` and `--json` of one command (`run`, `load`)."""

    command: str
    out: Path | None = None
    json_summary: bool = False

    @cached_property
    def folder(self) -> Path:
        return report_folder(self.out)

    def refuse(self, message: str) -> NoReturn:
        """Bad input: one line on stderr (and the `--json` answer), exit 2."""
        typer.echo(f"gauntlet {self.command}: {message}", err=True)
        if self.json_summary:
            typer.echo(error_json(self.command, message, exit_codes.BAD_INPUT))
        raise typer.Exit(exit_codes.BAD_INPUT)

    def cannot_start(self, message: str) -> NoReturn:
        """Infrastructure (or the system under test) could not start: one line, exit 3."""
        typer.echo(f"gauntlet {self.command}: {message}", err=True)
        raise typer.Exit(exit_codes.INFRASTRUCTURE)

    def finish(self, code: int) -> NoReturn:
        """The `--json` summary, then (after Ctrl-C) the line that says so; exit `code`."""
        if self.json_summary:
            typer.echo(summary_json(self.command, self.folder, code))
        if code == exit_codes.INTERRUPTED:  # the last line says so, after the summary
            say_interrupted(self.command, self.folder)
        raise typer.Exit(code)


def reports_line(folder: Path) -> str:
    return f"reports: {folder}"


def say_interrupted(command: str, folder: Path) -> None:
    """The run's last line after Ctrl-C, on stderr once stdout's lines are out."""
    sys.stdout.flush()
    typer.echo(
        f"gauntlet {command}: interrupted; faults rolled back, partial results in {folder}",
        err=True,
    )


def summary(command: str, folder: Path, exit_code: int) -> dict[str, Any]:
    """The machine-readable summary `--json` prints, read back from the folder's report.json."""
    document = _report_document(folder / "report.json")
    return {
        "command": command,
        "exit_code": exit_code,
        "verdict": document.get("verdict"),
        "interrupted": document.get("interrupted", exit_code == 130),
        "reports": str(folder),
        "observations": document.get("observations"),
        "status_totals": document.get("status_totals", {}),
        "objectives": [
            {
                "name": objective.get("name"),
                "group": objective.get("group"),
                "outcome": objective.get("outcome"),
                "verdict": objective.get("verdict"),
                "observed": objective.get("observed"),
                "target": objective.get("target"),
            }
            for objective in document.get("objectives", [])
        ],
        "checks": [_check_summary(check) for check in document.get("checks", [])],
        # with --baseline: the healthy phase compared (its outcome, a line per regression)
        "healthy_comparison": _healthy_summary(document.get("healthy_comparison")),
    }


def _healthy_summary(comparison: dict[str, Any] | None) -> dict[str, Any] | None:
    if not comparison:
        return None
    return {key: comparison.get(key) for key in ("baseline", "outcome", "lines")}


def _check_summary(check: dict[str, Any]) -> dict[str, Any]:
    # `passed` alone reads the same for a breach and for too little evidence: say which.
    passed = bool(check.get("passed"))
    verdict = "pass" if passed else "inconclusive" if check.get("inconclusive") else "fail"
    return {
        "group": check.get("group"),
        "name": check.get("name"),
        "passed": passed,
        "verdict": verdict,
        "detail": check.get("detail", ""),
    }


def error_json(command: str, message: str, exit_code: int) -> str:
    """The `--json` answer when a command stops before it has a report: same keys, plus `error`."""
    document = {
        "command": command,
        "exit_code": exit_code,
        "error": message,
        "verdict": None,
        "interrupted": False,
        "reports": None,
        "observations": None,
        "status_totals": {},
        "objectives": [],
        "checks": [],
    }
    return json.dumps(document, indent=2)


def summary_json(command: str, folder: Path, exit_code: int) -> str:
    return json.dumps(summary(command, folder, exit_code), indent=2)


def _report_document(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # nothing was written (bad input, or interrupted before the report)
    return document if isinstance(document, dict) else {}

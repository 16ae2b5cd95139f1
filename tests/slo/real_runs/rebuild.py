"""Rebuild the reports of a recorded real run (see record.py) with today's report code."""

from __future__ import annotations

import gzip
import json
import math
import shutil
from pathlib import Path

from slo import Check, evaluate_files, load_slo_file, write_reports
from vocabulary import FaultWindow

HERE = Path(__file__).resolve().parent
CHAOS_CORE = HERE.parents[2] / "slo" / "examples" / "chaos-core.yaml"


def rebuild(name: str, out_dir: Path) -> dict[str, Path]:
    """Write report.json, report.md, junit.xml and report.html of run `name` into `out_dir`,
    judged by the core suite's SLO as the run was."""
    out_dir.mkdir(parents=True, exist_ok=True)
    observations = out_dir / "observations.jsonl"
    with (
        gzip.open(HERE / name / "observations.jsonl.gz", "rb") as source,
        observations.open("wb") as target,
    ):
        shutil.copyfileobj(source, target)
    facts = json.loads((HERE / name / "run.json").read_text())
    spec = load_slo_file(CHAOS_CORE, chosen="the core suite's default: no --slo given")
    evaluation = evaluate_files(observations, spec)
    return write_reports(
        out_dir,
        evaluation,
        checks=[Check(**check) for check in facts["checks"]],
        fault_windows=[_window(**window) for window in facts["fault_windows"]],
        title=facts["title"],
        observations=[observations],
        check_spans={scenario: tuple(span) for scenario, span in facts["spans"].items()},
    )


def _window(start: float, end: float | None, label: str) -> FaultWindow:
    return FaultWindow(start, math.inf if end is None else end, label)

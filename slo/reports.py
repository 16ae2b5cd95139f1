"""`write_reports`: every file report of a run, into one folder."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from vocabulary import FaultWindow

from .expressions import matches
from .frame import read_frame
from .report_findings import ScenarioRow, scenario_rows
from .report_html import render_html
from .report_json import report_document
from .report_junit import render_junit
from .report_markdown import render_markdown
from .results import Check, Evaluation, JudgedBy


def write_reports(
    out_dir: Path,
    evaluation: Evaluation,
    *,
    checks: Sequence[Check] = (),
    fault_windows: Sequence[FaultWindow] = (),
    title: str = "Gauntlet report",
    observations: Sequence[Path] = (),
    interrupted: bool = False,
    run_facts: Mapping[str, Any] | None = None,
    check_spans: Mapping[str, tuple[float, float]] | None = None,
    judged_by: JudgedBy | None = None,
) -> dict[str, Path]:
    """Write report.json, report.md, junit.xml and report.html; returns them by format.

    `observations`: the observations files the evaluation read; the HTML report breaks them
    down per intent and per tenant (its timeline is the evaluation's, as in report.json).
    `interrupted`: the run stopped early.
    `run_facts`: further top-level facts of the run for report.json (e.g. its timeline).
    `check_spans`: per check group (a scenario), its (start, end) in epoch seconds.
    `judged_by`: which promises judged the run, and what was not judged for want of one.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    run = _ReportedRun(
        evaluation, checks, fault_windows, title, interrupted, check_spans, judged_by
    )
    frame = _observed_frame(observations, evaluation)
    scenarios = scenario_rows(evaluation, checks, _statuses_by_scenario(frame), check_spans)
    texts = {
        "json": ("report.json", _json(run, run_facts)),
        "markdown": ("report.md", _markdown(run, scenarios)),
        "junit": ("junit.xml", _junit(run)),
        "html": ("report.html", _html(run, _judged_part(frame, evaluation), scenarios)),
    }
    for name, text in texts.values():
        (out_dir / name).write_text(text, encoding="utf-8")
    return {kind: out_dir / name for kind, (name, _) in texts.items()}


@dataclass(frozen=True)
class _ReportedRun:
    """What every report of one run is drawn from."""

    evaluation: Evaluation
    checks: Sequence[Check]
    fault_windows: Sequence[FaultWindow]
    title: str
    interrupted: bool
    check_spans: Mapping[str, tuple[float, float]] | None
    judged_by: JudgedBy | None


def _json(run: _ReportedRun, run_facts: Mapping[str, Any] | None) -> str:
    document = report_document(
        run.evaluation,
        run.checks,
        run.fault_windows,
        run.title,
        interrupted=run.interrupted,
        run_facts=run_facts,
        judged_by=run.judged_by,
    )
    return json.dumps(document, indent=2)


def _junit(run: _ReportedRun) -> str:
    return render_junit(
        run.evaluation, run.checks, run.title, written_at=time.time(), spans=run.check_spans
    )


def _markdown(run: _ReportedRun, scenarios: Sequence[ScenarioRow]) -> str:
    return render_markdown(
        run.evaluation,
        run.checks,
        run.title,
        interrupted=run.interrupted,
        scenarios=scenarios,
        judged_by=run.judged_by,
    )


def _html(run: _ReportedRun, judged: pl.DataFrame, scenarios: Sequence[ScenarioRow]) -> str:
    return render_html(
        run.evaluation,
        run.checks,
        run.fault_windows,
        run.title,
        judged,
        interrupted=run.interrupted,
        scenarios=scenarios,
        spans=run.check_spans or {},
        judged_by=run.judged_by,
    )


BREAKDOWN_COLUMNS = ("intent", "tenant", "source")


def _observed_frame(observations: Sequence[Path], evaluation: Evaluation) -> pl.DataFrame:
    """Every observation of the run, with the columns the breakdowns split by."""
    if not observations:
        return pl.DataFrame()
    return read_frame(observations, evaluation.spec, extra=BREAKDOWN_COLUMNS)


def _judged_part(frame: pl.DataFrame, evaluation: Evaluation) -> pl.DataFrame:
    """The observations the SLO's filters let in: those its verdicts were drawn from."""
    if evaluation.spec.filters.is_empty or frame.is_empty():
        return frame
    return frame.filter(matches(evaluation.spec.filters))


def _statuses_by_scenario(frame: pl.DataFrame) -> dict[str, dict[str, int]]:
    """Per scenario, the requests it sent by status (attacks too: the scenario sent them)."""
    if frame.is_empty():
        return {}
    counted = frame.group_by(
        pl.col("scenario").cast(pl.String), pl.col("status").cast(pl.String)
    ).len()
    statuses: dict[str, dict[str, int]] = {}
    for scenario, status, count in counted.sort("scenario", "status").iter_rows():
        statuses.setdefault(scenario, {})[status] = count
    return statuses

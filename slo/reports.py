"""`write_reports`: every file report of a run, into one folder."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import polars as pl

from vocabulary import FaultWindow

from .expressions import matches
from .frame import read_frame
from .report_findings import scenario_rows
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
    document = report_document(
        evaluation,
        checks,
        fault_windows,
        title,
        interrupted=interrupted,
        run_facts=run_facts,
        judged_by=judged_by,
    )
    frame = _observed_frame(observations, evaluation)
    judged = (
        frame
        if evaluation.spec.filters.is_empty or frame.is_empty()
        else frame.filter(matches(evaluation.spec.filters))
    )
    scenarios = scenario_rows(evaluation, checks, _statuses_by_scenario(frame), check_spans)
    contents = {
        "json": ("report.json", json.dumps(document, indent=2)),
        "markdown": (
            "report.md",
            render_markdown(
                evaluation,
                checks,
                title,
                interrupted=interrupted,
                scenarios=scenarios,
                judged_by=judged_by,
            ),
        ),
        "junit": (
            "junit.xml",
            render_junit(evaluation, checks, title, written_at=time.time(), spans=check_spans),
        ),
        "html": (
            "report.html",
            render_html(
                evaluation,
                checks,
                fault_windows,
                title,
                judged,
                interrupted=interrupted,
                scenarios=scenarios,
                spans=check_spans or {},
                judged_by=judged_by,
            ),
        ),
    }
    written = {}
    for kind, (name, text) in contents.items():
        path = out_dir / name
        path.write_text(text, encoding="utf-8")
        written[kind] = path
    return written


BREAKDOWN_COLUMNS = ("intent", "tenant", "source")


def _observed_frame(observations: Sequence[Path], evaluation: Evaluation) -> pl.DataFrame:
    """Every observation of the run, with the columns the breakdowns split by."""
    if not observations:
        return pl.DataFrame()
    return read_frame(observations, evaluation.spec, extra=BREAKDOWN_COLUMNS)


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

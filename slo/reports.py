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
    frame = _breakdown_frame(observations, evaluation)
    contents = {
        "json": ("report.json", json.dumps(document, indent=2)),
        "markdown": (
            "report.md",
            render_markdown(
                evaluation, checks, title, interrupted=interrupted, judged_by=judged_by
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
                frame,
                interrupted=interrupted,
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


BREAKDOWN_COLUMNS = ("intent", "tenant")


def _breakdown_frame(observations: Sequence[Path], evaluation: Evaluation) -> pl.DataFrame:
    """The observations the evaluation judged, with the columns the breakdowns split by."""
    if not observations:
        return pl.DataFrame()
    spec = evaluation.spec
    frame = read_frame(observations, spec, extra=BREAKDOWN_COLUMNS)
    return frame if spec.filters.is_empty else frame.filter(matches(spec.filters))

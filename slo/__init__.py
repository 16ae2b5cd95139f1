"""SLO evaluation: observations in, verdict out. Imports only `vocabulary`, the shared words.

spec = load_slo_file("slo/examples/chaos-core.yaml")
evaluation = evaluate_files("observations/", spec,  # segments, JSON lines, or globs
                            baseline=BaselineReport.load("previous/report.json"))
write_reports(run_dir, evaluation, checks=checks, fault_windows=windows)
print_report(evaluation, checks)
exit_code = verdict_exit_code(evaluation, checks)
"""

from .baseline import BaselineFileError, BaselineReport, DifferentWorkload
from .evaluation import evaluate, evaluate_files
from .loader import SloFileError, load_slo_file, load_slo_files
from .report_load_terminal import print_load_summary
from .report_terminal import print_report
from .reports import write_reports
from .results import Check, Evaluation, JudgedBy, NotJudged, ObjectiveResult, TimeSeries
from .spec import Filters, Objective, SloSpec
from .verdict import Judgement, Verdict, overall_verdict, verdict_exit_code

__all__ = [
    "BaselineFileError",
    "BaselineReport",
    "Check",
    "DifferentWorkload",
    "Evaluation",
    "Filters",
    "JudgedBy",
    "Judgement",
    "NotJudged",
    "Objective",
    "ObjectiveResult",
    "SloFileError",
    "SloSpec",
    "TimeSeries",
    "Verdict",
    "evaluate",
    "evaluate_files",
    "load_slo_file",
    "load_slo_files",
    "overall_verdict",
    "print_load_summary",
    "print_report",
    "verdict_exit_code",
    "write_reports",
]

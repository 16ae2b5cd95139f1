"""The gate's overall verdict and exit code (0 unless something failed, 1 if it did).

fail          an objective or check breached, or undecided under `on_inconclusive: fail`
inconclusive  nothing breached, but something is not decided (never reads as pass)
warn          nothing breached or undecided, a regression under `on_regression: warn`
pass          every objective and check decided and held
"""

from __future__ import annotations

from collections.abc import Sequence

from .results import Check, Evaluation

PASS_EXIT, FAIL_EXIT = 0, 1  # the same numbers as scenarios/exit_codes.py; slo may not import it


def overall_verdict(evaluation: Evaluation, checks: Sequence[Check] = ()) -> str:
    """pass | warn | inconclusive | fail, under the SLO file's policies."""
    outcomes = [evaluation.gate_outcome(result) for result in evaluation.results]
    outcomes += [evaluation.check_outcome(check) for check in checks]
    undecided = any(r.verdict == "inconclusive" for r in evaluation.results) or any(
        check.inconclusive for check in checks
    )
    if "fail" in outcomes:
        return "fail"
    if undecided:
        return "inconclusive"
    return "warn" if "warn" in outcomes else "pass"


def verdict_exit_code(evaluation: Evaluation, checks: Sequence[Check] = ()) -> int:
    return FAIL_EXIT if overall_verdict(evaluation, checks) == "fail" else PASS_EXIT

"""The gate's overall verdict and exit code (0 pass, 1 fail)."""

from __future__ import annotations

from collections.abc import Sequence

from .results import Check, Evaluation

PASS_EXIT, FAIL_EXIT = 0, 1  # the same numbers as scenarios/exit_codes.py; slo may not import it


def overall_verdict(evaluation: Evaluation, checks: Sequence[Check] = ()) -> str:
    """pass | warn | fail: fail if any objective or check fails under the file's policies."""
    outcomes = [evaluation.gate_outcome(result) for result in evaluation.results]
    outcomes += ["pass" if check.passed else "fail" for check in checks]
    if "fail" in outcomes:
        return "fail"
    return "warn" if "warn" in outcomes else "pass"


def verdict_exit_code(evaluation: Evaluation, checks: Sequence[Check] = ()) -> int:
    return FAIL_EXIT if overall_verdict(evaluation, checks) == "fail" else PASS_EXIT

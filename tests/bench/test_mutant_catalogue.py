"""The catalogue of broken builds: each mutant says its defect and aims at real scenarios.

Applying a mutant patches the process it runs in, so none is applied here; the gate-power
benchmark applies each in a process of its own.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from scenarios.spec.loader import load_suite

MUTANTS = Path(__file__).resolve().parents[2] / "bench" / "mutants"
sys.path.insert(0, str(MUTANTS))

from catalogue import load_mutant, mutant_names  # noqa: E402

CORE = {scenario.name for scenario in load_suite("core")}
PROMISED = {
    "no-call-deadline",
    "no-fallback",
    "bulkhead-unbounded",
    "breaker-never-opens",
    "partial-called-success",
    "tenant-not-set",
    "audit-not-written",
    "rate-limit-off",
    "breaker-counts-caller-errors",
    "validator-admits-ts-stat",
    "validator-admits-cancel-backend",
    "validator-admits-advisory-locks",
    "audit-keyed-by-request-id",
    "spool-poison-blocks-queue",
}


def test_the_catalogue_holds_every_promised_defect() -> None:
    assert set(mutant_names()) == PROMISED


@pytest.mark.parametrize("name", sorted(PROMISED))
def test_each_mutant_names_its_defect_and_aims_at_core_scenarios(name: str) -> None:
    mutant = load_mutant(name)
    assert mutant.DEFECT.strip() and "\n" not in mutant.DEFECT
    assert mutant.SCENARIOS and set(mutant.SCENARIOS) <= CORE, mutant.SCENARIOS
    assert callable(mutant.apply)


def test_an_unknown_mutant_is_one_line_and_exit_code_2() -> None:
    done = subprocess.run(
        [sys.executable, str(MUTANTS / "serve.py"), "no-such-defect"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("serve.py: no mutant named 'no-such-defect'; known: ")
    assert len(done.stderr.strip().splitlines()) == 1

"""The catalogue of broken builds: each mutant says its defect, aims at real scenarios, and
still applies to today's orchestrator.

Applying a mutant patches the process it runs in, so each is applied in a process of its own.
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
    "breaker-shared-by-tenants",
    "audit-only-for-success",
    "audit-detail-truncated",
    "row-size-guard-removed",
    "method-label-unbounded",
    "validator-shared-by-tenants",
    "spool-unbounded",
    "audit-cancelled-by-deadline",
    "topology-snapshot-called-primary",
    "breaker-never-half-opens",
    "bulkhead-tenant-share-off",
    "rate-limit-tenant-share-off",
    "slow-clients-held",
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


_APPLY = """
import sys
sys.path.insert(0, sys.argv[1])
from catalogue import load_mutant
load_mutant(sys.argv[2]).apply()
"""


@pytest.mark.parametrize("name", sorted(PROMISED))
def test_each_mutant_still_finds_what_it_patches(name: str) -> None:
    # A renamed method or module global must fail here, not disarm the mutant in gate-power.
    done = subprocess.run(
        [sys.executable, "-c", _APPLY, str(MUTANTS), name],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_a_patch_of_a_name_the_orchestrator_lost_is_refused() -> None:
    from catalogue import StaleMutant, replace

    class Tool:
        def run(self) -> str:
            return "honest"

    assert replace(Tool, "run", lambda self: "broken")(Tool()) == "honest"
    assert Tool().run() == "broken"
    with pytest.raises(StaleMutant, match="Tool has no attribute 'walk'"):
        replace(Tool, "walk", lambda self: None)


_THROUGH_THE_HOLE = """
import asyncio
import sys
sys.path.insert(0, sys.argv[1])
from catalogue import load_mutant
load_mutant(sys.argv[2]).apply()
from orchestrator.tools._direct_query import DirectQueryTool
print(asyncio.run(DirectQueryTool._checked(None, sys.argv[3], "acme")) == sys.argv[3])
"""


@pytest.mark.parametrize(
    ("name", "attack"),
    [
        ("validator-admits-ts-stat", "FOREIGN_SQL_TEXT"),
        ("validator-admits-cancel-backend", "CANCEL_FOREIGN_QUERIES"),
        ("validator-admits-advisory-locks", "ADVISORY_LOCK_FLOOD"),
    ],
)
def test_a_validator_hole_hands_its_attack_to_the_database_unchanged(
    name: str, attack: str
) -> None:
    # A hole that breaks the call (a plain function where a coroutine is awaited) answers
    # `internal_error` and sends nothing to the database: the mutant would test nothing.
    from chaos.faults import tenant_abuse

    done = subprocess.run(
        [
            sys.executable,
            "-c",
            _THROUGH_THE_HOLE,
            str(MUTANTS),
            name,
            getattr(tenant_abuse, attack),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.stdout.strip() == "True", done.stderr

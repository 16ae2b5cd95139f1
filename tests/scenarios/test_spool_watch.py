"""`spool_bytes_within_bound`: the spool folder's growth over the method, sampled while it
runs, judged against the bound the system declares; not judged where that bound or the
folder is unknown."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace

import pytest
from one_expectation import scenario
from pydantic import ValidationError

from chaos.spool_filesystem import FILLER_NAME
from contract import Promises
from scenarios.runner.expectation_checks import judge_expectations
from scenarios.runner.spool_watch import SpoolWatch, folder_bytes, judge_spool_growth
from scenarios.spec.expectations import SpoolBound, SpoolBytesWithinBound
from scenarios.spec.loader import BUILTIN_SUITES_DIR, load_scenario
from slo import Verdict

KIB = 1024
BOUND = SpoolBound(max_bytes=64 * KIB, slack_bytes=16 * KIB)
SPOOL_SCENARIO = BUILTIN_SUITES_DIR / "core" / "33-audit-spool-bound.yaml"


@pytest.mark.parametrize(
    ("growth", "verdict"),
    [
        (64 * KIB, Verdict.PASS),  # at the bound
        (80 * KIB, Verdict.PASS),  # writers appending at once, within the slack
        (48 * KIB, Verdict.PASS),  # refused a record short of it
        (80 * KIB + 1, Verdict.FAIL),  # past bound and slack
        (10 * KIB, Verdict.INCONCLUSIVE),  # never near it: the bound was not put to the test
        (0, Verdict.INCONCLUSIVE),  # records kept where Gauntlet does not look
    ],
)
def test_growth_is_judged_against_the_bound_and_its_slack(growth: int, verdict: Verdict) -> None:
    judged, detail = judge_spool_growth(BOUND, growth)
    assert judged is verdict
    assert "bound 64 KiB + 16 KiB of slack" in detail


def test_every_file_under_the_folder_counts_but_the_fault_filler(tmp_path: Path) -> None:
    (tmp_path / "audit-spool.jsonl").write_bytes(b"x" * 1000)
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "segment-1").write_bytes(b"y" * 500)
    (tmp_path / FILLER_NAME).write_bytes(b"z" * 10_000)
    assert folder_bytes(tmp_path) == 1500


def test_the_peak_is_caught_while_the_method_runs_though_it_drains_before_the_end(
    tmp_path: Path,
) -> None:
    (tmp_path / "audit-dead-letter.jsonl").write_bytes(b"d" * 4096)  # held before: not growth
    watch = SpoolWatch.start(
        scenario("spool_bytes_within_bound: {max_bytes: 65536, slack_bytes: 16384}"),
        SimpleNamespace(audit_spool_dir=tmp_path),
    )

    async def outage_then_replay() -> str:
        spool = tmp_path / "audit-spool.jsonl"
        for _ in range(10):  # 100 KiB waiting at the worst, then drained by a replay
            with spool.open("ab") as out:
                out.write(b"r" * 10 * KIB)
            await asyncio.sleep(0.03)
        await asyncio.sleep(0.3)
        spool.unlink()
        return "method over"

    assert asyncio.run(watch.during(outage_then_replay())) == "method over"
    (check,) = watch.checks()
    assert check.verdict is Verdict.FAIL
    assert "peak 100 KiB above the start" in check.detail
    assert "4 KiB held at the start" in check.detail


def test_a_folder_gauntlet_does_not_know_is_not_judged() -> None:
    expectation = "spool_bytes_within_bound: {max_bytes: 65536, slack_bytes: 0}"
    watch = SpoolWatch.start(scenario(expectation), SimpleNamespace(audit_spool_dir=None))
    assert watch.checks() == []
    (entry,) = watch.not_judged
    assert entry.name == "spool_bytes_within_bound" and "where the system spools" in entry.reason
    assert asyncio.run(watch.during(asyncio.sleep(0, result=7))) == 7


def test_the_rules_leave_it_to_the_watch_and_a_phase_is_refused() -> None:
    expectation = "spool_bytes_within_bound: {max_bytes: 65536, slack_bytes: 0}"
    assert judge_expectations(scenario(expectation), []) == []
    with pytest.raises(ValidationError, match="sampled over the whole method"):
        scenario(f"{{{expectation}, phase: fault}}")


def test_the_bound_is_the_declared_one_and_undeclared_is_not_judged() -> None:
    reference = load_scenario(SPOOL_SCENARIO)
    (bound,) = [e for e in reference.expectations if isinstance(e, SpoolBytesWithinBound)]
    assert bound.spool_bytes_within_bound.max_bytes == 1024 * 1024
    assert reference.not_judged == ()
    undeclared = load_scenario(SPOOL_SCENARIO, Promises())
    assert not [e for e in undeclared.expectations if isinstance(e, SpoolBytesWithinBound)]
    reasons = {why for _, why in undeclared.not_judged}
    assert reasons == {"the system declares no bound on its audit spool"}
    assert len(undeclared.not_judged) == 2  # the bound, and the audit refusals it owes

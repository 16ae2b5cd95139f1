"""The harness's status set is the orchestrator's, value for value."""

from __future__ import annotations

from orchestrator.contracts import OrchestrationStatus
from vocabulary import ANSWERED, STATUSES, Status


def test_the_status_set_matches_the_orchestrators_contract() -> None:
    assert {status.value for status in STATUSES} == {s.value for s in OrchestrationStatus}


def test_answered_is_every_status_but_failed() -> None:
    assert set(STATUSES) - {Status.FAILED} == ANSWERED

"""The pytest plugin's fixtures, used the way a QA engineer would: real stack, real faults."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration


def test_the_service_answers_success_on_a_healthy_world(gauntlet):
    answer = gauntlet.orchestrate("acme", "service_overview", service="checkout")
    assert answer.observation.status == "success", answer


def test_a_metrics_outage_makes_the_answer_partial_and_is_healed_after(gauntlet, fault):
    with fault("down", upstream="metrics"):
        answer = gauntlet.orchestrate("acme", "service_overview", service="checkout")
        assert answer.observation.status == "partial", answer
        assert "metrics" in answer.observation.tool_errors
        assert "metrics" in answer.body["failed_tools"]
    # the fault rolled back: the same question is whole again
    assert (
        gauntlet.orchestrate("acme", "service_overview", service="checkout").observation.status
        == "success"
    )


def test_a_forged_key_is_refused(gauntlet):
    answer = gauntlet.orchestrate(
        "acme", "service_overview", api_key="gk_acme_forged", service="checkout"
    )
    assert answer.http_status == 401 and answer.refusal_codes == {"unauthenticated"}
    assert answer.observation.status == "failed" and answer.failure == "HTTP 401"


def test_fault_fixture_heals_what_a_failing_test_left(gauntlet, gauntlet_world, fault):
    # A test that dies inside a fault still leaves no toxic: the context manager rolls back.
    with pytest.raises(RuntimeError), fault("latency", upstream="ops", latency_ms=50):
        assert gauntlet_world.toxiproxy.toxics(gauntlet_world.proxy_name("ops"))
        raise RuntimeError("the test failed here")
    assert gauntlet_world.toxiproxy.toxics(gauntlet_world.proxy_name("ops")) == []


def test_a_mistyped_fault_or_tenant_is_one_clear_line(gauntlet, fault):
    with pytest.raises(ValueError) as kind:
        fault("latncy", upstream="ops")
    assert "unknown fault kind 'latncy' (did you mean 'latency'?)" in str(kind.value)
    assert "tagged" not in str(kind.value) and "\n" not in str(kind.value)
    with pytest.raises(ValueError, match=r"fault\('latency'\): latency_ms: Field required"):
        fault("latency", upstream="ops")
    with pytest.raises(ValueError, match=r"unknown tenant 'acmee' \(did you mean 'acme'\?\)"):
        gauntlet.orchestrate("acmee", "service_overview", service="checkout")

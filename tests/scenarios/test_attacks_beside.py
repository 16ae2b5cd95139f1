"""An attack with a `rate` sends its own requests beside the workload, in volleys of
`burst`, and leaves the workload's requests whole."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from pydantic import ValidationError

from chaos.faults import CallerErrorBurstFault, ExpensiveQueryFloodFault, parse_fault
from scenarios.runner.attack_sender import send_beside
from scenarios.runner.traffic import PlannedRequest, TrafficMix
from scenarios.spec.model import Workload

GAUNTLET = Path(sys.executable).parent / "gauntlet"
KEYS = {"acme": "key-a", "globex": "key-g", "initech": "key-i"}
WORKLOAD = Workload.model_validate(
    {
        "intents": [
            {"intent": "service_overview", "parameters": {"service": "checkout"}},
            {"intent": "ad_hoc_query", "parameters": {"sql": "SELECT {{draw}} AS n"}},
        ],
        "tenants": ["acme", "globex"],
        "requests": 10,
    }
)


def test_a_rate_is_read_as_a_workload_s_and_excludes_a_share() -> None:
    attack = parse_fault({"kind": "caller_error_burst", "as_tenant": "initech", "rate": "2/s"})
    assert (attack.rate, attack.burst) == (2.0, 1)
    with pytest.raises(ValidationError, match="not both"):
        CallerErrorBurstFault(rate="2/s", share=0.5)
    with pytest.raises(ValidationError, match="needs a 'rate'"):
        CallerErrorBurstFault(burst=5)
    with pytest.raises(ValidationError, match="rate"):
        CallerErrorBurstFault(rate="5000/s")
    dumped = attack.model_dump(mode="json")  # a dump repeats the default share
    assert parse_fault(dumped) == attack


def test_the_workload_s_requests_are_the_same_beside_a_rate_attack() -> None:
    attack = CallerErrorBurstFault(as_tenant="initech", rate="20/s")
    alone, beside = TrafficMix(WORKLOAD, KEYS, seed=5), TrafficMix(WORKLOAD, KEYS, seed=5)
    for _ in range(30):
        own = alone.draw()
        abuse = beside.beside(attack)
        assert beside.draw([attack]) == own  # never rewritten, and the same draw as without
        assert (abuse.tenant, abuse.api_key, abuse.attack) == ("initech", "key-i", attack.kind)


def test_volleys_go_at_their_time_without_waiting_for_answers() -> None:
    """Open loop: the second volley goes while the first's answers are still out, and the
    sender returns only once every request it sent is answered and kept."""
    attack = ExpensiveQueryFloodFault(as_tenant="initech", rate="40/s", burst=4)
    traffic = TrafficMix(WORKLOAD, KEYS, seed=1)
    stop, answer = asyncio.Event(), asyncio.Event()
    sent: list[PlannedRequest] = []
    kept: list[str] = []

    async def send(request: PlannedRequest) -> str:
        sent.append(request)
        if len(sent) == 2 * attack.burst:  # two volleys out, none answered yet
            stop.set()
            asyncio.get_running_loop().call_soon(answer.set)
        await answer.wait()
        return request.attack or ""

    async def main() -> int:
        return await send_beside(attack, traffic, send, kept.append, stop)

    assert asyncio.run(asyncio.wait_for(main(), 30)) == 2 * attack.burst
    assert kept == [attack.kind] * (2 * attack.burst)
    assert {request.tenant for request in sent} == {"initech"}


@pytest.mark.integration
def test_a_run_sends_the_attack_s_volleys_beside_the_whole_workload(tmp_path: Path) -> None:
    scenario = tmp_path / "beside.yaml"
    scenario.write_text(
        "name: abuse-beside\n"
        "workload:\n"
        "  intents: [{intent: service_overview, parameters: {service: checkout}}]\n"
        "  tenants: [acme]\n"
        "  duration: 3s\n"
        "  rate: 10/s\n"
        "faults:\n"
        "  - fault: {kind: caller_error_burst, as_tenant: initech, rate: 20/s, burst: 4}\n"
        "    start: 1s\n"
        "    duration: 1s\n"
        "expectations:\n"
        "  - {honest_status: true}\n"
    )
    out = tmp_path / "report"
    done = subprocess.run(
        [str(GAUNTLET), "run", "--scenario", str(scenario), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode in (0, 1), done.stderr  # held or not, the run itself worked
    rows = [json.loads(line) for line in (out / "observations.jsonl").read_text().splitlines()]
    attacks = [row for row in rows if row.get("source") == "attack"]
    own = [row for row in rows if row.get("source") == "scenario"]
    assert attacks and len(attacks) % 4 == 0  # whole volleys, each answered
    assert {row["tenant"] for row in attacks} == {"initech"}
    assert all(row["tool_errors"] == {"direct_query": "invalid_arguments"} for row in attacks)
    assert Counter((row["tenant"], row["intent"]) for row in own).keys() == {
        ("acme", "service_overview")
    }  # the workload's requests: none rewritten
    assert {row["phase"] for row in own} >= {"baseline", "fault"}

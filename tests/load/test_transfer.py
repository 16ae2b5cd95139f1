"""The acknowledged transfer of observations: over a lossy channel, and over real HTTP."""

from __future__ import annotations

import asyncio
import json
import random
from pathlib import Path

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from load.in_locust.shipper import ObservationShipper
from load.transport.collector import ObservationCollector, bound_socket
from load.transport.ledger import Batch, BatchLedger, Receipt
from load.transport.observations import merge_observation_directory
from vocabulary import Observation


def _obs_json(request_id: str) -> str:
    return Observation(
        ts=1.0, source="load", scenario="t", request_id=request_id, status="success", latency_ms=2
    ).to_json()


class _LossyChannel:
    """Loses requests and acknowledgements at random, and sometimes delivers twice."""

    def __init__(self, ledger: BatchLedger, seed: int, loss: float) -> None:
        self.ledger, self.random, self.loss = ledger, random.Random(seed), loss
        self.stored: list[str] = []

    def post(self, batch: Batch) -> int | None:
        if self.random.random() < self.loss:
            return None  # the request never arrived
        receipts = [
            self.ledger.receive(batch) for _ in range(2 if self.random.random() < 0.2 else 1)
        ]
        if Receipt.STORED in receipts:
            self.stored.extend(batch.observations)
        if receipts[-1] is Receipt.GAP or self.random.random() < self.loss:
            return None  # refused, or it arrived and its acknowledgement was lost
        return batch.seq


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 12), min_size=1, max_size=15),
    st.integers(0, 2**31),
    st.floats(0, 0.6),
)
def test_every_observation_arrives_exactly_once_over_a_lossy_channel(
    rounds: list[int], seed: int, loss: float
) -> None:
    ledger = BatchLedger()
    channel = _LossyChannel(ledger, seed, loss)
    clock = [0.0]
    shipper = ObservationShipper(
        "w1",
        post=channel.post,
        sleep=lambda s: clock.__setitem__(0, clock[0] + s),
        clock=lambda: clock[0],
    )
    sent = 0
    for added in rounds:  # some periodic deliveries give up at their deadline: fine
        for _ in range(added):
            shipper.add(_obs_json(f"r{sent}"))
            shipper.count_request()
            sent += 1
        shipper.ship(deadline=clock[0] + 0.3)
    assert shipper.ship(final=True, deadline=clock[0] + 10_000)
    account = ledger.accounts["w1"]
    assert account.complete and account.stored == account.sent_total == sent
    assert account.requests_seen == sent
    assert sorted(channel.stored) == sorted(_obs_json(f"r{i}") for i in range(sent))


def test_a_gap_is_refused_and_a_repeat_is_acknowledged_without_storing() -> None:
    ledger = BatchLedger()
    assert ledger.receive(Batch(worker="w", seq=0)) is Receipt.STORED
    assert ledger.receive(Batch(worker="w", seq=2, observations=["x"])) is Receipt.GAP
    assert ledger.receive(Batch(worker="w", seq=1, observations=["x"])) is Receipt.STORED
    assert ledger.receive(Batch(worker="w", seq=1, observations=["x"])) is Receipt.DUPLICATE
    assert ledger.accounts["w"].stored == 1 and ledger.incomplete() == ["w"]
    ledger.receive(Batch(worker="w", seq=2, final=True, sent_total=1, requests_seen=1))
    assert ledger.incomplete() == []


def test_a_shipper_keeps_what_it_could_not_deliver_and_sends_it_first() -> None:
    delivered: list[Batch] = []
    up = [False]
    clock = [0.0]

    def post(batch: Batch) -> int | None:
        if not up[0]:
            return None
        delivered.append(batch)
        return batch.seq

    shipper = ObservationShipper(
        "w", post=post, sleep=lambda s: clock.__setitem__(0, clock[0] + s), clock=lambda: clock[0]
    )
    shipper.add("a")
    assert not shipper.ship(deadline=clock[0] + 1)  # the collector is down: gave up in time
    assert clock[0] <= 1.0 + 1e-9 and shipper.resends > 0
    shipper.add("b")
    up[0] = True
    assert shipper.ship(final=True, deadline=clock[0] + 1)
    assert [(b.seq, b.observations, b.final) for b in delivered] == [
        (0, ["a"], False),
        (1, ["b"], True),
    ]
    assert delivered[-1].sent_total == 2


def test_the_collector_over_http_stores_acknowledged_batches_once(tmp_path: Path) -> None:
    async def scenario() -> None:
        collector = ObservationCollector(tmp_path, {"locust": {"x": 1}, "locust_port": 9})
        seen: list[int] = []
        collector.on_batch = lambda batch: seen.append(batch.seq)
        sock = bound_socket("127.0.0.1", 0)
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        async with collector.serving(sock), httpx.AsyncClient(base_url=url) as client:
            assert (await client.get("/config")).json()["locust_port"] == 9

            async def post(**fields) -> httpx.Response:
                return await client.post("/batches", content=Batch(**fields).model_dump_json())

            assert (await post(worker="w-1", seq=0)).json() == {"ack": 0}
            one = {"worker": "w-1", "seq": 1, "observations": [_obs_json("a"), _obs_json("b")]}
            assert (await post(**one)).json() == {"ack": 1}
            assert (await post(**one)).json() == {"ack": 1}  # a resend: acknowledged again
            gap = await post(worker="w-1", seq=5)
            assert gap.status_code == 409 and "expected batch 2" in gap.json()["error"]
            bad = await client.post("/batches", content=b'{"worker": "../etc", "seq": 0}')
            assert bad.status_code == 422
            final = {"worker": "w-1", "seq": 2, "final": True, "sent_total": 2, "requests_seen": 2}
            assert (await post(**final)).json() == {"ack": 2}
            assert await collector.wait_until_complete(timeout_s=1) == []
        sock.close()
        assert seen == [0, 1, 2]
        collector.write_counts()
        counts = json.loads((tmp_path / "requests-w-1.json").read_text())
        assert counts["resent_batches"] == 1 and counts["complete"]

    asyncio.run(scenario())
    merge = merge_observation_directory(tmp_path, into=tmp_path / "merged")
    assert merge.per_worker == merge.sent_totals == {"w-1": 2} and merge.lost == 0


def test_the_ledger_estimates_how_far_a_worker_clock_is_behind() -> None:
    ledger = BatchLedger()
    ledger.receive(Batch(worker="w", seq=0, sent_at=100.0), arrived_at=103.2)
    ledger.receive(Batch(worker="w", seq=1, sent_at=101.0), arrived_at=104.05)  # a quick one
    ledger.receive(Batch(worker="w", seq=1, sent_at=102.0), arrived_at=105.9)  # a slow resend
    assert ledger.accounts["w"].clock_offset_s == pytest.approx(3.05)

"""Pure cores of the load harness: arrival pacing, shape replay, merging."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from load.arrival import ArrivalTimetable, intended_latency_ms
from load.locust_args import LocustOptions, locust_args
from load.observations import ObservationWriter, merge_observation_directory, merge_observations
from load.run_config import LocustRunConfig, ShapeStep, WeightedIntent, WeightedTenant
from load.shape_replay import ShapeReplay, sample_tick
from vocabulary import FaultWindow, Observation, Phase


def _obs(request_id: str, ts: float, status: str = "success") -> Observation:
    return Observation(
        ts=ts, source="load", scenario="t", request_id=request_id, status=status, latency_ms=1.0
    )


def test_arrival_timetable_counts_the_wait_of_a_late_send() -> None:
    table = ArrivalTimetable.for_user(now=100.0, total_rate=10.0, pool_users=2)  # 0.2 s apart
    assert table.wait_before_next(100.0) == 0.0
    assert table.take_slot() == 100.0
    assert table.wait_before_next(100.05) == pytest.approx(0.15)
    # The service stalled: the user is back at 101.0, four slots late; it sends at once,
    # and the latency of the slot due at 100.2 includes the 0.8 s it could not send.
    assert table.wait_before_next(101.0) == 0.0
    scheduled = table.take_slot()
    assert scheduled == pytest.approx(100.2)
    assert intended_latency_ms(scheduled, 101.01) == pytest.approx(810.0)


def test_sample_tick_collapses_equal_ticks_and_stops_at_none() -> None:
    def spike(t: float):
        if t >= 6:
            return None
        return (10, 5.0) if 2 <= t < 4 else (2, 1.0)

    steps = sample_tick(spike, duration_s=30)
    assert [(s.at_s, s.users, s.spawn_rate) for s in steps] == [
        (0.0, 2, 1.0),
        (2.0, 10, 5.0),
        (4.0, 2, 1.0),
    ]


def test_shape_replay_tick_sequence() -> None:
    replay = ShapeReplay(
        [ShapeStep(at_s=0, users=2, spawn_rate=1), ShapeStep(at_s=5, users=8, spawn_rate=4)],
        duration_s=10,
    )
    ticks = [replay.tick(t) for t in (0, 4.9, 5, 9.99, 10, 11)]
    assert ticks == [(2, 1), (2, 1), (8, 4), (8, 4), None, None]
    assert replay.peak_users == 8


def test_sample_tick_refuses_a_shape_with_no_load() -> None:
    with pytest.raises(ValueError, match="no load"):
        sample_tick(lambda t: None, duration_s=5)


@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 40)), max_size=60))
def test_merge_keeps_every_request_once(assignments) -> None:
    by_worker: dict[str, list[Observation]] = {}
    for index, (worker, request) in enumerate(assignments):
        by_worker.setdefault(f"w{worker}", []).append(_obs(f"r{request}", ts=float(index)))
    result = merge_observations(list(by_worker.items()))
    ids = [o.request_id for o in result.observations]
    assert len(ids) == len(set(ids)) == len({r for _, r in assignments})
    assert len(result.duplicate_request_ids) == len(assignments) - len(set(ids))
    assert [o.ts for o in result.observations] == sorted(o.ts for o in result.observations)


def test_writer_files_merge_without_loss_and_detect_missing(tmp_path: Path) -> None:
    first, second = ObservationWriter(tmp_path, "a"), ObservationWriter(tmp_path, "b")
    for i in range(5):
        first.add(_obs(f"a{i}", ts=100.0 + i))
        first.count_request()
    first.flush()  # flushed mid-run, then more, then closed
    first.add(_obs("a5", ts=105.5))
    first.count_request()
    first.close()
    second.add(_obs("b0", ts=102.5))
    second.count_request()
    second.count_request()  # a request Locust saw but whose observation never reached disk
    second.close()
    result = merge_observation_directory(tmp_path, [FaultWindow(102.0, 104.0)])
    assert result.per_worker == {"a": 6, "b": 1}
    assert result.requests_reported == {"a": 6, "b": 2}
    assert result.lost == 1 and not result.duplicate_request_ids
    phases = {o.request_id: o.phase for o in result.observations}
    assert (phases["a1"], phases["b0"], phases["a5"]) == (
        Phase.BASELINE,
        Phase.FAULT,
        Phase.RECOVERY,
    )


def test_locust_args_follow_the_options(tmp_path: Path) -> None:
    config = LocustRunConfig(
        scenario="spike",
        host="http://127.0.0.1:9",
        observation_dir=tmp_path,
        duration_s=30,
        intents=[WeightedIntent(intent="service_health", weight=1)],
        tenants=[WeightedTenant(tenant="acme", weight=1, api_key="k")],
        shape=[ShapeStep(at_s=0, users=2, spawn_rate=2)],
    )
    headless = locust_args(config, LocustOptions(processes=2, csv_prefix=tmp_path / "locust"))
    assert headless[:2] == ["-f", str(Path("load/users.py").resolve())]
    assert "--headless" in headless and headless[headless.index("--processes") :][:2] == [
        "--processes",
        "2",
    ]
    assert "--csv" in headless and "--autostart" not in headless
    ui = locust_args(config, LocustOptions(web_ui=True, web_port=8123))
    assert "--headless" not in ui and "--autostart" in ui and "8123" in ui
    assert "--processes" not in ui
    # The config crosses the process boundary as a file and comes back equal.
    assert LocustRunConfig.read(config.write(tmp_path / "c.json")) == config
    assert json.loads((tmp_path / "c.json").read_text())["scenario"] == "spike"

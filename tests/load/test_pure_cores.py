"""Pure cores of the load harness: arrival pacing, shape replay, merging, Locust's arguments."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from load.control.locust_args import LocustOptions, locust_args, worker_locust_args
from load.inputs.arrival import ArrivalTimetable, intended_latency_ms
from load.inputs.run_config import LocustRunConfig, ShapeStep, WeightedIntent, WeightedTenant
from load.inputs.shape_replay import ShapeReplay, sample_tick
from load.transport.observations import merge_observation_directory, segment_prefix
from vocabulary import FaultWindow, Observation, Phase
from vocabulary.segment_format import observations_of
from vocabulary.segment_writer import SegmentWriter


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


@settings(deadline=None)  # each example starts a merge's DuckDB: tens of ms
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 40)), max_size=60))
def test_merge_keeps_every_request_once(assignments) -> None:
    by_worker: dict[str, list[Observation]] = {}
    for index, (worker, request) in enumerate(assignments):
        by_worker.setdefault(f"w{worker}", []).append(_obs(f"r{request}", ts=float(index)))
    with tempfile.TemporaryDirectory() as folder:
        workers, into = Path(folder) / "workers", Path(folder) / "observations"
        workers.mkdir()
        for worker, observations in by_worker.items():
            with SegmentWriter(workers, segment_prefix(worker)) as segments:
                segments.extend(observations)
        result = merge_observation_directory(workers, into=into)
        merged = [o for path in result.segments for o in observations_of(path)]
    ids = [o.request_id for o in merged]
    assert len(ids) == len(set(ids)) == len({r for _, r in assignments}) == result.count
    assert result.duplicates == len(result.duplicate_request_ids)
    assert len(result.duplicate_request_ids) == len(assignments) - len(set(ids))
    assert [o.ts for o in merged] == sorted(o.ts for o in merged)


def _write_worker(directory: Path, worker: str, observations: list[Observation], **counts) -> None:
    lines = "".join(o.to_json() + "\n" for o in observations)
    (directory / f"observations-{worker}.jsonl").write_text(lines)
    record = {"worker": worker, "requests": counts["requests"], "sent_total": counts["sent"]}
    (directory / f"requests-{worker}.json").write_text(json.dumps(record))


def test_worker_files_merge_without_loss_and_detect_missing(tmp_path: Path) -> None:
    _write_worker(
        tmp_path,
        "a",
        [_obs(f"a{i}", ts=100.0 + i) for i in range(5)] + [_obs("a5", ts=105.5)],
        requests=6,
        sent=6,
    )
    # b: Locust saw two requests, b sent one observation
    _write_worker(tmp_path, "b", [_obs("b0", ts=102.5)], requests=2, sent=1)
    # c joined and ran no request: it has counts and no observation file
    (tmp_path / "requests-c.json").write_text('{"worker": "c", "requests": 0, "sent_total": 0}')
    merged = tmp_path / "merged"
    result = merge_observation_directory(tmp_path, [FaultWindow(102.0, 104.0)], into=merged)
    assert result.per_worker == {"a": 6, "b": 1, "c": 0}
    assert result.requests_reported == {"a": 6, "b": 2, "c": 0}
    assert result.sent_totals == result.per_worker
    assert result.lost == 1 and not result.duplicate_request_ids
    phases = {o.request_id: o.phase for path in result.segments for o in observations_of(path)}
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
        collector_url="http://127.0.0.1:9",
    )
    headless = locust_args(config, LocustOptions(csv_prefix=tmp_path / "locust"))
    assert headless[:2] == ["-f", str(Path("load/in_locust/users.py").resolve())]
    assert "--headless" in headless and "--master" not in headless
    assert "--csv" in headless and "--autostart" not in headless
    master = locust_args(
        config, LocustOptions(expect_workers=3, master_bind_host="0.0.0.0", master_bind_port=7001)
    )
    assert master[master.index("--master") :][:7] == [
        "--master",
        "--expect-workers",
        "3",
        "--master-bind-host",
        "0.0.0.0",
        "--master-bind-port",
        "7001",
    ]
    ui = locust_args(config, LocustOptions(web_ui=True, web_port=8123))
    # The UI starts and quits with the shape, so the run ends and reports by itself.
    assert "--headless" not in ui and "--autostart" in ui and "8123" in ui
    assert ui[ui.index("--autoquit") + 1] == "0"
    worker = worker_locust_args(config, "10.0.0.5", 7001, processes=2)
    assert worker[worker.index("--worker") :] == [
        "--worker",
        "--master-host",
        "10.0.0.5",
        "--master-port",
        "7001",
        "--processes",
        "2",
    ]
    # The config crosses the process boundary as a file and comes back equal.
    assert LocustRunConfig.read(config.write(tmp_path / "c.json")) == config
    assert json.loads((tmp_path / "c.json").read_text())["scenario"] == "spike"

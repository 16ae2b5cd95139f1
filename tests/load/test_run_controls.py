"""The live line, `--duration` scaling a shape, and where workers run."""

from __future__ import annotations

import pytest

from load.control.chaos_driver import ChaosLog
from load.control.drive import DriveOutcome
from load.control.progress import ProgressTracker
from load.control.run_checks import integrity_checks
from load.control.topology import plan_topology
from load.inputs.profile import load_profile
from load.inputs.run_config import LocustRunConfig, ShapeStep, WeightedIntent, WeightedTenant
from load.transport.observations import MergeResult
from load.transport.worker_join import parse_master, pointed_at


def test_duration_scales_the_shape_and_its_chaos() -> None:
    spike = load_profile("spike")  # 30 s, spike from 10 s for 10 s
    short = spike.with_overrides(duration_s=15)
    assert (short.duration, short.shape.at, short.shape.spike_duration) == (15, 5, 5)
    assert short.tick(4.9)[0] == 2 and short.tick(5.0)[0] == 8 and short.tick(10.0)[0] == 2
    ramp = load_profile("ramp").with_overrides(duration_s=2 * load_profile("ramp").duration)
    assert ramp.shape.over == 2 * load_profile("ramp").shape.over


def test_duration_scales_a_chaos_schedule(tmp_path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        "name: p\nduration: 30s\nshape: {kind: spike, base_users: 1, spike_users: 3, at: 10s,"
        " spike_duration: 10s}\n"
        "intents: [{intent: service_overview, parameters: {service: checkout}}]\ntenants: [acme]\n"
        "chaos:\n  - {fault: {kind: latency, upstream: metrics, latency_ms: 100},"
        " start: 12s, duration: 6s}\n"
    )
    (fault,) = load_profile(path).with_overrides(duration_s=15).chaos
    assert (fault.start, fault.duration) == (6.0, 3.0)


def test_the_live_line_shows_users_rate_p95_and_the_status_mix() -> None:
    tracker = ProgressTracker(window_s=5.0)
    tracker.users = 7
    tracker.add([(float(ms), "success") for ms in range(1, 20)] + [(900.0, "failed")], now=10.0)
    line = tracker.line(elapsed_s=12, phase="fault", now=10.0)
    assert "users 7" in line and "4.0 req/s" in line and "p95   900.0 ms" in line
    assert "[failed 5% success 95%]" in line and "fault" in line
    later = tracker.line(elapsed_s=20, phase="recovery", now=20.0)
    assert "0.0 req/s" in later and "requests 20" in later  # the window emptied, totals stay


def test_topology_of_local_and_remote_workers() -> None:
    single = plan_topology()
    assert not single.distributed and single.bind_host == "127.0.0.1"
    local = plan_topology(processes=3)
    assert (local.expect_workers, local.local_workers, local.remote) == (3, 3, False)
    remote = plan_topology(expect_workers=2, master_port=6000)
    assert (remote.collector_port, remote.locust_port, remote.service_port) == (6000, 6001, 6002)
    assert remote.remote and remote.local_workers == 0
    for bad, message in [
        ({"master_port": 6000}, "needs --expect-workers"),
        ({"expect_workers": 2, "processes": 2}, "do not combine"),
        ({"expect_workers": 2, "master_port": 80}, "expected 1024..65533"),
    ]:
        with pytest.raises(ValueError, match=message):
            plan_topology(**bad)


def test_a_worker_points_loopback_addresses_at_the_master() -> None:
    assert parse_master("10.1.2.3:5557") == ("10.1.2.3", 5557)
    assert parse_master("[::1]:5557") == ("::1", 5557)
    with pytest.raises(ValueError, match="expected HOST:PORT"):
        parse_master("10.1.2.3")
    config = LocustRunConfig(
        scenario="s",
        host="http://127.0.0.1:6002",
        observation_dir="/tmp",
        duration_s=5,
        intents=[WeightedIntent(intent="service_health", weight=1)],
        tenants=[WeightedTenant(tenant="acme", weight=1, api_key="k")],
        shape=[ShapeStep(at_s=0, users=1, spawn_rate=1)],
        collector_url="http://127.0.0.1:6000",
    )
    remote = pointed_at(config, "master.lan")
    assert (remote.host, remote.collector_url) == (
        "http://master.lan:6002",
        "http://master.lan:6000",
    )
    elsewhere = config.model_copy(update={"host": "https://sut.example:443"})
    assert pointed_at(elsewhere, "master.lan").host == "https://sut.example:443"


def test_the_run_checks_name_a_skewed_worker_and_a_missing_final_batch() -> None:
    merge = MergeResult(0, {"a": 3, "b": 2}, {"a": 3, "b": 2}, sent_totals={"a": 3, "b": 2})
    merge.clock_offsets_s = {"a": 0.01, "b": -2.5}
    outcome = DriveOutcome(locust_exit=0, incomplete_workers=["b"])
    checks = {
        c.name: c
        for c in integrity_checks(
            merge, ChaosLog(), outcome, None, topology=plan_topology(processes=2), interrupted=False
        )
    }
    assert not checks["worker clocks agree with the master's"].passed
    assert checks["worker clocks agree with the master's"].detail == "b -2.50s"
    assert not checks["every worker delivered its final batch"].passed
    assert checks["no request lost"].passed
    merge.sent_totals = {"a": 3, "b": 4}  # b says it sent two that never arrived
    lost = integrity_checks(
        merge, ChaosLog(), outcome, None, topology=plan_topology(), interrupted=False
    )
    assert not next(c for c in lost if c.name == "no request lost").passed

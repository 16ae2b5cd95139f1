"""Load profiles (files and built-ins) and the pure shape tick functions."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chaos.schedule import fault_spans
from load.inputs.profile import builtin_profiles, load_profile
from load.inputs.shapes import ConstantArrivalShape, RampShape, SpikeShape, StepShape
from vocabulary import Phase, YamlInputError, phase_at

PROFILE = """\
name: spike-under-latency
duration: 30s
shape:
  kind: spike
  base_users: 2
  spike_users: 10
  at: 10s
  spike_duration: 10s
intents:
  - {intent: service_overview, weight: 3, parameters: {service: checkout}}
tenants:
  - acme
  - {tenant: globex, weight: 2}
chaos:
  - fault: {kind: latency, upstream: metrics, latency_ms: 3000}
    start: 12s
    duration: 6s
"""


def _ticks(profile_tick, until: float, step: float = 1.0) -> list:  # type: ignore[no-untyped-def]
    ticks, elapsed = [], 0.0
    while (tick := profile_tick(elapsed)) is not None and elapsed <= until:
        ticks.append(tick)
        elapsed += step
    return ticks


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "profile.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_profile_file_loads_with_tenant_weights_and_chaos(tmp_path: Path) -> None:
    profile = load_profile(_write(tmp_path, PROFILE))
    assert [(mix.tenant, mix.weight) for mix in profile.tenants] == [("acme", 1), ("globex", 2)]
    windows = [span.window for span in fault_spans(profile.chaos, profile.duration)]
    assert [phase_at(t, windows) for t in (0, 12, 17.9, 18, 29)] == [
        Phase.BASELINE,
        Phase.FAULT,
        Phase.FAULT,
        Phase.RECOVERY,
        Phase.RECOVERY,
    ]
    users = [users for users, _rate in _ticks(profile.tick, 60)]
    assert users == [2] * 10 + [10] * 10 + [2] * 10  # spike in [10 s, 20 s), stop at 30 s
    assert profile.tick(30.0) is None


def test_builtin_profiles_load_and_stop_at_their_duration() -> None:
    assert {"ramp", "step", "spike", "soak"} <= set(builtin_profiles())
    for name in builtin_profiles():
        profile = load_profile(name)
        assert profile.tick(0.0) is not None
        assert profile.tick(profile.duration - 0.001) is not None
        assert profile.tick(profile.duration) is None


@pytest.mark.parametrize(
    ("old", "new", "line", "field", "says"),
    [
        ("spike_users: 10", "spike_users: many", 6, "shape.spike_users", "got 'many'"),
        (
            "kind: spike",
            "kind: burst",
            4,
            "shape.kind",
            "'ramp', 'step', 'spike', 'soak', 'constant_arrival'",
        ),
        ("  at: 10s\n", "", 4, "shape.at", "required field is missing"),
        (
            "spike_duration: 10s",
            "spike_duration: 25s",
            8,
            "shape.spike_duration",
            "fit in the run's duration",
        ),
        ("duration: 6s", "duration: 20s", 17, "chaos[0].duration", "end by 30s"),
        (
            "{kind: latency, upstream: metrics, latency_ms: 3000}",
            "{kind: injection}",
            15,
            "chaos[0].fault.kind",
            "tenant attacks run in scenarios, not load profiles",
        ),
        (
            "  - acme\n",
            "  - acme\n  - {tenant: acme}\n",
            13,
            "tenants[1].tenant",
            "each tenant once",
        ),
        ("duration: 30s", "duration: 30", 2, "duration", "expected a duration"),
        ("tenants:", "tenant:", 11, "tenant", "unknown key (did you mean 'tenants'?)"),
    ],
)
def test_malformed_profile(
    tmp_path: Path, old: str, new: str, line: int, field: str, says: str
) -> None:
    assert old in PROFILE
    with pytest.raises(YamlInputError) as caught:
        load_profile(_write(tmp_path, PROFILE.replace(old, new, 1)))
    error = caught.value
    assert (error.line, error.field) == (line, field), str(error)
    assert says in str(error) and "\n" not in str(error)


def test_unknown_profile_name_lists_the_builtins() -> None:
    with pytest.raises(YamlInputError, match="built-in: ramp, soak, spike, step"):
        load_profile("spikey")


def test_overrides_revalidate() -> None:
    spike = load_profile("spike").with_overrides(duration_s=40.0, users=6)
    assert spike.duration == 40.0 and spike.shape.peak_users == 6 and spike.tick(40.0) is None
    # A shorter run scales the shape (see tests/load/test_run_controls.py); nonsense is refused.
    assert load_profile("spike").with_overrides(duration_s=15.0).shape.at == 5.0
    with pytest.raises(ValueError, match="expected a duration above zero"):
        load_profile("spike").with_overrides(duration_s=0.0)


def test_ramp_is_monotone_and_reaches_its_target() -> None:
    ramp = RampShape.model_validate({"from_users": 1, "to_users": 20, "over": "40s"})
    users = [ramp.tick(t, 60.0)[0] for t in range(60)]  # type: ignore[index]
    assert users[0] == 1 and users[40:] == [20] * 20
    assert all(a <= b for a, b in zip(users, users[1:], strict=False))
    assert ramp.tick(60.0, 60.0) is None
    down = RampShape.model_validate({"from_users": 10, "to_users": 2, "over": "8s"})
    assert [down.users_at(t) for t in (0, 4, 8, 9)] == [10, 6, 2, 2]


@given(st.integers(1, 10), st.integers(1, 50), st.integers(1, 30))
def test_step_is_monotone_and_capped(step_users: int, max_users: int, every_s: int) -> None:
    step = StepShape.model_validate(
        {
            "step_users": step_users,
            "step_every": f"{every_s}s",
            "max_users": max(max_users, step_users),
        }
    )
    users = [step.users_at(t / 2) for t in range(400)]
    assert users[0] == step_users
    assert all(a <= b for a, b in zip(users, users[1:], strict=False))
    assert max(users) <= step.max_users
    assert step.users_at(every_s) == min(2 * step_users, step.max_users)


def test_shape_models_refuse_nonsense() -> None:
    with pytest.raises(ValueError, match="spike_users above base_users"):
        SpikeShape.model_validate(
            {"base_users": 5, "spike_users": 5, "at": "1s", "spike_duration": "1s"}
        )
    with pytest.raises(ValueError, match="start_users <= max_users"):
        StepShape.model_validate(
            {"start_users": 9, "step_users": 1, "step_every": "1s", "max_users": 5}
        )


def test_constant_arrival_schedules_fixed_intervals() -> None:
    arrival = ConstantArrivalShape.model_validate({"rate": "20/s", "max_users": 8})
    assert arrival.interval_s == 0.05
    assert [arrival.scheduled_start(n) for n in (0, 1, 20)] == [0.0, 0.05, 1.0]
    assert arrival.tick(0.0, 10.0) == (8, 8.0) and arrival.tick(10.0, 10.0) is None


def test_builtin_profiles_name_intents_and_tenants_the_stack_knows() -> None:
    from chaos.seed import TENANTS
    from orchestrator.intents import register_ops_intents

    class _Names:
        def __init__(self) -> None:
            self.names: set[str] = set()

        def register(self, name: str, builder: object) -> None:
            self.names.add(name)

        def audit_every_request(self) -> None:
            pass

    registered = _Names()
    register_ops_intents(registered)
    for name in builtin_profiles():
        profile = load_profile(name)
        assert {mix.intent for mix in profile.intents} <= registered.names, name
        assert {mix.tenant for mix in profile.tenants} <= set(TENANTS), name

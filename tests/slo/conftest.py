"""Synthetic observation streams for the SLO tests (seeded, so every run sees the same data)."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator

import pytest

from vocabulary import Observation, Phase

Stream = Callable[..., Iterator[Observation]]


def synthetic(
    n: int,
    *,
    failed: float = 0.0,
    partial: float = 0.0,
    latency_ms: float = 50.0,
    seed: int = 7,
    start: float = 1_700_000_000.0,
    step_s: float = 0.01,
    phase: Phase = Phase.BASELINE,
    scenario: str = "s",
    intents: tuple[str, ...] = ("lookup",),
    tool_error: tuple[str, float] | None = None,
) -> Iterator[Observation]:
    rng = random.Random(seed)
    for index in range(n):
        roll = rng.random()
        status = "failed" if roll < failed else "partial" if roll < failed + partial else "success"
        errors = {}
        if tool_error is not None and rng.random() < tool_error[1]:
            errors = {tool_error[0]: "timeout"}
        yield Observation(
            ts=start + index * step_s,
            scenario=scenario,
            phase=phase,
            status=status,
            latency_ms=rng.expovariate(1 / latency_ms),
            intent=intents[index % len(intents)],
            tool_errors=errors,
        )


@pytest.fixture
def stream() -> Stream:
    return synthetic

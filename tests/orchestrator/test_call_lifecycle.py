"""The call lifecycle as a pure machine, run on a virtual clock: every property holds
for any sequence of outcomes and durations hypothesis can think of."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from orchestrator import RetryPolicy, SecurityRefusal, ToolError, ToolErrorCode, VirtualClock
from orchestrator.errors import CircuitOpen
from orchestrator.lifecycle import Attempt, CallLifecycle, CallRules, Done, FallBack, Wait

RETRY = RetryPolicy(max_attempts=3, base_delay_seconds=0.02, min_attempt_seconds=0.05)
CODES = list(ToolErrorCode)

outcome = st.one_of(
    st.none(),  # success
    st.sampled_from(CODES).map(
        lambda code: SecurityRefusal(code) if code.is_security else ToolError(code)
    ),
    st.just(CircuitOpen("breaker open")),
)


def _rules(clock: VirtualClock, timeout: float, request_left: float, fallback: bool) -> CallRules:
    return CallRules(
        deadline_at=clock.now + min(timeout, request_left),
        request_deadline_at=clock.now + request_left,
        retry=RETRY,
        idempotent=True,
        fallback_seconds=1.0 if fallback else None,
    )


def _run(rules, clock, outcomes, durations, refusal=None):
    """Drive the machine as the executor does; returns every step and when it was taken."""
    lifecycle = CallLifecycle(rules)
    step = lifecycle.start(clock.now, refusal)
    steps = [(clock.now, step)]
    while not isinstance(step, Done):
        if isinstance(step, Attempt):
            clock.advance(durations.pop(0) if durations else 0.0)
            error = outcomes.pop(0) if outcomes else None
            step = lifecycle.attempted("data" if error is None else None, error, clock.now)
        elif isinstance(step, Wait):
            clock.advance(step.seconds)
            step = lifecycle.waited(clock.now)
        else:
            assert isinstance(step, FallBack)
            step = lifecycle.fell_back("snapshot", None)
        steps.append((clock.now, step))
    return lifecycle, steps


@given(
    outcomes=st.lists(outcome, max_size=6),
    durations=st.lists(st.floats(0, 2), max_size=6),
    timeout=st.floats(0.01, 3),
    request_left=st.floats(0.01, 5),
    fallback=st.booleans(),
)
def test_never_attempts_past_the_deadline_and_attempts_are_bounded(
    outcomes, durations, timeout, request_left, fallback
) -> None:
    clock = VirtualClock(100.0)
    rules = _rules(clock, timeout, request_left, fallback)
    lifecycle, steps = _run(rules, clock, list(outcomes), list(durations))
    for when, step in steps:
        if isinstance(step, Attempt):
            assert when < rules.deadline_at
            assert step.deadline_at == rules.deadline_at
            # the attempt says which deadline ends it: the breaker and the message read it
            assert step.request_bound == (rules.deadline_at >= rules.request_deadline_at)
        if isinstance(step, FallBack):
            assert when < rules.request_deadline_at
            assert step.deadline_at <= rules.request_deadline_at
    assert lifecycle.attempts <= RETRY.max_attempts
    assert isinstance(steps[-1][1], Done)


@given(
    code=st.sampled_from([c for c in CODES if c.is_security]),
    fallback=st.booleans(),
    as_refusal=st.booleans(),
)
def test_a_security_refusal_never_retries_and_never_falls_back(code, fallback, as_refusal) -> None:
    clock = VirtualClock()
    refusal = SecurityRefusal(code, "no")
    rules = _rules(clock, 5.0, 5.0, fallback)
    if as_refusal:  # refused before the tool ran
        lifecycle, steps = _run(rules, clock, [], [], refusal=refusal)
    else:  # raised by the tool itself (an unsafe query, say)
        lifecycle, steps = _run(rules, clock, [refusal], [])
    assert [type(step) for _, step in steps][-1] is Done
    assert not any(isinstance(step, Wait | FallBack) for _, step in steps)
    assert steps[-1][1].error is refusal and lifecycle.attempts == (0 if as_refusal else 1)


@given(fallback=st.booleans())
def test_an_open_breaker_is_no_attempt_and_is_never_retried(fallback) -> None:
    clock = VirtualClock()
    lifecycle, steps = _run(_rules(clock, 5.0, 5.0, fallback), clock, [CircuitOpen("open")] * 3, [])
    assert lifecycle.attempts == 0
    assert not any(isinstance(step, Wait) for _, step in steps)
    assert isinstance(steps[-2][1], FallBack) == fallback


def test_transient_failures_wait_with_backoff_then_succeed() -> None:
    clock = VirtualClock()
    upstream = ToolError(ToolErrorCode.UPSTREAM_ERROR)
    lifecycle, steps = _run(_rules(clock, 5.0, 5.0, False), clock, [upstream, upstream], [0.1])
    kinds = [type(step).__name__ for _, step in steps]
    assert kinds == ["Attempt", "Wait", "Attempt", "Wait", "Attempt", "Done"]
    assert [step.seconds for _, step in steps if isinstance(step, Wait)] == [0.02, 0.04]
    assert steps[-1][1] == Done("data", None) and lifecycle.attempts == 3


def test_a_wait_that_overruns_the_deadline_gives_up_with_the_last_error() -> None:
    clock = VirtualClock()
    upstream = ToolError(ToolErrorCode.UPSTREAM_ERROR)
    lifecycle = CallLifecycle(_rules(clock, 1.0, 5.0, fallback=True))
    lifecycle.start(clock.now)
    assert isinstance(lifecycle.attempted(None, upstream, clock.now), Wait)
    clock.advance(0.99)  # the loop was busy: the wait ended late
    step = lifecycle.waited(clock.now)
    assert isinstance(step, FallBack)  # no attempt with 10 ms left; the fallback instead
    assert lifecycle.fell_back(None, ToolError(ToolErrorCode.TIMEOUT)) == Done(None, upstream)


def test_no_time_left_at_the_start_is_a_timeout_without_an_attempt() -> None:
    clock = VirtualClock()
    rules = _rules(clock, 1.0, 1.0, fallback=False)
    clock.advance(1.0)
    step = CallLifecycle(rules).start(clock.now)
    assert isinstance(step, Done) and step.error.code is ToolErrorCode.TIMEOUT

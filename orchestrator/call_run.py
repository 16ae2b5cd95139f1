"""One call on its way: its policy, its lifecycle, the step it is at, the attempt in flight.

A call is opened by its stage (`open`): admitted if that needs no waiting, its first attempt
launched. After one loop turn the stage settles at once every call whose attempt has
ended with nothing more to do (`settle_at_once`); the others are carried to their end by a
driver task (`executor.py`) from the same state. Both paths take the same steps, in the
same order, and make the same decisions: the lifecycle's.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from .call_policy import WAIT_FOR_SLOT, GuardedTool
from .contracts import OrchestrationRequest, ToolCall, ToolResult
from .deadline import RunningWork
from .errors import CircuitOpen, ToolError
from .lifecycle import Attempt, CallLifecycle, Done, Step
from .tool import CallContext


class CallRun:
    __slots__ = (
        "call",
        "guarded",
        "ctx",
        "lifecycle",
        "started",
        "step",
        "running",
        "holds_slot",
        "result",
    )

    def __init__(
        self,
        call: ToolCall,
        guarded: GuardedTool,
        ctx: CallContext,
        lifecycle: CallLifecycle,
        started: float,
    ) -> None:
        self.call = call
        self.guarded = guarded
        self.ctx = ctx
        self.lifecycle = lifecycle
        self.started = started
        # None until admission is decided (a call queued for a bulkhead slot waits first).
        self.step: Step | None = None
        self.running: RunningWork[Any] | None = None  # the attempt launched and not yet read
        self.holds_slot = False
        self.result: ToolResult | None = None

    @classmethod
    def open(
        cls,
        call: ToolCall,
        guarded: GuardedTool,
        request: OrchestrationRequest,
        authenticated: bool,
        dependencies: Mapping[str, Any],
        request_deadline_at: float,
        now: float,
    ) -> CallRun:
        """Start the call: admit it and launch its first attempt, unless it must queue for a
        bulkhead slot (then `step` stays None until `admitted`)."""
        rules = guarded.rules(now, request_deadline_at)
        ctx = CallContext.of_call(
            request.request_id,
            request.tenant_id,
            authenticated,
            call.call_id,
            dependencies,
            rules.deadline_at,  # admission waits within it; each attempt then carries its own
        )
        run = cls(call, guarded, ctx, CallLifecycle(rules), now)
        admission = guarded.try_admit(ctx)
        if admission is not WAIT_FOR_SLOT:
            run.admitted(admission, now)
        return run

    def admitted(self, refusal: ToolError | None, now: float) -> None:
        """Admission is decided: the lifecycle starts, and its first attempt is launched."""
        self.holds_slot = refusal is None
        self.step = self.lifecycle.start(now, refusal)
        self.launch(now)

    def launch(self, now: float) -> None:
        """Launch the attempt the step asks for; the breaker's refusal ends it at once."""
        if isinstance(self.step, Attempt) and self.running is None:
            launched = self.guarded.launch(self.call, self.ctx, self.step)
            if isinstance(launched, CircuitOpen):
                self.step = self.lifecycle.attempted(None, launched, now)
            else:
                self.running = launched

    def concluded(self, work: asyncio.Task[Any] | None, now: float) -> None:
        """The attempt in flight has ended (`work`: its task), or its deadline came (None)."""
        assert isinstance(self.step, Attempt)
        data, error = self.guarded.conclude(work, self.ctx, self.step)
        self.running = None
        self.step = self.lifecycle.attempted(data, error, now)

    def settle_at_once(self, now: float) -> bool:
        """After the stage's loop turn: end the call here if its attempt has ended and its
        lifecycle says done. False when it needs its driver (queued for a slot, attempt still
        running, a retry wait or a fallback ahead)."""
        running = self.running
        if running is not None and running.task.done():
            self.concluded(running.task, now)
        step = self.step
        if self.running is not None or not isinstance(step, Done):
            return False
        self.release()
        self.finish(step, now)
        return True

    def abandoned(self) -> None:
        """The stage was cancelled: a launched attempt is neutral for the breaker, and the
        slot is given back (the caller abandons the attempt's task)."""
        if self.running is not None:
            self.guarded.abandoned(self.ctx)
        self.release()

    def release(self) -> None:
        if self.holds_slot:
            self.holds_slot = False
            self.guarded.release(self.ctx)

    def finish(self, done: Done, now: float) -> None:
        """The call's answer, from the step its lifecycle ended with."""
        self.result = self.guarded.result(
            self.call, done, self.lifecycle.attempts, self.started, now
        )

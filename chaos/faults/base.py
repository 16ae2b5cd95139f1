"""The `Fault` base model, the registry of fault kinds, and the always-rollback driver.

A fault is data: a frozen pydantic model with a `kind` discriminator. Applying it is a
context manager::

    with fault.apply(target):
        ...  # the world is broken here
    # ...and restored here, also after an exception or Ctrl-C

Each kind implements `inject(target, undo)`: it pushes the action that undoes each step
onto `undo` (a `contextlib.ExitStack`) *before* taking the step, so an interrupt at any
point still rolls back whatever was done. Every undo action tolerates "never happened"
and runs at most once (the stack pops it), which makes rollback idempotent.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from .errors import FaultInjectionError, FaultRollbackError

if TYPE_CHECKING:
    from .target import FaultTarget

FAULT_KINDS: dict[str, type[Fault]] = {}
"""Every registered fault kind, by its `kind` name."""


class Fault(BaseModel):
    """One way to break the world; subclasses set `kind` as a `Literal` and `inject`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str

    def unavailable_on(self, target: FaultTarget) -> str | None:
        """Why this fault cannot land on `target` at all (one line), or None. A scenario
        whose fault cannot land is inconclusive: nothing it judges would test the fault."""
        return None

    def evidence(self) -> tuple[bool, str] | None:
        """After it was applied: whether the fault met the system (a session it ended, say),
        and one line saying what it did; None when the fault offers no such evidence. A
        fault that met nothing leaves its scenario inconclusive."""
        return None

    def inject(self, target: FaultTarget, undo: ExitStack) -> None:
        """Break the world, pushing the undo of each step onto `undo` before the step."""
        raise NotImplementedError(f"{type(self).__name__} cannot be applied directly")

    @contextmanager
    def apply(self, target: FaultTarget) -> Iterator[None]:
        """Hold the fault for the duration of the `with` block, then always roll back.

        Blocking: from async code use `chaos.faults.applied(fault, target)` instead.
        """
        undo = ExitStack()
        try:
            self.inject_or_explain(target, undo)
            yield
        finally:
            with _sigint_deferred():
                self.roll_back(undo)

    def inject_or_explain(self, target: FaultTarget, undo: ExitStack) -> None:
        """`inject`, with a failure reported as a `FaultInjectionError` naming the kind."""
        try:
            self.inject(target, undo)
        except Exception as exc:
            raise FaultInjectionError(f"{self.kind}: could not inject: {exc}") from exc

    def roll_back(self, undo: ExitStack) -> None:
        """Run the undo actions (each at most once); failures become `FaultRollbackError`."""
        try:
            undo.close()
        except Exception as exc:
            raise FaultRollbackError(f"{self.kind}: rollback failed: {exc}") from exc


def register_fault(cls: type[Fault]) -> type[Fault]:
    """Class decorator: make `cls` available under its `kind` name."""
    kind_field = cls.model_fields["kind"]
    kind = kind_field.default
    if not isinstance(kind, str):
        raise TypeError(f"{cls.__name__}.kind needs a Literal default naming the kind")
    if kind in FAULT_KINDS:
        raise ValueError(f"fault kind {kind!r} is registered twice")
    FAULT_KINDS[kind] = cls
    return cls


@contextmanager
def _sigint_deferred() -> Iterator[None]:
    """Hold back a second Ctrl-C while a rollback runs, then deliver it.

    A user pressing Ctrl-C twice must not leave a toxic or a renamed column behind.
    Signal handlers can only be changed from the main thread; elsewhere this is a no-op.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, _frame: received.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if received:
            if callable(previous):
                previous(signal.SIGINT, None)
            elif previous == signal.SIG_DFL:
                os.kill(os.getpid(), signal.SIGINT)

"""The orchestrator's wire contracts: what goes in, what comes out.

Every model here is pydantic v2 and strict about unknown fields, so a typo in a
request is a 422 with the field named, not a silently ignored option.
"""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from contract import Status, ToolErrorCode

# The error codes and statuses are the contract's: every system under test shares them.
OrchestrationStatus = Status


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ToolCall(_Strict):
    """One invocation of one tool inside a plan.

    `depends_on` names earlier calls (by `call_id`) whose data this call needs; the
    tool receives their outputs, and the call is not run when any of them failed.
    """

    call_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")
    tool_id: str = Field(min_length=1, max_length=64)
    arguments: dict[str, Any] = Field(default_factory=dict)
    depends_on: list[str] = Field(default_factory=list)


class ToolResult(_Strict):
    call_id: str
    tool_id: str
    success: bool
    data: Any = None
    error_code: ToolErrorCode | None = None
    error_message: str | None = None
    security_error: bool = False
    fallback_used: bool = False
    latency_ms: float = 0.0
    attempts: int = 0

    @model_validator(mode="after")
    def _failure_has_a_code(self) -> ToolResult:
        if not self.success and self.error_code is None:
            raise ValueError("a failed ToolResult needs an error_code")
        return self


class Stage(_Strict):
    """Calls that run concurrently; the next stage starts when this one has ended."""

    calls: list[ToolCall] = Field(min_length=1)


class Plan(_Strict):
    stages: list[Stage] = Field(min_length=1)

    @model_validator(mode="after")
    def _references_are_earlier_and_unique(self) -> Plan:
        seen: set[str] = set()
        for index, stage in enumerate(self.stages):
            here = [call.call_id for call in stage.calls]
            for call in stage.calls:
                for dep in call.depends_on:
                    if dep not in seen:
                        raise ValueError(
                            f"stages[{index}]: call {call.call_id!r} depends on {dep!r}, "
                            "which is not a call of an earlier stage"
                        )
            duplicates = (set(here) & seen) | {c for c in here if here.count(c) > 1}
            if duplicates:
                raise ValueError(f"stages[{index}]: duplicate call_id {sorted(duplicates)}")
            seen.update(here)
        return self


class OrchestrationRequest(_Strict):
    """A question for the orchestrator: a named intent, or an explicit plan."""

    request_id: str = Field(
        default_factory=lambda: uuid.uuid4().hex,
        min_length=1,
        max_length=128,
        pattern=r"^[A-Za-z0-9_.:\-]+$",
    )
    tenant_id: str = Field(min_length=1, max_length=64)
    intent: str | None = Field(default=None, min_length=1, max_length=64)
    parameters: dict[str, Any] = Field(default_factory=dict)
    plan: Plan | None = None
    deadline_seconds: float | None = Field(default=None, gt=0, le=300)

    @model_validator(mode="after")
    def _intent_xor_plan(self) -> OrchestrationRequest:
        if (self.intent is None) == (self.plan is None):
            raise ValueError("give exactly one of 'intent' or 'plan'")
        return self


class CallTrace(_Strict):
    """When a call ran, relative to the start of the request, so the critical path shows."""

    call_id: str
    tool_id: str
    stage: int
    start_ms: float
    end_ms: float


class OrchestrationResponse(_Strict):
    request_id: str
    tenant_id: str
    status: OrchestrationStatus
    results: list[ToolResult] = Field(default_factory=list)
    successful_tools: list[str] = Field(default_factory=list)
    failed_tools: list[str] = Field(default_factory=list)
    fallback_tools: list[str] = Field(default_factory=list)
    error_message: str | None = None
    trace: list[CallTrace] = Field(default_factory=list)
    latency_ms: float = 0.0


_Model = TypeVar("_Model", bound=BaseModel)

# The slots every pydantic model has, written straight through their descriptors:
# `object.__setattr__` looks each name up again on every call.
_new_instance = object.__new__
_set_dict = object.__setattr__
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__


def build_unchecked(model: type[_Model], **fields: Any) -> _Model:
    """An instance of `model` from fields the orchestrator built itself: every field given,
    every value already of its declared type, so validation is skipped.

    The executor builds a result and a trace entry per call; validating them (or
    `model_construct`, which walks the defaults in Python) was the engine's largest
    avoidable cost. Never use this on outside input. A test pins that the instance
    equals, and serialises exactly like, a validated one.
    """
    instance = _new_instance(model)
    _set_dict(instance, "__dict__", fields)
    _set_fields_set(instance, set(fields))
    _set_extra(instance, None)
    _set_private(instance, None)
    return instance

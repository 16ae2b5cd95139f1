"""Every registered fault kind as a hypothesis strategy, derived from its pydantic model.

A kind's strategy varies each field that has a meaning the model states: a `Literal`
(an upstream, a stream) is one of its values, a bounded number lies within its bounds, a
tenant is one of the world's tenants, a table and column are a real pair of the ops
schema. A field with no such meaning (an attack's SQL, its injection payloads) keeps the
model's default, so a new kind registered in `chaos.faults` joins the space with nothing
to add here. Numbers shrink towards their lower bound and lists towards fewer items, so
hypothesis's shrinking means "a smaller magnitude".

An unbounded magnitude is capped where larger says nothing new: a latency beyond twice the
request deadline waits the same as one at it.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Union, get_args, get_origin

import annotated_types
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from chaos.faults import FAULT_KINDS, Fault, TenantAttack
from contract import Promises

from .schema_names import OPS_COLUMNS

__all__ = ["FaultSpace", "fault_strategy"]

# Upper ends for magnitudes the model leaves open, by field name (or unit suffix).
OPEN_CAPS: Mapping[str, int] = {
    "_ms": 10_000,  # twice the suite's 5 s request deadline
    "_us": 50_000,
    "bytes": 65_536,
    "average_size": 8_192,
    "size_variation": 8_192,
    "rate_kbps": 1_024,
    "max_connections": 200,
}
DEFAULT_CAP = 1_000
SHARE_STEPS = 20  # a probability (toxicity, share) in steps of 5 %: readable in YAML
# An attack acting as another tenant sends the abuser's own requests beside the workload
# (`rate`, in volleys of `burst`), never a share of the victims' requests: the victims
# keep all their traffic to be judged on, and a volley's requests, alike and started
# together, fail together, as a script firing in parallel makes them fail: five failures
# in a row is what a breaker counting consecutive failures opens on, and a paced flood's
# failures come between the victims' successes. Shrinks towards one at a time, slowest.
ABUSE_RATES = (5, 10, 20, 40)  # requests a second
MAX_VOLLEY = 10
_ABUSER_FIELDS: Mapping[str, st.SearchStrategy[Any] | None] = {
    "share": None,
    "rate": st.sampled_from(ABUSE_RATES).map(lambda per_second: f"{per_second}/s"),
    "burst": st.integers(1, MAX_VOLLEY),
}


@dataclass(frozen=True)
class FaultSpace:
    """What the generated faults may name: the victims' and the abusers' tenants, the
    fault kinds allowed on this world (all of them, or the network ones for a running URL),
    the upstreams (the world's and those the system declares), and the promises the
    system declares, which judge each experiment beside the universal ones."""

    victims: tuple[str, ...]
    abusers: tuple[str, ...]
    kinds: tuple[str, ...] = ()  # empty: every registered kind
    upstreams: tuple[str, ...] = ()  # empty: every upstream the model allows
    promises: Promises = field(default_factory=Promises, compare=False)

    def allowed_kinds(self) -> list[str]:
        return sorted(self.kinds or FAULT_KINDS)


def fault_strategy(kind: str, space: FaultSpace) -> st.SearchStrategy[Fault]:
    """One fault of `kind`, its fields drawn within the model's bounds."""
    cls = FAULT_KINDS[kind]
    fields: dict[str, st.SearchStrategy[Any]] = {}
    for name, info in cls.model_fields.items():
        if name == "kind":
            continue
        strategy = _field_strategy(cls, name, info, space)
        if strategy is not None:
            fields[name] = strategy
    if "table" in cls.model_fields:
        fields.pop("table", None)
        fields.pop("column", None)
        return _with_schema_names(cls, fields)
    # fields drawn one by one may break a rule between them (a slicer's variation below its
    # average): such a draw is no fault at all, and is drawn again
    return st.fixed_dictionaries(fields).map(_valid(cls)).filter(lambda fault: fault is not None)


def _valid(cls: type[Fault]) -> Callable[[dict[str, Any]], Fault | None]:
    def build(values: dict[str, Any]) -> Fault | None:
        try:
            return cls(**values)
        except ValidationError:
            return None

    return build


def _with_schema_names(
    cls: type[Fault], fields: dict[str, st.SearchStrategy[Any]]
) -> st.SearchStrategy[Fault]:
    """A schema fault names a table (and a column of it) that exists in the ops schema."""
    pairs = st.sampled_from(OPS_COLUMNS)
    named = set(cls.model_fields)

    def build(pair: tuple[str, str], values: dict[str, Any]) -> Fault:
        table, column = pair
        names = {"table": table}
        if "column" in named:
            names["column"] = column
        if "new_name" in named:
            names["new_name"] = f"{column}_renamed"
        return cls(**names, **values)

    fields.pop("new_name", None)
    return st.builds(build, pairs, st.fixed_dictionaries(fields))


def _field_strategy(
    cls: type[BaseModel], name: str, info: FieldInfo, space: FaultSpace
) -> st.SearchStrategy[Any] | None:
    """The field's strategy, or None to keep the model's default."""
    tenants = _TENANT_FIELDS.get(name)
    if tenants is not None:
        return st.sampled_from(tenants(space))
    if name in _ABUSER_FIELDS:  # how a tenant attack sends; a share alone for the others
        if "as_tenant" in cls.model_fields:
            return _ABUSER_FIELDS[name]
        if name != "share":
            return None
    annotation = _without_none(info.annotation)
    if name == "upstream":
        return st.sampled_from(space.upstreams or _world_upstreams(annotation))
    if get_origin(annotation) is Literal:
        return st.sampled_from(get_args(annotation))
    if annotation is int:
        low, high = _bounds(info)
        return st.integers(int(low or 0), int(high if high is not None else _cap(name)))
    if annotation is float:
        low, high = _bounds(info)
        if low is not None and high is not None:
            return _steps(float(low), float(high))
    return None


# Who an attack acts as, or against: the abuser is never a victim of the workload.
_TENANT_FIELDS: Mapping[str, Callable[[FaultSpace], Sequence[str]]] = {
    "as_tenant": lambda space: space.abusers,
    "victim_tenant": lambda space: space.victims,
}


def _world_upstreams(annotation: Any) -> Sequence[str]:
    """The upstreams a world always proxies (a `Literal` names them; otherwise the world's)."""
    if get_origin(annotation) is Literal:
        return get_args(annotation)
    from chaos.world import UPSTREAMS

    return UPSTREAMS


def _steps(low: float, high: float) -> st.SearchStrategy[float]:
    """A probability in readable steps; shrinks towards `low` (a milder fault). The top
    of the range is drawn about as often as all the steps below it together: a fault on
    every request (a tenant sending nothing else, every connection cut) is where many
    defects show, and one step in twenty would rarely reach it. Draws past the top step
    are the top, so shrinking still walks down step by step."""
    steps = max(1, round((high - low) * SHARE_STEPS))  # 5 % each on a range of 0-1
    return st.integers(0, 2 * steps).map(
        lambda step: round(low + (high - low) * min(step, steps) / steps, 4)
    )


def _bounds(info: FieldInfo) -> tuple[float | None, float | None]:
    low = high = None
    for constraint in info.metadata:
        if isinstance(constraint, annotated_types.Ge):
            low = constraint.ge
        elif isinstance(constraint, annotated_types.Gt):
            low = constraint.gt + (1 if isinstance(constraint.gt, int) else 0)
        elif isinstance(constraint, annotated_types.Le):
            high = constraint.le
        elif isinstance(constraint, annotated_types.Lt):
            high = constraint.lt - (1 if isinstance(constraint.lt, int) else 0)
    return low, high


def _cap(name: str) -> int:
    for key, cap in OPEN_CAPS.items():
        if name == key or (key.startswith("_") and name.endswith(key)):
            return cap
    return DEFAULT_CAP


def _without_none(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, types.UnionType):
        rest = [arg for arg in get_args(annotation) if arg is not type(None)]
        return rest[0] if len(rest) == 1 else annotation
    return annotation


def is_attack(kind: str) -> bool:
    """Whether `kind` is a tenant attack (a request mutation) rather than a broken world."""
    return issubclass(FAULT_KINDS[kind], TenantAttack)

"""The observation record: one line per orchestrated request.

Chaos scenarios and load runs both write it (as JSON lines, `observations.jsonl`);
the SLO evaluation reads it. It is the only thing `slo/` needs to know about the
world. One line looks like::

    {"ts":1700000000.5,"source":"load","scenario":"spike","phase":"fault",
     "request_id":"9f..","tenant":"acme","intent":"service_overview","status":"partial",
     "latency_ms":812.4,"tool_errors":{"metrics":"timeout"},"fallback_used":false,
     "extra":{"http_status":200}}

A plain frozen dataclass, not a pydantic model: a load run makes one per request, so
building one costs no validation. Reading and writing a line go through pydantic's
compiled core in one step (`from_json`, `to_json`); a bad line names the file, the line
and the field.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Annotated

from annotated_types import Ge
from pydantic import ConfigDict, TypeAdapter, ValidationError

from .phase import Phase

__all__ = ["Observation", "ObservationFileError", "read_observations", "write_observations"]


class ObservationFileError(ValueError):
    """A line of an observations file is not a valid observation."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Observation:
    # Read and written through pydantic's compiled core; building one in code validates nothing.
    __pydantic_config__ = ConfigDict(extra="forbid")

    ts: float  # request start, seconds since the Unix epoch
    source: str = "scenario"  # 'scenario', 'attack', 'load' or 'pytest'
    scenario: str  # scenario name, or load profile name
    phase: Phase = Phase.BASELINE
    request_id: str = ""
    tenant: str = ""
    intent: str = ""
    status: str  # one of vocabulary.STATUSES
    latency_ms: Annotated[float, Ge(0)]
    # tool id -> error code, for every tool call that failed
    tool_errors: dict[str, str] = field(default_factory=dict)
    fallback_used: bool = False
    # free-form: HTTP status, worker id, attack kind ...
    extra: dict[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if type(self.phase) is not Phase:  # a plain string from a caller
            object.__setattr__(self, "phase", Phase(self.phase))

    @property
    def ended(self) -> float:
        """When the answer was in, seconds since the Unix epoch (start plus latency)."""
        return self.ts + self.latency_ms / 1000

    def in_phase(self, phase: Phase) -> Observation:
        return replace(self, phase=phase)

    def to_json(self) -> str:
        """One compact JSON line (without the newline)."""
        return _RECORD.dump_json(self).decode()

    @classmethod
    def from_json(cls, line: str | bytes) -> Observation:
        """Parse and check one JSON line; `ValueError` names the first bad field."""
        try:
            return _RECORD.validate_json(line)
        except ValidationError as exc:
            raise ValueError(_first_reason(exc)) from None


_RECORD: TypeAdapter[Observation] = TypeAdapter(Observation)


def _first_reason(exc: ValidationError) -> str:
    error = exc.errors(include_url=False)[0]
    if error["type"].startswith("json_"):
        return f"not JSON ({error['msg']})"
    where = ".".join(str(part) for part in error["loc"])
    return f"field '{where}': {error['msg']}" if where else str(error["msg"])


def write_observations(stream: IO[str], observations: Iterable[Observation]) -> int:
    count = 0
    for obs in observations:
        stream.write(obs.to_json() + "\n")
        count += 1
    return count


def read_observations(path: str | Path) -> Iterator[Observation]:
    """Stream observations from a JSON-lines file; a bad line names file and line."""
    path = Path(path)
    with path.open("rb") as stream:
        for lineno, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                observation = Observation.from_json(line)
            except ValueError as exc:
                raise ObservationFileError(f"{path}:{lineno}: {exc}") from None
            yield observation

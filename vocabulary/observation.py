"""The observation record: one line per orchestrated request.

Chaos scenarios and load runs both write it (as JSON lines, `observations.jsonl`);
the SLO evaluation reads it. It is the only thing `slo/` needs to know about the
world.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .phase import Phase


class Observation(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    ts: float = Field(description="request start, seconds since the Unix epoch")
    source: str = Field(default="scenario", description="'scenario' or 'load'")
    scenario: str = Field(description="scenario name, or load profile name")
    phase: Phase = Phase.BASELINE
    request_id: str = ""
    tenant: str = ""
    intent: str = ""
    status: str = Field(description="one of vocabulary.STATUSES")
    latency_ms: float = Field(ge=0)
    # tool id -> error code, for every tool call that failed
    tool_errors: dict[str, str] = Field(default_factory=dict)
    fallback_used: bool = False
    # free-form: HTTP status, worker id, cross-tenant leak flags ...
    extra: dict[str, object] = Field(default_factory=dict)


class ObservationFileError(ValueError):
    """A line of an observations file is not a valid observation."""


def write_observations(stream: IO[str], observations: Iterable[Observation]) -> int:
    count = 0
    for obs in observations:
        stream.write(obs.model_dump_json() + "\n")
        count += 1
    return count


def read_observations(path: str | Path) -> Iterator[Observation]:
    """Stream observations from a JSON-lines file; a bad line names file and line."""
    path = Path(path)
    with path.open("r", encoding="utf-8") as stream:
        for lineno, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                yield Observation.model_validate(json.loads(line))
            except (json.JSONDecodeError, ValidationError) as exc:
                reason = _first_reason(exc)
                raise ObservationFileError(f"{path}:{lineno}: {reason}") from None


def _first_reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or "record"
        return f"field '{field}': {err['msg']}"
    return f"not JSON ({exc})"

"""Network faults: every Toxiproxy toxic, plus `down` (the proxy disabled).

Each toxic fault names the upstream whose proxy it poisons (`ops`, `metrics`, or an
upstream the system declares, such as `cache`; an unknown name is refused), the
direction (`downstream`: server → client, the default; `upstream`: client → server) and
the toxicity (the probability, per connection, that the toxic applies; 0 is a no-op).
"""

from __future__ import annotations

import uuid
from contextlib import ExitStack
from functools import partial
from typing import ClassVar, Literal

from pydantic import Field, model_validator

from .base import Fault, register_fault
from .target import FaultTarget, Upstream


class ToxicFault(Fault):
    """A Toxiproxy toxic on one upstream's proxy, removed on rollback."""

    toxic_type: ClassVar[str]

    upstream: Upstream
    stream: Literal["upstream", "downstream"] = "downstream"
    toxicity: float = Field(default=1.0, ge=0.0, le=1.0)

    def toxic_attributes(self) -> dict[str, int]:
        """The toxic's attributes in the server's own names and units."""
        raise NotImplementedError

    def inject(self, target: FaultTarget, undo: ExitStack) -> None:
        proxy = target.proxy_name(self.upstream)
        # A unique name lets two overlapping faults of one kind share a proxy.
        toxic_name = f"gauntlet_{self.toxic_type}_{self.stream}_{uuid.uuid4().hex[:8]}"
        undo.callback(partial(target.toxiproxy.remove_toxic, proxy, toxic_name, missing_ok=True))
        target.toxiproxy.add_toxic(
            proxy,
            type=self.toxic_type,
            name=toxic_name,
            stream=self.stream,
            toxicity=self.toxicity,
            attributes=self.toxic_attributes(),
        )


@register_fault
class LatencyFault(ToxicFault):
    """Delay every chunk by `latency_ms` ± `jitter_ms`."""

    toxic_type: ClassVar[str] = "latency"
    kind: Literal["latency"] = "latency"
    latency_ms: int = Field(ge=0)
    jitter_ms: int = Field(default=0, ge=0)

    def toxic_attributes(self) -> dict[str, int]:
        return {"latency": self.latency_ms, "jitter": self.jitter_ms}


@register_fault
class BandwidthFault(ToxicFault):
    """Throttle the connection to `rate_kbps` kilobytes per second."""

    toxic_type: ClassVar[str] = "bandwidth"
    kind: Literal["bandwidth"] = "bandwidth"
    rate_kbps: int = Field(ge=0)

    def toxic_attributes(self) -> dict[str, int]:
        return {"rate": self.rate_kbps}


@register_fault
class SlowCloseFault(ToxicFault):
    """Delay the closing of the connection by `delay_ms` after the peer closes it."""

    toxic_type: ClassVar[str] = "slow_close"
    kind: Literal["slow_close"] = "slow_close"
    delay_ms: int = Field(ge=0)

    def toxic_attributes(self) -> dict[str, int]:
        return {"delay": self.delay_ms}


@register_fault
class TimeoutFault(ToxicFault):
    """Stop all data and close the connection after `timeout_ms`; 0 holds it forever."""

    toxic_type: ClassVar[str] = "timeout"
    kind: Literal["timeout"] = "timeout"
    timeout_ms: int = Field(ge=0)

    def toxic_attributes(self) -> dict[str, int]:
        return {"timeout": self.timeout_ms}


@register_fault
class ResetPeerFault(ToxicFault):
    """Reset the connection (TCP RST) `timeout_ms` after it opens (0: at once)."""

    toxic_type: ClassVar[str] = "reset_peer"
    kind: Literal["reset_peer"] = "reset_peer"
    timeout_ms: int = Field(default=0, ge=0)

    def toxic_attributes(self) -> dict[str, int]:
        return {"timeout": self.timeout_ms}


@register_fault
class SlicerFault(ToxicFault):
    """Split data into pieces of `average_size` ± `size_variation` bytes, `delay_us` apart."""

    toxic_type: ClassVar[str] = "slicer"
    kind: Literal["slicer"] = "slicer"
    average_size: int = Field(ge=1)
    size_variation: int = Field(default=0, ge=0)
    delay_us: int = Field(default=0, ge=0, description="microseconds between pieces")

    @model_validator(mode="after")
    def _variation_below_average(self) -> SlicerFault:
        # Toxiproxy's slicer cuts a piece at a negative offset otherwise: its server panics
        # ("slice bounds out of range") and every proxy of the world dies with it
        if self.size_variation >= self.average_size:
            raise ValueError(
                f"size_variation ({self.size_variation}) must be less than average_size "
                f"({self.average_size})"
            )
        return self

    def toxic_attributes(self) -> dict[str, int]:
        return {
            "average_size": self.average_size,
            "size_variation": self.size_variation,
            "delay": self.delay_us,
        }


@register_fault
class LimitDataFault(ToxicFault):
    """Close the connection once `bytes` bytes have passed."""

    toxic_type: ClassVar[str] = "limit_data"
    kind: Literal["limit_data"] = "limit_data"
    bytes: int = Field(ge=0)

    def toxic_attributes(self) -> dict[str, int]:
        return {"bytes": self.bytes}


@register_fault
class DownFault(Fault):
    """The upstream's proxy disabled: new connections refused, open ones dropped."""

    kind: Literal["down"] = "down"
    upstream: Upstream

    def inject(self, target: FaultTarget, undo: ExitStack) -> None:
        proxy = target.proxy_name(self.upstream)
        undo.callback(target.toxiproxy.enable, proxy)
        target.toxiproxy.disable(proxy)

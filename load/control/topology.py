"""Where a load run's Locust processes run, and which ports it opens: a pure decision.

- `--processes 1` (default): one local Locust runner runs every user.
- `--processes N`: Locust's master and N local workers, each joining by address exactly as
  `gauntlet worker` does on another host (loopback only, free ports).
- `--expect-workers N --master-port P`: the master waits for N workers started anywhere
  with `gauntlet worker --master HOST:P`. It listens on every interface:
  P the collector (configuration and observations), P+1 Locust's master, P+2 the service.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Topology", "plan_topology"]


@dataclass(frozen=True)
class Topology:
    expect_workers: int  # 0: no master, one local runner
    local_workers: int  # workers the harness starts itself
    bind_host: str
    collector_port: int  # 0: any free port
    locust_port: int  # 0: any free port
    service_port: int  # 0: any free port

    @property
    def distributed(self) -> bool:
        return self.expect_workers > 0

    @property
    def remote(self) -> bool:
        """Workers on other hosts may join."""
        return self.bind_host != "127.0.0.1"


def plan_topology(
    processes: int = 1, expect_workers: int | None = None, master_port: int | None = None
) -> Topology:
    """The run's topology; ValueError (one line) for a combination that cannot work."""
    if processes < 1:
        raise ValueError(f"--processes: expected at least 1, got {processes}")
    if expect_workers is None:
        if master_port is not None:
            raise ValueError("--master-port needs --expect-workers N (how many workers join)")
        if processes == 1:
            return Topology(0, 0, "127.0.0.1", 0, 0, 0)
        return Topology(processes, processes, "127.0.0.1", 0, 0, 0)
    if expect_workers < 1:
        raise ValueError(f"--expect-workers: expected at least 1, got {expect_workers}")
    if processes != 1:
        raise ValueError(
            "--processes and --expect-workers do not combine: start the workers with "
            "`gauntlet worker --master HOST:PORT` (as many processes as you like)"
        )
    port = 5557 if master_port is None else master_port
    if not 1024 <= port <= 65533:
        raise ValueError(f"--master-port: expected 1024..65533 (it uses P..P+2), got {port}")
    return Topology(expect_workers, 0, "0.0.0.0", port, port + 1, port + 2)

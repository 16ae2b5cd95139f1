"""`gauntlet worker --master HOST:PORT`: join a load run's master from any host that reaches it.

    python -m load.transport.worker_join HOST:PORT [PROCESSES]

The worker knows one address, the master's collector (`load.transport.collector`). It
reads the run's configuration there (the service's address, the traffic mix, the shape,
where Locust's master listens), points the addresses the master gave as loopback at HOST, and then
becomes a Locust worker (the process is replaced, so signals reach Locust directly). The
harness's own `--processes N` starts N of these on 127.0.0.1: one path for every worker.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from load.control.locust_args import worker_locust_args
from load.inputs.run_config import LocustRunConfig

__all__ = ["WorkerJoinError", "join", "parse_master", "pointed_at"]

LOOPBACK = {"127.0.0.1", "localhost", "0.0.0.0", "::1", "::"}


class WorkerJoinError(RuntimeError):
    """The master could not be reached or answered nonsense; the message is one line."""


def parse_master(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"--master: expected HOST:PORT (e.g. 10.0.0.5:5557), got {text!r}")
    return host.strip("[]"), int(port)


def fetch_worker_config(host: str, port: int, wait_s: float) -> tuple[LocustRunConfig, int]:
    """The run's configuration and Locust's master port, retried until `wait_s` passes."""
    url = f"http://{host}:{port}/config"
    deadline = time.monotonic() + wait_s
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                document = json.loads(response.read())
            return LocustRunConfig.model_validate(document["locust"]), int(document["locust_port"])
        except (urllib.error.URLError, OSError) as exc:
            if time.monotonic() >= deadline:
                raise WorkerJoinError(
                    f"no Gauntlet master answers at {host}:{port} after {wait_s:g}s ({exc})"
                ) from None
            time.sleep(0.5)
        except (ValueError, KeyError) as exc:
            raise WorkerJoinError(f"{url} is not a Gauntlet master: {exc}") from None


def pointed_at(config: LocustRunConfig, master_host: str) -> LocustRunConfig:
    """`config` with the loopback addresses the master published replaced by `master_host`."""

    def repoint(url: str) -> str:
        parts = urlsplit(url)
        if parts.hostname not in LOOPBACK:
            return url
        netloc = f"{master_host}:{parts.port}" if parts.port else master_host
        return urlunsplit(parts._replace(netloc=netloc))

    return config.model_copy(
        update={"host": repoint(config.host), "collector_url": repoint(config.collector_url)}
    )


def join(master: str, processes: int = 1, wait_s: float = 60.0) -> None:
    """Become a Locust worker of the master at `master` (HOST:PORT). Does not return."""
    host, port = parse_master(master)
    config, locust_port = fetch_worker_config(host, port, wait_s)
    work_dir = Path(tempfile.mkdtemp(prefix="gauntlet-worker-"))
    config = pointed_at(config, host).model_copy(update={"observation_dir": work_dir})
    config_path = config.write(work_dir / "locust.json")
    argv = [sys.executable, "-m", "load.in_locust.locust_main", str(config_path)]
    argv += worker_locust_args(config, host, locust_port, processes)
    sys.stdout.flush()
    os.execv(sys.executable, argv)


if __name__ == "__main__":
    try:
        join(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1)
    except (ValueError, WorkerJoinError) as exc:
        sys.stderr.write(f"gauntlet worker: {exc}\n")
        sys.exit(3 if isinstance(exc, WorkerJoinError) else 2)

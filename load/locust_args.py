"""The Locust command line for a run: a pure function of the run's settings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .run_config import LocustRunConfig

LOCUSTFILE = Path(__file__).with_name("users.py")


@dataclass(frozen=True)
class LocustOptions:
    processes: int = 1  # 1: one local runner; N > 1: Locust's master plus N forked workers
    web_ui: bool = False
    web_port: int = 8089
    csv_prefix: Path | None = None
    # Locust stops itself this long after the shape's end at the latest (its own deadline;
    # the harness has a harder one).
    stop_timeout_s: float = 2.0
    log_level: str = "WARNING"


def locust_args(config: LocustRunConfig, options: LocustOptions) -> list[str]:
    """Arguments after `python -m load.locust_main` (Locust's own CLI)."""
    args = [
        "-f",
        str(LOCUSTFILE),
        "--host",
        config.host,
        "--loglevel",
        options.log_level,
        "--stop-timeout",
        f"{options.stop_timeout_s:g}",
        "--exit-code-on-error",
        "0",
    ]
    if options.web_ui:
        args += ["--web-host", "127.0.0.1", "--web-port", str(options.web_port), "--autostart"]
    else:
        args += ["--headless"]
    if options.processes > 1:
        args += ["--processes", str(options.processes)]
    if options.csv_prefix is not None:
        args += [
            "--csv",
            str(options.csv_prefix),
            "--json-file",
            str(options.csv_prefix) + "_summary",
        ]
    return args

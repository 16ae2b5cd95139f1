"""The Locust command lines of a run: pure functions of the run's settings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from load.inputs.run_config import LocustRunConfig

LOCUSTFILE = Path(__file__).parents[1] / "in_locust" / "users.py"


@dataclass(frozen=True)
class LocustOptions:
    # 0: one local runner runs the users; N > 0: a master that waits for N workers
    expect_workers: int = 0
    master_bind_host: str = "127.0.0.1"
    master_bind_port: int = 5557
    web_ui: bool = False
    web_port: int = 8089
    csv_prefix: Path | None = None
    # Locust stops itself this long after the shape's end at the latest (its own deadline;
    # the harness has a harder one).
    stop_timeout_s: float = 2.0
    log_level: str = "WARNING"


def _common(host: str, options_log_level: str, stop_timeout_s: float) -> list[str]:
    return [
        "-f",
        str(LOCUSTFILE),
        "--host",
        host,
        "--loglevel",
        options_log_level,
        "--stop-timeout",
        f"{stop_timeout_s:g}",
        "--exit-code-on-error",
        "0",
    ]


def locust_args(config: LocustRunConfig, options: LocustOptions) -> list[str]:
    """Arguments after `python -m load.in_locust.locust_main` for the local runner or the master."""
    args = _common(config.host, options.log_level, options.stop_timeout_s)
    if options.web_ui:
        # The UI ends with the shape (autoquit) so the harness can write the report.
        args += [
            "--web-host",
            "127.0.0.1",
            "--web-port",
            str(options.web_port),
            "--autostart",
            "--autoquit",
            "0",
        ]
    else:
        args += ["--headless"]
    if options.expect_workers > 0:
        args += [
            "--master",
            "--expect-workers",
            str(options.expect_workers),
            "--master-bind-host",
            options.master_bind_host,
            "--master-bind-port",
            str(options.master_bind_port),
        ]
    if options.csv_prefix is not None:
        args += [
            "--csv",
            str(options.csv_prefix),
            "--json-file",
            str(options.csv_prefix) + "_summary",
        ]
    return args


def worker_locust_args(
    config: LocustRunConfig, master_host: str, master_port: int, processes: int = 1
) -> list[str]:
    """Arguments after `python -m load.in_locust.locust_main` for a worker joining `master_host`."""
    args = _common(config.host, "WARNING", 2.0)
    args += ["--worker", "--master-host", master_host, "--master-port", str(master_port)]
    if processes > 1:
        args += ["--processes", str(processes)]
    return args

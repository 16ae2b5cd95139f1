"""Entry point of the Locust subprocess:

    python -m load.in_locust.locust_main CONFIG.json LOCUST-ARGS...

Locust (and so gevent's monkey-patching) is imported here first and only here; the
harness starts this module as a separate process and talks to it through files.
"""

from __future__ import annotations

import os
import signal
import sys

import locust  # noqa: F401, I001 - must precede every other import (gevent patching)

from load.inputs.run_config import CONFIG_ENV


def main(argv: list[str]) -> int:
    if not argv:
        sys.stderr.write(
            "usage: python -m load.in_locust.locust_main CONFIG.json [locust arguments]\n"
        )
        return 2
    os.environ[CONFIG_ENV] = argv[0]
    # The harness stops this process with SIGINT (Locust then writes its last reports and
    # tells its workers to quit); a harness run as a background job passes on an ignored
    # SIGINT, which would turn that into a kill after the grace period.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    from locust.main import main as locust_main

    sys.argv = ["locust", *argv[1:]]
    locust_main()  # exits the process itself
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

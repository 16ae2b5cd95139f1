"""`python -m orchestrator.service`: the reference orchestrator from the environment contract.

The variables are described in `_env_contract.py` (and the README). A bad or missing
variable is one line on stderr and exit code 2; a port that cannot be bound, exit code 3.
SIGTERM or Ctrl-C, at any moment, stops the service gracefully (in-flight requests finish,
pools close) with exit code 0; a second signal stops waiting for in-flight requests.
"""

from __future__ import annotations

import sys

from ._config import ServiceConfigError, build_app
from ._env_contract import config_from_env, listen_address
from ._graceful_stop import StopSignals, serve_until_stopped
from ._listener import bind_listener

BAD_CONFIGURATION = 2
CANNOT_LISTEN = 3


def main() -> int:
    stop = StopSignals()
    with stop.installed():
        try:
            config = config_from_env()
            host, port = listen_address()
        except ServiceConfigError as exc:
            print(f"orchestrator.service: {exc}", file=sys.stderr)
            return BAD_CONFIGURATION
        try:
            listener = bind_listener(host, port)
        except OSError as exc:
            print(f"orchestrator.service: cannot listen on {host}:{port}: {exc}", file=sys.stderr)
            return CANNOT_LISTEN
        with listener:
            app = build_app(config)
            # Said once the port is bound, so a client that reads this line can connect.
            print(f"orchestrator.service: listening on http://{host}:{port}", file=sys.stderr)
            sys.stderr.flush()
            serve_until_stopped(app, stop, sockets=[listener])
    return 0


if __name__ == "__main__":
    sys.exit(main())

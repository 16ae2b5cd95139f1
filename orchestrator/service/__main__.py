"""`python -m orchestrator.service`: the reference orchestrator from the environment contract.

The variables are described in `_env_contract.py` (and the README). A bad or missing
variable is one line on stderr and exit code 2; SIGTERM or Ctrl-C stops the service
gracefully (in-flight requests finish, pools close).
"""

from __future__ import annotations

import sys

import uvicorn

from ._config import ServiceConfigError, build_app
from ._env_contract import config_from_env, listen_address

BAD_CONFIGURATION = 2


def main() -> int:
    try:
        config = config_from_env()
        host, port = listen_address()
    except ServiceConfigError as exc:
        print(f"orchestrator.service: {exc}", file=sys.stderr)
        return BAD_CONFIGURATION
    app = build_app(config)
    print(f"orchestrator.service: listening on http://{host}:{port}", file=sys.stderr, flush=True)
    uvicorn.Server(
        uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False)
    ).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())

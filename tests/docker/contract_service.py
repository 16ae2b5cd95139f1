"""The reference orchestrator started from the system-under-test environment contract.

A stand-in until `python -m orchestrator.service` exists: it reads GAUNTLET_OPS_DSN,
GAUNTLET_METRICS_DSN, GAUNTLET_AUDIT_DSN, GAUNTLET_API_KEYS (JSON, API key -> tenant) and
PORT, and serves `POST /v1/orchestrate` and `GET /healthz` on 127.0.0.1:PORT.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import uvicorn

from orchestrator.service import ServiceConfig, build_app


def main() -> None:
    config = ServiceConfig(
        ops_dsn=os.environ["GAUNTLET_OPS_DSN"],
        metrics_dsn=os.environ["GAUNTLET_METRICS_DSN"],
        audit_dsn=os.environ["GAUNTLET_AUDIT_DSN"],
        api_keys=json.loads(os.environ["GAUNTLET_API_KEYS"]),
        spool_dir=Path(tempfile.mkdtemp(prefix="audit-spool-")),
    )
    uvicorn.run(
        build_app(config), host="127.0.0.1", port=int(os.environ["PORT"]), log_level="warning"
    )


if __name__ == "__main__":
    main()

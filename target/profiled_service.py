"""The service in one uvicorn process under pyinstrument.

    python -m target.profiled_service HTML APP PORT

uvicorn re-raises SIGTERM/SIGINT after its graceful shutdown, which would kill the
process before `pyinstrument -m` writes anything; so the profiler is driven from here
and the re-raised signal is turned into a normal exit that saves the profile.
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import uvicorn
from pyinstrument import Profiler


class _Stop(Exception):
    pass


def _raise_stop(_signum: int, _frame: object) -> None:
    raise _Stop


def main(html: str, app: str, port: int) -> int:
    # uvicorn restores these handlers and re-raises the signal into them after shutdown.
    signal.signal(signal.SIGTERM, _raise_stop)
    signal.signal(signal.SIGINT, _raise_stop)
    profiler = Profiler(async_mode="enabled")
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, factory=True, log_level="warning", access_log=False
        )
    )
    profiler.start()
    try:
        server.run()
    except _Stop:
        pass
    finally:
        profiler.stop()
        Path(html).write_text(profiler.output_html(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))

"""A stand-in system under test for the process tests: 200 on every GET, on $PORT.

With FAKE_TARGET_CHILD_PIDFILE set it first forks a long `sleep` and writes its pid
there, so a test can check that stopping the target reaches its whole process group.
"""

from __future__ import annotations

import os
import subprocess
from http.server import BaseHTTPRequestHandler, HTTPServer


class Healthy(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the standard library's name
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'{"status": "ok"}')

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


if __name__ == "__main__":
    pidfile = os.environ.get("FAKE_TARGET_CHILD_PIDFILE")
    if pidfile:
        child = subprocess.Popen(["sleep", "600"])
        with open(pidfile, "w") as file:
            file.write(str(child.pid))
    print("fake target serving", flush=True)
    HTTPServer(("127.0.0.1", int(os.environ["PORT"])), Healthy).serve_forever()

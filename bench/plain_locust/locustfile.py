"""Plain Locust, the floor `bench/load_overhead.py` compares Gauntlet's load path with: one
FastHttpUser posting the same body as Gauntlet's users, and nothing else (no judging, no
recording, no shipping)."""

from __future__ import annotations

from locust import FastHttpUser, constant, task

from contract import API_KEY_HEADER, ORCHESTRATE_PATH, request_body

API_KEY = "bench-key-acme"
BODY = request_body("acme", "zero")  # the same fields, less the request id Gauntlet adds


class PlainUser(FastHttpUser):
    wait_time = constant(0)

    @task
    def orchestrate(self) -> None:
        self.client.post(ORCHESTRATE_PATH, json=BODY, headers={API_KEY_HEADER: API_KEY})

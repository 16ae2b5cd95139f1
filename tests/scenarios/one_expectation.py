"""A minimal scenario holding one expectation, for the tests that judge it without a run."""

from __future__ import annotations

import yaml

from scenarios.spec.model import Scenario


def scenario(expectation: str) -> Scenario:
    return Scenario.model_validate(
        yaml.safe_load(
            "name: s\nworkload:\n"
            "  intents: [{intent: service_overview, parameters: {service: checkout}}]\n"
            "  tenants: [acme]\n  duration: 5s\n"
            f"expectations:\n  - {expectation}\n"
        )
    )

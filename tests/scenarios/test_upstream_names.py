"""A fault may name `ops`, `metrics` or a declared upstream; any other name is one line,
with a did-you-mean, before anything starts."""

from __future__ import annotations

from pathlib import Path

import pytest

import contract
from chaos.remote_world import parse_upstream
from scenarios.cli.cmd_validate import check_file
from scenarios.cli.remote_options import check_remote_scenarios
from scenarios.spec.loader import load_suite
from scenarios.spec.upstream_names import known_upstreams, unknown_upstreams
from target.choice import TargetChoice
from vocabulary import YamlInputError

SCENARIO = """\
name: cache-latency
workload:
  intents: [{intent: service_overview, parameters: {service: checkout}}]
  tenants: [acme]
  duration: 4s
  concurrency: 2
  rate: 5/s
faults:
  - {fault: {kind: latency, upstream: cahce, latency_ms: 200}, start: 1s, duration: 2s}
expectations:
  - {status: {failed: "<= 0"}}
"""


def test_the_core_suite_names_only_builtin_upstreams() -> None:
    assert unknown_upstreams(load_suite("core"), known_upstreams()) == []


def test_an_undeclared_upstream_is_named_with_a_suggestion(tmp_path: Path) -> None:
    path = tmp_path / "cache.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    with pytest.raises(YamlInputError) as refused:
        check_file(path, contract.Promises(upstreams={"cache": "127.0.0.1:6379"}))
    message = str(refused.value)
    assert message.startswith(f"{path}:9: field 'upstream':")
    assert "unknown upstream 'cahce' (did you mean 'cache'?)" in message
    assert "\n" not in message


def test_a_declared_upstream_validates(tmp_path: Path) -> None:
    path = tmp_path / "cache.yaml"
    path.write_text(SCENARIO.replace("cahce", "cache"), encoding="utf-8")
    assert (
        check_file(path, contract.Promises(upstreams={"cache": "127.0.0.1:6379"}))
        == "scenario cache-latency"
    )
    with pytest.raises(YamlInputError, match="unknown upstream 'cache'"):
        check_file(path)  # not declared: refused


def test_a_url_target_knows_only_the_upstreams_given_to_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(contract.API_KEYS, '{"k": "acme"}')
    metrics_fault = [s for s in load_suite("core") if s.name == "metrics-reset-peer"]
    with pytest.raises(ValueError, match="unknown upstream 'metrics'"):
        check_remote_scenarios(
            TargetChoice.from_flags(url="http://x", upstreams=["ops=db:5432"]), metrics_fault
        )
    target = TargetChoice.from_flags(url="http://x", upstreams=["metrics=db:5432", "cache=c:6379"])
    check_remote_scenarios(target, metrics_fault)
    assert [u.name for u in target.upstreams] == ["metrics", "cache"]


@pytest.mark.parametrize("text", ["Cache=db:1", "cache=db", "9cache=db:1", "cache=db:0"])
def test_a_malformed_upstream_option_is_one_line(text: str) -> None:
    with pytest.raises(ValueError, match="--upstream") as refused:
        parse_upstream(text)
    assert "\n" not in str(refused.value)


def test_the_upstream_variables_round_trip() -> None:
    env = contract.upstream_environment({"cache": "127.0.0.1:4000", "billing_api": "h:80"})
    assert env == {
        "GAUNTLET_UPSTREAM_CACHE": "127.0.0.1:4000",
        "GAUNTLET_UPSTREAM_BILLING_API": "h:80",
    }
    assert contract.upstreams_from_env({**env, "GAUNTLET_OPS_DSN": "x"}) == {
        "cache": "127.0.0.1:4000",
        "billing_api": "h:80",
    }

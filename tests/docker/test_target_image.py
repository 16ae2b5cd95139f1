"""A system under test given as an image: started from the environment contract on the
host's network, reached on 127.0.0.1, its traffic through the world's proxies, and removed
on every way out."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

import contract
from chaos import free_loopback_port
from target import ReadOnlyMounts, TargetStartError, target_container

pytestmark = pytest.mark.docker

REPO = Path(__file__).resolve().parents[2]
CONTRACT_SERVICE = Path(__file__).with_name("contract_service.py")


def _reference_orchestrator_mounts() -> ReadOnlyMounts:
    """The repository (with its .venv) and the interpreter the .venv was made from, at the
    same paths: the image then runs exactly the code under test, with nothing installed."""
    paths = [REPO]
    interpreter_home = Path(sys.base_prefix)
    if not interpreter_home.is_relative_to("/usr"):  # Debian's own python3 is in the image
        paths.append(interpreter_home)
    return ReadOnlyMounts(tuple(paths))


def _contract(world: Any) -> dict[str, Any]:
    """`target_container`'s contract arguments: the world's DSNs and keys, a free port."""
    settings = {**world.service_dsns(), "api_keys": dict(world.api_key_table)}
    return {"contract_env": contract.environment(settings), "port": free_loopback_port()}


def _ours(docker_engine: Any, image: str) -> list[Any]:
    return [c for c in docker_engine.containers.list(all=True) if c.image.tags == [image]]


def test_reference_orchestrator_as_an_image_answers_through_the_proxies(
    docker_world: Any, docker_engine: Any, base_image: str
) -> None:
    tenant = docker_world.tenants[0]
    headers = {"X-API-Key": docker_world.tenant_keys[tenant]}
    body = {
        "tenant_id": tenant,
        "intent": "service_overview",
        "parameters": {"service": "checkout"},
    }
    with target_container(
        base_image,
        **_contract(docker_world),
        command=[sys.executable, str(CONTRACT_SERVICE)],
        mounts=_reference_orchestrator_mounts(),
    ) as url:
        assert url.startswith("http://127.0.0.1:")
        healthy = httpx.post(f"{url}/v1/orchestrate", json=body, headers=headers, timeout=30)
        assert healthy.status_code == 200 and healthy.json()["status"] == "success"
        # Its metrics DSN goes through the world's proxy: cutting the proxy must show.
        docker_world.toxiproxy.disable(docker_world.proxy_name("metrics"))
        try:
            cut = httpx.post(f"{url}/v1/orchestrate", json=body, headers=headers, timeout=30)
        finally:
            docker_world.toxiproxy.enable(docker_world.proxy_name("metrics"))
        assert cut.status_code == 200 and cut.json()["status"] != "success"
        assert "metrics" in cut.json()["failed_tools"]
    assert _ours(docker_engine, base_image) == []


def test_a_target_that_never_answers_is_reported_with_its_output_and_removed(
    docker_world: Any, docker_engine: Any, base_image: str
) -> None:
    command = ["sh", "-c", "echo this image ignores the contract; exit 3"]
    with (
        pytest.raises(TargetStartError, match="exited.*this image ignores the contract"),
        target_container(base_image, **_contract(docker_world), command=command),
    ):
        pytest.fail("the block must not run")
    assert _ours(docker_engine, base_image) == []


def test_leaving_the_block_by_an_error_removes_the_target(
    docker_world: Any, docker_engine: Any, base_image: str
) -> None:
    with (
        pytest.raises(RuntimeError, match="scenario crashed"),
        target_container(
            base_image,
            **_contract(docker_world),
            command=[sys.executable, str(CONTRACT_SERVICE)],
            mounts=_reference_orchestrator_mounts(),
        ),
    ):
        assert _ours(docker_engine, base_image) != []
        raise RuntimeError("scenario crashed")
    assert _ours(docker_engine, base_image) == []

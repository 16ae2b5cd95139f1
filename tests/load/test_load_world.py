"""The world a load run starts: its declared upstreams are checked before anything starts,
and the spool gets its own small filesystem, as under `gauntlet run`."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from rich.console import Console

import contract
from chaos.spool_filesystem import fill_problem
from load.control.run_inputs import LoadInputError
from load.control.runner import LoadRunOptions, run_load
from load.inputs.profile import load_profile
from target.world_settings import open_load_stack

PROFILE = """\
name: cache-chaos
duration: 6s
shape: {kind: soak, users: 2, spawn_rate: 2}
intents: [{intent: service_overview, parameters: {service: checkout}}]
tenants: [acme]
chaos:
  - {fault: {kind: latency, upstream: cahce, latency_ms: 100}, start: 1s, duration: 2s}
"""


def test_a_fault_on_an_undeclared_upstream_is_refused_before_anything_starts(
    tmp_path: Path,
) -> None:
    path = tmp_path / "profile.yaml"
    path.write_text(PROFILE, encoding="utf-8")
    options = LoadRunOptions(
        profile=load_profile(path),
        out_dir=tmp_path / "out",
        declared_upstreams={"cache": "127.0.0.1:6379"},
        console=Console(file=io.StringIO()),
    )
    with pytest.raises(LoadInputError, match=r"unknown upstream 'cahce' \(did you mean 'cache'"):
        run_load(options)
    assert not (tmp_path / "out").exists()


@pytest.mark.integration
def test_the_load_stack_mounts_the_spool_where_the_machine_allows(tmp_path: Path) -> None:
    with open_load_stack("embedded", tenants=1, work_dir=tmp_path) as (world, env):
        spool = Path(env[contract.SPOOL_DIR])
        assert world.audit_spool_dir == spool
        if not os.path.ismount(spool):
            pytest.skip(f"this machine does not allow the mount: {fill_problem(spool)}")
        assert fill_problem(spool) is None  # disk-full can land under load too
    assert not os.path.ismount(spool)

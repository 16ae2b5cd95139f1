"""One options model for `run`, `load` and the pytest plugin: each flag's text, default and
check are written once and read the same in all three."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import typer.main

from scenarios.cli import app
from target.backends import BACKEND_FLAGS, WorldBackends
from target.choice import TARGET_FLAGS, TargetChoice
from target.flags import in_pytest_spelling

KEYS = {"GAUNTLET_API_KEYS": '{"key-1": "acme"}'}


@pytest.mark.parametrize(
    ("flags", "says"),
    [
        (
            {"command": "x", "url": "http://h"},
            "--target-command and --target-url exclude each other",
        ),
        ({"upstreams": ["ops=db:5432"]}, "--upstream only applies with --target-url"),
        ({"url": "http://h"}, "--target-url needs at least one --upstream"),
        ({"url": "http://h", "upstreams": ["Cache=db:1"]}, "--upstream .Cache=db:1."),
        ({"image": " "}, "--target-image: empty"),
    ],
)
def test_a_bad_target_choice_is_one_line_naming_the_flag(flags: dict, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        TargetChoice.from_flags(**flags, environ=KEYS)


def test_a_running_system_needs_its_api_keys() -> None:
    flags = {"url": "http://h/", "upstreams": ["ops=db:5432"]}
    with pytest.raises(ValueError, match="set GAUNTLET_API_KEYS"):
        TargetChoice.from_flags(**flags, environ={})
    chosen = TargetChoice.from_flags(**flags, environ=KEYS)
    assert chosen.url == "http://h" and chosen.tenant_keys == {"acme": "key-1"}
    assert [u.name for u in chosen.upstreams] == ["ops"]


def test_a_bad_backend_says_what_was_expected() -> None:
    with pytest.raises(ValueError, match="expected embedded, docker or a postgresql:// URL"):
        WorldBackends(db="sqlite")
    with pytest.raises(ValueError, match="unknown Toxiproxy backend 'ftp'"):
        WorldBackends(toxiproxy="ftp")


def test_pytest_spelling_respells_whole_flags_only() -> None:
    text = "--target-url needs --upstream; --target-urls and x--upstream stay"
    assert in_pytest_spelling(text, TARGET_FLAGS) == (
        "--gauntlet-target-url needs --gauntlet-upstream; --target-urls and x--upstream stay"
    )


def test_run_and_load_declare_each_shared_flag_as_its_model_does() -> None:
    commands = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    shared = {flag.cli: flag for flag in (*BACKEND_FLAGS, *TARGET_FLAGS)}
    seen = []
    for name in ("run", "load"):
        for param in commands[name].params:
            flag = shared.get(param.opts[0])
            if flag is not None:
                assert (param.help, param.metavar) == (flag.help, flag.metavar), param.opts
                seen.append(f"{name} {flag.cli}")
    assert "load --db" in seen and "run --upstream" in seen and len(seen) == 11


def test_the_plugin_refuses_a_bad_flag_in_its_own_spelling(tmp_path: Path) -> None:
    (tmp_path / "test_nothing.py").write_text("def test_nothing():\n    pass\n")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", tmp_path]
        + [str(tmp_path), "--gauntlet-upstream", "ops=db:5432"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == pytest.ExitCode.USAGE_ERROR, done.stdout + done.stderr
    said = "gauntlet: --gauntlet-upstream only applies with --gauntlet-target-url"
    assert said in done.stderr and "Traceback" not in done.stderr

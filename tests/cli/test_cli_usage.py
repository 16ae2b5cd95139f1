"""The `gauntlet` console script as a user meets it: version, help, completion, one-line
usage errors with exit 2, options from the environment, and fast start-up by design."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from scenarios import exit_codes

GAUNTLET = Path(sys.executable).parent / "gauntlet"


def gauntlet(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(GAUNTLET), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "COLUMNS": "80", **(env or {})},
    )


def test_version_and_short_help() -> None:
    result = gauntlet("--version")
    assert result.returncode == exit_codes.OK and result.stdout.startswith("gauntlet 0.")
    short, long = gauntlet("-h"), gauntlet("--help")
    assert short.returncode == exit_codes.OK and short.stdout == long.stdout
    text = " ".join(short.stdout.split())
    assert "Exit codes: 0 all held" in text and "130 interrupted" in text
    assert gauntlet("run", "-h").returncode == exit_codes.OK


def test_shell_completion_is_offered() -> None:
    result = gauntlet("--show-completion", env={"SHELL": "/bin/bash"})
    assert result.returncode == exit_codes.OK
    assert "_GAUNTLET_COMPLETE" in result.stdout


def test_run_help_shows_its_defaults_as_written() -> None:
    text = " ".join(gauntlet("run", "--help").stdout.split())
    assert "[default: reports/<timestamp>]" in text
    assert "[default: the core suite's SLO]" in text
    assert "<bool>" not in text and str(Path.cwd()) not in text
    assert "GAUNTLET_RUN_DB" in text  # options name their environment variable


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["run", "--db", "sqlite"], "'--db': expected embedded, docker or a postgresql:// URL"),
        (["run", "--toxiproxy", "bogus"], "'--toxiproxy': unknown Toxiproxy backend 'bogus'"),
        (["run", "--only", "nosuch"], "unknown scenario 'nosuch'; known: advisory-lock-flood"),
        (["run", "--seed", "many"], "'--seed'"),
        (["load", "--profile", "spike", "--db", "mysql"], "'--db'"),
        (["serve", "--chaos", "--toxiproxy", "ftp://x"], "'--toxiproxy'"),
        (["list", "everything"], "'everything'"),
        (["nosuch"], "No such command 'nosuch'"),
        (["fault", "add", "latncy", "upstream=ops"], "did you mean 'latency'?"),
        (["fault", "remove"], "give fault ids"),
    ],
)
def test_a_bad_value_of_any_flag_is_one_line_and_exit_2(args: list[str], says: str) -> None:
    result = gauntlet(*args)
    assert result.returncode == exit_codes.BAD_INPUT, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and says in lines[0], result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_options_come_from_gauntlet_environment_variables() -> None:
    result = gauntlet("run", env={"GAUNTLET_RUN_DB": "sqlite"})
    assert result.returncode == exit_codes.BAD_INPUT
    assert "got 'sqlite'" in result.stderr


def test_no_command_prints_the_help_and_exits_2() -> None:
    result = gauntlet()
    assert result.returncode == exit_codes.BAD_INPUT and "Commands:" in result.stdout


def test_help_imports_no_heavy_module() -> None:
    # Start-up time follows from what is imported: the help must not pull in the data layer,
    # the orchestrator, the SLO engine or Locust (bench/cli_startup.py measures the time).
    probe = (
        "import sys; from scenarios.cli import app\n"
        "heavy = ['psycopg', 'uvicorn', 'fastapi', 'locust', 'polars', 'sqlglot', "
        "'orchestrator', 'slo', 'chaos', 'pydantic', 'rich']\n"
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


def test_an_internal_error_is_one_line_exit_4_with_the_traceback_in_a_file(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from scenarios.cli import cmd_list, main

    def broken() -> list[str]:
        raise RuntimeError("a bug\nover two lines")

    monkeypatch.setattr(cmd_list, "intent_lines", broken)
    monkeypatch.setattr(sys, "argv", ["gauntlet", "list", "intents"])
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == exit_codes.INTERNAL_ERROR
    first, second = capsys.readouterr().err.strip().splitlines()
    assert first == "gauntlet: internal error: RuntimeError: a bug over two lines"
    saved = Path(second.split(" is in ")[1].split(";")[0])
    assert "Traceback" in saved.read_text() and "a bug" in saved.read_text()
    saved.unlink()


def test_a_signal_inside_an_import_is_a_stop_not_an_internal_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A stop signal that lands while an import builds a class comes out of Python 3.11
    as `RuntimeError: Error calling __set_name__ ...`, its cause the KeyboardInterrupt
    (`serve` stopped by SIGTERM while importing fastapi): the same exit as the interrupt."""
    from scenarios.cli import cmd_list, main

    def interrupted_import() -> list[str]:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as exc:
            raise RuntimeError("Error calling __set_name__ on 'Field' instance") from exc

    monkeypatch.setattr(cmd_list, "intent_lines", interrupted_import)
    monkeypatch.setattr(sys, "argv", ["gauntlet", "list", "intents"])
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == exit_codes.on_interrupt(["list", "intents"])
    assert capsys.readouterr().err.strip() in ("gauntlet: stopped", "gauntlet: interrupted")


def test_every_exit_code_is_documented_in_the_help() -> None:
    text = " ".join(gauntlet("--help").stdout.split())
    for name, code in vars(exit_codes).items():
        if name.isupper():
            assert f" {code} " in f" {text} ", name


def test_every_option_variable_follows_one_rule() -> None:
    import typer.main

    from scenarios.cli import app

    off_rule = []
    for name, command in typer.main.get_command(app).commands.items():  # type: ignore[attr-defined]
        for sub, leaf in getattr(command, "commands", {name: command}).items():
            path = [name] if sub == name else [name, sub]
            for param in leaf.params:
                longs = [o for o in param.opts if o.startswith("--")]
                if not longs or not getattr(param, "allow_from_autoenv", True):
                    continue
                prefix = "GAUNTLET_" + "_".join(path).upper() + "_"
                rule = prefix + longs[0][2:].upper().replace("-", "_")
                given = param.envvar or prefix + param.name.upper()
                if given != rule:
                    off_rule.append(f"{' '.join(path)} {longs[0]}: {given}")
    # read beyond one command (by the container images and the service), documented as such
    allowed = {
        "run --postgres-image: GAUNTLET_POSTGRES_IMAGE",
        "run --toxiproxy-image: GAUNTLET_TOXIPROXY_IMAGE",
        "serve --spool-dir: GAUNTLET_SPOOL_DIR",
    }
    assert set(off_rule) <= allowed, off_rule


def test_a_bad_value_from_the_environment_names_the_variable() -> None:
    result = gauntlet("run", env={"GAUNTLET_RUN_SEED": "abc"})
    assert result.returncode == exit_codes.BAD_INPUT
    assert result.stderr.startswith("gauntlet run: GAUNTLET_RUN_SEED: ")
    assert "--seed" not in result.stderr


def test_the_old_json_variable_still_works_with_a_deprecation_notice(tmp_path: Path) -> None:
    missing = str(tmp_path / "none.yaml")
    result = gauntlet("gate", "x.jsonl", "--slo", missing, env={"GAUNTLET_GATE_JSON_SUMMARY": "1"})
    assert result.returncode == exit_codes.BAD_INPUT and '"exit_code": 2' in result.stdout
    notice = "gauntlet: GAUNTLET_GATE_JSON_SUMMARY is deprecated, use GAUNTLET_GATE_JSON"
    assert result.stderr.splitlines()[0] == notice
    renamed = gauntlet("gate", "x.jsonl", "--slo", missing, env={"GAUNTLET_GATE_JSON": "1"})
    assert '"exit_code": 2' in renamed.stdout and "deprecated" not in renamed.stderr


def test_a_usage_error_under_json_is_a_json_answer_too() -> None:
    import json

    result = gauntlet("gate", "x.jsonl", "--json")  # --slo missing: click's own usage error
    assert result.returncode == exit_codes.BAD_INPUT
    document = json.loads(result.stdout)
    assert document["command"] == "gate" and "--slo" in document["error"]
    from_env = gauntlet("run", "--only", "nosuch", env={"GAUNTLET_RUN_JSON": "1"})
    assert json.loads(from_env.stdout)["error"].startswith("Invalid value for '--only'")
    assert gauntlet("gate", "x.jsonl").stdout == ""  # without --json, stdout stays empty

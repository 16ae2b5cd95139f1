"""A system under test starts with the suite's soft descriptor limit, from its first
instruction, in the same process the harness started (its pid kept)."""

from __future__ import annotations

import resource
import subprocess
import sys

from target.descriptor_limit import SERVICE_DESCRIPTOR_LIMIT, limited_argv

_REPORT = "import os, resource; print(os.getpid(), *resource.getrlimit(resource.RLIMIT_NOFILE))"


def _run(argv: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)


def test_the_command_starts_with_the_lowered_soft_limit_and_keeps_its_pid() -> None:
    with subprocess.Popen(
        limited_argv([sys.executable, "-c", _REPORT], 100), stdout=subprocess.PIPE, text=True
    ) as child:
        out, _ = child.communicate(timeout=60)
    pid, soft, hard = (int(word) for word in out.split())
    assert (pid, soft) == (child.pid, 100)
    assert hard == resource.getrlimit(resource.RLIMIT_NOFILE)[1]  # may raise it again


def test_a_limit_above_the_harness_own_is_not_raised() -> None:
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    done = _run(limited_argv([sys.executable, "-c", _REPORT], soft + 1000))
    assert int(done.stdout.split()[1]) == soft


def test_the_suite_limit_is_the_default() -> None:
    assert limited_argv(["x"])[2] == str(SERVICE_DESCRIPTOR_LIMIT)


def test_a_missing_program_is_one_line_and_exit_127() -> None:
    done = _run(limited_argv(["/nonexistent/program"]))
    assert done.returncode == 127
    assert done.stderr.count("\n") == 1 and "cannot run '/nonexistent/program'" in done.stderr


def test_bad_arguments_are_usage_and_exit_2() -> None:
    done = _run([sys.executable, limited_argv(["x"])[1], "many"])
    assert done.returncode == 2 and done.stderr.startswith("usage:")

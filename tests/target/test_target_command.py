"""The system under test as a command: started from the contract, judged ready by /healthz,
and stopped on every way out, even after the harness itself was SIGKILLed."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from target.command import (
    TargetCommandError,
    TargetStartError,
    parse_command,
    running_target,
)
from target.state_files import clear_stale_targets, start_ticks

pytestmark = pytest.mark.integration

HERE = Path(__file__).resolve().parent
FAKE = f"{sys.executable} {HERE / 'fake_target.py'}"


def _gone(pid: int) -> bool:
    """Dead or a zombie waiting for its (test) parent."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return True
    return state == "Z"


def _wait_gone(pid: int, seconds: float = 10.0) -> bool:
    limit = time.monotonic() + seconds
    while time.monotonic() < limit:
        if _gone(pid):
            return True
        time.sleep(0.05)
    return False


def test_a_healthy_target_gets_the_contract_and_its_whole_group_is_stopped(tmp_path: Path) -> None:
    pidfile = tmp_path / "grandchild.pid"
    state_dir = tmp_path / "state"

    async def scenario() -> tuple[int, int, str]:
        env = {"FAKE_TARGET_CHILD_PIDFILE": str(pidfile), "GAUNTLET_OPS_DSN": "x"}
        async with running_target(
            FAKE, env, log_path=tmp_path / "target.log", state_dir=state_dir
        ) as target:
            async with httpx.AsyncClient() as client:
                assert (await client.get(target.url + "/healthz")).status_code == 200
            assert list(state_dir.glob("target-*.json")), "a running target leaves a state file"
            return target.process.process.pid, int(pidfile.read_text()), target.url

    leader, grandchild, url = asyncio.run(scenario())
    assert _wait_gone(leader) and _wait_gone(grandchild)
    assert not list(state_dir.glob("target-*.json"))
    assert url.startswith("http://127.0.0.1:")


def test_a_target_that_never_answers_is_a_clear_error_with_its_last_output(
    tmp_path: Path,
) -> None:
    command = (
        f"{sys.executable} -c \"print('still booting', flush=True); import time; time.sleep(60)\""
    )

    async def scenario() -> None:
        async with running_target(
            command,
            {},
            log_path=tmp_path / "target.log",
            ready_timeout_s=1.5,
            state_dir=tmp_path / "state",
        ):
            pytest.fail("the block must not run")

    with pytest.raises(TargetStartError) as caught:
        asyncio.run(scenario())
    message = str(caught.value)
    assert "did not answer GET" in message and "/healthz" in message
    assert "still booting" in message
    assert not list((tmp_path / "state").glob("target-*.json"))


def test_a_target_that_exits_says_its_code_and_output(tmp_path: Path) -> None:
    command = f"{sys.executable} -c \"print('GAUNTLET_OPS_DSN missing'); raise SystemExit(2)\""

    async def scenario() -> None:
        async with running_target(
            command, {}, log_path=tmp_path / "target.log", state_dir=tmp_path / "state"
        ):
            pytest.fail("the block must not run")

    with pytest.raises(TargetStartError, match="exited with code 2") as caught:
        asyncio.run(scenario())
    assert "GAUNTLET_OPS_DSN missing" in str(caught.value)


def test_a_command_that_does_not_exist_is_a_start_error(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with running_target(
            "/nonexistent/sut --serve", {}, log_path=tmp_path / "t.log", state_dir=tmp_path
        ):
            pytest.fail("the block must not run")

    with pytest.raises(TargetStartError, match="could not start"):
        asyncio.run(scenario())


def test_cancelling_the_run_stops_the_target(tmp_path: Path) -> None:
    pids: list[int] = []

    async def scenario() -> None:
        async def hold() -> None:
            async with running_target(
                FAKE, {}, log_path=tmp_path / "target.log", state_dir=tmp_path / "state"
            ) as target:
                pids.append(target.process.process.pid)
                await asyncio.sleep(600)

        task = asyncio.create_task(hold())
        while not pids:
            await asyncio.sleep(0.05)
        task.cancel()  # what Ctrl-C and SIGTERM do to the harness's main task
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(scenario())
    assert _wait_gone(pids[0])


HARNESS = """
import asyncio, sys
from pathlib import Path
from target.command import running_target

async def main():
    async with running_target(sys.argv[1], {}, log_path=Path(sys.argv[2]),
                              state_dir=Path(sys.argv[3])):
        print("ready", flush=True)
        await asyncio.sleep(600)

asyncio.run(main())
"""


def test_after_a_sigkill_of_the_harness_the_next_run_clears_its_target(tmp_path: Path) -> None:
    state_dir = tmp_path / "state"
    harness = subprocess.Popen(
        [sys.executable, "-c", HARNESS, FAKE, str(tmp_path / "target.log"), str(state_dir)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=HERE.parents[1],
    )
    try:
        assert harness.stdout is not None and harness.stdout.readline().strip() == "ready"
        (state,) = state_dir.glob("target-*.json")
        target = json.loads(state.read_text())["pgid"]
        assert clear_stale_targets(state_dir) == [], "a live harness's target is left alone"
        harness.send_signal(signal.SIGKILL)
        harness.wait()
        assert not _gone(target), "a SIGKILLed harness cannot stop its target"
        assert clear_stale_targets(state_dir) == [FAKE]
        assert _wait_gone(target)
        assert not state.exists()
    finally:
        harness.kill()
        harness.wait()


def test_a_reused_process_id_is_not_killed(tmp_path: Path) -> None:
    # A record whose owner is gone, naming a live group leader that started at another
    # time than recorded: the pid was reused by someone else, who must survive the cleanup.
    someone_else = subprocess.Popen(["sleep", "60"], start_new_session=True)
    try:
        tmp_path.joinpath("target-1.json").write_text(
            json.dumps(
                {
                    "owner_pid": 2**22 + 1,
                    "owner_started": 1,
                    "pgid": someone_else.pid,
                    "leader_started": (start_ticks(someone_else.pid) or 0) + 1,
                    "command": "someone else",
                }
            )
        )
        assert clear_stale_targets(tmp_path) == []
        assert someone_else.poll() is None
        assert not tmp_path.joinpath("target-1.json").exists()
    finally:
        someone_else.kill()
        someone_else.wait()


@pytest.mark.parametrize(("command", "problem"), [("", "empty"), ("sut 'unclosed", "quotation")])
def test_an_unusable_command_line_is_one_clear_error(command: str, problem: str) -> None:
    with pytest.raises(TargetCommandError, match=problem):
        parse_command(command)

"""Starting, finding, isolating and cleaning up after the real Toxiproxy server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from chaos.toxiproxy import (
    LocalToxiproxyServer,
    ToxiproxyClient,
    ToxiproxyUnavailable,
    check_toxiproxy_spec,
    cleanup_stale,
    find_toxiproxy_server,
    open_toxiproxy,
)
from chaos.toxiproxy.state import process_command_line

REPO = Path(__file__).resolve().parents[2]


def test_a_missing_binary_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("GOBIN", raising=False)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    with pytest.raises(ToxiproxyUnavailable, match="make setup"):
        find_toxiproxy_server()


def test_unknown_backend_is_refused(tmp_path: Path) -> None:
    with (
        pytest.raises(ToxiproxyUnavailable, match="expected auto, local, docker"),
        open_toxiproxy("kubernetes", state_dir=tmp_path),
    ):
        pass


def test_docker_backend_without_an_engine_says_what_to_choose(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")
    with (
        pytest.raises(ToxiproxyUnavailable, match="not reachable.*--toxiproxy local"),
        open_toxiproxy("docker", state_dir=tmp_path),
    ):
        pass


@pytest.mark.integration
def test_local_server_is_stopped_and_forgotten_on_exit(tmp_path: Path) -> None:
    with open_toxiproxy("local", state_dir=tmp_path) as client:
        client.version()
        pid = _server_pid(client)
        assert "toxiproxy-server" in process_command_line(pid)[0]
    assert not _runs(pid)
    assert (tmp_path / "toxiproxy-servers.json").read_text().strip() == "[]"


@pytest.mark.integration
def test_an_existing_server_by_url_is_left_as_it_was_and_running(
    toxiproxy: ToxiproxyClient, upstream: str, tmp_path: Path
) -> None:
    # Someone else's proxy and toxic on a shared server: opening it must not reset them.
    toxiproxy.create_proxy("someone_elses", upstream=upstream)
    try:
        toxiproxy.add_toxic("someone_elses", type="latency", attributes={"latency": 100})
        toxiproxy.disable("someone_elses")
        with open_toxiproxy(toxiproxy.api_url, state_dir=tmp_path) as client:
            assert [t.name for t in client.toxics("someone_elses")] == ["latency_downstream"]
            assert not client.proxy("someone_elses").enabled
        toxiproxy.version()  # still running
    finally:
        toxiproxy.delete_proxy("someone_elses")


def test_a_bad_backend_or_url_is_refused_before_anything_starts() -> None:
    check_toxiproxy_spec("auto")
    check_toxiproxy_spec("http://127.0.0.1:8474")
    for bad in ("bogus", "http://nohost", "ftp://x:1"):
        with pytest.raises(ToxiproxyUnavailable):
            check_toxiproxy_spec(bad)


@pytest.mark.integration
def test_two_clients_never_talk_to_each_others_server(tmp_path: Path, upstream: str) -> None:
    with (
        LocalToxiproxyServer(tmp_path / "a") as first,
        LocalToxiproxyServer(tmp_path / "b") as second,
    ):
        errors: list[BaseException] = []

        def create(client: ToxiproxyClient, prefix: str) -> None:
            try:
                for index in range(15):
                    client.create_proxy(f"{prefix}{index}", upstream=upstream)
            except BaseException as exc:  # reported to the test thread below
                errors.append(exc)

        threads = [
            threading.Thread(target=create, args=(first, "first")),
            threading.Thread(target=create, args=(second, "second")),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert sorted(first.proxies()) == sorted(f"first{i}" for i in range(15))
        assert sorted(second.proxies()) == sorted(f"second{i}" for i in range(15))


@pytest.mark.integration
def test_cleanup_stale_kills_the_server_of_a_sigkilled_run(tmp_path: Path) -> None:
    owner = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
            import time
            from chaos.toxiproxy import LocalToxiproxyServer
            server = LocalToxiproxyServer({str(tmp_path)!r})
            server.start()
            print(server.pid, flush=True)
            time.sleep(60)
            """
            ),
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert owner.stdout is not None
    server_pid = int(owner.stdout.readline())
    os.kill(owner.pid, signal.SIGKILL)
    owner.wait()
    assert _runs(server_pid), "SIGKILL leaves the server behind"

    assert cleanup_stale(tmp_path) == [server_pid]
    assert not _runs(server_pid)
    assert cleanup_stale(tmp_path) == []


@pytest.mark.integration
def test_cleanup_stale_leaves_a_live_runs_server_alone(
    toxiproxy_state_dir: Path, toxiproxy: ToxiproxyClient
) -> None:
    assert cleanup_stale(toxiproxy_state_dir) == []
    toxiproxy.version()


def _server_pid(client: ToxiproxyClient) -> int:
    port = client.api_url.rsplit(":", 1)[1]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            command = process_command_line(int(entry.name))
            if command and "toxiproxy-server" in command[0] and port in command:
                return int(entry.name)
    raise AssertionError(f"no toxiproxy-server on port {port}")


def _runs(pid: int) -> bool:
    # A zombie has an empty command line: it no longer runs.
    return bool(process_command_line(pid))

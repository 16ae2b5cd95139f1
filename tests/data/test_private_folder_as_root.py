"""As root, Postgres runs as an unprivileged user; a clone inside a 0700 folder (/root, a
`mktemp -d`) still gets a working embedded server: binaries staged, data made reachable."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from chaos.postgres import EmbeddedPostgres
from chaos.postgres._embedded import PG_BIN
from chaos.postgres._run_as import SHARED_DIR_ENV, Runner, stage_pginstall

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(os.geteuid() != 0, reason="only root hands Postgres to another user"),
]


@pytest.fixture
def private_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "private"
    folder.mkdir()
    folder.chmod(0o700)
    return folder


@pytest.fixture
def shared_dir(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A stand-in for /var/cache/gauntlet, so the test never touches the real one."""
    folder = Path(tempfile.mkdtemp(prefix="gauntlet-shared-", dir="/tmp"))
    folder.chmod(0o755)
    monkeypatch.setenv(SHARED_DIR_ENV, str(folder))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _private_copy_of_pginstall(private_folder: Path) -> Path:
    """pgserver's package laid out as in a venv's site-packages, inside the private folder."""
    site = private_folder / "site-packages"
    package = PG_BIN.parent.parent
    shutil.copytree(PG_BIN.parent, site / package.name / "pginstall", symlinks=True)
    libs = package.parent / f"{package.name}.libs"
    if libs.is_dir():
        shutil.copytree(libs, site / libs.name, symlinks=True)
    return site / package.name / "pginstall" / "bin"


def _select_one(server: EmbeddedPostgres) -> None:
    with psycopg.connect(server.admin_dsn, connect_timeout=10) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)


def test_binaries_under_a_private_folder_are_staged_and_run(
    private_folder: Path, shared_dir: Path, tmp_path: Path
) -> None:
    private_bin = _private_copy_of_pginstall(private_folder)
    assert not Runner.for_current_user().can_run(private_bin / "initdb", "--version")
    server = EmbeddedPostgres(pg_bin=private_bin, state_dir=tmp_path / "state")
    try:
        assert server.pg_bin.is_relative_to(shared_dir)
        server.start()
        _select_one(server)
    finally:
        server.close()


def test_data_under_a_private_temporary_folder_moves_to_the_shared_one(
    private_folder: Path, shared_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(private_folder))
    server = EmbeddedPostgres(state_dir=tmp_path / "state")
    try:
        assert server.data_dir.is_relative_to(shared_dir / "data")
        server.start()
        _select_one(server)
    finally:
        server.close()
    assert not server.data_dir.exists()


def test_staging_happens_once_and_leaves_no_partial_copy(
    private_folder: Path, shared_dir: Path
) -> None:
    private_bin = _private_copy_of_pginstall(private_folder)
    first = stage_pginstall(private_bin.parent, shared_dir)
    (first / "initdb").touch()  # a second call must reuse, not copy again
    marker = (first / "initdb").stat().st_mtime_ns
    assert stage_pginstall(private_bin.parent, shared_dir) == first
    assert (first / "initdb").stat().st_mtime_ns == marker
    assert [p.name for p in shared_dir.iterdir()] == [first.parents[2].name]
    assert (shared_dir.stat().st_mode & 0o777) == 0o755

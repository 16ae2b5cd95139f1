"""Running Postgres as root: an unprivileged user, with binaries and folders it can reach.

Postgres refuses to run as root, so as root every command runs as the system user
`pgserver` (created if missing, as pgserver itself does). That user must be able to walk
every folder above the binaries and the data. A `.venv` inside /root or inside a
`mktemp -d` folder (mode 0700) is out of its reach, so there the bundled binaries are
copied once into a root-owned, world-readable cache outside the tree, and data folders
are made under that cache when the temporary folder is private too.
"""

from __future__ import annotations

import importlib.metadata
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ._server import PostgresUnavailable

RUN_AS = "pgserver"
SHARED_DIR_ENV = "GAUNTLET_PG_SHARED_DIR"
DEFAULT_SHARED_DIR = Path("/var/cache/gauntlet")


def shared_dir() -> Path:
    """Root-owned folder every user can walk: staged binaries, and data when /tmp is private."""
    return Path(os.environ.get(SHARED_DIR_ENV, DEFAULT_SHARED_DIR))


@dataclass(frozen=True)
class Runner:
    """Runs Postgres commands as an unprivileged user when we are root."""

    uid: int | None
    gid: int | None

    @classmethod
    def for_current_user(cls) -> Runner:
        if os.geteuid() != 0:
            return cls(None, None)
        try:
            entry = pwd.getpwnam(RUN_AS)
        except KeyError:
            subprocess.run(
                ["useradd", "--system", "-s", "/bin/false", RUN_AS], check=True, capture_output=True
            )
            entry = pwd.getpwnam(RUN_AS)
        return cls(entry.pw_uid, entry.pw_gid)

    def give(self, path: Path) -> None:
        if self.uid is not None:
            os.chown(path, self.uid, self.gid)

    def run(self, *command: object) -> None:
        env = {**os.environ, "XDG_RUNTIME_DIR": tempfile.gettempdir(), "LC_ALL": "C"}
        subprocess.run(
            [str(part) for part in command],
            check=True,
            env=env,
            cwd="/",
            user=self.uid,
            group=self.gid,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def can_run(self, *command: object) -> bool:
        """True when `command` runs and succeeds as our user: the one reachability test that
        covers every folder mode, ACL and shared library on the way."""
        try:
            self.run(*command)
        except (OSError, subprocess.CalledProcessError):
            return False
        return True

    def copy_tree(self, source: Path, target: Path) -> None:
        subprocess.run(["cp", "-a", str(source), str(target)], check=True)
        if self.uid is not None:
            subprocess.run(["chown", "-R", f"{self.uid}:{self.gid}", str(target)], check=True)

    def reachable_bin(self, pg_bin: Path) -> Path:
        """`pg_bin` itself when our user can run it, else a staged copy it can run."""
        if self.uid is None or self.can_run(pg_bin / "initdb", "--version"):
            return pg_bin
        staged = stage_pginstall(pg_bin.parent, shared_dir())
        if not self.can_run(staged / "initdb", "--version"):
            raise PostgresUnavailable(
                f"as root, Postgres runs as user {RUN_AS!r}, which cannot reach {staged}; "
                f"set {SHARED_DIR_ENV} to a folder every user can walk, or run as non-root"
            )
        return staged

    def make_base_dir(self) -> Path:
        """A fresh folder for one server's data and log, owned by our user and reachable."""
        base = Path(tempfile.mkdtemp(prefix="gauntlet-pg-"))
        self.give(base)
        if self.uid is None or self.can_run("test", "-w", base):
            return base
        shutil.rmtree(base, ignore_errors=True)
        parent = _world_walkable(shared_dir() / "data")
        base = Path(tempfile.mkdtemp(prefix="gauntlet-pg-", dir=parent))
        self.give(base)
        if not self.can_run("test", "-w", base):
            shutil.rmtree(base, ignore_errors=True)
            raise PostgresUnavailable(
                f"as root, Postgres runs as user {RUN_AS!r}, which cannot reach {parent}; "
                f"set {SHARED_DIR_ENV} to a folder every user can walk, or run as non-root"
            )
        return base


def stage_pginstall(pginstall: Path, cache: Path) -> Path:
    """Copy pgserver's `pginstall` (and the libraries its binaries load through
    `$ORIGIN/../../../pgserver.libs`) under `cache`, once per pgserver version; return its
    `bin`. Built beside the final place and renamed, so a half-copied cache is never used."""
    package = pginstall.parent
    target = cache / f"pgserver-{_pgserver_version()}"
    staged_bin = target / package.name / "pginstall" / "bin"
    if (target / "READY").exists():
        return staged_bin
    _world_walkable(cache)
    building = Path(tempfile.mkdtemp(prefix=target.name + ".", dir=cache))
    try:
        shutil.copytree(pginstall, building / package.name / "pginstall", symlinks=True)
        libs = package.parent / f"{package.name}.libs"
        if libs.is_dir():
            shutil.copytree(libs, building / libs.name, symlinks=True)
        # Copies keep the source's modes, which a 077 umask may have made private.
        subprocess.run(["chmod", "-R", "u+rwX,go+rX,go-w", str(building)], check=True)
        (building / "READY").touch()
        building.rename(target)
    except OSError:
        if not (target / "READY").exists():
            raise
    finally:
        shutil.rmtree(building, ignore_errors=True)  # another process staged it first
    return staged_bin


def _world_walkable(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o755)
    return folder


def _pgserver_version() -> str:
    try:
        return importlib.metadata.version("pgserver")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"

"""A real Postgres from pgserver's bundled binaries, on 127.0.0.1 and a free TCP port.

pgserver's own `get_server()` listens only on a Unix socket, so we drive `initdb` and
`pg_ctl` ourselves. As root, every command runs as an unprivileged user (`_run_as.py`).

Durability against an OS crash is traded for speed on purpose (`initdb --no-sync`,
`fsync=off`): this is a disposable test world. A hard kill of the server still exercises
crash recovery and loses no acknowledged commit, because the WAL is written before a
commit returns, just not flushed to the disk.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from ..loopback_port import free_loopback_port
from ._run_as import Runner
from ._server import PostgresServer, PostgresUnavailable, StopMode
from ._stale import DEFAULT_STATE_DIR, StateFile
from ._statement_log import STATEMENT_LOG_SETTINGS, StatementLog, file_log

# Only pgserver's bundled binaries are used; importing the package itself would set up
# its own server machinery (and warn about XDG_RUNTIME_DIR on every command).
PG_BIN = Path(importlib.util.find_spec("pgserver").origin).parent / "pginstall" / "bin"  # type: ignore[union-attr, arg-type]
# fsync=off survives a killed server (the OS keeps what was written); synchronous_commit
# stays on, or a hard kill loses commits already acknowledged (audit records, measured).
_SERVER_SETTINGS = (
    "fsync=off",
    "full_page_writes=off",
    "max_connections=200",
    "shared_buffers=32MB",
)


@dataclass(frozen=True)
class Template:
    """A cached, initialised and prepared data directory, reused while `key` is unchanged."""

    key: str
    prepare: Callable[[PostgresServer], None]


def default_template_root() -> Path:
    return Path(os.environ.get("GAUNTLET_PG_CACHE", Path(os.sys.prefix) / "var" / "gauntlet-pg"))


class EmbeddedPostgres(PostgresServer):
    def __init__(
        self,
        *,
        template: Template | None = None,
        port: int | None = None,
        state_dir: Path = DEFAULT_STATE_DIR,
        template_root: Path | None = None,
        pg_bin: Path = PG_BIN,
    ) -> None:
        if not (pg_bin / "pg_ctl").exists():
            raise PostgresUnavailable(
                f"pgserver binaries not found under {pg_bin}; "
                "use --db docker or --db postgresql://..."
            )
        self._template = template
        self._template_root = template_root or default_template_root()
        self._port = port or free_loopback_port()
        _become_subreaper()
        self._runner = Runner.for_current_user()
        self.pg_bin = self._runner.reachable_bin(pg_bin)
        self._base = self._runner.make_base_dir()
        self.data_dir = self._base / "data"
        self.log_file = self._base / "postgres.log"
        self._state = StateFile(state_dir, self._port)
        self._state.write(base_dir=self._base, postmaster_pid=None)
        self.started_from_template = False

    @property
    def host(self) -> str:
        return "127.0.0.1"

    @property
    def port(self) -> int:
        return self._port

    def start(self) -> None:
        if self.is_running():
            return
        if not (self.data_dir / "PG_VERSION").exists():
            self._create_data_dir()
            if self._template is not None and not self.started_from_template:
                return  # _create_data_dir left it running, prepared and cached
        self._pg_ctl_start()
        if self.started_from_template:
            self._adopt_superuser_password()

    def statement_log(self) -> StatementLog:
        return file_log(self.log_file)

    def stop(self, mode: StopMode = "fast") -> None:
        pid = self._postmaster_pid()
        if pid is not None and _alive(pid):
            self._runner.run(self.pg_bin / "pg_ctl", "-D", self.data_dir, "-m", mode, "-w", "stop")
            _wait_gone(pid)

    def kill(self) -> None:
        """SIGKILL the postmaster and all its backends (they share its process group)."""
        pid = self._postmaster_pid()
        if pid is None or not _alive(pid):
            return
        group = _process_group(pid)
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        for member in group:
            _wait_gone(member)
        # A killed postmaster leaves its lock files behind (and may linger as a zombie if
        # nobody reaps it); Postgres would take them for a live server and refuse to start.
        (self.data_dir / "postmaster.pid").unlink(missing_ok=True)
        for lock in self.data_dir.glob(".s.PGSQL.*.lock"):
            lock.unlink(missing_ok=True)

    def is_running(self) -> bool:
        pid = self._postmaster_pid()
        return pid is not None and _alive(pid)

    def close(self) -> None:
        try:
            if self.is_running():
                self.stop("immediate")
        finally:
            shutil.rmtree(self._base, ignore_errors=True)
            self._state.remove()

    def _postmaster_pid(self) -> int | None:
        try:
            return int((self.data_dir / "postmaster.pid").read_text().split("\n", 1)[0])
        except (FileNotFoundError, ValueError):
            return None

    def _pg_ctl_start(self) -> None:
        _log_statements(self.data_dir / "postgresql.conf")
        options = f"-h 127.0.0.1 -p {self._port} -k {self.data_dir}"
        try:
            self._runner.run(
                self.pg_bin / "pg_ctl",
                "-D",
                self.data_dir,
                "-l",
                self.log_file,
                "-w",
                "-t",
                "60",
                "-o",
                options,
                "start",
            )
        except subprocess.CalledProcessError as exc:
            tail = (
                self.log_file.read_text(errors="replace")[-800:] if self.log_file.exists() else ""
            )
            raise PostgresUnavailable(
                f"embedded Postgres did not start on port {self._port}: "
                f"{tail.strip().splitlines()[-1:] or exc}"
            ) from None
        self._state.write(base_dir=self._base, postmaster_pid=self._postmaster_pid())

    def _create_data_dir(self) -> None:
        cached = self._template_root / self._template.key if self._template else None
        if cached is not None and (cached / "READY").exists():
            self._runner.copy_tree(cached / "data", self.data_dir)
            self.started_from_template = True
            return
        self._initdb()
        if self._template is None:
            return
        self._pg_ctl_start()
        self._template.prepare(self)
        self.stop("fast")
        self._store_template(cached)
        self._pg_ctl_start()

    def _initdb(self) -> None:
        pwfile = self._base / "pwfile"
        pwfile.write_text(self.password_for(self.superuser) + "\n")
        self._runner.give(pwfile)
        self._runner.run(
            self.pg_bin / "initdb",
            "-D",
            self.data_dir,
            "-U",
            self.superuser,
            "--pwfile",
            pwfile,
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--no-sync",
            "--no-instructions",
            "-E",
            "UTF8",
            "--locale=C",
        )
        pwfile.unlink()
        with open(self.data_dir / "postgresql.conf", "a") as conf:
            conf.write("\n# gauntlet: a disposable test world\n")
            conf.write("".join(f"{setting}\n" for setting in _SERVER_SETTINGS))

    def _adopt_superuser_password(self) -> None:
        """A copied template holds its builder's superuser password: set this server's own.

        Over the Unix socket in the data directory (trusted, and reachable only by the
        server's system user and root), since no one here knows the old password.
        """
        with psycopg.connect(
            host=str(self.data_dir),
            port=self._port,
            user=self.superuser,
            dbname="postgres",
            autocommit=True,
        ) as conn:
            conn.execute(
                sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                    sql.Identifier(self.superuser),
                    sql.Literal(self.password_for(self.superuser)),
                )
            )

    def _store_template(self, cached: Path) -> None:
        # Build beside the final place and rename, so a half-written cache is never used.
        cached.parent.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(prefix=cached.name + ".", dir=cached.parent))
        self._runner.copy_tree(self.data_dir, building / "data")
        (building / "READY").touch()
        try:
            building.rename(cached)
        except OSError:  # another process stored the same template first
            shutil.rmtree(building, ignore_errors=True)


def _log_statements(conf: Path) -> None:
    """Give the server its log settings (see `_statement_log`); a data directory copied from
    a template made before them gets them here too. An older template logged every
    statement at all times: the last line of a setting wins, so `none` turns that off."""
    marker = "# gauntlet: statements logged while a watch asks\n"
    settings = ("log_statement = 'none'", *STATEMENT_LOG_SETTINGS)
    with open(conf, "a+") as stream:
        stream.seek(0)
        if marker not in stream.read():
            stream.write("\n" + marker + "".join(f"{s}\n" for s in settings))


def _alive(pid: int) -> bool:
    """True while `pid` runs; a zombie (killed, not yet reaped by init) counts as gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[-1].split()[0] not in ("Z", "X")


def _process_group(pgid: int) -> list[int]:
    members = []
    for stat_path in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_path.read_text().rsplit(")", 1)[-1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields: state, ppid, pgrp, ...
            members.append(int(stat_path.parent.name))
    return members


def _become_subreaper() -> None:
    """Adopt orphaned postmasters so that `kill()` can reap them instead of leaving zombies."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        pass


def _wait_gone(pid: int, attempts: int = 200) -> None:
    """Wait until `pid` has exited, reaping it when it is our (adopted) child."""
    for _ in range(attempts):
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        if not Path(f"/proc/{pid}").exists() or not _alive(pid) and _reaped_or_foreign(pid):
            return
        time.sleep(0.01)


def _reaped_or_foreign(pid: int) -> bool:
    try:
        return os.waitpid(pid, os.WNOHANG)[0] == pid or not Path(f"/proc/{pid}").exists()
    except ChildProcessError:
        return True

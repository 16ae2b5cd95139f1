"""The audit spool's own small filesystem, so a disk-full fault can fill it for real.

Gauntlet tells a command target where to spool (`GAUNTLET_SPOOL_DIR`). Before starting it,
Gauntlet mounts a size-limited tmpfs there (`mounted_spool`): filling that filesystem makes
every write the system attempts there fail with ENOSPC, whatever its files are called.
Mounting needs root (CAP_SYS_ADMIN); where the machine does not allow it the folder stays
an ordinary one, and `spool_disk_full` says plainly that it cannot land
(`fill_problem`): its scenario is inconclusive, never a pass.

On the way out the spool's files are copied back into the folder under the mount, so a
dead-letter file stays for a human to read after the run.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SPOOL_FS_BYTES = 16 * 1024 * 1024  # far more than a run spools; little memory when filled
# Never fill a filesystem larger than this: a real disk is not Gauntlet's to fill.
MAX_FILLABLE_BYTES = 256 * 1024 * 1024
FILLER_NAME = ".gauntlet-disk-full"


@contextmanager
def mounted_spool(directory: Path, size_bytes: int = SPOOL_FS_BYTES) -> Iterator[str | None]:
    """Mount a tmpfs of `size_bytes` on `directory` for the block. Yields None once mounted,
    or one line saying why it could not be (the folder is then an ordinary one)."""
    directory.mkdir(parents=True, exist_ok=True)
    problem = _mount(directory, size_bytes)
    try:
        yield problem
    finally:
        if problem is None:
            _unmount_keeping_files(directory)


def fill_problem(directory: Path | None) -> str | None:
    """Why a disk-full fault cannot fill `directory`'s filesystem, or None when it can."""
    if directory is None:
        return "the world does not know where the system under test spools"
    if not os.path.ismount(directory):
        return (
            f"{directory} is not a filesystem of its own: Gauntlet mounts a size-limited tmpfs "
            "there for a command target when it may mount (as root); it could not here"
        )
    stats = os.statvfs(directory)
    size = stats.f_blocks * stats.f_frsize
    if size > MAX_FILLABLE_BYTES:
        return f"{directory} is on a filesystem of {size >> 20} MiB: too large to fill safely"
    return None


def fill(directory: Path) -> Path:
    """Take every free block of `directory`'s filesystem; returns the filler file."""
    filler = directory / FILLER_NAME
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        stats = os.statvfs(directory)
        free = stats.f_bavail * stats.f_frsize
        if free:
            try:
                os.posix_fallocate(fd, 0, free)
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
        _write_until_full(fd)
    finally:
        os.close(fd)
    return filler


def _write_until_full(fd: int) -> None:
    """What allocation left (rounding, metadata), written away a block at a time."""
    os.lseek(fd, 0, os.SEEK_END)
    block = b"\0" * 4096
    while True:
        try:
            if os.write(fd, block) == 0:
                return
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                return
            raise


def _mount(directory: Path, size_bytes: int) -> str | None:
    if os.path.ismount(directory):
        return None  # someone mounted a filesystem of its own there already
    try:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size_bytes},mode=0700", "gauntlet-spool"]
            + [str(directory)],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"could not run mount(8): {exc}"
    if done.returncode != 0:
        said = (done.stderr or done.stdout).strip().splitlines()
        return f"mount(8) refused a tmpfs on {directory}: {said[-1] if said else done.returncode}"
    return None


def _unmount_keeping_files(directory: Path) -> None:
    (directory / FILLER_NAME).unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="gauntlet-spool-") as keep:
        shutil.copytree(directory, keep, dirs_exist_ok=True)
        done = subprocess.run(["umount", str(directory)], capture_output=True, check=False)
        if done.returncode != 0:  # still busy: detach it now, the kernel frees it later
            subprocess.run(["umount", "-l", str(directory)], capture_output=True, check=False)
        shutil.copytree(keep, directory, dirs_exist_ok=True)

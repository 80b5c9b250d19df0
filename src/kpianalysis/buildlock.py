"""One build at a time per folder: an advisory lock on the reports (and processed) folder.

:func:`build_lock` takes an exclusive ``flock`` on ``<folder>/.kpianalysis-build.lock`` and
writes the holder into it (process id, host, start time, package version). The operating
system releases the lock when its process ends, however it ends, so a build that died cannot
block the next one: the next build finds the dead holder's record, logs that the earlier build
did not finish (a *stale lock*), removes the temporary files it left and goes on.

A second build of the same folder either stops at once with :class:`BuildLockedError`, whose
message names the holder (pid, host, start time), or waits for it (``wait`` seconds, ``None``
for no limit). POSIX only (``fcntl``); the lock is advisory and local to one machine.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import json
import logging
import math
import os
import socket
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ._version import __version__

__all__ = ["LOCK_FILE", "BuildLockedError", "LockHolder", "build_lock", "read_holder"]

logger = logging.getLogger(__name__)

#: Name of the lock file inside each locked folder.
LOCK_FILE = ".kpianalysis-build.lock"
_POLL = 0.2  # seconds between two attempts while waiting


class BuildLockedError(RuntimeError):
    """Another build holds the folder's lock; the message names it (pid, host, start)."""

    def __init__(self, message: str, holder: LockHolder | None) -> None:
        super().__init__(message)
        self.holder = holder


@dataclasses.dataclass(frozen=True)
class LockHolder:
    """Who holds (or last held) a build lock."""

    pid: int
    host: str
    started_at: str
    package_version: str = ""

    def describe(self) -> str:
        """``pid 1234 on host h, started 2026-11-30T06:55:08+00:00``."""
        return f"pid {self.pid} on host {self.host}, started {self.started_at}"

    def alive(self) -> bool | None:
        """Whether the process still runs (None when it is on another host)."""
        if self.host != socket.gethostname():
            return None
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:  # exists, owned by another user
            return True
        return True


def read_holder(path: str | os.PathLike[str]) -> LockHolder | None:
    """The holder recorded in a lock file, or None (no file, empty, not a record)."""
    try:
        doc: Any = json.loads(Path(path).read_text(encoding="utf-8"))
        return LockHolder(pid=int(doc["pid"]), host=str(doc["host"]),
                          started_at=str(doc["started_at"]),
                          package_version=str(doc.get("package_version", "")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _now() -> str:
    from .result import now_utc

    return now_utc()


def _try_lock(path: Path) -> int | None:
    """An open descriptor holding the exclusive lock on ``path``, or None when it is held.

    The descriptor is checked to still name ``path`` after locking: a holder removes its
    file on release, and a lock on a removed file would lock nothing.
    """
    import fcntl

    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                return None
            raise
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)  # the file was released and removed meanwhile: take the new one


def _remove_leftovers(folder: Path) -> list[Path]:
    """Temporary files an interrupted build left (atomic writes, running notebooks)."""
    found = []
    for sub in (folder, folder / "executed", folder / ".build"):
        if sub.is_dir():
            found += [p for p in sub.glob(".*.tmp") if p.is_file()]
            found += [p for p in sub.glob(".*.running.ipynb") if p.is_file()]
    for p in found:
        p.unlink(missing_ok=True)
    return found


@contextlib.contextmanager
def _lock_one(folder: Path, wait: float | None) -> Iterator[LockHolder]:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_FILE
    deadline = None if wait is None else time.monotonic() + max(0.0, wait)
    told = False
    while True:
        fd = _try_lock(path)
        if fd is not None:
            break
        holder = read_holder(path)
        who = holder.describe() if holder else "a process that has not yet written its record"
        if deadline is not None and time.monotonic() >= deadline:
            waited = "" if not wait else f" (waited {wait:g} s)"
            raise BuildLockedError(
                f"another kpianalysis build is using {folder.name or folder}{waited}: {who}. "
                f"Wait for it to finish, or run with --wait [SECONDS]; its lock file is "
                f"{LOCK_FILE} in that folder", holder)
        if not told:
            logger.info("waiting for the build using %s to finish (%s)", folder.name, who)
            told = True
        time.sleep(_POLL if deadline is None else
                   max(0.0, min(_POLL, deadline - time.monotonic())))
    try:
        previous = read_holder(path)
        if previous is not None:  # we hold the lock, so that process is gone
            left = _remove_leftovers(folder)
            logger.warning("stale build lock in %s: the build of %s did not finish (its "
                           "process is gone); %d temporary file(s) it left were removed",
                           folder.name, previous.describe(), len(left))
        me = LockHolder(pid=os.getpid(), host=socket.gethostname(), started_at=_now(),
                        package_version=__version__)
        os.ftruncate(fd, 0)
        os.write(fd, (json.dumps(dataclasses.asdict(me)) + "\n").encode("utf-8"))
        os.fsync(fd)
        yield me
    finally:
        with contextlib.suppress(OSError):
            path.unlink()  # still holding the lock: nobody can take a removed file
        os.close(fd)


@contextlib.contextmanager
def build_lock(folders: Sequence[str | os.PathLike[str]], wait: float | None = 0.0
               ) -> Iterator[LockHolder]:
    """Hold the build lock of every folder (each once, in a fixed order) for the block.

    Parameters
    ----------
    folders : sequence of path
        The reports folder and the processed folder of a build (created if missing).
    wait : float or None
        Seconds to wait for another build to finish; 0 stops at once; None waits without
        limit.

    Yields
    ------
    LockHolder
        This process's record (pid, host, start time).

    Raises
    ------
    BuildLockedError
        Another build holds a lock beyond ``wait``; the message names its pid, host and
        start time.
    """
    if wait is not None and (math.isnan(wait) or wait < 0):
        raise ValueError(f"wait must be a number of seconds >= 0 or None, got {wait!r}")
    if not folders:
        raise ValueError("build_lock needs at least one folder")
    unique: dict[Path, Path] = {}
    for f in folders:
        Path(f).mkdir(parents=True, exist_ok=True)
        unique.setdefault(Path(f).resolve(), Path(f))
    start = time.monotonic()
    with contextlib.ExitStack() as stack:
        holders = []
        for real in sorted(unique):  # one order for every build: no deadlock
            left = None if wait is None else max(0.0, wait - (time.monotonic() - start))
            holders.append(stack.enter_context(_lock_one(unique[real], left)))
        yield holders[0]

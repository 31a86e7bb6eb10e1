"""One writer at a time per state directory.

Every command that writes remote or local state (publish, feed build and
rotate, export, sign-in) holds the state directory's write lock while it
runs; reading (``status``, ``--dry-run``) never needs it. The lock is an OS
file lock (filelock, ``flock`` on Unix): the kernel releases it when its
holder dies, so a killed run never leaves a stale lock behind. Beside it, a
small note says who holds it, for the message the next run shows.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from collections.abc import Iterator
from pathlib import Path

import filelock

from plansync.errors import PlansyncError

LOCK_NAME = "write.lock"
HOLDER_NAME = "write.lock.json"
DEFAULT_WAIT = 5.0  # seconds a second writer waits before giving up


class Busy(PlansyncError):
    """Another plansync holds the state directory's write lock."""

    exit_code = 1


class StateNotWritable(PlansyncError):
    """The state directory cannot be written (read-only, or not a directory)."""


def state_dir(path: Path) -> Path:
    """The state directory, created private (0700) when it is new."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise StateNotWritable(f"{path} is not a directory; point --state at a folder") from None
    except PermissionError:
        raise StateNotWritable(f"{path} cannot be created: permission denied") from None
    return path


@contextlib.contextmanager
def writer(state: Path, what: str, *, wait: float = DEFAULT_WAIT) -> Iterator[None]:
    """Hold the write lock while the block runs; ``what`` says what this run is doing
    ("publishing jane-doe to trainingpeaks"), for the message another run would show."""
    state_dir(state)
    lock = filelock.FileLock(state / LOCK_NAME, timeout=max(0.0, wait), mode=0o600)  # private, like the rest
    try:
        lock.acquire()
    except filelock.Timeout:
        raise Busy(
            f"another plansync is {_holder(state)}; try again when it is done (or --wait SECONDS)"
        ) from None
    except PermissionError:
        raise StateNotWritable(
            f"{state} is read-only: this command writes there; --dry-run and status work without writing"
        ) from None
    try:
        note = {"pid": os.getpid(), "what": what, "since": dt.datetime.now().astimezone().isoformat()}
        with contextlib.suppress(OSError):
            (state / HOLDER_NAME).write_text(json.dumps(note), encoding="utf-8")
        yield
    finally:
        with contextlib.suppress(OSError):
            (state / HOLDER_NAME).unlink()
        lock.release()


def _holder(state: Path) -> str:
    try:
        note = json.loads((state / HOLDER_NAME).read_text(encoding="utf-8"))
        since = dt.datetime.fromisoformat(note["since"]).strftime("%H:%M")
        return f"{note['what']} (pid {int(note['pid'])}, since {since})"
    except (OSError, ValueError, KeyError, TypeError):
        return "writing to this state directory"

"""A folder of athlete profiles, checked as a whole: every athlete has their own id.

Two profiles with one id would share a ledger, a platform marker and a
private feed URL: one athlete's plan could reach the other's calendar. Every
command that works on a whole roster (``status``, ``publish --all``,
``feed build``, ``validate --profiles``) refuses such a folder before it
writes anything, naming both files and lines.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from plansync.errors import InputError, Problem, ProfileError
from plansync.inputs import yamlio

PROFILE_SUFFIXES = (".yaml", ".yml")


def profile_files(folder: Path) -> list[Path]:
    """The athlete profiles in a folder (``.yaml`` and ``.yml``), in name order: every entry
    of that name, also one that cannot be read (a dangling link, a folder, a FIFO), so it is
    reported as failing, never taken for an athlete who left."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in PROFILE_SUFFIXES)


def check_unique_ids(paths: list[Path], known: Mapping[str, str] | None = None) -> None:
    """Raise :class:`ProfileError` when two profiles share an ``id``; unreadable profiles are
    left to the command, which reports them one by one. ``known`` gives the ids of files
    unchanged since a run read them (resolved path -> id): only the others are parsed."""
    known = known or {}
    ids: dict[str, list[Path]] = {}
    for path in paths:
        ident = known.get(os.path.abspath(path)) or _read_id(path)[0]
        if ident is not None:
            ids.setdefault(ident, []).append(path)
    clashing = [path for group in ids.values() if len(group) > 1 for path in group]
    if clashing:
        _raise_clashes(sorted(clashing))


def read_id(path: Path) -> str | None:
    """The ``id:`` a profile file declares, or None when it cannot be read."""
    return _read_id(path)[0]


def _read_id(path: Path) -> tuple[str | None, int | None, int | None]:
    try:
        doc = yamlio.read(path, ProfileError)
    except InputError:
        return None, None, None
    ident = doc.data.get("id") if isinstance(doc.data, dict) else None
    if not isinstance(ident, str):
        return None, None, None
    line, column = doc.locate(("id",))
    return ident, line, column


def _raise_clashes(paths: list[Path]) -> None:
    seen: dict[str, tuple[Path, int | None]] = {}
    problems: list[Problem] = []
    for path in paths:
        ident, line, column = _read_id(path)
        if ident is None:
            continue
        if ident in seen:
            other, other_line = seen[ident]
            where = f"{other}:{other_line}" if other_line else str(other)
            problems.append(
                Problem(
                    path,
                    line,
                    column,
                    "id",
                    f"{ident!r} is also the id of {where}; every athlete needs their own id "
                    "(two profiles with one id would share a calendar and a private feed)",
                )
            )
        else:
            seen[ident] = (path, line)
    if problems:
        raise ProfileError(problems)

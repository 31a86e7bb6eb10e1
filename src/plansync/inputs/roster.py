"""A folder of athlete profiles, checked as a whole: every athlete has their own id.

Two profiles with one id would share a ledger, a platform marker and a
private feed URL: one athlete's plan could reach the other's calendar. Every
command that works on a whole roster (``status``, ``publish --all``,
``feed build``, ``validate --profiles``) refuses such a folder before it
writes anything, naming both files and lines.
"""

from __future__ import annotations

from pathlib import Path

from plansync.errors import InputError, Problem, ProfileError
from plansync.inputs import yamlio

PROFILE_SUFFIXES = (".yaml", ".yml")


def profile_files(folder: Path) -> list[Path]:
    """The athlete profiles in a folder (``.yaml`` and ``.yml``), in name order."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in PROFILE_SUFFIXES and p.is_file())


def check_unique_ids(paths: list[Path]) -> None:
    """Raise :class:`ProfileError` when two profiles share an ``id``; unreadable profiles are
    left to the command, which reports them one by one."""
    seen: dict[str, tuple[Path, int | None]] = {}
    problems: list[Problem] = []
    for path in paths:
        try:
            doc = yamlio.read(path, ProfileError)
        except InputError:
            continue
        ident = doc.data.get("id") if isinstance(doc.data, dict) else None
        if not isinstance(ident, str):
            continue
        line, column = doc.locate(("id",))
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

"""Writing a plan's FIT workout files into a folder: atomically, and only what changed."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from plansync.atomic import flush_folder, write_atomic
from plansync.core.budgets import FIT, fidelity
from plansync.core.plan import Plan, Workout
from plansync.watch.fit import file_name, wants_file, workout_bytes

INDEX_PAGE = "index.html"
FILE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}-[a-z]+\d*\.fit$")  # the names plansync gives


@dataclass
class FitExport:
    """What an export did: files written, files already up to date, files removed."""

    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    fidelity: list[str] = field(default_factory=list)  # what a watch cannot hold, and what instead


def chosen(
    plan: Plan, week: int | None = None, *, since: dt.date | None = None, days: int | None = None
) -> list[Workout]:
    """The entries that make files: all of them, one week's, or ``days`` from ``since``."""
    out = [w for w in plan.workouts if wants_file(w)]
    if week is not None:
        out = [w for w in out if w.week == week]
    if since is not None:
        until = since + dt.timedelta(days=days or 14)
        out = [w for w in out if since <= w.date < until]
    return out


def export_fit(
    plan: Plan, folder: Path, workouts: list[Workout], *, prune: bool, index: bool = False
) -> FitExport:
    """Write each workout's file into ``folder`` when its bytes differ from what is there.
    With ``prune``, files of plansync's naming that are not among them are removed
    (an entry that moved day or left the plan); other files are never touched. With
    ``index``, an ``index.html`` links the files, for an athlete to download them."""
    result = FitExport(fidelity=fidelity(FIT, plan))
    folder.mkdir(parents=True, exist_ok=True)
    names: set[str] = set()
    for workout in workouts:
        path = folder / file_name(workout)
        names.add(path.name)
        data = workout_bytes(plan, workout)
        if path.is_file() and path.read_bytes() == data:
            result.unchanged.append(path)
            continue
        write_atomic(path, data, durable=False)
        result.written.append(path)
    if index:
        page = folder / INDEX_PAGE
        html = index_html(plan, workouts)
        if not page.is_file() or page.read_bytes() != html:
            write_atomic(page, html, durable=False)
            result.written.append(page)
    if prune:
        for path in sorted(folder.iterdir()):
            if FILE_PATTERN.match(path.name) and path.name not in names and path.is_file():
                path.unlink()
                result.removed.append(path)
    if result.written or result.removed:
        flush_folder(folder)
    return result


def index_html(plan: Plan, workouts: list[Workout]) -> bytes:
    """A plain page linking each file, with the day and the session's title."""
    rows = "".join(
        f'<li><a href="{file_name(w)}" download>{w.date:%a %d %b}: {escape(w.title)}</a></li>'
        for w in workouts
    )
    page = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Workouts for {escape(plan.athlete_name)}</title></head><body>"
        f"<h1>Your next workouts</h1><ul>{rows or '<li>No workouts in these two weeks.</li>'}</ul>"
        "<p>Open a file on your phone with your watch's app, or copy it to the watch "
        "(Garmin: the GARMIN/NewFiles folder over USB).</p></body></html>\n"
    )
    return page.encode("utf-8")

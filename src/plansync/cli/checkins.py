"""The athlete's feet: `plansync checkin`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from plansync.cli.base import (
    info,
    main,
    profile_argument,
    settings,
    state_option,
    table_or_json_option,
    templates_option,
)

if TYPE_CHECKING:
    from plansync.service.checkins import CheckedIn

SITES = ("heel", "arch", "forefoot", "toes", "ankle", "achilles", "shin", "knee", "other")
SHOWN = 12  # changed workouts listed in the table; the JSON has them all
FLAGS = ("sharp", "swelling", "numbness", "night-pain", "cannot-bear-weight")


@main.command("checkin")
@profile_argument
@click.option("--pain", type=click.IntRange(0, 10), help="Pain 0 (none) to 10 (worst imaginable).")
@click.option("--where", type=click.Choice(SITES), help="Where it hurts.")
@click.option(
    "--when",
    "when_",
    type=click.Choice(("morning", "during", "after")),
    help="When: on waking, during or after a run.",
)
@click.option(
    "--red-flag",
    "flags",
    multiple=True,
    type=click.Choice(FLAGS),
    help="A red flag (repeat for more): running stops until the coach clears it.",
)
@click.option("--note", default="", help="The athlete's own words (at most 500 characters).")
@click.option("--date", "day", help="The day (YYYY-MM-DD) [default: today in the athlete's time zone].")
@click.option(
    "--cleared", is_flag=True, help="The coach clears a red flag: running resumes with a graded return."
)
@click.option(
    "--from",
    "source",
    help="Check-ins from a CSV file (date,pain,where,when,red_flags,note), or `intervals`: the athlete's intervals.icu wellness soreness (1-4 as pain 1, 3, 6, 8).",
)
@click.option(
    "--list", "show", is_flag=True, help="Show the athlete's check-ins and what they change; keep nothing."
)
@table_or_json_option
@templates_option
@state_option
def checkin_cmd(
    profile: Path,
    pain: int | None,
    where: str | None,
    when_: str | None,
    flags: tuple[str, ...],
    note: str,
    day: str | None,
    cleared: bool,
    source: str | None,
    show: bool,
    fmt: str,
    templates: Path | None,
    state: Path | None,
) -> None:
    """Keep how the athlete's feet are (pain 0-10, where, when, red flags) and plan around it, by the
    pain-monitoring model (Silbernagel et al. 2007): 0-2 train as planned; 3-5 the next run shorter
    and easy; over 5 cross-training until pain is 2 or less, then a graded return; a red flag stops
    running until the coach clears it. Every changed workout says why."""
    from plansync.core.checkins import Checkin
    from plansync.errors import PlansyncError
    from plansync.service.checkins import check_in, from_source, listed, one

    config = settings(templates=templates, state=state)
    if show:
        _say(listed(config, profile), fmt)
        return
    if source is not None:
        new = from_source(config, profile, source)
    else:
        if pain is None and not cleared and not flags:
            raise PlansyncError("give --pain (0-10), --red-flag, --cleared, --from FILE or --list")
        asked = Checkin(dt.date.min, pain or 0, where, when_, flags, note, cleared)
        new = one(config, profile, asked, _date(day) if day else None)
    _say(check_in(config, profile, new), fmt)


def _date(text: str) -> dt.date:
    from plansync.errors import PlansyncError

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise PlansyncError(f"--date: expected YYYY-MM-DD, got {text!r}") from None


def _say(done: CheckedIn, fmt: str) -> None:
    if fmt == "json":
        click.echo(json.dumps(done.as_dict(), indent=2, ensure_ascii=False))
        return
    for c in done.checkins:
        flags = f"  RED FLAG {', '.join(c.red_flags)}" if c.red_flags else ""
        what = "cleared by the coach" if c.cleared else f"pain {c.pain}"
        place = " ".join(x for x in (c.where, c.when) if x)
        click.echo(f"{c.date}  {what:<20} {place:<18}{flags}  {c.note}".rstrip())
    lines = _changed_workouts(done)
    for line in lines[:SHOWN]:
        click.echo(line)
    if len(lines) > SHOWN:
        click.echo(f"… and {len(lines) - SHOWN} more workouts (--format json lists every change)")
    if done.paused_on is not None:
        click.echo(
            f"\nNEEDS ATTENTION: {done.paused_on.says()}: running is paused until the coach clears it "
            "(plansync checkin PROFILE --cleared)"
        )
    if done.added or done.changes:
        info(f"\n{done.added} check-ins kept; {len(lines)} workouts changed")


def _changed_workouts(done: CheckedIn) -> list[str]:
    """One line per changed workout: its day, what it was and is, and why (in short)."""
    kinds: dict[str, str] = {}
    heads: dict[str, str] = {}
    reasons: dict[str, str] = {}
    for c in done.changes:
        heads.setdefault(c.id, f"{c.date} {c.id.rsplit('-', 2)[-2]}-{c.id.rsplit('-', 1)[-1]}")
        reasons.setdefault(c.id, c.reason.split(" (was ")[0].removesuffix("."))
        kinds.setdefault(c.id, c.kind.replace("_", " "))
        if c.field == "kind":
            kinds[c.id] = f"{str(c.before).replace('_', ' ')} → {str(c.after).replace('_', ' ')}"
    return [f"{heads[i]} {kinds[i]}: {reasons[i]}" for i in heads]

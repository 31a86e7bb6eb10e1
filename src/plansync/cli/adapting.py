"""Plans that adapt: `plansync compliance` and `plansync adapt`."""

from __future__ import annotations

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
    from plansync.core.actuals import WeekCompliance
    from plansync.core.quantities import Units

FROM_HELP = (
    "Where the completed training comes from: a CSV file (date,type,distance,duration[,rpe][,avg_hr]), "
    "a Strava export's activities.csv, or `intervals` (the athlete's intervals.icu activities)."
)


ASSUME_MISSED_HELP = (
    "The source holds no activity at all because the athlete trained not at all (without it, an "
    "empty window is taken for an incomplete export and refused)."
)


@main.command("compliance")
@profile_argument
@click.option("--from", "source", required=True, help=FROM_HELP)
@click.option("--assume-missed", is_flag=True, help=ASSUME_MISSED_HELP)
@table_or_json_option
@templates_option
@state_option
def compliance_cmd(
    profile: Path, source: str, assume_missed: bool, fmt: str, templates: Path | None, state: Path | None
) -> None:
    """Per week, planned against run: distance, long run, sessions done, missed and extra.
    Implausible and repeated activities are left out, each named with why."""
    from plansync.service.adapting import compliance_of

    plan, weeks, left_out = compliance_of(
        settings(templates=templates, state=state), profile, source, assume_missed=assume_missed
    )
    if fmt == "json":
        data = {"athlete": plan.athlete, "weeks": [w.as_dict() for w in weeks], "left_out": left_out}
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(_table(plan.units, weeks), nl=False)
    _say_left_out(left_out)


def _say_left_out(left_out: list[str]) -> None:
    for note in left_out:
        click.echo(f"left out: {note}", err=True)


def _table(units: str, weeks: list[WeekCompliance]) -> str:
    from plansync.core.quantities import fmt_distance

    u: Units = "mi" if units == "mi" else "km"
    rows = [["wk", "start", "planned", "run", "long planned", "long run", "done", "missed", "extra", "state"]]
    for w in weeks:
        rows.append(
            [
                str(w.week),
                w.start.isoformat(),
                fmt_distance(w.planned_m, u),
                fmt_distance(w.run_m, u),
                fmt_distance(w.planned_long_m, u),
                fmt_distance(w.long_m, u),
                str(w.done),
                str(w.missed),
                str(w.extra),
                w.state,
            ]
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "".join(
        "  ".join(c.ljust(n) for c, n in zip(r, widths, strict=True)).rstrip() + "\n" for r in rows
    )


@main.command("adapt")
@profile_argument
@click.option("--from", "source", help=FROM_HELP)
@click.option("--dry-run", is_flag=True, help="Show the changes; keep nothing.")
@click.option("--reset", is_flag=True, help="Return to the plan as compiled (ends the adaptation).")
@click.option("--assume-missed", is_flag=True, help=ASSUME_MISSED_HELP)
@click.option(
    "--accept-paces",
    is_flag=True,
    help="Apply the new paces a race in the data proposes (shown old → new without it) and keep them with the plan.",
)
@table_or_json_option
@templates_option
@state_option
def adapt_cmd(
    profile: Path,
    source: str | None,
    dry_run: bool,
    reset: bool,
    assume_missed: bool,
    accept_paces: bool,
    fmt: str,
    templates: Path | None,
    state: Path | None,
) -> None:
    """Plan again from today with what the athlete actually ran: the 10 % rule against the
    highest week run, the long run against the longest run of the last 30 days, a graded return
    after days without running. Days already run stay as they were; every change is named with
    its reason. A race in the data proposes new paces, applied only with --accept-paces.
    compile, export, feeds, status and publish then use the adapted plan until the profile changes."""
    from plansync.service.adapting import adapt_plan, describe_change

    done = adapt_plan(
        settings(templates=templates, state=state),
        profile,
        source,
        dry_run=dry_run,
        reset=reset,
        assume_missed=assume_missed,
        accept_paces=accept_paces,
    )
    if fmt == "json":
        click.echo(json.dumps(done.as_dict(), indent=2, ensure_ascii=False))
        return
    _say_left_out(done.left_out)
    if done.weeks:
        click.echo(_table(done.after.units, done.weeks))
    for change in done.changes:
        click.echo(describe_change(change, done.after.units))
    for warning in done.after.warnings:
        if warning.code in ("not-race-ready", "gap-new-plan"):
            click.echo(f"\n{warning.message}")
    if done.paces is not None:
        verb = "applied and kept with the plan" if done.paces_applied else "apply them with --accept-paces"
        click.echo(f"\nnew paces: {done.paces.describe()} ({verb})")
    elif accept_paces:
        click.echo("\nno race in the data moves the paces: nothing to accept", err=True)
    verb = "kept" if done.kept else "not kept (--dry-run)"
    info(f"\n{len(done.changes)} changes; the adapted plan is {verb}")

"""The coach's daily commands: init, athlete new, status, preview."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from plansync.cli.base import (
    main,
    profile_argument,
    settings,
    table_or_json_option,
    templates_option,
    use_color,
)

T = TypeVar("T")


@main.command("init")
@click.argument("directory", required=False, type=click.Path(path_type=Path, file_okay=False), default=".")
@click.option(
    "--platform",
    "platforms",
    multiple=True,
    type=click.Choice(["trainingpeaks", "intervals"]),
    help="A training platform the coach has an account with, published to besides calendar files.",
)
def init_cmd(directory: Path, platforms: tuple[str, ...]) -> None:
    """Create a coach's workspace in DIRECTORY: plansync.toml, athletes/, plan_templates/, .gitignore.
    `publish --all` writes calendar files (no account needed), and to each --platform given."""
    from plansync.service.athletes import init_workspace

    written = init_workspace(directory, platforms)
    for path in written:
        click.echo(f"  wrote {path}")
    click.echo(f"workspace ready in {directory.resolve()}: add athletes with `plansync athlete new`")


@main.group("athlete")
def athlete_group() -> None:
    """Athlete profiles."""


def _ask(
    label: str,
    given: Any,
    check: Callable[[str], T],
    *,
    default: str | None = None,
    optional: bool = False,
    no_input: bool,
    option: str,
) -> T | None:
    """An answer from its option, else from a prompt that re-asks until it is valid."""
    if given is not None:
        try:
            return check(str(given))
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint=option) from None
    if no_input:
        if default is not None:
            return check(default)
        if optional:
            return None
        raise click.UsageError(f"missing {option} (or run without --no-input to be asked)")

    def proc(text: str) -> T | None:
        if optional and not text.strip():
            return None
        try:
            return check(text)
        except ValueError as exc:
            raise click.UsageError(str(exc)) from None

    shown = default if default is not None else ("" if optional else None)
    result: T | None = click.prompt(
        label, default=shown, value_proc=proc, show_default=bool(default), err=True
    )
    return result


@athlete_group.command("new")
@click.option("--name", help="The athlete's name.")
@click.option("--id", "ident", help="Profile id [default: from the name].")
@click.option("--timezone", help="IANA time zone, e.g. Australia/Sydney [default: this machine's].")
@click.option("--units", type=click.Choice(["km", "mi"]), help="Distance units.")
@click.option("--template", help="Plan template id.")
@click.option("--race-date", help="Race day (YYYY-MM-DD), for race plans.")
@click.option("--start-date", help="First day (YYYY-MM-DD), for plans without a race.")
@click.option("--weeks", help="Plan length in weeks [default: the template's].")
@click.option("--days", help="Training days, e.g. 'mon,tue,thu,sat,sun'.")
@click.option("--long-run-day", help="Day of the long run.")
@click.option(
    "--time", "train_time", help="Usual training time HH:MM (optional: calendar entries become timed)."
)
@click.option("--weekly-distance", help="Current weekly running volume, in units.")
@click.option("--long-run", help="Longest run of the last 30 days, in units.")
@click.option("--system", type=click.Choice(["pace", "heart_rate", "rpe"]), help="Intensity system.")
@click.option("--recent-race", help="A recent race: distance and time, e.g. '10k 48:30'.")
@click.option("--threshold-pace", help="Threshold pace per unit, m:ss.")
@click.option("--threshold-hr", help="Lactate-threshold heart rate.")
@click.option("--max-hr", help="Maximum heart rate (with --resting-hr).")
@click.option("--resting-hr", help="Resting heart rate (with --max-hr).")
@click.option("--shoes", help="Shoes as NAME:ROLE:DISTANCE:LIFESPAN, several separated by ';'.")
@click.option("--surfaces", help="Surfaces the athlete can run on, e.g. 'trail,grass,asphalt'.")
@click.option("--trainingpeaks-id", help="The athlete's TrainingPeaks id (optional).")
@click.option("--intervals-id", help="The athlete's intervals.icu id, e.g. i12345 (optional).")
@click.option(
    "--no-input", is_flag=True, help="Never prompt: every answer comes from the options or defaults."
)
@click.option("--force", is_flag=True, help="Replace an existing profile with the same id.")
@templates_option
def athlete_new_cmd(**kw: Any) -> None:
    """Take the consultation's answers and write a valid profile, then show the plan it gives."""
    from plansync.cli.render import to_table
    from plansync.service.athletes import Consultation

    consultation = Consultation(settings(required=True, templates=kw["templates"]))
    answers: dict[str, Any] = {}
    for question in consultation.questions(answers):
        option = {"id": "ident", "time": "train_time"}.get(question.key, question.key)
        answers[question.key] = _ask(
            question.label,
            kw.get(option),
            question.check,
            default=question.default,
            optional=question.optional,
            no_input=kw["no_input"],
            option="--" + question.key.replace("_", "-"),
        )
    draft = consultation.draft(answers)
    blockers = draft.blockers()
    for message in blockers:  # before anything is written: the coach may choose otherwise
        click.echo(click.wrap_text(message, 88, subsequent_indent="  ") + "\n", err=True)
    if blockers and not kw["no_input"] and not click.confirm("Write this profile anyway?", default=True):
        click.echo("nothing written", err=True)
        sys.exit(1)
    consultation.write(draft, force=kw["force"])
    click.echo(f"wrote {draft.path}\n")
    click.echo(to_table(draft.plan), nl=False)


@athlete_group.command("rename")
@click.argument("old")
@click.argument("new")
@click.option(
    "--state",
    type=click.Path(path_type=Path, file_okay=False),
    help="State directory [default: the workspace's].",
)
def athlete_rename_cmd(old: str, new: str, state: Path | None) -> None:
    """Give athlete OLD the id NEW everywhere plansync keeps it: ledger rows, feed links, and (at
    the next publish) each platform workout's marker, updated in place, never created anew.
    Change the id in the profile file too."""
    from plansync.service.publishing import rename_athlete

    moved = rename_athlete(settings(state=state), old, new)
    click.echo(
        f"{old} is now {new}: {moved} published workouts move with it; publish to update their markers"
    )


@main.command("status")
@click.option(
    "--to",
    "targets",
    multiple=True,
    help="Judge delivery on this target (repeatable) [default: the workspace's targets].",
)
@table_or_json_option
def status_cmd(targets: tuple[str, ...], fmt: str) -> None:
    """Every athlete against the 24-hour promise, most urgent first (exit status 1 if any is overdue,
    invalid, or needs attention: a red flag in their check-ins, a conflict on a platform)."""
    import json

    from plansync.cli.report import status_table
    from plansync.service.publishing import status

    config = settings(required=True)
    chosen = list(targets) or config.targets
    rows = status(config, chosen)
    if fmt == "json":
        click.echo(json.dumps([r.as_dict() for r in rows], indent=2, ensure_ascii=False))
    else:
        colour = use_color()
        click.echo(status_table(rows, chosen, color=colour), nl=False, color=colour)
    if any(r.state in ("overdue", "invalid") or r.attention for r in rows):
        sys.exit(1)


@main.command("preview")
@profile_argument
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The HTML file to write [default: <athlete id>.html].",
)
@templates_option
def preview_cmd(profile: Path, output: Path | None, templates: Path | None) -> None:
    """Write PROFILE's plan (a file, or an athlete's id in a workspace) as one self-contained
    HTML page: calendar, volume chart, every day."""
    from plansync.atomic import write_atomic
    from plansync.cli.preview import render
    from plansync.service.plans import compile_profile_file

    plan = compile_profile_file(settings(templates=templates), profile)
    output = output or Path(f"{plan.athlete}.html")
    write_atomic(output, render(plan).encode("utf-8"))
    click.echo(f"wrote {output}")


@main.command("config")
@table_or_json_option
def config_cmd(fmt: str) -> None:
    """Every setting this folder runs with, and where it comes from
    (flag > environment > plansync.toml > default)."""
    import json

    from plansync.service.settings import describe

    rows = describe(settings())
    if fmt == "json":
        click.echo(json.dumps([{"key": k, "value": v, "source": s} for k, v, s in rows], indent=2))
        return
    width = max(len(k) for k, _, _ in rows)
    for key, value, source in rows:
        click.echo(f"{key:<{width}}  {value or '-'}  ({source})")

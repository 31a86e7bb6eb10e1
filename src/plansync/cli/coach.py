"""The coach's daily commands: init, athlete new, status, preview."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from plansync.cli.base import current_workspace, main, now, templates_dir, templates_option

T = TypeVar("T")


@main.command("init")
@click.argument("directory", required=False, type=click.Path(path_type=Path, file_okay=False), default=".")
def init_cmd(directory: Path) -> None:
    """Create a coach's workspace in DIRECTORY: plansync.toml, athletes/, plan_templates/, .gitignore."""
    from plansync.inputs import workspace
    from plansync.inputs.loader import SHIPPED_TEMPLATES
    from plansync.inputs.schemas import schema_json

    written = workspace.init(directory, SHIPPED_TEMPLATES)
    written += workspace.write_schemas(directory, {k: schema_json(k) for k in ("template", "profile")})
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
@click.option("--timezone", help="IANA time zone, e.g. Australia/Sydney.")
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
@click.option(
    "--no-input", is_flag=True, help="Never prompt: every answer comes from the options or defaults."
)
@click.option("--force", is_flag=True, help="Replace an existing profile with the same id.")
@templates_option
def athlete_new_cmd(**kw: Any) -> None:
    """Take the consultation's answers and write a valid profile, then show the plan it gives."""
    from plansync.cli.render import to_table
    from plansync.inputs import intake
    from plansync.inputs.compiling import compile_profile
    from plansync.inputs.loader import find_template, load_template, read_profile_text, template_dirs

    found = current_workspace(required=True)
    assert found is not None
    no_input = kw["no_input"]

    def ask(label: str, key: str, check: Callable[[str], T], **extra: Any) -> T | None:
        return _ask(
            label, kw.get(key), check, no_input=no_input, option="--" + key.replace("_", "-"), **extra
        )

    def text(value: str) -> str:
        if not value.strip():
            raise ValueError("expected an answer")
        return value.strip()

    def whole(value: str) -> int:
        number = intake.check_positive(value)
        if not number.is_integer():
            raise ValueError("expected a whole number")
        return int(number)

    tdirs = template_dirs(templates_dir(kw["templates"]))
    known = sorted({p.stem for d in tdirs if d.is_dir() for p in d.glob("*.yaml")})

    def template_id(value: str) -> str:
        if value.strip() not in known:
            raise ValueError(f"expected one of: {', '.join(known)}")
        return value.strip()

    answers: dict[str, Any] = {}
    answers["name"] = ask("Name", "name", text)
    answers["id"] = ask(
        "Profile id",
        "ident",
        lambda v: intake.slug(v) if v.strip() else intake.slug(answers["name"]),
        default=intake.slug(answers["name"]),
    )
    answers["timezone"] = ask("Time zone", "timezone", intake.check_zone, default="UTC")
    answers["units"] = ask(
        "Units (km or mi)", "units", lambda v: v if v in ("km", "mi") else _fail("km or mi"), default="km"
    )
    answers["template"] = ask(
        f"Plan template ({', '.join(known)})", "template", template_id, default="half-marathon-intermediate"
    )
    template = load_template(find_template(answers["template"], tdirs))
    if template.goal == "half_marathon":
        answers["race_date"] = ask("Race date (YYYY-MM-DD)", "race_date", intake.check_date)
    else:
        answers["start_date"] = ask("Start date (YYYY-MM-DD)", "start_date", intake.check_date)
    answers["weeks"] = ask(
        f"Weeks ({template.weeks.min}–{template.weeks.max})",
        "weeks",
        whole,
        default=str(template.weeks.default),
    )
    answers["days"] = ask("Training days", "days", intake.check_days, default="mon, tue, thu, sat, sun")
    answers["long_run_day"] = ask(
        "Long-run day",
        "long_run_day",
        lambda v: intake.check_days(v)[0] if len(intake.check_days(v)) == 1 else _fail("one day"),
        default="sun" if "sun" in answers["days"] else answers["days"][-1],
    )
    answers["time"] = ask(
        "Usual training time HH:MM (empty for all-day entries)", "train_time", _time, optional=True
    )
    answers["weekly_distance"] = ask(
        f"Current weekly distance ({answers['units']})", "weekly_distance", intake.check_positive
    )
    answers["long_run"] = ask(
        f"Longest run of the last 30 days ({answers['units']})", "long_run", intake.check_positive
    )
    answers["system"] = ask(
        "Intensity system (pace, heart_rate, rpe)",
        "system",
        lambda v: v if v in ("pace", "heart_rate", "rpe") else _fail("pace, heart_rate or rpe"),
        default="pace",
    )
    answers["recent_race"] = ask(
        "Recent race, e.g. '10k 48:30' (empty if none)", "recent_race", intake.check_race, optional=True
    )
    if answers["system"] == "pace" and not answers["recent_race"]:
        answers["threshold_pace"] = ask(
            f"Threshold pace per {answers['units']} (m:ss)", "threshold_pace", intake.check_clock
        )
    if answers["system"] == "heart_rate":
        answers["threshold_hr"] = ask(
            "Threshold heart rate (empty to give max and resting)", "threshold_hr", whole, optional=True
        )
        if not answers["threshold_hr"]:
            answers["max_hr"] = ask("Maximum heart rate", "max_hr", whole)
            answers["resting_hr"] = ask("Resting heart rate", "resting_hr", whole)
    answers["shoes"] = ask(
        "Shoes NAME:ROLE:DISTANCE:LIFESPAN, ';' between pairs (empty for none)",
        "shoes",
        lambda v: [intake.check_shoe(s) for s in v.split(";") if s.strip()],
        optional=True,
    )
    answers["surfaces"] = ask(
        "Surfaces", "surfaces", intake.check_surfaces, default="trail, grass, asphalt, treadmill, concrete"
    )
    answers["trainingpeaks_id"] = ask(
        "TrainingPeaks athlete id (empty if none)", "trainingpeaks_id", lambda v: str(whole(v)), optional=True
    )

    doc = intake.build(answers, now())
    found.athletes.mkdir(parents=True, exist_ok=True)
    path = found.athletes / f"{answers['id']}.yaml"
    # The profile must compile before anything is written: a half-made athlete helps nobody.
    profile, parsed = read_profile_text(intake.to_yaml(doc), path)
    plan = compile_profile(profile, parsed, templates_dir(kw["templates"]), now=now())
    intake.write_profile(path, doc, force=kw["force"])
    click.echo(f"wrote {path}\n")
    click.echo(to_table(plan), nl=False)


def _fail(expected: str) -> Any:
    raise ValueError(f"expected {expected}")


def _time(value: str) -> str:
    import re

    if not re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", value.strip()):
        raise ValueError("expected a time of day such as 06:30")
    return value.strip()


@main.command("status")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="A table for people or JSON for scripts.",
)
def status_cmd(fmt: str) -> None:
    """Every athlete against the 24-hour promise, most urgent first (exit status 1 if any is overdue)."""
    import json

    from plansync.cli.report import status_table
    from plansync.publishing.status import workspace_status
    from plansync.state.ledger import Ledger

    found = current_workspace(required=True)
    assert found is not None
    with Ledger(found.state) as ledger:
        rows = workspace_status(found.profiles(), ledger, found.config.targets, now(), templates_dir(None))
    if fmt == "json":
        click.echo(json.dumps([r.as_dict() for r in rows], indent=2, ensure_ascii=False))
    else:
        click.echo(status_table(rows, found.config.targets, color=sys.stdout.isatty()), nl=False)
    if any(r.state == "overdue" for r in rows):
        sys.exit(1)


@main.command("preview")
@click.argument("profile", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="The HTML file to write.",
)
@templates_option
def preview_cmd(profile: Path, output: Path, templates: Path | None) -> None:
    """Write PROFILE's plan as one self-contained HTML page: calendar, volume chart, every day."""
    from plansync.atomic import write_atomic
    from plansync.cli.preview import render
    from plansync.inputs.compiling import compile_file

    plan = compile_file(profile, templates_dir(templates), now=now())
    write_atomic(output, render(plan).encode("utf-8"))
    click.echo(f"wrote {output}")

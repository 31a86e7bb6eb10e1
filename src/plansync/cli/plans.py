"""Commands about plans: compile, validate, schema."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import click

from plansync.cli.base import (
    FormatChoice,
    ProfileArg,
    date_option,
    format_option,
    main,
    settings,
    state_option,
    templates_option,
    use_color,
    write,
)


@main.command("compile")
@click.argument("profiles", nargs=-1, type=ProfileArg(folders=True))
@click.option("--example", is_flag=True, help="Compile the bundled example athlete (no PROFILE needed).")
@templates_option
@click.option("--race-date", callback=date_option, help="Override the profile's race date (YYYY-MM-DD).")
@click.option("--start-date", callback=date_option, help="Override the profile's start date (YYYY-MM-DD).")
@click.option(
    "--weeks",
    type=click.IntRange(1, 52),
    help="Plan length in weeks [default: the profile's, then the template's].",
)
@format_option()
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Write here instead of standard output; a folder for several profiles (one JSON each).",
)
@click.option(
    "--ics",
    "ics_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write the plan as an iCalendar file.",
)
@state_option
def compile_cmd(
    profiles: tuple[Path, ...],
    example: bool,
    templates: Path | None,
    race_date: dt.date | None,
    start_date: dt.date | None,
    weeks: int | None,
    fmt: str,
    output: Path | None,
    ics_path: Path | None,
    state: Path | None,
) -> None:
    """Compile an athlete PROFILE into a dated plan, as a table or JSON; several profiles or a
    folder of them compile at once into -o DIR, one JSON file per athlete."""
    from plansync.cli.render import to_json, to_table
    from plansync.service import Options, plans

    if race_date and start_date:
        raise click.UsageError("give --race-date or --start-date, not both")
    if example == bool(profiles):
        raise click.UsageError("give a PROFILE file, or --example for the bundled example athlete")
    if len(profiles) > 1 or (profiles and profiles[0].is_dir()):
        _compile_many(profiles, output, templates, state, (race_date, start_date, weeks, ics_path))
        return
    profile = profiles[0] if profiles else None
    config = settings(templates=templates, state=state)
    options = Options(race_date=race_date, start_date=start_date, weeks=weeks)
    if example:
        plan = plans.compile_example(config, options)
    else:
        assert profile is not None
        plan = plans.compile_profile_file(config, profile, options)
    write(output, to_json(plan) if fmt == "json" else to_table(plan))
    if ics_path is not None:
        from plansync.cli.calendars import report_written

        report_written(
            ics_path,
            plans.write_if_changed(ics_path, plans.calendar(config, plan, previous=ics_path, look=True)),
        )


@main.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path, exists=True))
@click.option(
    "--profiles",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="Also dry-run every athlete profile in this folder against its template.",
)
@click.option(
    "--format",
    "fmt",
    type=FormatChoice(["text", "json", "github"]),
    help="text [default], json, or github: GitHub annotations (the default when GITHUB_ACTIONS=true).",
)
@click.option("--strict", is_flag=True, help="Warnings fail the run too.")
@click.option(
    "--targets",
    "budget_targets",
    default="",
    metavar="T1,T2",
    help="Also check each session against these targets' budgets (fit, trainingpeaks, intervals, ics): "
    "a session with more steps than a watch takes fails, naming its line.",
)
def validate_cmd(
    paths: tuple[Path, ...], profiles: Path | None, fmt: str | None, strict: bool, budget_targets: str
) -> None:
    """Check plan templates (files or folders; default ./plan_templates): schema, references,
    and a dry-run compile of each against a matrix of athletes, checked with the coaching rules.

    Exit status: 0 clean, 1 when a problem was found, 2 for a usage error."""
    from plansync.cli import report as out
    from plansync.service.plans import validate

    targets = list(paths) or [Path("plan_templates")]
    for target in targets:
        if not target.exists():
            raise click.UsageError(f"{target} does not exist; name template files or folders")
    from plansync.core.budgets import BUDGETS

    chosen = tuple(t.strip() for t in budget_targets.split(",") if t.strip())
    unknown = [t for t in chosen if t not in BUDGETS]
    if unknown:
        raise click.UsageError(f"--targets: unknown {', '.join(unknown)}; known: {', '.join(BUDGETS)}")
    result = validate(targets, profiles, chosen)
    fmt = fmt or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    if fmt == "json":
        sys.stdout.write(out.to_json(result))
    elif fmt == "github":
        sys.stdout.write(out.to_github(result))
    else:
        colour = use_color()
        click.echo(out.to_text(result, color=colour), nl=False, color=colour)
    if result.errors or (strict and result.warnings):
        sys.exit(1)


# The schemas plansync ships (plansync.inputs.schemas.KINDS; a test keeps the two the same),
# named here so the command line starts without loading the models.
SCHEMA_KINDS = (
    "template",
    "profile",
    "plan",
    "status",
    "validate",
    "publish",
    "adapt",
    "compliance",
    "checkins",
    "config",
)


@main.command("schema")
@click.argument("kind", type=click.Choice(list(SCHEMA_KINDS)))
def schema_cmd(kind: str) -> None:
    """Print a JSON Schema: of a plan template or an athlete profile (for editors), or of a
    command's --format json output (plan: compile; status, validate, publish, adapt,
    compliance, checkins, config)."""
    from plansync.service.plans import schema

    sys.stdout.write(schema(kind))


def _compile_many(
    profiles: tuple[Path, ...],
    output: Path | None,
    templates: Path | None,
    state: Path | None,
    single: tuple[object, ...],
) -> None:
    from plansync.service import plans

    if output is None:
        raise click.UsageError("several profiles compile into a folder: give -o DIR")
    if any(value is not None for value in single):
        raise click.UsageError("--race-date, --start-date, --weeks and --ics are for one profile")
    results = plans.compile_many(settings(templates=templates, state=state), list(profiles), output)
    for result in results:
        if result.error is not None:
            click.echo(f"error: {result.error}", err=True)
    failed = sum(1 for r in results if r.error is not None)
    written = sum(1 for r in results if r.written)
    unchanged = len(results) - failed - written
    click.echo(f"{written} plans written, {unchanged} unchanged, {failed} failed, in {output}")
    if failed:
        sys.exit(1)

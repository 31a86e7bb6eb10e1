"""Publishing commands: adapters, publish, auth."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from plansync.cli.base import (
    ProfileArg,
    format_option,
    info,
    main,
    quiet,
    repair_option,
    settings,
    state_option,
    templates_option,
    wait_option,
)

if TYPE_CHECKING:
    from plansync.service import AthleteResult
    from plansync.service.settings import Settings


def _option_pairs(values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for value in values:
        key, sep, val = value.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"expected key=value, got {value!r}", param_hint="--option")
        out[key] = val
    return out


@main.command("adapters")
def adapters_cmd() -> None:
    """List the export targets installed: built-in and plugins (entry points `plansync.adapters`)."""
    from plansync.service.publishing import list_adapters

    for adapter in list_adapters():
        click.echo(
            f"{adapter.name:<14} {adapter.description}  [{', '.join(adapter.capabilities)}; {adapter.origin}]"
        )


@main.command("publish")
@click.argument("profile", required=False, type=ProfileArg())
@click.option(
    "--all",
    "everyone",
    is_flag=True,
    help="Every athlete of the workspace that is draft, changed or overdue (overdue first).",
)
@click.option(
    "--to",
    "targets",
    multiple=True,
    help="The adapter to publish through (see `plansync adapters`) [default with --all: the workspace's targets].",
)
@click.option("--dry-run", is_flag=True, help="Print the actions and change nothing.")
@click.option(
    "--force", is_flag=True, help="Publish even when it would delete more than half of what is published."
)
@click.option(
    "--reclaim",
    "reclaim",
    multiple=True,
    metavar="ID|all",
    help="Put the plan's version back over what was changed on the target (moved, edited, deleted): "
    "a workout id, repeatable, or `all`. Without it, changes made there are kept.",
)
@click.option("--sandbox", is_flag=True, help="Use the platform's sandbox hosts.")
@click.option(
    "--adapt",
    "adapt_from",
    metavar="SOURCE",
    help="First adapt the plan to what was run (as `plansync adapt --from SOURCE`): for a daily job.",
)
@click.option(
    "-O",
    "--option",
    "options",
    multiple=True,
    metavar="KEY=VALUE",
    help="An adapter option, e.g. -O dir=calendars for ics.",
)
@format_option()
@templates_option
@state_option
@wait_option
@repair_option
def publish_cmd(
    profile: Path | None,
    everyone: bool,
    targets: tuple[str, ...],
    dry_run: bool,
    force: bool,
    reclaim: tuple[str, ...],
    sandbox: bool,
    adapt_from: str | None,
    options: tuple[str, ...],
    fmt: str,
    templates: Path | None,
    state: Path | None,
    wait: float | None,
    repair: bool,
) -> None:
    """Publish PROFILE's compiled plan (or --all athletes) to a target, changing only what differs."""
    flags = _option_pairs(options)
    if sandbox:
        flags.setdefault("sandbox", "true")
    if everyone == (profile is not None):
        raise click.UsageError("give a PROFILE, or --all for every athlete who needs publishing")
    config = settings(
        required=everyone, templates=templates, state=state, targets=list(targets) or None, wait=wait
    )
    if everyone:
        if adapt_from is not None:
            raise click.UsageError(
                "--adapt takes one PROFILE (each athlete's training comes from their own source)"
            )
        _publish_all(config, config.targets, flags, dry_run, fmt)
        return
    if len(targets) != 1:
        raise click.UsageError("give one --to TARGET for a single athlete")
    assert profile is not None
    if adapt_from is not None:
        from plansync.service.adapting import adapt_plan

        adapted = adapt_plan(config, profile, adapt_from, dry_run=dry_run)
        for note in adapted.left_out:
            click.echo(f"left out: {note}", err=True)
        info(f"adapted: {len(adapted.changes)} changes")
    _publish_one(config, profile, targets[0], flags, dry_run, force, fmt, repair, reclaim)


def _publish_one(
    config: Settings,
    profile: Path,
    target: str,
    flags: dict[str, str],
    dry_run: bool,
    force: bool,
    fmt: str,
    repair: bool,
    reclaim: tuple[str, ...] = (),
) -> None:
    import json

    from plansync.service.publishing import publish_one

    summary, actions = publish_one(
        config, profile, target, flags, dry_run=dry_run, force=force, repair=repair, reclaim=reclaim
    )
    if fmt == "json":
        data = summary.as_dict()
        if dry_run:
            data["actions"] = [
                {
                    "action": a.kind,
                    "date": a.date.isoformat(),
                    "id": a.uid,
                    "title": a.title,
                    "remote_id": a.remote_id,
                    "reason": a.reason or None,
                }
                for a in actions
            ]
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        if dry_run:
            for a in actions:
                if a.kind != "unchanged":
                    click.echo(a.line())
            for note in summary.notes:
                click.echo(f"note: {note}")
            for line in summary.fidelity:
                click.echo(f"fidelity: {line}")
        if not dry_run:
            for line in summary.kept_lines:
                click.echo(f"kept: {line}")
        for failure in summary.failures:
            click.echo(f"failed: {failure}", err=True)
        click.echo(("dry run: would have " if dry_run else "") + summary.line())
    if summary.failures:
        sys.exit(1)


def _publish_all(
    config: Settings, targets: list[str], flags: dict[str, str], dry_run: bool, fmt: str
) -> None:
    import json

    from plansync.cli.report import batch_table
    from plansync.service.publishing import publish_everyone

    terminal = sys.stderr.isatty() and fmt == "text" and not quiet()
    bars: list[Any] = []

    def start(count: int) -> None:
        if terminal:
            bars.append(click.progressbar(length=count, label="publishing", file=sys.stderr))

    def done(result: AthleteResult) -> None:
        if bars:
            bars[0].update(1)
        elif fmt == "text":
            outcome = "; ".join(f"{t}: {s.line()}" for t, s in result.summaries.items())
            errors = "; ".join(f"{t}: {e}" for t, e in result.errors.items())
            click.echo(f"{result.status.athlete}: {errors or outcome}")

    results = publish_everyone(config, targets, flags, dry_run=dry_run, on_start=start, on_done=done)
    if bars:
        bars[0].render_finish()
    if fmt == "json":
        click.echo(
            json.dumps(
                [
                    {
                        "athlete": r.status.athlete,
                        "state": r.status.state,
                        "results": {t: s.as_dict() for t, s in r.summaries.items()},
                        "errors": r.errors,
                    }
                    for r in results
                ],
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        click.echo(batch_table(results, targets, dry_run), nl=False)
    if any(r.failed for r in results):
        sys.exit(1)


@main.group("auth")
def auth_group() -> None:
    """Authorize plansync with a training platform."""


@auth_group.command("trainingpeaks")
@click.option("--sandbox", is_flag=True, help="Use the TrainingPeaks sandbox hosts.")
@click.option(
    "--port",
    default=0,
    type=click.IntRange(0, 65535),
    help="Loopback port for the redirect [default: any free one].",
)
@click.option("--no-browser", is_flag=True, help="Only print the authorization URL.")
@state_option
@wait_option
def auth_tp_cmd(sandbox: bool, port: int, no_browser: bool, state: Path | None, wait: float | None) -> None:
    """Sign in to TrainingPeaks (authorization code with a loopback redirect) and keep the token."""
    import webbrowser

    from plansync.service.publishing import authorize

    def show(url: str) -> None:
        click.echo("Open this address to authorize plansync with TrainingPeaks:\n" + url, err=True)
        if not no_browser:
            webbrowser.open(url)

    flags = {"sandbox": "true"} if sandbox else {}
    where = authorize(settings(state=state, wait=wait), "trainingpeaks", show, port=port, flags=flags)
    click.echo(f"authorized; the token is kept in {where} (mode 0600)")

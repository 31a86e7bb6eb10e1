"""Publishing commands: adapters, publish, auth."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from plansync.cli.base import (
    current_workspace,
    main,
    now,
    state_dir,
    state_option,
    templates_dir,
    templates_option,
)


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
    from plansync.adapters import BUILTIN, available, load

    for name, where in available().items():
        cls = load(name)
        origin = "built-in" if name in BUILTIN else f"plugin {where}"
        caps = ", ".join(
            k for k, v in (("update", cls.supports_update), ("delete", cls.supports_delete)) if v
        )
        click.echo(f"{name:<14} {cls.description or cls.__doc__ or ''}  [{caps}; {origin}]")


@main.command("publish")
@click.argument("profile", required=False, type=click.Path(path_type=Path, dir_okay=False))
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
@click.option("--sandbox", is_flag=True, help="Use the platform's sandbox hosts.")
@click.option(
    "-O",
    "--option",
    "options",
    multiple=True,
    metavar="KEY=VALUE",
    help="An adapter option, e.g. -O dir=calendars for ics.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="The summary as text or as JSON.",
)
@templates_option
@state_option
def publish_cmd(
    profile: Path | None,
    everyone: bool,
    targets: tuple[str, ...],
    dry_run: bool,
    force: bool,
    sandbox: bool,
    options: tuple[str, ...],
    fmt: str,
    templates: Path | None,
    state: Path | None,
) -> None:
    """Publish PROFILE's compiled plan (or --all athletes) to a target, changing only what differs."""
    found = current_workspace(required=everyone)
    adapter_options = _option_pairs(options)
    if found is not None and found.config.trainingpeaks.client_id:
        adapter_options.setdefault("client_id", found.config.trainingpeaks.client_id)
    sandbox = sandbox or bool(found and found.config.trainingpeaks.sandbox)
    if everyone == (profile is not None):
        raise click.UsageError("give a PROFILE, or --all for every athlete who needs publishing")
    if everyone:
        assert found is not None
        _publish_all(
            found,
            list(targets) or found.config.targets,
            adapter_options,
            sandbox,
            dry_run,
            fmt,
            templates_dir(templates),
        )
        return
    if len(targets) != 1:
        raise click.UsageError("give one --to TARGET for a single athlete")
    _publish_one(
        profile,
        targets[0],
        adapter_options,
        sandbox,
        dry_run,
        force,
        fmt,
        templates_dir(templates),
        state_dir(state),
    )


def _publish_one(
    profile: Path | None,
    target: str,
    options: dict[str, str],
    sandbox: bool,
    dry_run: bool,
    force: bool,
    fmt: str,
    templates: Path | None,
    state: Path,
) -> None:
    import json

    from plansync.publishing.publish import publish_profile

    assert profile is not None
    summary, actions = publish_profile(
        profile,
        target,
        state=state,
        templates=templates,
        options=options,
        sandbox=sandbox,
        dry_run=dry_run,
        force=force,
        now=now(),
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
        for failure in summary.failures:
            click.echo(f"failed: {failure}", err=True)
        click.echo(("dry run: would have " if dry_run else "") + summary.line())
    if summary.failures:
        sys.exit(1)


def _publish_all(
    found: Any,
    targets: list[str],
    options: dict[str, str],
    sandbox: bool,
    dry_run: bool,
    fmt: str,
    templates: Path | None,
) -> None:
    import json

    from plansync.cli.report import batch_table
    from plansync.publishing.batch import AthleteResult, publish_all, to_publish
    from plansync.publishing.status import workspace_status
    from plansync.state.ledger import Ledger

    clock = now()
    with Ledger(found.state) as ledger:
        statuses = workspace_status(found.profiles(), ledger, targets, clock, templates)
    chosen = to_publish(statuses)
    terminal = sys.stdout.isatty() and fmt == "text"
    bar = click.progressbar(length=len(chosen), label="publishing", file=sys.stderr) if terminal else None

    def done(result: AthleteResult) -> None:
        if bar is not None:
            bar.update(1)
        elif fmt == "text":
            outcome = "; ".join(f"{t}: {s.line()}" for t, s in result.summaries.items())
            errors = "; ".join(f"{t}: {e}" for t, e in result.errors.items())
            click.echo(f"{result.status.athlete}: {errors or outcome}")

    results = publish_all(
        statuses,
        targets,
        state=found.state,
        now=clock,
        templates=templates,
        options=options,
        sandbox=sandbox,
        concurrency=found.config.publish.concurrency,
        rate_limit=found.config.publish.rate_limit,
        dry_run=dry_run,
        on_done=done,
    )
    if bar is not None:
        bar.render_finish()
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
def auth_tp_cmd(sandbox: bool, port: int, no_browser: bool, state: Path | None) -> None:
    """Sign in to TrainingPeaks (authorization code with a loopback redirect) and keep the token."""
    import webbrowser

    from plansync.adapters.trainingpeaks.adapter import oauth_for
    from plansync.adapters.trainingpeaks.auth import authorize

    found = current_workspace()
    client_id = found.config.trainingpeaks.client_id if found else ""
    sandbox = sandbox or bool(found and found.config.trainingpeaks.sandbox)
    oauth, store = oauth_for(state_dir(state), sandbox, client_id or None)

    def show(url: str) -> None:
        click.echo("Open this address to authorize plansync with TrainingPeaks:\n" + url, err=True)
        if not no_browser:
            webbrowser.open(url)

    authorize(oauth, show, port=port)
    click.echo(f"authorized; the token is kept in {store.path} (mode 0600)")

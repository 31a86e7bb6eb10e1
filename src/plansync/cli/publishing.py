"""Publishing commands: adapters, publish, auth."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .base import current_workspace, main, now, state_dir, state_option, templates_dir, templates_option


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
    from ..adapters import BUILTIN, available, load

    for name, where in available().items():
        cls = load(name)
        origin = "built-in" if name in BUILTIN else f"plugin {where}"
        caps = ", ".join(
            k for k, v in (("update", cls.supports_update), ("delete", cls.supports_delete)) if v
        )
        click.echo(f"{name:<14} {cls.description or cls.__doc__ or ''}  [{caps}; {origin}]")


@main.command("publish")
@click.argument("profile", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--to", "target", required=True, help="The adapter to publish through (see `plansync adapters`)."
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
    help="The summary as a line of text or as JSON.",
)
@templates_option
@state_option
def publish_cmd(
    profile: Path,
    target: str,
    dry_run: bool,
    force: bool,
    sandbox: bool,
    options: tuple[str, ...],
    fmt: str,
    templates: Path | None,
    state: Path | None,
) -> None:
    """Publish PROFILE's compiled plan to a target, changing only what differs."""
    import json

    from ..publishing import publish_profile

    found = current_workspace()
    adapter_options = _option_pairs(options)
    if found is not None and found.config.trainingpeaks.client_id:
        adapter_options.setdefault("client_id", found.config.trainingpeaks.client_id)
    summary, actions = publish_profile(
        profile,
        target,
        state=state_dir(state),
        templates=templates_dir(templates),
        options=adapter_options,
        sandbox=sandbox or bool(found and found.config.trainingpeaks.sandbox),
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

    from ..adapters.tp_auth import authorize
    from ..adapters.trainingpeaks import oauth_for

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

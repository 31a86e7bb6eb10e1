"""Calendar commands: export, feeds, serve."""

from __future__ import annotations

import contextlib
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


def export_ics(profile_path: Path, plan: Any, output: Path, state: Path) -> None:
    from plansync.atomic import write_atomic
    from plansync.calendars.identity import calendar_bytes
    from plansync.inputs.loader import load_profile
    from plansync.state.ledger import Ledger

    with Ledger(state) as ledger:
        data = calendar_bytes(plan, load_profile(profile_path), ledger, now())
    if output.exists() and output.read_bytes() == data:
        click.echo(f"{output} is up to date", err=True)
        return
    write_atomic(output, data)
    click.echo(f"wrote {output}", err=True)


@main.group("export")
def export_group() -> None:
    """Write an athlete's plan in a calendar format."""


@export_group.command("ics")
@click.argument("profile", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="The .ics file to write (atomically; left alone when nothing changed).",
)
@templates_option
@state_option
def export_ics_cmd(profile: Path, output: Path, templates: Path | None, state: Path | None) -> None:
    """Write PROFILE's compiled plan as one iCalendar file."""
    from plansync.inputs.compiling import compile_file

    plan = compile_file(profile, templates_dir(templates), now=now())
    export_ics(profile, plan, output, state_dir(state))


@main.group("feed")
def feed_group() -> None:
    """Private calendar subscription feeds, one per athlete."""


@feed_group.command("build")
@click.argument("athletes", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="Folder of feed files to serve (static: any web host or CDN can serve it).",
)
@click.option(
    "--base-url",
    default="http://127.0.0.1:8080",
    show_default=True,
    help="Where --out is served from; used for the subscription URLs in the private index.",
)
@templates_option
@state_option
def feed_build_cmd(
    athletes: Path, out: Path, base_url: str | None, templates: Path | None, state: Path | None
) -> None:
    """Write a feed and a busy-only feed for every athlete profile in ATHLETES.

    The private index of subscription URLs is written to the state directory."""
    from plansync.calendars.feeds import INDEX_NAME, build_feeds
    from plansync.state.ledger import Ledger

    found = current_workspace()
    base_url = base_url or (found.config.feeds.base_url if found else "http://127.0.0.1:8080")
    state = state_dir(state)
    if not base_url.startswith(("https://", "http://")):
        raise click.BadParameter("expected an http:// or https:// URL", param_hint="--base-url")
    with Ledger(state) as ledger:
        result = build_feeds(
            athletes, out, ledger, now(), base_url=base_url, templates=templates_dir(templates)
        )
    for _path, message in result.failed:
        click.echo(f"error: {message}", err=True)
    click.echo(
        f"{len(result.built)} feeds written, {len(result.unchanged)} unchanged, "
        f"{len(result.failed)} failed; subscription URLs in {state / INDEX_NAME}"
    )
    if result.failed:
        sys.exit(1)


@feed_group.command("rotate")
@click.argument("athlete_id")
@state_option
def feed_rotate_cmd(athlete_id: str, state: Path | None) -> None:
    """Give ATHLETE_ID's feeds new secret URLs; the old ones stop working."""
    from plansync.calendars.feeds import INDEX_NAME, rotate
    from plansync.state.ledger import Ledger

    state = state_dir(state)
    with Ledger(state) as ledger:
        rotate(athlete_id, ledger, now())
    click.echo(f"new feed URLs for {athlete_id} are in {state / INDEX_NAME}")


@main.command("serve")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=8080, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on."
)
def serve_cmd(directory: Path, host: str, port: int) -> None:
    """Serve the feed files in DIRECTORY over HTTP (for development and small setups)."""
    from plansync.calendars.server import make_server

    server = make_server(directory, host, port)
    click.echo(f"serving {directory} on http://{host}:{server.effective_port}/ (Ctrl-C to stop)", err=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.run()

"""Calendar commands: export, feeds, serve."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from plansync.cli.base import (
    info,
    main,
    profile_argument,
    settings,
    state_option,
    templates_option,
    wait_option,
)

F = TypeVar("F", bound=Callable[..., Any])


def report_written(output: Path, written: bool) -> None:
    info(f"wrote {output}" if written else f"{output} is up to date")


@main.group("export")
def export_group() -> None:
    """Write an athlete's plan as a calendar (ics) or as watch workout files (fit)."""


@export_group.command("ics")
@profile_argument
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The .ics file to write (atomically; left alone when nothing changed) [default: <athlete id>.ics].",
)
@templates_option
@state_option
@wait_option
def export_ics_cmd(
    profile: Path, output: Path | None, templates: Path | None, state: Path | None, wait: float | None
) -> None:
    """Write PROFILE's compiled plan (a file, or an athlete's id in a workspace) as one iCalendar file."""
    from plansync.service.plans import compile_profile_file, export_calendar

    config = settings(templates=templates, state=state, wait=wait)
    plan = compile_profile_file(config, profile)
    output = output or Path(f"{plan.athlete}.ics")
    report_written(output, export_calendar(config, profile, output, plan))


@export_group.command("fit")
@profile_argument
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder for the .fit files (one per run, cross-training and strength session) "
    "[default: <athlete id>-fit].",
)
@click.option("--week", type=click.IntRange(min=1), help="Only this week of the plan.")
@templates_option
@state_option
def export_fit_cmd(
    profile: Path, output: Path | None, week: int | None, templates: Path | None, state: Path | None
) -> None:
    """Write PROFILE's plan as FIT workout files for a watch: <date>-<slot>.fit, written
    atomically and only when their bytes change; rest days make no file."""
    from plansync.service.plans import compile_profile_file, export_fit

    config = settings(templates=templates, state=state)
    plan = compile_profile_file(config, profile)
    output = output or Path(f"{plan.athlete}-fit")
    result = export_fit(config, profile, output, week, plan)
    for line in result.fidelity:
        click.echo(f"fidelity: {line}", err=True)
    click.echo(
        f"{output}: {len(result.written)} written, {len(result.unchanged)} up to date"
        + (f", {len(result.removed)} removed" if result.removed else ""),
        err=True,
    )


@main.group("feed")
def feed_group() -> None:
    """Private calendar subscription feeds, one per athlete."""


def feed_destination(help_text: str) -> Callable[[F], F]:
    """``-o/--output`` (``--out`` too, its older name): a folder or an object-store URL."""
    return click.option("-o", "--output", "--out", "out", required=True, help=help_text)


@feed_group.command("build")
@click.argument("athletes", type=click.Path(path_type=Path, file_okay=False, exists=True))
@feed_destination(
    "Where the feeds go: a folder to serve (any web host or CDN can serve it), or an object store: "
    "s3://bucket/prefix (also S3-compatible stores via AWS_ENDPOINT_URL), gs://bucket/prefix, "
    "az://container/prefix, file:///path. Only what changed is uploaded.",
)
@click.option(
    "--base-url",
    help="Where -o is served from, for the subscription URLs in the private index "
    "[default: the workspace's feeds.base_url, else http://127.0.0.1:8080].",
)
@click.option("--rebuild", is_flag=True, help="Rebuild every athlete, not only those whose inputs changed.")
@click.option(
    "--fit",
    is_flag=True,
    help="Also each athlete's next two weeks of workouts as FIT files, in the folder named like the feed.",
)
@templates_option
@state_option
@wait_option
def feed_build_cmd(
    athletes: Path,
    out: str,
    base_url: str | None,
    rebuild: bool,
    fit: bool,
    templates: Path | None,
    state: Path | None,
    wait: float | None,
) -> None:
    """Write a feed and a busy-only feed for every athlete profile in ATHLETES.

    The private index of subscription URLs is written to the state directory."""
    from plansync.service.calendars import base_url_warning, build_feeds, feed_links

    config = settings(templates=templates, state=state, base_url=base_url, wait=wait)
    result, index, uploaded = build_feeds(config, athletes, out, rebuild=rebuild, fit=fit)
    for _path, message in result.failed:
        click.echo(f"error: {message}", err=True)
    for athlete in result.removed:
        click.echo(f"removed the feeds of {athlete}: the profile is gone", err=True)
    shown = sorted(result.built + result.unchanged)
    for athlete, link in feed_links(index, shown[:LINKS_SHOWN]):
        click.echo(f"{athlete}: {link}")
    if len(shown) > LINKS_SHOWN:
        click.echo(f"… and {len(shown) - LINKS_SHOWN} more: every link is in the private index")
    warning = base_url_warning(config)
    if warning:
        click.echo(f"warning: {warning}", err=True)
    click.echo(
        f"{len(result.built)} feeds written, {len(result.unchanged)} unchanged, "
        f"{len(result.removed)} removed, {len(result.failed)} failed; subscription URLs in {index}"
    )
    if result.stale:
        click.echo(
            f"warning: {result.stale} feeds under {out} belong to no athlete (left from a lost state folder) "
            f"and still serve old calendars: `plansync feed prune --out {out}` lists and removes them",
            err=True,
        )
    if uploaded is not None:
        for key, why in uploaded.failed:
            click.echo(f"error: upload of {key} failed: {why}", err=True)
        click.echo(
            f"{out}: {len(uploaded.uploaded)} uploaded, {len(uploaded.unchanged)} unchanged, "
            f"{len(uploaded.deleted)} deleted, {len(uploaded.failed)} failed"
        )
        if uploaded.failed:
            sys.exit(1)
    if result.failed:
        sys.exit(1)


LINKS_SHOWN = 50  # subscription links printed after a build; the private index has them all


@feed_group.command("prune")
@feed_destination("The folder or object-store URL feed build writes to.")
@click.option("--dry-run", is_flag=True, help="List the feeds no athlete owns; remove nothing.")
@state_option
@wait_option
def feed_prune_cmd(out: str, dry_run: bool, state: Path | None, wait: float | None) -> None:
    """Remove feeds under --out that no athlete owns (left from a lost or restored state folder).

    Each is listed by the athlete and plan its calendar names, never by its secret token.
    Only files with plansync's feed-file names are looked at; nothing else is touched."""
    from plansync.service.calendars import prune_feeds

    found, removed = prune_feeds(settings(state=state, wait=wait), out, dry_run=dry_run)
    for feed in found:
        click.echo(f"{'stale' if dry_run else 'removed'}: {feed.line()}")
    files = sum(len(f.keys) for f in found)
    if dry_run:
        click.echo(
            f"{len(found)} feeds ({files} files) belong to no athlete; run without --dry-run to remove them"
        )
    else:
        click.echo(f"{len(found)} feeds no athlete owns removed ({removed} files)")


@feed_group.command("rotate")
@click.argument("athlete_id")
@state_option
@wait_option
def feed_rotate_cmd(athlete_id: str, state: Path | None, wait: float | None) -> None:
    """Give ATHLETE_ID's feeds new secret URLs; the old ones stop working."""
    from plansync.service.calendars import rotate_feed

    index = rotate_feed(settings(state=state, wait=wait), athlete_id)
    click.echo(f"new feed URLs for {athlete_id} are in {index}")


@main.command("serve")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=8080, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on."
)
@click.option(
    "--checkins/--no-checkins",
    default=True,
    show_default=True,
    help="In a workspace, give each athlete a check-in page at https://HOST/<feed token>/checkin.",
)
@state_option
def serve_cmd(directory: Path, host: str, port: int, checkins: bool, state: Path | None) -> None:
    """Serve the feed files in DIRECTORY over HTTP (for development and small setups); in a
    workspace, each athlete's private foot check-in page too."""
    from plansync.service.calendars import server as make_server

    config = settings(state=state) if checkins else None
    server = make_server(directory, host, port, config)
    info(f"serving {directory} on http://{host}:{server.effective_port}/ (Ctrl-C to stop)")
    if config is not None and config.athletes is not None:
        info("check-in pages: each athlete's feed URL with /checkin in place of .ics")
    with contextlib.suppress(KeyboardInterrupt):
        server.run()

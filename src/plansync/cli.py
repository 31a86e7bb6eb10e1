"""The ``plansync`` command: a thin click layer over the library.

Each command parses its arguments, calls the library and prints. Library
modules are imported inside the commands so ``plansync --help`` stays fast.
Errors become messages in one place, :class:`_Group.invoke`: a
``PlansyncError`` prints its message and exits 2; anything else is a bug.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
from pathlib import Path
from typing import Any

import click

from ._version import __version__


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        from .errors import PlansyncError

        try:
            return super().invoke(ctx)
        except PlansyncError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)


def _now() -> dt.datetime:
    """The clock, injectable for reproducible runs: PLANSYNC_TODAY=YYYY-MM-DD."""
    pinned = os.environ.get("PLANSYNC_TODAY")
    if pinned:
        try:
            return dt.datetime.combine(dt.date.fromisoformat(pinned), dt.time(12), dt.UTC)
        except ValueError:
            raise click.BadParameter(f"PLANSYNC_TODAY={pinned!r} is not a YYYY-MM-DD date") from None
    return dt.datetime.now(dt.UTC)


def _date(_ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"expected YYYY-MM-DD, got {value!r}", param=param) from None


def _write(output: Path | None, text: str) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    from .atomic import write_atomic

    write_atomic(output, text.encode("utf-8"))
    click.echo(f"wrote {output}", err=True)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="plansync")
@click.option(
    "-v", "--verbose", is_flag=True, help="Log each platform request (method, URL, status; never headers)."
)
def main(verbose: bool) -> None:
    """Turn running-plan templates into athletes' calendars, and keep them right."""
    if verbose:
        import logging

        logging.basicConfig(level=logging.DEBUG, format="%(name)s: %(message)s")
        logging.getLogger("httpx").setLevel(logging.WARNING)
        logging.getLogger("httpcore").setLevel(logging.WARNING)


_state_option = click.option(
    "--state",
    type=click.Path(path_type=Path, file_okay=False),
    default=".plansync",
    show_default=True,
    help="State directory holding the publication ledger.",
)
_templates_option = click.option(
    "--templates",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder of plan templates [default: ./plan_templates, then the shipped ones].",
)


@main.command("compile")
@click.argument("profile", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--example", is_flag=True, help="Compile the bundled example athlete (no PROFILE needed).")
@_templates_option
@click.option("--race-date", callback=_date, help="Override the profile's race date (YYYY-MM-DD).")
@click.option("--start-date", callback=_date, help="Override the profile's start date (YYYY-MM-DD).")
@click.option(
    "--weeks",
    type=click.IntRange(1, 52),
    help="Plan length in weeks [default: the profile's, then the template's].",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="A week-by-week table for people, or JSON (documented in the README).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write here instead of standard output.",
)
@click.option(
    "--ics",
    "ics_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write the plan as an iCalendar file.",
)
@_state_option
def compile_cmd(
    profile: Path | None,
    example: bool,
    templates: Path | None,
    race_date: dt.date | None,
    start_date: dt.date | None,
    weeks: int | None,
    fmt: str,
    output: Path | None,
    ics_path: Path | None,
    state: Path,
) -> None:
    """Compile an athlete PROFILE into a dated plan, as a table or JSON."""
    from .api import compile_file
    from .compiler import Options
    from .loader import SHIPPED_EXAMPLES
    from .render import to_json, to_table

    if race_date and start_date:
        raise click.UsageError("give --race-date or --start-date, not both")
    if example == (profile is not None):
        raise click.UsageError("give a PROFILE file, or --example for the bundled example athlete")
    # The example is a fixed demonstration: its dates are not checked against today.
    now = None if example else _now()
    path = SHIPPED_EXAMPLES / "jane-doe.yaml" if example else profile
    assert path is not None
    plan = compile_file(
        path, templates, Options(race_date=race_date, start_date=start_date, weeks=weeks), now=now
    )
    _write(output, to_json(plan) if fmt == "json" else to_table(plan))
    if ics_path is not None:
        _export_ics(path, plan, ics_path, state)


def _export_ics(profile_path: Path, plan: Any, output: Path, state: Path) -> None:
    from .atomic import write_atomic
    from .calendar import calendar_bytes
    from .ledger import Ledger
    from .loader import load_profile

    with Ledger(state) as ledger:
        data = calendar_bytes(plan, load_profile(profile_path), ledger, _now())
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
@_templates_option
@_state_option
def export_ics_cmd(profile: Path, output: Path, templates: Path | None, state: Path) -> None:
    """Write PROFILE's compiled plan as one iCalendar file."""
    from .api import compile_file

    plan = compile_file(profile, templates, now=_now())
    _export_ics(profile, plan, output, state)


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
@_templates_option
@_state_option
def feed_build_cmd(athletes: Path, out: Path, base_url: str, templates: Path | None, state: Path) -> None:
    """Write a feed and a busy-only feed for every athlete profile in ATHLETES.

    The private index of subscription URLs is written to the state directory."""
    from .feeds import INDEX_NAME, build_feeds
    from .ledger import Ledger

    if not base_url.startswith(("https://", "http://")):
        raise click.BadParameter("expected an http:// or https:// URL", param_hint="--base-url")
    with Ledger(state) as ledger:
        result = build_feeds(athletes, out, ledger, _now(), base_url=base_url, templates=templates)
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
@_state_option
def feed_rotate_cmd(athlete_id: str, state: Path) -> None:
    """Give ATHLETE_ID's feeds new secret URLs; the old ones stop working."""
    from .feeds import INDEX_NAME, rotate
    from .ledger import Ledger

    with Ledger(state) as ledger:
        rotate(athlete_id, ledger, _now())
    click.echo(f"new feed URLs for {athlete_id} are in {state / INDEX_NAME}")


@main.command("serve")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=8080, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on."
)
def serve_cmd(directory: Path, host: str, port: int) -> None:
    """Serve the feed files in DIRECTORY over HTTP (for development and small setups)."""
    from .server import make_server

    server = make_server(directory, host, port)
    click.echo(f"serving {directory} on http://{host}:{server.effective_port}/ (Ctrl-C to stop)", err=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.run()


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
    from .adapters import BUILTIN, available, load

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
@_templates_option
@_state_option
def publish_cmd(
    profile: Path,
    target: str,
    dry_run: bool,
    force: bool,
    sandbox: bool,
    options: tuple[str, ...],
    fmt: str,
    templates: Path | None,
    state: Path,
) -> None:
    """Publish PROFILE's compiled plan to a target, changing only what differs."""
    import json

    from .publishing import publish_profile

    summary, actions = publish_profile(
        profile,
        target,
        state=state,
        templates=templates,
        options=_option_pairs(options),
        sandbox=sandbox,
        dry_run=dry_run,
        force=force,
        now=_now(),
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
@_state_option
def auth_tp_cmd(sandbox: bool, port: int, no_browser: bool, state: Path) -> None:
    """Sign in to TrainingPeaks (authorization code with a loopback redirect) and keep the token."""
    import webbrowser

    from .adapters.tp_auth import authorize
    from .adapters.trainingpeaks import oauth_for

    oauth, store = oauth_for(state, sandbox)

    def show(url: str) -> None:
        click.echo("Open this address to authorize plansync with TrainingPeaks:\n" + url, err=True)
        if not no_browser:
            webbrowser.open(url)

    authorize(oauth, show, port=port)
    click.echo(f"authorized; the token is kept in {store.path} (mode 0600)")


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
    type=click.Choice(["text", "json", "github"]),
    help="Output: text [default], json, or GitHub annotations (the default when GITHUB_ACTIONS=true).",
)
@click.option("--strict", is_flag=True, help="Warnings fail the run too.")
def validate_cmd(paths: tuple[Path, ...], profiles: Path | None, fmt: str | None, strict: bool) -> None:
    """Check plan templates (files or folders; default ./plan_templates): schema, references,
    and a dry-run compile of each against a matrix of athletes, checked with the coaching rules.

    Exit status: 0 clean, 1 when a problem was found, 2 for a usage error."""
    from . import report as out
    from .validate import validate

    targets = list(paths) or [Path("plan_templates")]
    for target in targets:
        if not target.exists():
            raise click.UsageError(f"{target} does not exist; name template files or folders")
    result = validate(targets, profiles)
    fmt = fmt or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    if fmt == "json":
        sys.stdout.write(out.to_json(result))
    elif fmt == "github":
        sys.stdout.write(out.to_github(result))
    else:
        click.echo(out.to_text(result, color=sys.stdout.isatty()), nl=False)
    if result.errors or (strict and result.warnings):
        sys.exit(1)


@main.command("schema")
@click.argument("kind", type=click.Choice(["template", "profile"]))
def schema_cmd(kind: str) -> None:
    """Print the JSON Schema of a plan template or an athlete profile, for editors."""
    from .schemas import schema_json

    sys.stdout.write(schema_json(kind))

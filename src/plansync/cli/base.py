"""Shared pieces of the ``plansync`` command: the group, the clock, the workspace.

Errors become messages in one place, :class:`Group.invoke`: a
``PlansyncError`` prints its message and exits 2; anything else is a bug.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from plansync._version import __version__

if TYPE_CHECKING:
    from plansync.inputs.workspace import Workspace


class Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        from plansync.errors import PlansyncError

        try:
            return super().invoke(ctx)
        except PlansyncError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)


def now() -> dt.datetime:
    """The clock, injectable for reproducible runs: PLANSYNC_TODAY=YYYY-MM-DD."""
    pinned = os.environ.get("PLANSYNC_TODAY")
    if pinned:
        try:
            return dt.datetime.combine(dt.date.fromisoformat(pinned), dt.time(12), dt.UTC)
        except ValueError:
            raise click.BadParameter(f"PLANSYNC_TODAY={pinned!r} is not a YYYY-MM-DD date") from None
    return dt.datetime.now(dt.UTC)


def date_option(_ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"expected YYYY-MM-DD, got {value!r}", param=param) from None


def write(output: Path | None, text: str) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    from plansync.atomic import write_atomic

    write_atomic(output, text.encode("utf-8"))
    click.echo(f"wrote {output}", err=True)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="plansync")
@click.option(
    "-v", "--verbose", is_flag=True, help="Log each platform request (method, URL, status; never headers)."
)
@click.option(
    "--workspace",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="The coach's workspace [default: the nearest folder upwards with a plansync.toml].",
)
@click.pass_context
def main(ctx: click.Context, verbose: bool, workspace: Path | None) -> None:
    """Turn running-plan templates into athletes' calendars, and keep them right."""
    ctx.obj = {"workspace": workspace}
    if verbose:
        import logging

        logging.basicConfig(level=logging.DEBUG, format="%(name)s: %(message)s")
        logging.getLogger("httpx").setLevel(logging.WARNING)
        logging.getLogger("httpcore").setLevel(logging.WARNING)


def current_workspace(required: bool = False) -> Workspace | None:
    """The workspace named by --workspace, else the one around the current directory."""
    from plansync.inputs import workspace as ws

    ctx = click.get_current_context()
    root = ctx.find_root()
    obj = root.obj if isinstance(root.obj, dict) else {}
    if "loaded" not in obj:
        named = obj.get("workspace")
        obj["loaded"] = ws.load(named) if named is not None else ws.find(Path.cwd())
        root.obj = obj
    found = obj["loaded"]
    if found is None and required:
        raise click.UsageError("not inside a plansync workspace: run `plansync init` or pass --workspace DIR")
    return found  # type: ignore[no-any-return]


def state_dir(state: Path | None) -> Path:
    """--state, else the workspace's .plansync/, else ./.plansync."""
    if state is not None:
        return state
    found = current_workspace()
    return found.state if found is not None else Path(".plansync")


def templates_dir(templates: Path | None) -> Path | None:
    """--templates, else the workspace's templates folder, else the default search."""
    if templates is not None:
        return templates
    found = current_workspace()
    return found.templates if found is not None and found.templates.is_dir() else None


state_option = click.option(
    "--state",
    type=click.Path(path_type=Path, file_okay=False),
    help="State directory holding the publication ledger [default: the workspace's .plansync/, or ./.plansync].",
)
templates_option = click.option(
    "--templates",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder of plan templates [default: the workspace's, or ./plan_templates; then the shipped ones].",
)

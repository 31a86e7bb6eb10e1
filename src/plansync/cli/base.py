"""Shared pieces of the ``plansync`` command: the group, settings, and output.

Errors become messages in one place, :class:`Group.invoke`: a
``PlansyncError`` prints its message and exits with its code; anything else is
a bug and keeps its traceback.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from plansync._version import __version__

if TYPE_CHECKING:
    from plansync.service.settings import Settings


class Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        from plansync.errors import PlansyncError
        from plansync.redact import redact

        try:
            return super().invoke(ctx)
        except PlansyncError as exc:
            click.echo(f"error: {redact(str(exc))}", err=True)
            ctx.exit(exc.exit_code)


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
    "-v",
    "--verbose",
    is_flag=True,
    help="Log each platform request (method, URL, status; never headers) and where each setting came from.",
)
@click.option(
    "--workspace",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="The coach's workspace [default: the nearest folder upwards with a plansync.toml].",
)
@click.pass_context
def main(ctx: click.Context, verbose: bool, workspace: Path | None) -> None:
    """Turn running-plan templates into athletes' calendars, and keep them right."""
    import logging

    ctx.obj = {"workspace": workspace, "verbose": verbose}
    from plansync.redact import RedactingFilter, redact

    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(name)s: %(message)s" if verbose else "warning: %(message)s"))
    handler.addFilter(RedactingFilter())

    def excepthook(kind: type[BaseException], value: BaseException, tb: Any) -> None:
        import traceback

        sys.stderr.write(redact("".join(traceback.format_exception(kind, value, tb))))

    sys.excepthook = excepthook  # a bug's traceback is kept, but never with a secret in it
    root_logger = logging.getLogger()
    root_logger.handlers[:] = [handler]
    root_logger.setLevel(logging.DEBUG if verbose else logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)


def settings(*, required: bool = False, **flags: Any) -> Settings:
    """The command's settings, merged once: the flags given > environment > plansync.toml > default.
    ``required``: the command needs a workspace."""
    from plansync.service.settings import describe, resolve

    root = click.get_current_context().find_root()
    obj = root.obj if isinstance(root.obj, dict) else {}
    # Flags named as settings' keys; --base-url is feeds.base_url.
    if "base_url" in flags:
        flags["feeds.base_url"] = flags.pop("base_url")
    merged = resolve(flags, workspace=obj.get("workspace"))
    if required and merged.workspace is None:
        raise click.UsageError("not inside a plansync workspace: run `plansync init` or pass --workspace DIR")
    if obj.get("verbose"):
        for key, value, source in describe(merged):
            click.echo(f"setting {key} = {value or '-'} ({source})", err=True)
    return merged


state_option = click.option(
    "--state",
    type=click.Path(path_type=Path, file_okay=False),
    help="State directory holding the publication ledger [default: the workspace's .plansync/, or ./.plansync].",
)
table_or_json_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="A table for people or JSON for scripts.",
)
wait_option = click.option(
    "--wait",
    type=click.FloatRange(0, 3600),
    help="Seconds to wait for another plansync writing to the same state to finish [default: 5].",
)
repair_option = click.option(
    "--repair",
    is_flag=True,
    help="Move a damaged ledger aside and rebuild it from what is published.",
)
templates_option = click.option(
    "--templates",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder of plan templates [default: the workspace's, or ./plan_templates; then the shipped ones].",
)

"""Shared pieces of the ``plansync`` command: the group, settings, and output.

Errors become messages in one place, :class:`Group.invoke`: a
``PlansyncError`` prints its message and exits with its code; anything else is
a bug and keeps its traceback.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from plansync._version import __version__

if TYPE_CHECKING:
    from plansync.service.settings import Settings


F = TypeVar("F", bound=Callable[..., Any])


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


def _root_obj() -> dict[str, Any]:
    ctx = click.get_current_context(silent=True)
    obj = ctx.find_root().obj if ctx is not None else None
    return obj if isinstance(obj, dict) else {}


def use_color() -> bool:
    """Colour on a terminal, unless ``--no-color`` or ``NO_COLOR`` (https://no-color.org) says
    otherwise; ``--color`` forces it (for a pager that shows colour)."""
    import os

    chosen = _root_obj().get("color")
    if chosen is not None:
        return bool(chosen)
    if os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def quiet() -> bool:
    return bool(_root_obj().get("quiet"))


def info(message: str) -> None:
    """A progress or confirmation line on stderr ("wrote plan.json"); ``-q`` silences it.
    Errors and warnings are never silenced."""
    if not quiet():
        click.echo(message, err=True)


def write(output: Path | None, text: str) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    from plansync.atomic import write_atomic

    write_atomic(output, text.encode("utf-8"))
    info(f"wrote {output}")


class FormatChoice(click.Choice):  # type: ignore[type-arg]  # generic only in newer click
    """One set of ``--format`` values everywhere: ``text`` (for people) and ``json`` (for
    scripts), plus ``github`` where a command has annotations. ``table``, the old name of
    ``text``, is still taken."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if value == "table":
            value = "text"
        return super().convert(value, param, ctx)


def format_option(*extra: str) -> Callable[[F], F]:
    return click.option(
        "--format",
        "fmt",
        type=FormatChoice(["text", "json", *extra]),
        default="text",
        show_default=True,
        help="text for people, json for scripts"
        + (", github for GitHub annotations" if "github" in extra else "")
        + " (each JSON output has a schema: plansync schema --help).",
    )


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="plansync")
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="Log each platform request (method, URL, status; never headers) and where each setting came from.",
)
@click.option(
    "-q", "--quiet", is_flag=True, help="Print results, warnings and errors only: no progress lines."
)
@click.option(
    "--color/--no-color",
    default=None,
    help="Colour in tables [default: on a terminal, unless NO_COLOR is set].",
)
@click.option(
    "--workspace",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="The coach's workspace [default: the nearest folder upwards with a plansync.toml].",
)
@click.pass_context
def main(ctx: click.Context, verbose: bool, quiet: bool, color: bool | None, workspace: Path | None) -> None:
    """Turn running-plan templates into athletes' calendars, and keep them right.

    Shell completion: eval "$(_PLANSYNC_COMPLETE=bash_source plansync)" in ~/.bashrc
    (zsh_source in ~/.zshrc; fish: _PLANSYNC_COMPLETE=fish_source plansync | source)."""
    import logging

    ctx.obj = {"workspace": workspace, "verbose": verbose, "quiet": quiet, "color": color}
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


class ProfileArg(click.ParamType):  # type: ignore[type-arg]  # generic only in newer click
    """An athlete profile: a file's path, or, in a workspace, an athlete's id (``jane-doe``
    for ``athletes/jane-doe.yaml``, or the profile whose ``id:`` it is)."""

    name = "profile"

    def __init__(self, *, folders: bool = False) -> None:
        self.folders = folders  # a folder of profiles is taken too (compile)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Path:
        if isinstance(value, Path):
            return value
        path = Path(str(value))
        if path.exists() or "/" in str(value) or path.suffix in (".yaml", ".yml"):
            if path.is_dir() and not self.folders:
                self.fail(f"{value} is a folder, not an athlete profile", param, ctx)
            return path
        found = _by_id(str(value))
        if found is None:
            self.fail(
                f"{value!r} is neither a profile file nor the id of an athlete in the workspace's athletes folder",
                param,
                ctx,
            )
        return found


def _by_id(athlete: str) -> Path | None:
    from plansync.service.athletes import profile_by_id
    from plansync.service.settings import resolve

    return profile_by_id(resolve({}, workspace=_root_obj().get("workspace")), athlete)


profile_argument = click.argument("profile", type=ProfileArg())

state_option = click.option(
    "--state",
    type=click.Path(path_type=Path, file_okay=False),
    help="State directory holding the publication ledger [default: the workspace's .plansync/, or ./.plansync].",
)
table_or_json_option = format_option()
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

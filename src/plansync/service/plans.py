"""Workflows about plans: compile, validate, export a calendar, preview."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from plansync.atomic import flush_folder, write_atomic
from plansync.core.compiler import Options
from plansync.core.plan import Plan, plan_json
from plansync.errors import PlansyncError
from plansync.inputs.loader import SHIPPED_EXAMPLES
from plansync.inputs.roster import profile_files
from plansync.inputs.schemas import schema_json
from plansync.inputs.validate import Report
from plansync.inputs.validate import validate as validate_paths
from plansync.parallel import ordered_map

if TYPE_CHECKING:  # fit_tool is imported only when watch files are written; the state, file
    # locks and settings only by the commands that use them (validate starts without them)
    from plansync.core.records import PlanRecord
    from plansync.service.settings import Settings
    from plansync.watch.export import FitExport

EXAMPLE = SHIPPED_EXAMPLES / "jane-doe.yaml"


def compile_profile_path(
    profile: Path,
    templates: Path | None,
    options: Options | None = None,
    now: dt.datetime | None = None,
    records: Mapping[str, PlanRecord] | None = None,
) -> Plan:
    """:func:`plansync.inputs.compiling.compile_file`, imported when a command compiles: the
    plan-in-progress machinery it brings (records, check-ins, actuals) is not validate's."""
    from plansync.inputs.compiling import compile_file

    return compile_file(profile, templates, options, now=now, records=records)


def compile_profile_file(settings: Settings, profile: Path, options: Options | None = None) -> Plan:
    """The athlete's plan as of today (``settings.now()``)."""
    from plansync.state.ledger import plan_records

    return compile_profile_path(
        profile, settings.templates, options, now=settings.now(), records=plan_records(settings.state)
    )


def compile_file(
    profile: Path,
    templates: Path | None = None,
    options: Options | None = None,
    now: dt.datetime | None = None,
    state: Path | None = None,
) -> Plan:
    """The library's front door: the athlete's plan as the CLI shows it. The plan the
    athlete already has (made on, race moved, adapted) is read from the workspace's state
    folder (``state``, else ``./.plansync`` when it exists); ``now`` (aware) defaults to the
    clock when there is such a record. With neither, the plan the profile describes."""
    from plansync.state.ledger import plan_records

    folder = state if state is not None else Path(".plansync")
    records = plan_records(folder) if folder.is_dir() else {}
    if records and now is None:
        now = dt.datetime.now(dt.UTC)
    return compile_profile_path(profile, templates, options, now=now, records=records)


def compile_example(settings: Settings, options: Options | None = None) -> Plan:
    """The bundled example athlete; a fixed demonstration, so its dates are not checked against today."""
    return compile_profile_path(EXAMPLE, settings.templates, options, now=None)


def validate(paths: list[Path], profiles: Path | None = None, targets: tuple[str, ...] = ()) -> Report:
    return validate_paths(paths, profiles, targets)


def schema(kind: str) -> str:
    return schema_json(kind)


def calendar(settings: Settings, plan: Plan, previous: Path | None = None, *, look: bool = False) -> bytes:
    """The plan's calendar, its identity (SEQUENCE, LAST-MODIFIED) kept in the ledger, or read
    back from ``previous`` (the file last written) when the ledger has lost it. ``look``: a
    quick look (``compile --ics``) outside a workspace, which leaves no state behind."""
    from plansync.calendars.identity import calendar_bytes  # icalendar is imported only to render
    from plansync.state.ledger import Ledger
    from plansync.state.lock import writer

    earlier = previous.read_bytes() if previous is not None and previous.is_file() else None
    if (
        look
        and settings.workspace is None
        and settings.values["state"].source == "default"
        and not settings.state.exists()
    ):
        # A look outside a workspace with no state asked for: no .plansync/ is left behind in
        # whatever folder this runs; the file itself carries its identity (read back from
        # ``previous``). ``export ics`` keeps state: an exported plan is the athlete's plan.
        import tempfile

        with tempfile.TemporaryDirectory() as scratch, Ledger(Path(scratch)) as ledger:
            return calendar_bytes(plan, ledger, settings.now(), previous=earlier)
    with (
        writer(settings.state, f"exporting {plan.athlete}'s calendar", wait=settings.wait),
        Ledger(settings.state) as ledger,
    ):
        return calendar_bytes(plan, ledger, settings.now(), previous=earlier)


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write atomically when the bytes differ; False when the file was already up to date."""
    if path.is_file() and path.read_bytes() == data:
        return False
    write_atomic(path, data)
    return True


def export_calendar(settings: Settings, profile: Path, output: Path, plan: Plan | None = None) -> bool:
    """Write the athlete's calendar to ``output``; False when it was already up to date."""
    plan = plan or compile_profile_file(settings, profile)
    return write_if_changed(output, calendar(settings, plan, previous=output))


@dataclass(frozen=True)
class Compiled:
    """One profile of a batch compile: where its plan went, or what was wrong."""

    path: Path
    athlete: str | None
    written: bool = False
    error: str | None = None


def _compile_one(
    path: Path, templates: Path | None, now: dt.datetime | None, folder: Path, records: dict[str, PlanRecord]
) -> Compiled:
    """Compile and write ``<athlete>.json`` (in the worker: only a line travels back)."""
    try:
        plan = compile_profile_path(path, templates, now=now, records=records)
    except PlansyncError as exc:
        return Compiled(path, None, error=str(exc))
    target = folder / f"{plan.athlete}.json"
    data = plan_json(plan).encode("utf-8")
    if target.is_file() and target.read_bytes() == data:
        return Compiled(path, plan.athlete)
    write_atomic(target, data, durable=False)  # the batch is flushed once at the end
    return Compiled(path, plan.athlete, written=True)


def compile_many(settings: Settings, sources: list[Path], folder: Path) -> list[Compiled]:
    """Every profile named (folders give all their profiles) compiled into ``folder``, one
    ``<athlete>.json`` each (written only when it changed), on every core when there are
    many; results in the order given."""
    paths: list[Path] = []
    for source in sources:
        paths += profile_files(source) if source.is_dir() else [source]
    folder.mkdir(parents=True, exist_ok=True)
    n = len(paths)
    from plansync.state.ledger import plan_records

    records = plan_records(settings.state)
    results = list(
        ordered_map(
            _compile_one, paths, [settings.templates] * n, [settings.now()] * n, [folder] * n, [records] * n
        )
    )
    if any(r.written for r in results):
        flush_folder(folder)
    return results


def export_fit(
    settings: Settings, profile: Path, folder: Path, week: int | None = None, plan: Plan | None = None
) -> FitExport:
    """Write the plan's FIT workout files into ``folder`` (one week's with ``week``);
    a whole export also removes files of entries no longer in the plan."""
    from plansync.watch.export import chosen
    from plansync.watch.export import export_fit as write_files

    plan = plan or compile_profile_file(settings, profile)
    if week is not None and not 1 <= week <= len(plan.weeks_summary):
        raise PlansyncError(f"week {week} is not in the plan (weeks 1–{len(plan.weeks_summary)})")
    return write_files(plan, folder, chosen(plan, week), prune=week is None)

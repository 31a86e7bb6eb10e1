"""Workflows about publishing: one athlete, everyone who needs it, status, sign-in, renames.

Writing runs hold the state directory's write lock (:mod:`plansync.state.lock`);
``--dry-run`` and ``status`` read the ledger without it, read-only.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from plansync.errors import PlansyncError
from plansync.inputs.freshness import known_ids
from plansync.inputs.roster import check_unique_ids
from plansync.publishing.status import AthleteStatus, workspace_status
from plansync.service.settings import Settings
from plansync.state.ledger import FILE_NAME as LEDGER_FILE
from plansync.state.ledger import Ledger, plan_records
from plansync.state.lock import writer

if TYPE_CHECKING:  # the publishing machinery is imported by the functions that publish
    from plansync.adapters.base import AdapterContext
    from plansync.core.plan import Plan
    from plansync.core.profile import Profile
    from plansync.publishing.batch import AthleteResult
    from plansync.publishing.engine import Action, Summary


class RenameDetected(PlansyncError):
    """A profile's id changed since it was published; publishing would double the calendar."""


@dataclass(frozen=True)
class AdapterInfo:
    name: str
    description: str
    capabilities: tuple[str, ...]
    origin: str  # "built-in" or "plugin module:Class"


def list_adapters() -> list[AdapterInfo]:
    from plansync import adapters

    out = []
    for name, where in adapters.available().items():
        cls = adapters.load(name)
        caps = tuple(k for k, v in (("update", cls.supports_update), ("delete", cls.supports_delete)) if v)
        origin = "built-in" if name in adapters.BUILTIN else f"plugin {where}"
        out.append(AdapterInfo(name, cls.description or cls.__doc__ or "", caps, origin))
    return out


def _context(settings: Settings, target: str, flags: Mapping[str, str]) -> AdapterContext:
    from plansync.adapters.base import AdapterContext

    return AdapterContext(settings.state, settings.adapter_options(target, flags))


def publish_one(
    settings: Settings,
    profile_path: Path,
    target: str,
    flags: Mapping[str, str],
    *,
    dry_run: bool = False,
    force: bool = False,
    repair: bool = False,
    reclaim: Sequence[str] = (),
) -> tuple[Summary, list[Action]]:
    """Compile one profile and make ``target`` equal its plan; changes people made on the
    target are kept, except for the ``reclaim`` workout ids (``all``: every one)."""
    from plansync.inputs.compiling import compile_file
    from plansync.inputs.loader import load_profile

    records = plan_records(settings.state)
    plan = compile_file(profile_path, settings.templates, now=settings.now(), records=records)
    profile = load_profile(profile_path)
    options = _context(settings, target, flags).options
    if dry_run:
        with Ledger(settings.state, readonly=True) as ledger:
            _check_identity(ledger, profile_path, profile, force=force)
            return _publish(
                settings, profile, plan, target, options, ledger, dry_run=True, force=force, reclaim=reclaim
            )
    with (
        writer(settings.state, f"publishing {profile.id} to {target}", wait=settings.wait),
        Ledger(settings.state, repair=repair) as ledger,
    ):
        old = _check_identity(ledger, profile_path, profile, force=force)
        if old is not None:  # --force: a new athlete; the old id's workouts leave the target
            gone = profile.model_copy(update={"id": old})
            empty = dataclasses.replace(plan, athlete=old, workouts=())
            _publish(settings, gone, empty, target, options, ledger, dry_run=False, force=True)
        result = _publish(
            settings, profile, plan, target, options, ledger, dry_run=False, force=force, reclaim=reclaim
        )
        if not result[0].failures:
            ledger.remember_profile(profile_path, profile.id)
        return result


def _publish(
    settings: Settings,
    profile: Profile,
    plan: Plan,
    target: str,
    options: Mapping[str, str],
    ledger: Ledger,
    *,
    dry_run: bool,
    force: bool,
    reclaim: Sequence[str] = (),
) -> tuple[Summary, list[Action]]:
    from plansync.publishing.engine import Everything
    from plansync.publishing.publish import publish_plan

    return publish_plan(
        profile,
        plan,
        target,
        state=settings.state,
        now=settings.now(),
        options=options,
        ledger=ledger,
        dry_run=dry_run,
        force=force,
        reclaim=Everything() if "all" in reclaim else frozenset(reclaim),
    )


def _check_identity(ledger: Ledger, path: Path, profile: Profile, *, force: bool) -> str | None:
    """Stop when the file was published under another id (a rename): publishing would put a
    second copy of the plan on every target. With ``force``, return the old id to clear."""
    old = ledger.profile_athlete(path)
    if old is None or old == profile.id or not ledger.has_published(old):
        return None
    if force:
        return old
    raise RenameDetected(
        f"{path}: this profile was published as {old!r} and now says id {profile.id!r}. "
        f"To keep the athlete's calendar, run `plansync athlete rename {old} {profile.id}` "
        f"(its workouts move to the new id, no new ones are made); to treat {profile.id!r} "
        f"as a new athlete and remove {old!r}'s workouts, publish again with --force"
    )


def rename_athlete(settings: Settings, old: str, new: str) -> int:
    """Move an athlete's ledger rows, feed token and remote markers from ``old`` to ``new``;
    the next publish updates each remote workout's marker (no new creates)."""
    if old == new:
        raise PlansyncError("the old and the new id are the same")
    with (
        writer(settings.state, f"renaming {old} to {new}", wait=settings.wait),
        Ledger(settings.state) as ledger,
    ):
        return ledger.rename(old, new)


def status(
    settings: Settings,
    targets: list[str] | None = None,
    *,
    keep_plans: bool = False,
    flags: Mapping[str, str] | None = None,
) -> list[AthleteStatus]:
    """Every athlete of the workspace against the 24-hour promise, most urgent first; what was
    published and has since gone from a target (a deleted calendar file) counts as changed."""
    targets = targets or settings.targets
    found = settings.workspace
    profiles = found.profiles() if found is not None else []
    with Ledger(settings.state, readonly=True) as ledger, _status_cache(settings.state) as cache:
        check_unique_ids(profiles, known_ids(ledger.builds("status")))
        return workspace_status(
            profiles,
            ledger,
            targets,
            settings.now(),
            settings.templates,
            keep_plans=keep_plans,
            cache=cache,
            gone=_gone(settings, targets, flags or {}),
        )


def _gone(settings: Settings, targets: list[str], flags: Mapping[str, str]) -> Callable[[str, str], bool]:
    """Each target's own cheap look at whether an athlete's published plan is still there."""
    from plansync import adapters

    looks = {}
    for target in targets:
        try:
            looks[target] = (adapters.load(target), _batch_context(settings, target, flags))
        except PlansyncError:  # an unknown target: publishing says so
            continue

    def gone(target: str, athlete: str) -> bool:
        if target not in looks:
            return False
        cls, context = looks[target]
        return cls.vanished(context, athlete)

    return gone


@contextlib.contextmanager
def _status_cache(state: Path) -> Iterator[Ledger | None]:
    """Where status remembers what it compiled, when the ledger exists and can be written:
    status never creates state and never waits for the write lock (SQLite serialises the
    few rows it writes)."""
    path = state / LEDGER_FILE
    if not (path.is_file() and os.access(path, os.W_OK) and os.access(state, os.W_OK)):
        yield None
        return
    try:
        cache = Ledger(state)
    except PlansyncError:
        yield None
        return
    with cache:
        yield cache


def publish_everyone(
    settings: Settings,
    targets: list[str],
    flags: Mapping[str, str],
    *,
    dry_run: bool = False,
    on_start: Callable[[int], None] = lambda n: None,
    on_done: Callable[[AthleteResult], None] = lambda r: None,
) -> list[AthleteResult]:
    """Status, then publish the athletes who need it (overdue first), compiling each once."""
    if dry_run:
        return _publish_everyone(settings, targets, flags, dry_run, on_start, on_done)
    with writer(settings.state, "publishing every athlete who needs it", wait=settings.wait):
        return _publish_everyone(settings, targets, flags, dry_run, on_start, on_done)


def _publish_everyone(
    settings: Settings,
    targets: list[str],
    flags: Mapping[str, str],
    dry_run: bool,
    on_start: Callable[[int], None],
    on_done: Callable[[AthleteResult], None],
) -> list[AthleteResult]:
    from plansync import adapters
    from plansync.publishing import batch

    statuses = status(settings, targets, keep_plans=True, flags=flags)
    on_start(len(batch.to_publish(statuses)))
    makers = {t: adapters.load(t).batch(_batch_context(settings, t, flags)) for t in targets}
    return batch.publish_all(
        statuses,
        targets,
        state=settings.state,
        now=settings.now(),
        templates=settings.templates,
        concurrency=settings.concurrency,
        dry_run=dry_run,
        factories=makers,
        on_done=on_done,
    )


def _batch_context(settings: Settings, target: str, flags: Mapping[str, str]) -> AdapterContext:
    from plansync.adapters.base import AdapterContext

    options = settings.adapter_options(target, flags)
    options.setdefault("rate", str(settings.rate_limit))
    return AdapterContext(settings.state, options)


def authorize(
    settings: Settings, target: str, show: Callable[[str], None], *, port: int = 0, flags: Mapping[str, str]
) -> Path:
    """Sign in to a platform; returns where the credentials are kept."""
    from plansync import adapters

    cls = adapters.load(target)
    with writer(settings.state, f"signing in to {target}", wait=settings.wait):
        return cls.authorize(_context(settings, target, flags), show, port=port)


__all__ = ["Action", "AthleteResult", "AthleteStatus", "Summary"]

"""Workflows about publishing: one athlete, everyone who needs it, status, sign-in."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from plansync import adapters
from plansync.adapters.base import AdapterContext
from plansync.inputs.compiling import compile_file
from plansync.inputs.loader import load_profile
from plansync.publishing import batch
from plansync.publishing.batch import AthleteResult
from plansync.publishing.engine import Action, Summary
from plansync.publishing.publish import publish_plan
from plansync.publishing.status import AthleteStatus, workspace_status
from plansync.service.settings import Settings
from plansync.state.ledger import Ledger


@dataclass(frozen=True)
class AdapterInfo:
    name: str
    description: str
    capabilities: tuple[str, ...]
    origin: str  # "built-in" or "plugin module:Class"


def list_adapters() -> list[AdapterInfo]:
    out = []
    for name, where in adapters.available().items():
        cls = adapters.load(name)
        caps = tuple(k for k, v in (("update", cls.supports_update), ("delete", cls.supports_delete)) if v)
        origin = "built-in" if name in adapters.BUILTIN else f"plugin {where}"
        out.append(AdapterInfo(name, cls.description or cls.__doc__ or "", caps, origin))
    return out


def _context(settings: Settings, target: str, flags: Mapping[str, str]) -> AdapterContext:
    return AdapterContext(settings.state, settings.adapter_options(target, flags))


def publish_one(
    settings: Settings,
    profile: Path,
    target: str,
    flags: Mapping[str, str],
    *,
    dry_run: bool = False,
    force: bool = False,
) -> tuple[Summary, list[Action]]:
    """Compile one profile and make ``target`` equal its plan."""
    plan = compile_file(profile, settings.templates, now=settings.now())
    context = _context(settings, target, flags)
    return publish_plan(
        load_profile(profile),
        plan,
        target,
        state=settings.state,
        now=settings.now(),
        options=context.options,
        dry_run=dry_run,
        force=force,
    )


def status(
    settings: Settings, targets: list[str] | None = None, *, keep_plans: bool = False
) -> list[AthleteStatus]:
    """Every athlete of the workspace against the 24-hour promise, most urgent first."""
    found = settings.workspace
    profiles = found.profiles() if found is not None else []
    with Ledger(settings.state) as ledger:
        return workspace_status(
            profiles,
            ledger,
            targets or settings.targets,
            settings.now(),
            settings.templates,
            keep_plans=keep_plans,
        )


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
    statuses = status(settings, targets, keep_plans=True)
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
    options = settings.adapter_options(target, flags)
    options.setdefault("rate", str(settings.rate_limit))
    return AdapterContext(settings.state, options)


def authorize(
    settings: Settings, target: str, show: Callable[[str], None], *, port: int = 0, flags: Mapping[str, str]
) -> Path:
    """Sign in to a platform; returns where the credentials are kept."""
    cls = adapters.load(target)
    return cls.authorize(_context(settings, target, flags), show, port=port)


__all__ = ["Action", "AthleteResult", "AthleteStatus", "Summary"]

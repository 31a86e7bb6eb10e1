"""Publishing one athlete's compiled plan through an adapter."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Container, Mapping
from pathlib import Path
from zoneinfo import ZoneInfo

from plansync import adapters
from plansync.adapters.base import Adapter, AdapterContext, Athlete
from plansync.core.plan import Plan
from plansync.core.profile import Profile
from plansync.publishing.engine import Action, Summary, publish
from plansync.state.ledger import Ledger


def athlete_for(profile: Profile, plan: Plan, now: dt.datetime) -> Athlete:
    return Athlete(profile, plan, now.astimezone(ZoneInfo(profile.timezone)).date())


def publish_plan(
    profile: Profile,
    plan: Plan,
    target: str,
    *,
    state: Path,
    now: dt.datetime,
    options: Mapping[str, str] | None = None,
    sandbox: bool = False,
    dry_run: bool = False,
    force: bool = False,
    reclaim: Container[str] = (),
    adapter: Adapter | None = None,
    ledger: Ledger | None = None,
    wait: Callable[[float], None] | None = None,
) -> tuple[Summary, list[Action]]:
    """Publish a compiled plan; ``adapter`` and ``ledger`` may be passed in (tests, batches)."""
    own_adapter = adapter is None
    if adapter is None:
        adapter = adapters.load(target).from_config(AdapterContext(state, dict(options or {}), sandbox))
    own_ledger = ledger is None
    ledger = ledger or Ledger(state)
    try:
        return publish(
            athlete_for(profile, plan, now),
            adapter,
            ledger,
            now=lambda: now,
            dry_run=dry_run,
            force=force,
            wait=wait or _sleep,
            reclaim=reclaim,
        )
    finally:
        if own_adapter:
            adapter.close()
        if own_ledger:
            ledger.close()


def _sleep(seconds: float) -> None:
    import time

    time.sleep(seconds)

"""`plansync publish --all`: everyone who needs it, overdue first, in parallel under a rate limit.

Publishing is I/O-bound, so athletes go out on a bounded pool of threads;
one client-side rate limit covers all of them (the adapter's ``batch``
shares it, and the sign-in, between the per-athlete adapters). One athlete's
failure is recorded and the rest carry on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from plansync import adapters
from plansync.adapters.base import AdapterContext, Batch
from plansync.core.compiler import Options
from plansync.core.plan import Plan
from plansync.core.profile import Profile
from plansync.core.records import PlanRecord
from plansync.errors import PlansyncError
from plansync.inputs.compiling import compile_profile
from plansync.inputs.loader import read_profile
from plansync.publishing.engine import Summary
from plansync.publishing.publish import publish_plan
from plansync.publishing.status import AthleteStatus
from plansync.state.ledger import Ledger

NEEDS_PUBLISHING = ("overdue", "changed", "draft")


@dataclass
class AthleteResult:
    status: AthleteStatus
    summaries: dict[str, Summary] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return bool(self.errors) or any(s.failures for s in self.summaries.values())


def to_publish(statuses: list[AthleteStatus]) -> list[AthleteStatus]:
    """Athletes that need publishing, most urgent first (overdue, then changed, then drafts)."""
    return [s for s in statuses if s.state in NEEDS_PUBLISHING]


def publish_all(
    statuses: list[AthleteStatus],
    targets: list[str],
    *,
    state: Path,
    now: dt.datetime,
    templates: Path | None = None,
    options: dict[str, str] | None = None,
    sandbox: bool = False,
    concurrency: int = 4,
    rate_limit: float | None = None,
    dry_run: bool = False,
    factories: dict[str, Batch] | None = None,
    on_done: Callable[[AthleteResult], None] = lambda r: None,
) -> list[AthleteResult]:
    chosen = to_publish(statuses)
    opts = dict(options or {})
    if rate_limit:
        opts.setdefault("rate", str(rate_limit))
    context = AdapterContext(state, opts, sandbox)
    makers: dict[str, Batch] = dict(factories or {})
    for target in targets:
        if target not in makers:
            makers[target] = adapters.load(target).batch(context)
    # An athlete whose profile does not compile is reported as a failure on every
    # target: never left out of the table as if it were published.
    broken = [
        AthleteResult(s, errors={t: s.message or "the profile does not compile" for t in targets})
        for s in statuses
        if s.state == "invalid"
    ]
    for result in broken:
        on_done(result)
    try:
        return broken + _run(chosen, targets, makers, state, now, templates, concurrency, dry_run, on_done)
    finally:
        for maker in makers.values():
            maker.close()


def _run(
    chosen: list[AthleteStatus],
    targets: list[str],
    makers: dict[str, Batch],
    state: Path,
    now: dt.datetime,
    templates: Path | None,
    concurrency: int,
    dry_run: bool,
    on_done: Callable[[AthleteResult], None],
) -> list[AthleteResult]:
    results: dict[str, AthleteResult] = {}
    with Ledger(state, readonly=dry_run) as ledger:
        records = ledger.plan_records()

        def one(status: AthleteStatus) -> AthleteResult:
            result = AthleteResult(status)
            try:
                profile, plan = status.compiled or _compile(Path(status.file), now, templates, records)
            except PlansyncError as exc:
                result.errors = {t: str(exc) for t in targets}
                return result
            for target in targets:
                adapter = None
                try:
                    adapter = makers[target]()
                    summary, _ = publish_plan(
                        profile,
                        plan,
                        target,
                        state=state,
                        now=now,
                        adapter=adapter,
                        ledger=ledger,
                        dry_run=dry_run,
                    )
                    result.summaries[target] = summary
                except PlansyncError as exc:
                    result.errors[target] = str(exc)
                finally:
                    if adapter is not None:
                        adapter.close()
            return result

        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            futures = {pool.submit(one, s): s for s in chosen}
            for future in as_completed(futures):
                result = future.result()
                results[result.status.athlete] = result
                on_done(result)
    return [results[s.athlete] for s in chosen]


def _compile(
    path: Path, now: dt.datetime, templates: Path | None, records: dict[str, PlanRecord]
) -> tuple[Profile, Plan]:
    profile, doc = read_profile(path)
    return profile, compile_profile(profile, doc, templates, Options(), now=now, records=records)

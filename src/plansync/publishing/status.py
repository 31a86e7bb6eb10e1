"""`plansync status`: every athlete against the 24-hour promise.

States: ``overdue`` (past due and never published), ``invalid`` (the profile
or its template fails), ``changed`` (published, but the plan compiled now
differs from what was published — a profile or template edit), ``draft``
(never published, not yet due) and ``published``. Sorted most urgent first.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from plansync.errors import PlansyncError
from plansync.inputs.freshness import Inputs, inputs_for, payload, record_key, unchanged
from plansync.parallel import ordered_map

if TYPE_CHECKING:  # compiling is imported when there is something to compile
    from plansync.core.plan import Plan
    from plansync.core.profile import Profile
    from plansync.core.records import PlanRecord
    from plansync.state.ledger import Ledger

State = Literal["attention", "overdue", "invalid", "changed", "draft", "published"]
URGENCY: dict[str, int] = {
    "attention": 0,
    "overdue": 1,
    "invalid": 2,
    "changed": 3,
    "draft": 4,
    "published": 5,
}
ATTENTION = ("pain-red-flag",)  # plan warnings that make an athlete need the coach now
PROMISE = dt.timedelta(hours=24)


@dataclass
class AthleteStatus:
    athlete: str
    file: str
    state: State
    template: str | None = None
    race_date: dt.date | None = None
    weeks: int | None = None
    requested_at: dt.datetime | None = None
    published: dict[str, dt.datetime | None] = field(default_factory=dict)
    message: str = ""
    compiled: tuple[Profile, Plan] | None = field(default=None, repr=False, compare=False)
    attention: str = ""  # a red flag in the athlete's check-ins: the coach is needed now
    kept: list[tuple[str, str, str]] = field(default_factory=list)  # (target, id, what) people changed

    @property
    def due(self) -> dt.datetime | None:
        return self.requested_at + PROMISE if self.requested_at else None

    def sort_key(self) -> tuple[bool, int, dt.datetime, str]:
        far = dt.datetime.max.replace(tzinfo=dt.UTC)
        due = self.due.astimezone(dt.UTC) if self.due else far
        return (not self.attention, URGENCY[self.state], due, self.athlete)

    def as_dict(self) -> dict[str, Any]:
        def iso(v: dt.datetime | dt.date | None) -> str | None:
            return v.isoformat() if v is not None else None

        return {
            "athlete": self.athlete,
            "file": self.file,
            "state": self.state,
            "template": self.template,
            "race_date": iso(self.race_date),
            "weeks": self.weeks,
            "requested_at": iso(self.requested_at),
            "due": iso(self.due),
            "published": {t: iso(v) for t, v in self.published.items()},
            "message": self.message or None,
            "attention": self.attention or None,
            "kept": [{"target": t, "id": uid, "what": what} for t, uid, what in self.kept],
        }


@dataclass(frozen=True)
class _Compiled:
    """What status needs from compiling one profile (small, so it crosses processes cheaply)."""

    path: str
    athlete: str
    template: str | None = None
    race_date: dt.date | None = None
    weeks: int | None = None
    requested_at: dt.datetime | None = None
    plan_hash: str | None = None
    error: str = ""
    profile_ok: bool = True
    timezone: str = "UTC"
    compiled: tuple[Profile, Plan] | None = None  # kept for publishing, so nothing compiles twice
    attention: str = ""  # why the athlete needs the coach now (a red flag), else empty
    given: str = ""  # record_key of the athlete's record once they have this plan (records.given)


def _compile(
    path: Path,
    now: dt.datetime,
    templates: Path | None,
    keep: bool = False,
    records: dict[str, PlanRecord] | None = None,
) -> _Compiled:
    from plansync.core.compiler import Options
    from plansync.core.records import given
    from plansync.inputs.compiling import compile_profile
    from plansync.inputs.loader import read_profile
    from plansync.publishing.engine import plan_hash

    try:
        profile, doc = read_profile(path)
    except PlansyncError as exc:
        return _Compiled(str(path), path.stem, error=str(exc), profile_ok=False)
    base = _Compiled(
        str(path),
        profile.id,
        profile.plan.template,
        profile.plan.race_date,
        profile.plan.weeks,
        profile.plan.requested_at,
        timezone=profile.timezone,
    )
    try:
        plan = compile_profile(profile, doc, templates, Options(), now=now, records=records)
    except PlansyncError as exc:
        return dataclasses.replace(base, error=str(exc))
    return dataclasses.replace(
        base,
        race_date=plan.race_date,
        weeks=plan.weeks,
        plan_hash=plan_hash(plan.workouts),
        compiled=(profile, plan) if keep else None,
        attention=next((w.message for w in plan.warnings if w.code in ATTENTION), ""),
        given=record_key(given(plan, (records or {}).get(profile.id))),
    )


Gone = Callable[[str, str], bool]  # (target, athlete) -> what was published there is no longer there


def _state(
    c: _Compiled, ledger: Ledger, targets: list[str], now: dt.datetime, gone: Gone | None = None
) -> AthleteStatus:
    status = AthleteStatus(
        c.athlete,
        c.path,
        "draft",
        c.template,
        c.race_date,
        c.weeks,
        c.requested_at,
        message=c.error,
        compiled=c.compiled,
    )
    records = ledger.published(c.athlete) if c.profile_ok else {}
    status.published = {t: records[t][1] if t in records else None for t in targets}
    if c.plan_hash is None:
        status.state = "invalid"
        return status
    done = [t for t in targets if t in records]
    lost = [t for t in done if gone is not None and gone(t, c.athlete)]
    if not done:
        due = status.due
        status.state = "overdue" if due is not None and now > due else "draft"
    elif lost:  # a deleted calendar file: publishing puts it back
        status.state = "changed"
        status.message = f"{', '.join(lost)}: what was published is no longer there; publish puts it back"
    elif len(done) == len(targets) and all(records[t][0] == c.plan_hash for t in targets):
        status.state = "published"
    else:
        status.state = "changed"
    status.kept = ledger.kept_changes(c.athlete) if c.profile_ok else []
    conflicts = [(t, uid) for t, uid, kept in status.kept if kept == "conflict"]
    said = [c.attention] if c.attention else []
    if conflicts:
        ids = ", ".join(f"{uid} ({t})" for t, uid in conflicts)
        said.append(
            f"CONFLICT: {ids} edited on the platform and changed by the plan too; left as edited "
            "(publish --reclaim ID puts the plan's version back)"
        )
    status.attention = "; ".join(said)
    return status


def athlete_status(
    path: Path, ledger: Ledger, targets: list[str], now: dt.datetime, templates: Path | None = None
) -> AthleteStatus:
    return _state(_compile(path, now, templates, records=ledger.plan_records()), ledger, targets, now)


def workspace_status(
    profiles: list[Path],
    ledger: Ledger,
    targets: list[str],
    now: dt.datetime,
    templates: Path | None = None,
    *,
    keep_plans: bool = False,
    cache: Ledger | None = None,
    gone: Gone | None = None,
) -> list[AthleteStatus]:
    """Every athlete's status, most urgent first. Large rosters compile on every core.
    ``keep_plans`` keeps each compiled plan on its status, for publishing it next.
    With ``cache`` (a writable ledger), athletes whose inputs have not changed since the last
    run are not compiled again: what the last run learnt of them is reused."""
    stored = ledger.builds("status")
    records = ledger.plan_records()
    keys = {athlete: record_key(r) for athlete, r in records.items()}
    compiled: list[_Compiled | None] = [
        _cached(stored.get(os.path.abspath(p)), p, templates, now, keys) for p in profiles
    ]
    todo = [i for i, c in enumerate(compiled) if c is None]
    paths = [profiles[i] for i in todo]
    n = len(paths)
    fresh = list(
        ordered_map(_compile_recorded, paths, [now] * n, [templates] * n, [keep_plans] * n, [records] * n)
    )
    for i, (made, inputs) in zip(todo, fresh, strict=True):
        compiled[i] = made
        if cache is not None and inputs is not None:
            cache.remember_build("status", profiles[i], inputs, _to_json(made))
    done = [c for c in compiled if c is not None]
    return sorted((_state(c, ledger, targets, now, gone) for c in done), key=AthleteStatus.sort_key)


def _compile_recorded(
    path: Path, now: dt.datetime, templates: Path | None, keep: bool, records: dict[str, PlanRecord]
) -> tuple[_Compiled, str | None]:
    """Compile, and say what the plan was made from (None when that cannot be known)."""
    from plansync.inputs.loader import find_template, read_profile, template_dirs

    made = _compile(path, now, templates, keep, records)
    if made.template is None or (made.plan_hash is None and made.profile_ok and not made.error):
        return made, None
    try:
        template = find_template(made.template, template_dirs(templates))
    except PlansyncError:
        template = None
    try:
        zone = read_profile(path)[0].timezone if made.profile_ok else "UTC"
    except PlansyncError:
        return made, None
    start = (
        (made.race_date - dt.timedelta(days=7 * made.weeks - 1)) if made.race_date and made.weeks else None
    )
    key = record_key(records.get(made.athlete))  # a publish then gives the plan: made.given
    return made, inputs_for(path, template, templates, now, zone, start, key, made.given).to_json()


def _to_json(c: _Compiled) -> str:
    data = {
        k: v for k, v in dataclasses.asdict(dataclasses.replace(c, compiled=None)).items() if k != "compiled"
    }
    return payload(data)


def _cached(
    record: tuple[str, str] | None,
    path: Path,
    templates: Path | None,
    now: dt.datetime,
    keys: dict[str, str],
) -> _Compiled | None:
    if record is None:
        return None
    try:
        data = json.loads(record[1])
        key = keys.get(str(data["athlete"]), "")
        if not unchanged(Inputs.from_json(record[0]), path, templates, now, key):
            return None
        race = data.get("race_date")
        requested = data.get("requested_at")
        return _Compiled(
            path=str(path),
            athlete=str(data["athlete"]),
            template=data.get("template"),
            race_date=dt.date.fromisoformat(race) if race else None,
            weeks=data.get("weeks"),
            requested_at=dt.datetime.fromisoformat(requested) if requested else None,
            plan_hash=data.get("plan_hash"),
            error=str(data.get("error") or ""),
            profile_ok=bool(data.get("profile_ok", True)),
            timezone=str(data.get("timezone") or "UTC"),
            attention=str(data.get("attention") or ""),
        )
    except (KeyError, TypeError, ValueError):
        return None

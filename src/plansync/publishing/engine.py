"""The sync engine: plan the actions that make a target equal the plan, then apply them.

``plan_actions`` compares three things — the compiled plan (desired), the
ledger (what we remember publishing) and the remote listing (the truth) — and
returns create / update / delete / unchanged actions, plus entries left alone
(too far in the past) or deferred (too far ahead). ``apply`` carries them out
one by one, recording each in the ledger as soon as it succeeds, so a run
killed at any point is finished by running it again.

Rules: the remote is the truth when it and the ledger disagree; only items
carrying plansync's marker are ever updated or deleted; an item found on the
remote with a workout's marker is adopted, never duplicated; duplicates of a
marker (left by an interrupted run) are removed.

Capabilities are honoured: for a target that cannot update in place
(``supports_update = False``) a changed item is replaced (created anew, the
old one deleted) when it can delete, and skipped otherwise; for a target
that cannot delete (``supports_delete = False``) stale items are skipped and
reported, never passed to ``delete``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from plansync.adapters.base import Adapter, Athlete, OutcomeUnknown, RemoteItem, RemoteRejected
from plansync.core.plan import Workout
from plansync.core.progress import PlanRecord
from plansync.errors import PlansyncError
from plansync.state.ledger import Entry, Ledger

ActionKind = Literal["create", "update", "delete", "unchanged", "left", "deferred", "skipped"]
COUNTED = {
    "create": "created",
    "update": "updated",
    "delete": "deleted",
    "unchanged": "unchanged",
    "left": "left",
    "deferred": "deferred",
    "skipped": "skipped",
}
CANNOT_DELETE = "the target cannot delete: remove it by hand"
CANNOT_UPDATE = "the target cannot update or delete: change it by hand"
RECONCILE_ATTEMPTS = 3
LISTING_MARGIN = dt.timedelta(days=365)


class SafetyStop(PlansyncError):
    """A publish would delete too much of what was published; it needs --force."""


@dataclass(frozen=True)
class Action:
    kind: ActionKind
    date: dt.date
    uid: str | None  # None for a remote duplicate with no workout left
    title: str
    remote_id: str | None = None
    fingerprint: str | None = None
    reason: str = ""

    def line(self) -> str:
        what = f"{self.kind:<9} {self.date.isoformat()}  {self.title or self.remote_id or ''}"
        return what + (f"  ({self.reason})" if self.reason else "")


@dataclass
class Summary:
    athlete: str
    target: str
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    left: int = 0  # too far in the past for the target: left alone
    deferred: int = 0  # too far ahead: published by a later run
    skipped: int = 0  # the target lacks the capability (update, delete): reported, not done
    requests: int = 0
    retries: int = 0
    failures: list[str] = field(default_factory=list)
    dry_run: bool = False
    notes: list[str] = field(default_factory=list)  # what the adapter wants the coach to know

    @property
    def failed(self) -> int:
        return len(self.failures)

    def line(self) -> str:
        text = (
            f"created {self.created}, updated {self.updated}, deleted {self.deleted}, "
            f"unchanged {self.unchanged}, requests {self.requests}, retries {self.retries}"
        )
        extra = [
            f"{n} {word}"
            for n, word in (
                (self.deferred, "deferred"),
                (self.left, "left in the past"),
                (self.skipped, "skipped (the target cannot change them)"),
                (self.failed, "failed"),
            )
            if n
        ]
        return text + (", " + ", ".join(extra) if extra else "")

    def as_dict(self) -> dict[str, object]:
        return {
            "athlete": self.athlete,
            "target": self.target,
            "dry_run": self.dry_run,
            "created": self.created,
            "updated": self.updated,
            "deleted": self.deleted,
            "unchanged": self.unchanged,
            "deferred": self.deferred,
            "left": self.left,
            "skipped": self.skipped,
            "requests": self.requests,
            "retries": self.retries,
            "failed": self.failed,
            "failures": list(self.failures),
            "notes": list(self.notes),
        }


def plan_hash(workouts: tuple[Workout, ...] | list[Workout]) -> str:
    """A hash of everything an athlete would see, to tell whether a plan changed since publishing."""
    digest = hashlib.sha256()
    for w in workouts:
        digest.update(
            repr(
                (w.id, w.date.isoformat(), w.kind, w.title, w.description, w.distance_m, w.duration_s)
            ).encode()
        )
    return digest.hexdigest()


def _window(adapter: Adapter, today: dt.date) -> tuple[dt.date, dt.date]:
    low = today - dt.timedelta(days=adapter.past_days) if adapter.past_days is not None else dt.date.min
    high = today + dt.timedelta(days=adapter.future_days) if adapter.future_days is not None else dt.date.max
    return low, high


def plan_actions(athlete: Athlete, adapter: Adapter, ledger: Ledger, *, force: bool = False) -> list[Action]:
    """What to do to make the target equal the plan. Lists the remote once."""
    target, who = adapter.name, athlete.profile.id
    low, high = _window(adapter, athlete.today)
    known = ledger.entries(target, who)
    workouts = [w for w in athlete.plan.workouts if adapter.wants(w)]
    ours = _ours(athlete, adapter, ledger, workouts, known, (low, high))
    actions: list[Action] = []
    for w in workouts:
        if w.date < low:
            actions.append(Action("left", w.date, w.id, w.title, reason="too far in the past for the target"))
        elif w.date > high:
            actions.append(
                Action("deferred", w.date, w.id, w.title, reason="too far ahead: a later run publishes it")
            )
        else:
            actions += _workout_actions(athlete, adapter, w, ours.get(w.id, []), known.get(w.id))
    desired = {w.id for w in workouts}
    for uid, items in sorted(ours.items()):
        if uid not in desired:
            actions += [
                _delete(adapter, item.date, uid, item.title or uid, item.remote_id, "no longer in the plan")
                for item in items
                if low <= item.date <= high
            ]
    deletes = sum(1 for a in actions if a.kind == "delete" and a.reason == "no longer in the plan")
    published = len({uid for uid, items in ours.items() if items})
    if not force and published and deletes * 2 > published:
        raise SafetyStop(
            f"{who}: this publish would delete {deletes} of {published} published workouts on "
            f"{target}; check the profile and the template, then run again with --force"
        )
    order = {"delete": 2, "create": 0, "update": 0}
    return sorted(actions, key=lambda a: (order.get(a.kind, 1), a.date, a.uid or ""))


def _ours(
    athlete: Athlete,
    adapter: Adapter,
    ledger: Ledger,
    workouts: list[Workout],
    known: Mapping[str, Entry],
    window: tuple[dt.date, dt.date],
) -> dict[str, list[RemoteItem]]:
    """The target's items that carry this athlete's marker, by plan id. The listing covers
    wherever our items could be, not only where the plan is: a moved race with a lost
    ledger leaves items at dates the new plan does not cover, and they must be found."""
    who = athlete.profile.id
    dates = [w.date for w in workouts] + [e.date for e in known.values()]
    start = max(window[0], min(dates) - LISTING_MARGIN)
    end = min(window[1], max(dates) + LISTING_MARGIN)
    remote = adapter.list(athlete, start, end) if start <= end else []
    ours: dict[str, list[RemoteItem]] = {}
    aliases = ledger.aliases(who)  # an athlete renamed keeps the items marked with an old id
    for item in remote:
        # Anything without our marker, or with another athlete's, is not ours: never touched.
        if item.uid is None or item.athlete not in {None, who, *aliases}:
            continue
        uid = (
            item.uid if item.athlete in (None, who) else ledger.renamed_uid(item.uid, item.athlete or "", who)
        )
        ours.setdefault(uid, []).append(item)
    return ours


def _workout_actions(
    athlete: Athlete, adapter: Adapter, w: Workout, items: list[RemoteItem], row: Entry | None
) -> list[Action]:
    """One workout inside the target's window: duplicates of it removed, then created,
    unchanged, updated, or replaced where the target cannot update in place."""
    fp = adapter.fingerprint(athlete, w)
    keep = next(
        (i for i in items if row is not None and i.remote_id == row.remote_id),
        items[0] if items else None,
    )
    actions = [
        _delete(adapter, extra.date, w.id, w.title, extra.remote_id, "duplicate")
        for extra in items
        if keep is not None and extra.remote_id != keep.remote_id
    ]
    if keep is None:
        return [*actions, Action("create", w.date, w.id, w.title, fingerprint=fp)]
    remote_fp = row.content_hash if row is not None and row.remote_id == keep.remote_id else keep.fingerprint
    if remote_fp == fp and keep.date == w.date:
        actions.append(Action("unchanged", w.date, w.id, w.title, keep.remote_id, fp))
    elif adapter.supports_update:
        actions.append(Action("update", w.date, w.id, w.title, keep.remote_id, fp))
    elif adapter.supports_delete:
        replaced = "replaced: the target cannot update in place"
        actions.append(Action("create", w.date, w.id, w.title, fingerprint=fp, reason=replaced))
        actions.append(Action("delete", keep.date, w.id, w.title, keep.remote_id, reason=replaced))
    else:
        actions.append(Action("skipped", w.date, w.id, w.title, keep.remote_id, fp, CANNOT_UPDATE))
    return actions


def _delete(adapter: Adapter, date: dt.date, uid: str, title: str, remote_id: str, reason: str) -> Action:
    """A delete, or a skip that says why when the target cannot delete."""
    if adapter.supports_delete:
        return Action("delete", date, uid, title, remote_id, reason=reason)
    return Action("skipped", date, uid, title, remote_id, reason=f"{reason}; {CANNOT_DELETE}")


def apply(
    athlete: Athlete,
    adapter: Adapter,
    ledger: Ledger,
    actions: list[Action],
    *,
    now: Callable[[], dt.datetime],
    wait: Callable[[float], None] = lambda s: None,
) -> Summary:
    """Carry out the actions, recording each in the ledger as soon as it succeeded."""
    target, who = adapter.name, athlete.profile.id
    by_id = {w.id: w for w in athlete.plan.workouts if adapter.wants(w)}
    summary = Summary(who, target)
    known = ledger.entries(target, who)

    def record(workout: Workout, item: RemoteItem, fingerprint: str) -> None:
        ledger.put(target, who, Entry(workout.id, fingerprint, 0, now(), workout.date, item.remote_id))

    if adapter.supports_bulk:
        actions = _apply_bulk(athlete, adapter, actions, by_id, record, summary, ledger)

    for action in actions:
        if action.kind == "left":
            summary.left += 1
            continue
        if action.kind == "deferred":
            summary.deferred += 1
            continue
        if action.kind == "skipped":
            summary.skipped += 1
            continue
        workout = by_id.get(action.uid or "")
        try:
            if action.kind == "unchanged":
                assert workout is not None and action.remote_id is not None
                row = known.get(workout.id)
                if row is None or row.remote_id != action.remote_id or row.content_hash != action.fingerprint:
                    record(
                        workout,
                        RemoteItem(action.remote_id, workout.date, workout.id),
                        action.fingerprint or "",
                    )
                summary.unchanged += 1
            elif action.kind == "create":
                assert workout is not None
                item = _create(athlete, adapter, workout, wait)
                record(workout, item, item.fingerprint or action.fingerprint or "")
                summary.created += 1
            elif action.kind == "update":
                assert workout is not None and action.remote_id is not None
                item = adapter.update(athlete, action.remote_id, workout)
                record(workout, item, item.fingerprint or action.fingerprint or "")
                summary.updated += 1
            elif action.kind == "delete":
                assert action.remote_id is not None
                adapter.delete(athlete, action.remote_id)
                row = known.get(action.uid or "")
                if (
                    action.uid
                    and (row is None or row.remote_id == action.remote_id)
                    and action.uid not in by_id
                ):
                    ledger.remove(target, who, action.uid)
                summary.deleted += 1
        except RemoteRejected as exc:
            summary.failures.append(str(exc))
    for uid in set(known) - set(by_id):  # forget what is neither planned nor on the remote any more
        if uid not in {a.uid for a in actions}:
            ledger.remove(target, who, uid)
    summary.requests, summary.retries = adapter.counters.requests, adapter.counters.retries
    return summary


def _apply_bulk(
    athlete: Athlete,
    adapter: Adapter,
    actions: list[Action],
    by_id: dict[str, Workout],
    record: Callable[[Workout, RemoteItem, str], None],
    summary: Summary,
    ledger: Ledger,
) -> list[Action]:
    """Creates and updates in one bulk upsert, deletes in one bulk delete, each recorded
    as it lands; the other actions are left for the one-by-one loop."""
    writes = [a for a in actions if a.kind in ("create", "update") and a.uid in by_id]
    if writes:
        try:
            items = adapter.upsert_many(athlete, [by_id[a.uid or ""] for a in writes])
        except RemoteRejected as exc:
            summary.failures.append(str(exc))
            items = {}
        for a in writes:
            item = items.get(a.uid or "")
            if item is None:
                continue
            record(by_id[a.uid or ""], item, item.fingerprint or a.fingerprint or "")
            if a.kind == "create":
                summary.created += 1
            else:
                summary.updated += 1
    deletes = [a for a in actions if a.kind == "delete" and a.uid]
    if deletes:
        try:
            adapter.delete_many(athlete, [a.uid or "" for a in deletes])
        except RemoteRejected as exc:
            summary.failures.append(str(exc))
        else:
            for a in deletes:
                if a.uid not in by_id:
                    ledger.remove(adapter.name, athlete.profile.id, a.uid or "")
                summary.deleted += 1
    done = {id(a) for a in writes + deletes}
    return [a for a in actions if id(a) not in done]


def _create(
    athlete: Athlete, adapter: Adapter, workout: Workout, wait: Callable[[float], None]
) -> RemoteItem:
    """Create, and when the answer is lost, look before creating again: adopt, never duplicate."""
    for attempt in range(RECONCILE_ATTEMPTS):
        try:
            return adapter.create(athlete, workout)
        except OutcomeUnknown:
            wait(min(30.0, 2.0**attempt))
            found = [i for i in adapter.list(athlete, workout.date, workout.date) if i.uid == workout.id]
            if found:
                return found[0]
    raise RemoteRejected(
        f"{workout.date.isoformat()} {workout.title}: the platform never confirmed the "
        "workout; run the publish again"
    )


def publish(
    athlete: Athlete,
    adapter: Adapter,
    ledger: Ledger,
    *,
    now: Callable[[], dt.datetime],
    dry_run: bool = False,
    force: bool = False,
    wait: Callable[[float], None] = lambda s: None,
) -> tuple[Summary, list[Action]]:
    """Plan, then (unless a dry run) apply; mark the plan published when nothing failed."""
    actions = plan_actions(athlete, adapter, ledger, force=force)
    if dry_run:
        summary = Summary(athlete.profile.id, adapter.name, dry_run=True, notes=adapter.notes(athlete))
        for a in actions:
            field_name = COUNTED[a.kind]
            setattr(summary, field_name, getattr(summary, field_name) + 1)
        summary.requests, summary.retries = adapter.counters.requests, adapter.counters.retries
        return summary, actions
    summary = apply(athlete, adapter, ledger, actions, now=now, wait=wait)
    summary.notes = adapter.notes(athlete)
    if athlete.plan.made_on is not None and summary.created + summary.updated + summary.unchanged:
        ledger.remember_plan(PlanRecord.of(athlete.plan, athlete.plan.made_on))  # the athlete has it now
    if not summary.failures:
        ledger.mark_published(adapter.name, athlete.profile.id, plan_hash(athlete.plan.workouts), now())
    return summary, actions

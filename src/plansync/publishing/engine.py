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

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Callable, Container, Mapping
from dataclasses import dataclass, field
from typing import Literal

from plansync.adapters.base import Adapter, Athlete, OutcomeUnknown, RemoteItem, RemoteRejected
from plansync.core.budgets import fidelity, over_budget
from plansync.core.plan import Workout
from plansync.core.records import PlanRecord
from plansync.errors import PlansyncError
from plansync.state.ledger import Entry, Ledger

ActionKind = Literal["create", "update", "delete", "unchanged", "left", "deferred", "skipped", "kept"]
COUNTED = {
    "kept": "kept",
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
    send_date: dt.date | None = None  # the day to write it on, when a person chose another (moved)
    kept: str | None = None  # the person's change the ledger keeps: moved, edited, deleted, conflict…
    seen: str | None = None  # what the target shows of it now (markers.seen)
    new: bool = False  # a kept change seen for the first time (reported as new once)

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
    kept: int = 0  # changes people made on the target, kept (moved, edited, deleted, completed, conflicts)
    kept_lines: list[str] = field(default_factory=list)  # each kept change, "new:" the first time
    fidelity: list[str] = field(default_factory=list)  # what the target cannot hold, and what instead
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
                (self.kept, "kept as changed on the target"),
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
            "kept": self.kept,
            "kept_changes": list(self.kept_lines),
            "fidelity": list(self.fidelity),
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


class Everything:
    """``--reclaim`` with no ids: every workout."""

    def __contains__(self, uid: object) -> bool:
        return True


def plan_actions(
    athlete: Athlete,
    adapter: Adapter,
    ledger: Ledger,
    *,
    force: bool = False,
    reclaim: Container[str] = (),
) -> list[Action]:
    """What to do to make the target equal the plan. Lists the remote once. Changes people
    made on the target are kept (see :func:`_decide`) except for the ``reclaim`` ids."""
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
            actions += _workout_actions(
                athlete, adapter, w, ours.get(w.id, []), known.get(w.id), w.id in reclaim
            )
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


def _platform_order(item: RemoteItem) -> tuple[int, str]:
    """The order every publisher agrees on: the lowest platform id first (numbers as numbers)."""
    return (len(item.remote_id), item.remote_id)


def _workout_actions(
    athlete: Athlete, adapter: Adapter, w: Workout, items: list[RemoteItem], row: Entry | None, reclaim: bool
) -> list[Action]:
    """One workout inside the target's window: duplicates of it removed (the lowest platform
    id kept, as every publisher would), then created, unchanged, updated, replaced where the
    target cannot update in place, or left as a person changed it (:func:`_decide`)."""
    keep = min(items, key=_platform_order) if items else None
    actions = [
        _delete(adapter, extra.date, w.id, w.title, extra.remote_id, "duplicate")
        for extra in items
        if keep is not None and extra.remote_id != keep.remote_id and not extra.done
    ]
    return actions + _decide(athlete, adapter, w, keep, row, reclaim)


def _decide(
    athlete: Athlete, adapter: Adapter, w: Workout, keep: RemoteItem | None, row: Entry | None, reclaim: bool
) -> list[Action]:
    """What a person did on the target wins unless the coach reclaims it (``reclaim``):
    a workout deleted there is not created again; one done (completed), or in the past, is
    never touched; one edited is not overwritten (a plan change to it is a conflict); one
    moved stays on its new day and gets the plan's new content there."""
    fp = adapter.fingerprint(athlete, w)
    reclaim = reclaim or not adapter.people_edit  # a file only plansync writes: put back what is missing
    if keep is None:
        if row is not None and row.remote_id is not None and not reclaim and row.date >= athlete.today:
            return [_kept(w, row, "deleted", f"deleted on {adapter.name}: not created again")]
        return [Action("create", w.date, w.id, w.title, fingerprint=fp)]
    if keep.done:
        return [_kept(w, row, "completed", "completed: never changed", keep)]
    if row is None or row.remote_id != keep.remote_id:  # adopted, or no ledger: the marker says what it is
        same = keep.fingerprint == fp and keep.date == w.date
        return _change(adapter, w, keep, fp, same, None)
    content_changed = adapter.fingerprint(athlete, dataclasses.replace(w, date=row.date)) != row.content_hash
    moved = row.kept == "moved" or keep.date != row.date
    edited = row.kept in ("edited", "conflict") or (
        None not in (row.seen, keep.seen) and keep.seen != row.seen
    )
    past = keep.date < athlete.today  # it has happened: never changed, whatever the plan does
    if reclaim and not past:
        return _change(adapter, w, keep, fp, not content_changed and keep.date == w.date and not edited, None)
    if edited and (content_changed or (w.date != row.date and not moved)):
        why = f"conflict: edited on {adapter.name}, and the plan changed it too (plan: {w.date} {w.title})"
        return [_kept(w, row, "conflict", why, keep)]
    if edited:
        return [_kept(w, row, "edited", f"edited on {adapter.name}: left as it is", keep)]
    if moved and content_changed and not past:
        send = dataclasses.replace(w, date=keep.date)
        moved_to = f"moved to {keep.date}: the new content goes there"
        return [
            dataclasses.replace(a, kept="moved", reason=moved_to) if a.kind != "delete" else a
            for a in _change(adapter, send, keep, adapter.fingerprint(athlete, send), False, keep.date)
        ]
    if moved:
        return [_kept(w, row, "moved", f"moved to {keep.date} on {adapter.name}: left there", keep)]
    if past and (content_changed or w.date != keep.date):
        return [Action("left", w.date, w.id, w.title, keep.remote_id, reason="in the past: left as it is")]
    return _change(adapter, w, keep, fp, not content_changed and keep.date == w.date, None)


def _kept(w: Workout, row: Entry | None, kept: str, reason: str, keep: RemoteItem | None = None) -> Action:
    """A person's change, kept: new the first time it is seen, then just kept."""
    new = row is None or row.kept != kept
    remote = keep.remote_id if keep is not None else (row.remote_id if row is not None else None)
    date = keep.date if keep is not None else w.date
    return Action("kept", date, w.id, w.title, remote, reason=reason, kept=kept, new=new)


def _change(
    adapter: Adapter, w: Workout, keep: RemoteItem, fp: str, same: bool, send_date: dt.date | None
) -> list[Action]:
    """Unchanged, updated, replaced where the target cannot update in place, or skipped."""
    if same:
        return [Action("unchanged", w.date, w.id, w.title, keep.remote_id, fp, seen=keep.seen)]
    if adapter.supports_update:
        return [Action("update", w.date, w.id, w.title, keep.remote_id, fp, send_date=send_date)]
    if adapter.supports_delete:
        replaced = "replaced: the target cannot update in place"
        return [
            Action("create", w.date, w.id, w.title, fingerprint=fp, reason=replaced, send_date=send_date),
            Action("delete", keep.date, w.id, w.title, keep.remote_id, reason=replaced),
        ]
    return [Action("skipped", w.date, w.id, w.title, keep.remote_id, fp, CANNOT_UPDATE)]


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

    def record(workout: Workout, item: RemoteItem, fingerprint: str, kept: str | None = None) -> None:
        entry = Entry(workout.id, fingerprint, 0, now(), workout.date, item.remote_id, item.seen, kept)
        ledger.put(target, who, entry)

    if adapter.supports_bulk:
        actions = _apply_bulk(athlete, adapter, actions, by_id, record, summary, ledger)

    for action in actions:
        if action.kind in ("left", "deferred", "skipped"):
            setattr(summary, COUNTED[action.kind], getattr(summary, COUNTED[action.kind]) + 1)
            continue
        if action.kind == "kept":
            _keep(action, known.get(action.uid or ""), ledger, target, who, summary)
            continue
        workout = _sent(by_id.get(action.uid or ""), action)
        try:
            if action.kind in ("create", "update") and workout is not None:
                _within_budget(adapter, workout)
            if action.kind == "unchanged":
                assert workout is not None and action.remote_id is not None
                row = known.get(workout.id)
                if _stale(row, action):
                    item = RemoteItem(action.remote_id, workout.date, workout.id, seen=action.seen)
                    record(workout, item, action.fingerprint or "")
                summary.unchanged += 1
            elif action.kind == "create":
                assert workout is not None
                item = _create(athlete, adapter, workout, wait)
                record(workout, item, item.fingerprint or action.fingerprint or "", action.kept)
                summary.created += 1
            elif action.kind == "update":
                assert workout is not None and action.remote_id is not None
                item = adapter.update(athlete, action.remote_id, workout)
                record(workout, item, item.fingerprint or action.fingerprint or "", action.kept)
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


def _within_budget(adapter: Adapter, workout: Workout) -> None:
    """A workout the target cannot hold whole is not sent: that item fails, saying why."""
    too_big = over_budget(adapter.budget, workout)
    if too_big:
        raise RemoteRejected(too_big)


def _sent(workout: Workout | None, action: Action) -> Workout | None:
    """The workout as it is written: on the day a person moved it to, where they did."""
    if workout is None or action.send_date is None:
        return workout
    return dataclasses.replace(workout, date=action.send_date)


def _stale(row: Entry | None, action: Action) -> bool:
    """Whether the ledger's row for an unchanged item needs writing again."""
    if row is None or row.remote_id != action.remote_id or row.content_hash != action.fingerprint:
        return True
    return row.kept is not None or (row.seen is None and action.seen is not None)


def _keep(action: Action, row: Entry | None, ledger: Ledger, target: str, who: str, summary: Summary) -> None:
    """A person's change, kept: counted, said (as new the first time), remembered."""
    summary.kept += 1
    summary.kept_lines.append(
        ("new: " if action.new else "") + f"{action.date} {action.title}: {action.reason}"
    )
    if action.new and row is not None:
        ledger.put(target, who, dataclasses.replace(row, kept=action.kept))


def _apply_bulk(
    athlete: Athlete,
    adapter: Adapter,
    actions: list[Action],
    by_id: dict[str, Workout],
    record: Callable[[Workout, RemoteItem, str, str | None], None],
    summary: Summary,
    ledger: Ledger,
) -> list[Action]:
    """Creates and updates in one bulk upsert, deletes in one bulk delete, each recorded
    as it lands; the other actions are left for the one-by-one loop."""
    writes = [a for a in actions if a.kind in ("create", "update") and a.uid in by_id]
    if writes:
        sent = {a.uid or "": _sent(by_id[a.uid or ""], a) for a in writes}
        for uid, workout in list(sent.items()):
            too_big = over_budget(adapter.budget, workout) if workout is not None else None
            if too_big:
                summary.failures.append(too_big)
                sent[uid] = None
        try:
            items = adapter.upsert_many(athlete, [w for w in sent.values() if w is not None])
        except RemoteRejected as exc:
            summary.failures.append(str(exc))
            items = {}
        for a in writes:
            item, workout = items.get(a.uid or ""), sent[a.uid or ""]
            if item is None or workout is None:
                continue
            record(workout, item, item.fingerprint or a.fingerprint or "", a.kept)
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


def _converge(
    athlete: Athlete, adapter: Adapter, ledger: Ledger, created: list[Action], summary: Summary
) -> None:
    """After creating, look again: another publisher (its own state folder) may have created
    the same workouts at the same time. Every publisher keeps the lowest platform id of each
    and deletes the rest, so when all have finished there is exactly one of each."""
    dates = [a.send_date or a.date for a in created]
    who, known = athlete.profile.id, ledger.entries(adapter.name, athlete.profile.id)
    ours: dict[str, list[RemoteItem]] = {}
    for item in adapter.list(athlete, min(dates), max(dates)):
        if item.uid is not None and item.athlete in (None, who):
            ours.setdefault(item.uid, []).append(item)
    for uid, items in ours.items():
        keep = min(items, key=_platform_order)
        for extra in items:
            if extra.remote_id == keep.remote_id or extra.done or not adapter.supports_delete:
                continue
            try:
                adapter.delete(athlete, extra.remote_id)
                summary.deleted += 1
            except RemoteRejected:  # the other publisher deleted it first
                pass
        row = known.get(uid)
        if row is not None and row.remote_id != keep.remote_id:
            ledger.put(adapter.name, who, dataclasses.replace(row, remote_id=keep.remote_id, seen=keep.seen))


def publish(
    athlete: Athlete,
    adapter: Adapter,
    ledger: Ledger,
    *,
    now: Callable[[], dt.datetime],
    dry_run: bool = False,
    force: bool = False,
    wait: Callable[[float], None] = lambda s: None,
    reclaim: Container[str] = (),
) -> tuple[Summary, list[Action]]:
    """Plan, then (unless a dry run) apply; mark the plan published when nothing failed.
    ``reclaim``: workout ids (or :class:`Everything`) whose changes on the target are
    replaced by the plan's version, on purpose."""
    actions = plan_actions(athlete, adapter, ledger, force=force, reclaim=reclaim)
    if dry_run:
        what_is_lost = fidelity(adapter.budget, athlete.plan) if adapter.budget is not None else []
        summary = Summary(athlete.profile.id, adapter.name, dry_run=True, notes=adapter.notes(athlete))
        summary.fidelity = what_is_lost
        for a in actions:
            field_name = COUNTED[a.kind]
            setattr(summary, field_name, getattr(summary, field_name) + 1)
            if a.kind == "kept":
                summary.kept_lines.append(("new: " if a.new else "") + f"{a.date} {a.title}: {a.reason}")
        summary.requests, summary.retries = adapter.counters.requests, adapter.counters.retries
        return summary, actions
    summary = apply(athlete, adapter, ledger, actions, now=now, wait=wait)
    if summary.created and not adapter.supports_bulk:
        _converge(athlete, adapter, ledger, [a for a in actions if a.kind == "create"], summary)
        summary.requests, summary.retries = adapter.counters.requests, adapter.counters.retries
    summary.notes = adapter.notes(athlete)
    if athlete.plan.made_on is not None and summary.created + summary.updated + summary.unchanged:
        ledger.remember_plan(PlanRecord.of(athlete.plan, athlete.plan.made_on))  # the athlete has it now
    if not summary.failures:
        ledger.mark_published(adapter.name, athlete.profile.id, plan_hash(athlete.plan.workouts), now())
    return summary, actions

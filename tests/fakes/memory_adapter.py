"""An in-memory adapter: the smallest thing that passes the contract, with faults to inject."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from dataclasses import dataclass

from plansync.adapters import markers
from plansync.adapters.base import Adapter, AdapterContext, Athlete, Counters, OutcomeUnknown, RemoteItem
from plansync.core.plan import Workout


@dataclass
class Stored:
    uid: str | None
    date: dt.date
    fingerprint: str | None
    title: str
    done: bool = False  # completed by the athlete
    steps: int = 0  # how many steps it holds (plain steps and repeats, as sent)


class MemoryAdapter(Adapter):
    name = "memory"
    description = "in memory, for tests"
    past_days = 7
    future_days = 365

    def __init__(self) -> None:
        self.items: dict[str, Stored] = {}
        self.counters = Counters()
        self._ids = itertools.count(1)
        self.lose_next_create_answers = 0  # commit, then raise OutcomeUnknown
        self.fail_next_create_before_commit = 0

    @classmethod
    def from_config(cls, context: AdapterContext) -> MemoryAdapter:
        return cls()

    def list(self, athlete: Athlete, start: dt.date, end: dt.date) -> list[RemoteItem]:
        self.counters.requests += 1
        return [
            RemoteItem(
                k, v.date, v.uid, v.fingerprint, v.title, seen=markers.seen(v.title, None), done=v.done
            )
            for k, v in sorted(self.items.items())
            if start <= v.date <= end
        ]

    def fingerprint(self, athlete: Athlete, workout: Workout) -> str:
        blob = f"{workout.date}|{workout.title}|{workout.description}|{workout.distance_m}"
        return hashlib.sha256(blob.encode()).hexdigest()[:12]

    def create(self, athlete: Athlete, workout: Workout) -> RemoteItem:
        self.counters.requests += 1
        if self.fail_next_create_before_commit:
            self.fail_next_create_before_commit -= 1
            raise OutcomeUnknown("reset before the write")
        key = str(next(self._ids))
        fp = self.fingerprint(athlete, workout)
        self.items[key] = Stored(workout.id, workout.date, fp, workout.title, steps=len(workout.steps))
        if self.lose_next_create_answers:
            self.lose_next_create_answers -= 1
            raise OutcomeUnknown("reset after the write")
        return RemoteItem(
            key, workout.date, workout.id, fp, workout.title, seen=markers.seen(workout.title, None)
        )

    def update(self, athlete: Athlete, remote_id: str, workout: Workout) -> RemoteItem:
        self.counters.requests += 1
        fp = self.fingerprint(athlete, workout)
        assert not self.items[remote_id].done, "a completed item was changed"
        self.items[remote_id] = Stored(workout.id, workout.date, fp, workout.title, steps=len(workout.steps))
        return RemoteItem(
            remote_id, workout.date, workout.id, fp, workout.title, seen=markers.seen(workout.title, None)
        )

    def delete(self, athlete: Athlete, remote_id: str) -> None:
        self.counters.requests += 1
        assert remote_id not in self.items or not self.items[remote_id].done, "a completed item was deleted"
        self.items.pop(remote_id, None)

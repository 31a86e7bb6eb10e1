"""Hypothesis state machine: whatever happens between publishes, publishing converges.

Plans change (the race moves, workouts come and go, titles change), answers
get lost before or after the write, the ledger is deleted, someone else adds
items to the calendar. After every publish the remote holds exactly the
plan's workouts in the window, once each, and nothing of anyone else's has
changed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from plansync.adapters.base import Athlete
from plansync.core.compiler import Options
from plansync.inputs.compiling import compile_file
from plansync.inputs.loader import load_profile
from plansync.publishing import engine as sync
from plansync.state.ledger import Ledger

from .conftest import EXAMPLE
from .fakes.memory_adapter import MemoryAdapter, Stored

TODAY = dt.date(2027, 1, 10)
NOW = dt.datetime(2027, 1, 10, tzinfo=dt.UTC)
PROFILE = load_profile(EXAMPLE)
BASE_RACE = dt.date(2027, 4, 18)


class OnACalendar(RuleBasedStateMachine):
    """A state folder, an in-memory calendar and the race date, for the machines below."""

    def __init__(self) -> None:
        super().__init__()
        self.tmp = tempfile.TemporaryDirectory()
        self.state = Path(self.tmp.name)
        self.adapter = MemoryAdapter()
        self.race = BASE_RACE

    def teardown(self) -> None:
        self.tmp.cleanup()


class Publishing(OnACalendar):
    def __init__(self) -> None:
        super().__init__()
        self.dropped: frozenset[int] = frozenset()
        self.retitled: frozenset[int] = frozenset()
        self.foreign = {"f1": Stored(None, dt.date(2027, 2, 1), None, "Club ride")}
        self.adapter.items.update(self.foreign)
        self.published = False

    def athlete(self) -> Athlete:
        plan = compile_file(EXAMPLE, options=Options(race_date=self.race))
        workouts = tuple(
            dataclasses.replace(w, title=w.title + " (edited)") if i in self.retitled else w
            for i, w in enumerate(plan.workouts)
            if i not in self.dropped
        )
        return Athlete(PROFILE, dataclasses.replace(plan, workouts=workouts), TODAY)

    @rule(lose_after=st.integers(0, 3), lose_before=st.integers(0, sync.RECONCILE_ATTEMPTS - 1))
    def publish(self, lose_after: int, lose_before: int) -> None:
        self.adapter.lose_next_create_answers = lose_after
        self.adapter.fail_next_create_before_commit = lose_before
        athlete = self.athlete()
        with Ledger(self.state) as ledger:
            summary, _ = sync.publish(athlete, self.adapter, ledger, now=lambda: NOW, force=True)
        assert summary.failed == 0
        self.published = True
        self.check(athlete)

    @rule(weeks=st.integers(-3, 3))
    def move_race(self, weeks: int) -> None:
        self.race = BASE_RACE + dt.timedelta(weeks=weeks)

    @rule(indexes=st.frozensets(st.integers(0, 140), max_size=30))
    def drop_workouts(self, indexes: frozenset[int]) -> None:
        self.dropped = indexes

    @rule(indexes=st.frozensets(st.integers(0, 140), max_size=10))
    def retitle(self, indexes: frozenset[int]) -> None:
        self.retitled = indexes

    @rule()
    def lose_the_ledger(self) -> None:
        (self.state / "ledger.sqlite3").unlink(missing_ok=True)
        for extra in ("ledger.sqlite3-wal", "ledger.sqlite3-shm"):
            (self.state / extra).unlink(missing_ok=True)

    @precondition(lambda self: self.published)
    @rule()
    def republish_changes_nothing(self) -> None:
        athlete = self.athlete()
        before = dict(self.adapter.items)
        with Ledger(self.state) as ledger:
            summary, _ = sync.publish(athlete, self.adapter, ledger, now=lambda: NOW, force=True)
        if summary.created == summary.updated == summary.deleted == 0:
            assert self.adapter.items == before

    def check(self, athlete: Athlete) -> None:
        ours: dict[str, int] = {}
        for item in self.adapter.items.values():
            if item.uid is not None:
                ours[item.uid] = ours.get(item.uid, 0) + 1
        assert all(n == 1 for n in ours.values()), "duplicated"
        assert set(ours) == {w.id for w in athlete.plan.workouts}
        by_uid = {v.uid: v for v in self.adapter.items.values()}
        for w in athlete.plan.workouts:
            assert by_uid[w.id].title == w.title and by_uid[w.id].date == w.date

    @invariant()
    def foreign_items_untouched(self) -> None:
        for key, item in self.foreign.items():
            assert self.adapter.items.get(key) == item


TestPublishing = Publishing.TestCase
TestPublishing.settings = settings(max_examples=40, stateful_step_count=12, deadline=None)

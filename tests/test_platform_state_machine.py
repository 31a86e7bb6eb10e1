"""Hypothesis state machine: people change the calendar between publishes, the plan changes,
and no person's change is lost without ``reclaim``, nothing is duplicated, completed and past
items are never touched, and every conflict is reported."""

from __future__ import annotations

import datetime as dt

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import invariant, precondition, rule

from plansync.adapters.base import Athlete
from plansync.core.compiler import Options
from plansync.inputs.compiling import compile_file
from plansync.publishing import engine as sync
from plansync.state.ledger import Ledger

from .conftest import EXAMPLE, examples
from .test_sync_state_machine import BASE_RACE, NOW, PROFILE, TODAY, OnACalendar


class PeopleOnThePlatform(OnACalendar):
    def __init__(self) -> None:
        super().__init__()
        self.moved: dict[str, dt.date] = {}  # uid -> the day a person chose
        self.edited: dict[str, str] = {}  # uid -> the title a person wrote
        self.edited_over: dict[str, str] = {}  # uid -> the plan's title when the person edited it
        self.deleted: set[str] = set()
        self.done: dict[str, tuple[dt.date, str]] = {}  # uid -> (day, title) when completed
        self.published = False

    def athlete(self) -> Athlete:
        return Athlete(PROFILE, compile_file(EXAMPLE, options=Options(race_date=self.race)), TODAY)

    def _ours(self, index: int) -> tuple[str, str] | None:
        """The remote key and uid of one of plansync's future items nobody touched yet."""
        touched = set(self.moved) | set(self.edited) | self.deleted | set(self.done)
        items = sorted(
            (k, v.uid)
            for k, v in self.adapter.items.items()
            if v.uid and v.uid not in touched and v.date > TODAY
        )
        return (items[index % len(items)][0], str(items[index % len(items)][1])) if items else None

    @rule(reclaim=st.booleans())
    def publish(self, reclaim: bool) -> None:
        athlete = self.athlete()
        with Ledger(self.state) as ledger:
            summary, _ = sync.publish(
                athlete,
                self.adapter,
                ledger,
                now=lambda: NOW,
                force=True,
                reclaim=sync.Everything() if reclaim else (),
            )
        assert summary.failed == 0
        if reclaim:  # the plan's version, on purpose: nothing a person did is kept but completions
            self.moved.clear()
            self.edited.clear()
            self.edited_over.clear()
            self.deleted.clear()
        plan = {w.id: w for w in athlete.plan.workouts}
        for uid in self.edited:
            w = plan.get(uid)
            if (
                w is not None and w.title != self.edited_over[uid] and w.date > TODAY
            ):  # the plan changed it too
                assert any("conflict" in line and w.title in line for line in summary.kept_lines), (
                    uid,
                    w.title,
                )
        self.published = True

    @rule(weeks=st.integers(-2, 2))
    def move_race(self, weeks: int) -> None:
        self.race = BASE_RACE + dt.timedelta(weeks=weeks)

    @precondition(lambda self: self.published)
    @rule(index=st.integers(0, 500), what=st.sampled_from(["move", "edit", "delete", "complete"]))
    def a_person_changes_one(self, index: int, what: str) -> None:
        """An athlete drags, a coach rewrites, someone deletes, or the athlete does it."""
        found = self._ours(index)
        if found is None:
            return
        key, uid = found
        item = self.adapter.items[key]
        if what == "move":
            item.date += dt.timedelta(days=1 + index % 3)
            self.moved[uid] = item.date
        elif what == "edit":
            self.edited_over[uid] = item.title
            item.title = f"{item.title} (the coach's words)"
            self.edited[uid] = item.title
        elif what == "delete":
            del self.adapter.items[key]
            self.deleted.add(uid)
        else:
            item.done = True
            self.done[uid] = (item.date, item.title)

    @invariant()
    def no_person_change_is_lost(self) -> None:
        by_uid: dict[str, list[object]] = {}
        for item in self.adapter.items.values():
            if item.uid:
                by_uid.setdefault(item.uid, []).append(item)
        assert all(len(items) == 1 for items in by_uid.values()), "a duplicate"
        for uid, day in self.moved.items():
            items = [i for i in self.adapter.items.values() if i.uid == uid]
            assert not items or items[0].date == day, (uid, day, items)
        for uid, title in self.edited.items():
            items = [i for i in self.adapter.items.values() if i.uid == uid]
            assert not items or items[0].title == title, (uid, title, items)
        assert not any(i.uid in self.deleted for i in self.adapter.items.values())
        for uid, (day, title) in self.done.items():
            (item,) = [i for i in self.adapter.items.values() if i.uid == uid]
            assert (item.date, item.title) == (day, title)


TestPeopleOnThePlatform = PeopleOnThePlatform.TestCase
TestPeopleOnThePlatform.settings = settings(max_examples=examples(15), stateful_step_count=12, deadline=None)

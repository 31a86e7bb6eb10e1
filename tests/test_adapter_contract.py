"""The contract every adapter must pass, run against each one plansync knows.

A new adapter gets the same suite by subclassing :class:`AdapterContract`
and providing the ``adapter`` fixture.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from plansync.adapters.base import Adapter, Athlete, RemoteItem
from plansync.adapters.ics import IcsAdapter
from plansync.adapters.intervals.adapter import IntervalsAdapter
from plansync.adapters.intervals.client import transport as icu_transport
from plansync.core.budgets import Budget
from plansync.core.plan import Workout
from plansync.inputs.compiling import compile_file
from plansync.inputs.loader import load_profile
from plansync.publishing import engine as sync
from plansync.state.ledger import Ledger

from .fakes.intervals import FakeIntervals
from .fakes.memory_adapter import MemoryAdapter
from .fakes.trainingpeaks import FakeTrainingPeaks
from .tp_helpers import ATHLETE_ID, NOW, TODAY, make_adapter, tp_profile

PLUGIN_DIR = Path(__file__).parent / "plugin_example"
ICU_KEY, ICU_ATHLETE = "icu-contract-key", "i2002"


@pytest.fixture
def athlete(tmp_path: Path) -> Athlete:
    path = tp_profile(tmp_path)
    return Athlete(load_profile(path), compile_file(path), TODAY)


class AdapterContract:
    """Behaviour the sync engine relies on."""

    @pytest.fixture
    def adapter(self, tmp_path: Path) -> Iterator[Adapter]:  # pragma: no cover - overridden
        raise NotImplementedError
        yield

    def test_created_items_are_listed_with_their_uid_and_fingerprint(
        self, adapter: Adapter, athlete: Athlete
    ) -> None:
        w = athlete.plan.workouts[0]
        item = adapter.create(athlete, w)
        listed = adapter.list(athlete, w.date, w.date)
        found = [i for i in listed if i.remote_id == item.remote_id]
        assert len(found) == 1
        assert found[0].uid == w.id and found[0].date == w.date
        assert found[0].fingerprint in (None, adapter.fingerprint(athlete, w))

    def test_fingerprint_is_stable_and_follows_content(self, adapter: Adapter, athlete: Athlete) -> None:
        w = athlete.plan.workouts[3]
        assert adapter.fingerprint(athlete, w) == adapter.fingerprint(athlete, w)
        assert adapter.fingerprint(athlete, dataclasses.replace(w, title="Other")) != adapter.fingerprint(
            athlete, w
        )

    def test_update_keeps_the_remote_id(self, adapter: Adapter, athlete: Athlete) -> None:
        if not adapter.supports_update:
            pytest.skip("the adapter cannot update")
        w = athlete.plan.workouts[1]
        item = adapter.create(athlete, w)
        changed = dataclasses.replace(w, title="Changed")
        updated = adapter.update(athlete, item.remote_id, changed)
        assert updated.remote_id == item.remote_id
        listed = {i.remote_id: i for i in adapter.list(athlete, w.date, w.date)}
        assert listed[item.remote_id].fingerprint in (None, adapter.fingerprint(athlete, changed))

    def test_delete_removes_only_that_item(self, adapter: Adapter, athlete: Athlete) -> None:
        if not adapter.supports_delete:
            pytest.skip("the adapter cannot delete")
        a, b = athlete.plan.workouts[0], athlete.plan.workouts[1]
        ia, ib = adapter.create(athlete, a), adapter.create(athlete, b)
        adapter.delete(athlete, ia.remote_id)
        ids = {i.remote_id for i in adapter.list(athlete, athlete.plan.start_date, athlete.plan.end_date)}
        assert ia.remote_id not in ids and ib.remote_id in ids

    def test_list_keeps_to_its_dates(self, adapter: Adapter, athlete: Athlete) -> None:
        early, late = athlete.plan.workouts[0], athlete.plan.workouts[-1]
        adapter.create(athlete, early)
        adapter.create(athlete, late)
        assert {i.uid for i in adapter.list(athlete, early.date, early.date)} == {early.id}

    def test_publish_twice_then_nothing_to_do(
        self, adapter: Adapter, athlete: Athlete, tmp_path: Path
    ) -> None:
        with Ledger(tmp_path / "ledger-state") as ledger:
            first, _ = sync.publish(athlete, adapter, ledger, now=lambda: NOW)
            again, _ = sync.publish(athlete, adapter, ledger, now=lambda: NOW)
        in_window = [
            w
            for w in athlete.plan.workouts
            if adapter.wants(w)
            and (adapter.future_days is None or w.date <= TODAY + dt.timedelta(days=adapter.future_days))
        ]
        assert first.created == len(in_window) and first.failed == 0
        assert (again.created, again.updated, again.deleted, again.unchanged) == (0, 0, 0, len(in_window))

    # --- declared capabilities: each one declared is checked, each one not declared refused ---

    @pytest.fixture
    def foreign(self) -> Callable[[Athlete, dt.date], None] | None:
        """Puts an item plansync did not make on the target's calendar (None: it cannot)."""
        return None

    @pytest.fixture
    def done(self) -> Callable[[Athlete, Workout], None] | None:
        """Records a workout as completed on the target (None: it cannot)."""
        return None

    @pytest.fixture
    def sent_steps(self) -> Callable[[Workout], int] | None:
        """How many steps of a published workout the target holds (None: it cannot say)."""
        return None

    def test_steps_fit_the_declared_budget_at_and_past_its_limit(
        self,
        adapter: Adapter,
        athlete: Athlete,
        tmp_path: Path,
        sent_steps: Callable[[Workout], int] | None,
    ) -> None:
        """A workout at the target's step limit (60 steps where it declares none) arrives whole;
        one past it is not sent, and the summary says why."""
        limit = adapter.budget.max_steps if adapter.budget is not None else None
        run = next(w for w in athlete.plan.workouts if adapter.wants(w) and w.kind == "easy" and w.steps)
        step = dataclasses.replace(run.steps[0], by="time", duration_s=60, distance_m=None)
        sizes = (limit, limit + 1) if limit else (60,)
        bigs = [dataclasses.replace(run, id=f"{run.id}-s{n}", steps=(step,) * n) for n in sizes]
        some = dataclasses.replace(athlete, plan=dataclasses.replace(athlete.plan, workouts=tuple(bigs)))
        with Ledger(tmp_path / "budget-state") as ledger:
            summary, _ = sync.publish(some, adapter, ledger, now=lambda: NOW)
        assert summary.created == 1
        if sent_steps is not None:
            assert sent_steps(bigs[0]) == sizes[0]
        if limit is None:
            assert summary.failures == []
        else:
            assert [
                f"has {limit + 1} steps and the target takes at most {limit}" in f for f in summary.failures
            ] == [True]

    def test_bulk_upserts_are_idempotent_and_bulk_deletes_touch_only_their_own(
        self, adapter: Adapter, athlete: Athlete, foreign: Callable[[Athlete, dt.date], None] | None
    ) -> None:
        workouts = [w for w in athlete.plan.workouts if adapter.wants(w)][:5]
        if not adapter.supports_bulk:
            with pytest.raises(NotImplementedError):
                adapter.upsert_many(athlete, workouts)
            return
        first = adapter.upsert_many(athlete, workouts)
        again = adapter.upsert_many(athlete, workouts)  # the same request twice: nothing doubles
        assert {u: i.remote_id for u, i in first.items()} == {u: i.remote_id for u, i in again.items()}
        span = (workouts[0].date, workouts[-1].date)
        if foreign is not None:
            foreign(athlete, workouts[0].date)
        before = adapter.list(athlete, *span)
        assert sorted(i.uid for i in before if i.uid) == sorted(w.id for w in workouts)
        adapter.delete_many(athlete, [workouts[0].id, workouts[1].id])
        after = adapter.list(athlete, *span)
        assert sorted(i.uid for i in after if i.uid) == sorted(w.id for w in workouts[2:])
        assert len([i for i in after if not i.uid]) == len([i for i in before if not i.uid])  # foreign kept

    def test_declared_activities_are_read_back_as_completed_training(
        self, adapter: Adapter, athlete: Athlete, done: Callable[[Athlete, Workout], None] | None
    ) -> None:
        if not adapter.supports_activities:
            with pytest.raises(NotImplementedError):
                adapter.activities(athlete, athlete.plan.start_date, athlete.plan.end_date)
            return
        assert done is not None, "an adapter that reads activities needs a way to complete one in its test"
        run = next(w for w in athlete.plan.workouts if w.kind in ("easy", "long") and adapter.wants(w))
        adapter.create(athlete, run)
        done(athlete, run)
        found = adapter.activities(athlete, run.date, run.date)
        assert [(a.date, a.kind, round(a.distance_m)) for a in found] == [(run.date, "run", run.distance_m)]
        assert found[0].duration_s == pytest.approx(run.duration_s, abs=1)

    def test_names_fit_the_declared_budget_at_and_past_its_limit(
        self, adapter: Adapter, athlete: Athlete
    ) -> None:
        budget = adapter.budget
        if budget is None or budget.name_limit is None:
            pytest.skip("the adapter declares no name limit")
        w = next(x for x in athlete.plan.workouts if adapter.wants(x))
        for size in (budget.name_limit, budget.name_limit + 40):
            words = ("Progression " * (size // 12 + 2))[: size - 9].rstrip() + " · 5.5 km"
            long = dataclasses.replace(w, title=words)
            item = adapter.create(athlete, long)
            (listed,) = [i for i in adapter.list(athlete, w.date, w.date) if i.remote_id == item.remote_id]
            assert len(listed.title) <= budget.name_limit and listed.title.endswith("5.5 km")
            assert all(
                part in words.split() for part in listed.title.replace(" · ", " ").split()
            )  # whole words
            adapter.delete(athlete, item.remote_id) if adapter.supports_delete else None


class TestMemoryAdapter(AdapterContract):
    @pytest.fixture
    def adapter(self, tmp_path: Path) -> Iterator[Adapter]:
        adapter = MemoryAdapter()
        yield adapter
        adapter.close()


class StepLimitedAdapter(MemoryAdapter):
    """A target that holds at most 20 steps a workout (a watch-like budget)."""

    name = "step-limited"
    budget = Budget("step-limited", None, None, 20, frozenset({"pace", "heart_rate", "rpe"}), True, False)


class TestStepLimitedAdapter(AdapterContract):
    @pytest.fixture
    def adapter(self, tmp_path: Path) -> Iterator[Adapter]:
        yield StepLimitedAdapter()

    @pytest.fixture
    def sent_steps(self, adapter: Adapter) -> Callable[[Workout], int]:
        assert isinstance(adapter, MemoryAdapter)
        return lambda w: next(v.steps for v in adapter.items.values() if v.uid == w.id)


class AppendOnlyAdapter(MemoryAdapter):
    """A target that can only add items (a shared calendar that refuses edits)."""

    name = "append-only"
    supports_update = False
    supports_delete = False

    def update(self, athlete: Athlete, remote_id: str, workout: Workout) -> RemoteItem:
        raise AssertionError("update() called on an adapter that cannot update")

    def delete(self, athlete: Athlete, remote_id: str) -> None:
        raise AssertionError("delete() called on an adapter that cannot delete")


class ReplaceOnlyAdapter(MemoryAdapter):
    """A target that cannot edit in place but can delete and create."""

    name = "replace-only"
    supports_update = False

    def update(self, athlete: Athlete, remote_id: str, workout: Workout) -> RemoteItem:
        raise AssertionError("update() called on an adapter that cannot update")


class TestAppendOnlyAdapter(AdapterContract):
    @pytest.fixture
    def adapter(self, tmp_path: Path) -> Iterator[Adapter]:
        yield AppendOnlyAdapter()

    def test_changes_are_skipped_and_reported_never_sent(self, athlete: Athlete, tmp_path: Path) -> None:
        adapter = AppendOnlyAdapter()
        moved = _moved(athlete)
        with Ledger(tmp_path / "state") as ledger:
            first, _ = sync.publish(athlete, adapter, ledger, now=lambda: NOW)
            again, actions = sync.publish(moved, adapter, ledger, now=lambda: NOW, force=True)
        assert first.created > 0
        changed = [a for a in actions if a.kind == "skipped"]
        assert again.skipped == len(changed) > 0 and again.updated == again.deleted == 0
        assert all("cannot" in a.reason for a in changed)
        assert again.created == 0  # nothing is duplicated to work around the missing capability
        assert "skipped (the target cannot change them)" in again.line()


class TestReplaceOnlyAdapter(AdapterContract):
    @pytest.fixture
    def adapter(self, tmp_path: Path) -> Iterator[Adapter]:
        yield ReplaceOnlyAdapter()

    def test_a_changed_item_is_replaced_once(self, athlete: Athlete, tmp_path: Path) -> None:
        adapter = ReplaceOnlyAdapter()
        moved = _moved(athlete)
        with Ledger(tmp_path / "state") as ledger:
            sync.publish(athlete, adapter, ledger, now=lambda: NOW)
            again, _ = sync.publish(moved, adapter, ledger, now=lambda: NOW, force=True)
            third, _ = sync.publish(moved, adapter, ledger, now=lambda: NOW)
        assert again.updated == 0 and again.created == again.deleted > 0
        uids = [item.uid for item in adapter.items.values()]
        assert len(uids) == len(set(uids))  # one item per workout, none left behind
        assert third.created == third.deleted == third.skipped == 0


def _moved(athlete: Athlete) -> Athlete:
    """The same athlete with every workout a week later (a moved race)."""
    week = dt.timedelta(days=7)
    workouts = tuple(dataclasses.replace(w, date=w.date + week) for w in athlete.plan.workouts)
    return dataclasses.replace(athlete, plan=dataclasses.replace(athlete.plan, workouts=workouts))


class TestIcsAdapter(AdapterContract):
    @pytest.fixture
    def adapter(self, tmp_path: Path) -> Iterator[Adapter]:
        adapter = IcsAdapter(tmp_path / "calendars", lambda: NOW)
        yield adapter
        adapter.close()

    def test_close_writes_a_calendar_a_new_adapter_reads_back(self, athlete: Athlete, tmp_path: Path) -> None:
        import icalendar

        first = IcsAdapter(tmp_path / "cal", lambda: NOW)
        with Ledger(tmp_path / "state") as ledger:
            sync.publish(athlete, first, ledger, now=lambda: NOW)
            first.close()
            cal = icalendar.Calendar.from_ical((tmp_path / "cal" / "jane-doe.ics").read_bytes())
            assert len(cal.walk("VEVENT")) == len(athlete.plan.workouts)
            ledger_path = ledger.path
        ledger_path.unlink()  # even without a ledger, the file itself says what is there
        second = IcsAdapter(tmp_path / "cal", lambda: NOW)
        with Ledger(tmp_path / "state") as ledger:
            summary, _ = sync.publish(athlete, second, ledger, now=lambda: NOW)
        second.close()
        assert summary.unchanged == len(athlete.plan.workouts) and summary.created == 0


class TestTrainingPeaksAdapter(AdapterContract):
    @pytest.fixture
    def fake(self, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTrainingPeaks]:
        fake = FakeTrainingPeaks(today=TODAY)
        fake.add_athlete(ATHLETE_ID)
        fake.start()
        monkeypatch.setenv("PLANSYNC_TP_API_URL", fake.url)
        monkeypatch.setenv("PLANSYNC_TP_OAUTH_URL", fake.url)
        monkeypatch.setenv("PLANSYNC_TP_REFRESH_TOKEN", fake.issue_refresh_token())
        yield fake
        fake.stop()

    @pytest.fixture
    def adapter(self, tmp_path: Path, fake: FakeTrainingPeaks) -> Iterator[Adapter]:
        adapter = make_adapter(fake, tmp_path / "state")
        yield adapter
        adapter.close()

    @pytest.fixture
    def done(self, fake: FakeTrainingPeaks) -> Callable[[Athlete, Workout], None]:
        def complete(athlete: Athlete, workout: Workout) -> None:
            (remote,) = [
                w
                for w in fake.planned(ATHLETE_ID)
                if str(w["WorkoutDay"])[:10] == workout.date.isoformat() and w["WorkoutType"] == "run"
            ]
            fake.complete(remote["Id"], workout.duration_s / 3600, float(workout.distance_m))

        return complete

    @pytest.fixture
    def sent_steps(self, fake: FakeTrainingPeaks) -> Callable[[Workout], int]:
        def count(workout: Workout) -> int:
            (remote,) = [
                w for w in fake.planned(ATHLETE_ID) if str(w["WorkoutDay"])[:10] == workout.date.isoformat()
            ]
            return len(json.loads(remote["Structure"]))

        return count


class TestIntervalsAdapter(AdapterContract):
    """intervals.icu, the adapter with bulk writes, against its fake (the OpenAPI-validated one)."""

    @pytest.fixture
    def athlete(self, tmp_path: Path) -> Athlete:
        path = tp_profile(tmp_path)
        path.write_text(path.read_text() + '  intervals: {athlete_id: "0"}\n')
        return Athlete(load_profile(path), compile_file(path), TODAY)

    @pytest.fixture
    def fake(self) -> Iterator[FakeIntervals]:
        fake = FakeIntervals()
        fake.add_key(ICU_KEY, ICU_ATHLETE)
        fake.start()
        yield fake
        assert fake.invalid == []  # every request the contract made was one the spec allows
        fake.stop()

    @pytest.fixture
    def adapter(self, fake: FakeIntervals) -> Iterator[Adapter]:
        adapter = IntervalsAdapter(
            icu_transport(fake.url, httpx.BasicAuth("API_KEY", ICU_KEY), sleep=lambda s: None)
        )
        yield adapter
        adapter.close()

    @pytest.fixture
    def foreign(self, fake: FakeIntervals) -> Callable[[Athlete, dt.date], None]:
        def add(athlete: Athlete, day: dt.date) -> None:  # the athlete's own note, no external_id
            fake._upsert(
                "someone-else",
                ICU_ATHLETE,
                {"category": "NOTE", "start_date_local": f"{day}T00:00:00", "name": "Physio"},
                False,
            )

        return add

    @pytest.fixture
    def done(self, fake: FakeIntervals) -> Callable[[Athlete, Workout], None]:
        def complete(athlete: Athlete, workout: Workout) -> None:
            fake.activities.setdefault(ICU_ATHLETE, []).append(
                {
                    "id": "a1",
                    "start_date_local": f"{workout.date}T07:00:00",
                    "type": "Run",
                    "distance": float(workout.distance_m),
                    "moving_time": workout.duration_s,
                }
            )

        return complete

    @pytest.fixture
    def sent_steps(self, fake: FakeIntervals) -> Callable[[Workout], int]:
        def count(workout: Workout) -> int:
            (event,) = [e for e in fake.events.values() if e.get("external_id") == workout.id]
            text = str(event["description"]).split("\n\n")[0]
            return sum(1 for line in text.splitlines() if line.startswith("- "))

        return count


class TestPluginAdapter(AdapterContract):
    @pytest.fixture
    def adapter(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Adapter]:
        monkeypatch.syspath_prepend(str(PLUGIN_DIR))
        from plansync_jsonfile import JsonFileAdapter

        adapter = JsonFileAdapter(tmp_path / "json")
        yield adapter
        adapter.close()
        sys.modules.pop("plansync_jsonfile", None)

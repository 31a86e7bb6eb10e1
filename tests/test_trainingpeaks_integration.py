"""Publishing to a fake TrainingPeaks on loopback: exactly the plan, whatever the network does."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from plansync.adapters.base import Athlete
from plansync.core.compiler import Options
from plansync.inputs.compiling import compile_file
from plansync.inputs.loader import load_profile
from plansync.publishing import engine as sync
from plansync.state.ledger import Ledger

from .fakes.trainingpeaks import FakeTrainingPeaks
from .tp_helpers import (
    ATHLETE_ID,
    NOW,
    TODAY,
    Waits,
    make_adapter,
    remote_matches_plan,
    running_fake,
    tp_profile,
)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTrainingPeaks]:
    with running_fake() as server:
        monkeypatch.setenv("PLANSYNC_TP_API_URL", server.url)
        monkeypatch.setenv("PLANSYNC_TP_OAUTH_URL", server.url)
        monkeypatch.setenv("PLANSYNC_TP_REFRESH_TOKEN", server.issue_refresh_token())
        yield server


@pytest.fixture
def profile_path(tmp_path: Path) -> Path:
    return tp_profile(tmp_path)


class Publisher:
    def __init__(self, fake: FakeTrainingPeaks, profile_path: Path, state: Path) -> None:
        self.fake, self.profile_path, self.state = fake, profile_path, state
        self.waits = Waits()

    def athlete(self, **options: Any) -> Athlete:
        plan = compile_file(self.profile_path, options=Options(**options))
        return Athlete(load_profile(self.profile_path), plan, TODAY)

    def run(
        self,
        athlete: Athlete | None = None,
        *,
        force: bool = False,
        timeout: float = 5.0,
        dry_run: bool = False,
    ) -> sync.Summary:
        athlete = athlete or self.athlete()
        adapter = make_adapter(self.fake, self.state, timeout=timeout, waits=self.waits)
        try:
            with Ledger(self.state) as ledger:
                summary, _ = sync.publish(
                    athlete, adapter, ledger, now=lambda: NOW, force=force, wait=self.waits, dry_run=dry_run
                )
        finally:
            adapter.close()
        return summary

    def check(self, athlete: Athlete | None = None) -> None:
        athlete = athlete or self.athlete()
        remote_matches_plan(self.fake, athlete.plan, athlete.profile)


@pytest.fixture
def pub(fake: FakeTrainingPeaks, profile_path: Path, tmp_path: Path) -> Publisher:
    return Publisher(fake, profile_path, tmp_path / "state")


def test_first_publish_is_one_write_per_workout_plus_a_listing(
    pub: Publisher, fake: FakeTrainingPeaks
) -> None:
    athlete = pub.athlete()
    summary = pub.run(athlete)
    n = len(athlete.plan.workouts)
    assert (summary.created, summary.updated, summary.deleted, summary.failed) == (n, 0, 0, 0)
    assert fake.writes() == n and fake.count("GET") == 1 and fake.count("POST", "/oauth/token") == 1
    assert summary.requests == n + 1
    pub.check(athlete)


def test_unchanged_republish_writes_nothing(pub: Publisher, fake: FakeTrainingPeaks) -> None:
    pub.run()
    writes = fake.writes()
    summary = pub.run()
    assert summary.created == summary.updated == summary.deleted == 0
    assert summary.unchanged == len(pub.athlete().plan.workouts)
    assert fake.writes() == writes
    pub.check()


def test_changing_one_workout_is_one_write(pub: Publisher, fake: FakeTrainingPeaks) -> None:
    athlete = pub.athlete()
    pub.run(athlete)
    edited = dataclasses.replace(athlete.plan.workouts[10], title="Coach's special")
    plan = dataclasses.replace(
        athlete.plan, workouts=(*athlete.plan.workouts[:10], edited, *athlete.plan.workouts[11:])
    )
    changed = dataclasses.replace(athlete, plan=plan)
    writes = fake.writes()
    summary = pub.run(changed)
    assert (summary.updated, summary.created, summary.deleted) == (1, 0, 0)
    assert fake.writes() == writes + 1 and fake.count("PUT") == 1
    pub.check(changed)


def test_moving_the_race_date_is_one_update_per_moved_entry(pub: Publisher, fake: FakeTrainingPeaks) -> None:
    pub.run()
    moved = pub.athlete(race_date=dt.date(2027, 4, 25))
    summary = pub.run(moved)
    assert (summary.updated, summary.created, summary.deleted) == (len(moved.plan.workouts), 0, 0)
    assert fake.count("POST", "/v2/") == len(moved.plan.workouts)  # only the first publish created
    pub.check(moved)


def test_429_bursts_honour_retry_after(pub: Publisher, fake: FakeTrainingPeaks) -> None:
    fake.fault("POST", "/v2/workouts/plan", "status", status=429, headers={"Retry-After": "7"}, times=3)
    date = "Wed, 10 Jan 2027 09:00:12 GMT"
    fake.fault("GET", r"/v2/workouts/.*", "status", status=429, headers={"Retry-After": date})
    summary = pub.run()
    assert 7.0 in pub.waits.seconds and pub.waits.seconds.count(7.0) == 3
    assert summary.retries == 4 and summary.failed == 0
    pub.check()


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_on_reads_and_updates_are_retried(
    pub: Publisher, fake: FakeTrainingPeaks, status: int
) -> None:
    athlete = pub.athlete()
    pub.run(athlete)
    fake.fault("GET", r"/v2/workouts/.*", "status", status=status, times=2)
    fake.fault("PUT", r"/v2/workouts/plan/\d+", "status", status=status)
    summary = pub.run(pub.athlete(race_date=dt.date(2027, 4, 25)))
    assert summary.failed == 0 and summary.retries == 3
    pub.check(pub.athlete(race_date=dt.date(2027, 4, 25)))


@pytest.mark.parametrize("kind", ["reset_before", "reset_after", "status"])
def test_a_create_with_a_lost_answer_is_never_duplicated(
    pub: Publisher, fake: FakeTrainingPeaks, kind: str
) -> None:
    fake.fault("POST", "/v2/workouts/plan", kind, status=502, times=2)
    summary = pub.run()
    assert summary.failed == 0
    pub.check()


def test_a_slow_answer_past_the_timeout_is_adopted_not_repeated(
    pub: Publisher, fake: FakeTrainingPeaks
) -> None:
    fake.slow_hold = 2.0
    fake.fault("POST", "/v2/workouts/plan", "slow")
    summary = pub.run(timeout=0.3)
    assert summary.failed == 0
    pub.check()


def test_a_401_mid_run_refreshes_once_and_rotates_the_refresh_token(
    pub: Publisher, fake: FakeTrainingPeaks
) -> None:
    first = pub.athlete()
    fake.fault("POST", "/v2/workouts/plan", "expire_tokens")
    summary = pub.run(first)
    assert summary.failed == 0 and fake.count("POST", "/oauth/token") == 2
    import json

    stored = json.loads((pub.state / "trainingpeaks-token.json").read_text())
    assert stored["refresh_token"] in fake.refresh_tokens  # the rotated one, saved
    assert (pub.state / "trainingpeaks-token.json").stat().st_mode & 0o777 == 0o600
    pub.check(first)


def test_html_and_malformed_error_bodies_become_clear_messages(
    pub: Publisher, fake: FakeTrainingPeaks
) -> None:
    html = "<html><head><style>p{}</style></head><body><h1>Bad Request</h1><p>Day is locked</p></body></html>"
    fake.fault("POST", "/v2/workouts/plan", "status", status=400, body=html, content_type="text/html")
    fake.fault(
        "POST", "/v2/workouts/plan", "status", status=409, body="{not json", content_type="application/json"
    )
    athlete = pub.athlete()
    summary = pub.run(athlete)
    assert summary.failed == 2
    assert "rejected (HTTP 400): Bad Request Day is locked" in summary.failures[0]
    assert "rejected (HTTP 409): {not json" in summary.failures[1]
    assert summary.created == len(athlete.plan.workouts) - 2  # the rest of the plan still went out
    pub.run(athlete)
    pub.check(athlete)


def test_a_basic_athlete_gets_a_clear_403_per_workout(pub: Publisher, fake: FakeTrainingPeaks) -> None:
    fake.athletes[ATHLETE_ID].premium = False
    summary = pub.run()
    assert summary.created == 0 and summary.failed == len(pub.athlete().plan.workouts)
    assert "Basic athlete" in summary.failures[0]


def test_a_lost_ledger_is_rebuilt_by_adopting_without_writes(pub: Publisher, fake: FakeTrainingPeaks) -> None:
    pub.run()
    writes = fake.writes()
    (pub.state / "ledger.sqlite3").unlink()
    summary = pub.run()
    assert summary.created == 0 and summary.unchanged == len(pub.athlete().plan.workouts)
    assert fake.writes() == writes
    pub.check()


def test_items_plansync_did_not_create_are_never_touched(pub: Publisher, fake: FakeTrainingPeaks) -> None:
    fake.workouts[42] = {
        "Id": 42,
        "AthleteId": ATHLETE_ID,
        "WorkoutDay": "2027-02-01",
        "WorkoutType": "bike",
        "Title": "Club ride",
        "Description": "the athlete's own",
        "Tags": None,
        "Structure": None,
    }
    pub.run()
    pub.run(pub.athlete(race_date=dt.date(2027, 4, 25)))
    assert fake.workouts[42]["Title"] == "Club ride"


def test_deleting_more_than_half_needs_force(pub: Publisher, fake: FakeTrainingPeaks) -> None:
    athlete = pub.athlete()
    pub.run(athlete)
    few = dataclasses.replace(
        athlete, plan=dataclasses.replace(athlete.plan, workouts=athlete.plan.workouts[:20])
    )
    with pytest.raises(sync.SafetyStop, match="would delete"):
        pub.run(few)
    summary = pub.run(few, force=True)
    assert summary.deleted == len(athlete.plan.workouts) - 20
    pub.check(few)


def test_the_date_window_leaves_the_past_alone_and_defers_the_far_future(
    pub: Publisher, fake: FakeTrainingPeaks, profile_path: Path
) -> None:
    profile_path.write_text(
        profile_path.read_text().replace("race_date: 2027-04-18", "race_date: 2028-03-12")
    )
    far = pub.athlete()
    assert far.plan.end_date > TODAY + dt.timedelta(days=365)
    summary = pub.run(far)
    assert summary.deferred > 0 and summary.created == len(far.plan.workouts) - summary.deferred
    pub.check(far)
    past = Athlete(far.profile, far.plan, far.plan.start_date + dt.timedelta(days=20))
    summary = pub.run(past)
    assert summary.left == sum(1 for w in far.plan.workouts if w.date < past.today - dt.timedelta(days=7))


def test_dry_run_changes_nothing(pub: Publisher, fake: FakeTrainingPeaks) -> None:
    summary = pub.run(dry_run=True)
    assert summary.created == len(pub.athlete().plan.workouts)
    assert fake.writes() == 0


def test_a_lost_ledger_and_a_moved_race_still_duplicate_nothing(
    pub: Publisher, fake: FakeTrainingPeaks
) -> None:
    pub.run()
    (pub.state / "ledger.sqlite3").unlink()
    for weeks in (1, -2):
        moved = pub.athlete(race_date=dt.date(2027, 4, 18) + dt.timedelta(weeks=weeks))
        summary = pub.run(moved)
        assert summary.created == 0 and summary.failed == 0
        pub.check(moved)

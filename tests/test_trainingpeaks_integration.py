"""Publishing to a fake TrainingPeaks on loopback: exactly the plan, whatever the network does."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections.abc import Container, Iterator
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
    published,
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
        reclaim: Container[str] = (),
    ) -> sync.Summary:
        athlete = athlete or self.athlete()
        adapter = make_adapter(self.fake, self.state, timeout=timeout, waits=self.waits)
        try:
            with Ledger(self.state) as ledger:
                summary, _ = sync.publish(
                    athlete,
                    adapter,
                    ledger,
                    now=lambda: NOW,
                    force=force,
                    wait=self.waits,
                    dry_run=dry_run,
                    reclaim=reclaim,
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
    n = len(published(athlete.plan))
    assert (summary.created, summary.updated, summary.deleted, summary.failed) == (n, 0, 0, 0)
    listings = fake.count("GET")
    assert fake.writes() == n and fake.count("POST", "/oauth/token") == 1
    assert listings == len(listing_ranges(fake)) and summary.requests == n + listings
    pub.check(athlete)


def test_unchanged_republish_writes_nothing(pub: Publisher, fake: FakeTrainingPeaks) -> None:
    pub.run()
    writes = fake.writes()
    summary = pub.run()
    assert summary.created == summary.updated == summary.deleted == 0
    assert summary.unchanged == len(published(pub.athlete().plan))
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
    assert (summary.updated, summary.created, summary.deleted) == (len(published(moved.plan)), 0, 0)
    assert fake.count("POST", "/v2/") == len(published(moved.plan))  # only the first publish created
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
    assert summary.created == len(published(athlete.plan)) - 2  # the rest of the plan still went out
    pub.run(athlete)
    pub.check(athlete)


def test_an_athlete_only_app_gets_a_clear_403_per_workout_of_a_basic_athlete(
    pub: Publisher, fake: FakeTrainingPeaks
) -> None:
    fake.athletes[ATHLETE_ID].premium = False
    fake.coach_app = False
    summary = pub.run()
    assert summary.created == 0 and summary.failed == len(published(pub.athlete().plan))
    assert "Basic athlete" in summary.failures[0]


def test_a_lost_ledger_is_rebuilt_by_adopting_without_writes(pub: Publisher, fake: FakeTrainingPeaks) -> None:
    pub.run()
    writes = fake.writes()
    (pub.state / "ledger.sqlite3").unlink()
    summary = pub.run()
    assert summary.created == 0 and summary.unchanged == len(published(pub.athlete().plan))
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
    assert summary.deleted == len(published(athlete.plan)) - len(published(few.plan))
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
    assert summary.deferred > 0 and summary.created == len(published(far.plan)) - summary.deferred
    pub.check(far)
    past = Athlete(far.profile, far.plan, far.plan.start_date + dt.timedelta(days=20))
    summary = pub.run(past)
    assert summary.left == sum(1 for w in published(far.plan) if w.date < past.today - dt.timedelta(days=7))


def test_dry_run_changes_nothing(pub: Publisher, fake: FakeTrainingPeaks) -> None:
    summary = pub.run(dry_run=True)
    assert summary.created == len(published(pub.athlete().plan))
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


def listing_ranges(fake: FakeTrainingPeaks) -> list[tuple[dt.date, dt.date]]:
    """The date ranges of every listing the fake answered."""
    out = []
    for method, path, _ in fake.log:
        parts = path.split("/")
        if method == "GET" and len(parts) == 6 and parts[2] == "workouts":
            out.append((dt.date.fromisoformat(parts[4]), dt.date.fromisoformat(parts[5])))
    return out


def test_listings_cover_the_window_in_ranges_of_at_most_90_days(
    pub: Publisher, fake: FakeTrainingPeaks
) -> None:
    pub.run()
    every = listing_ranges(fake)
    assert all((end - start).days < 90 for start, end in every)
    # The window, listed once before writing; then the days written, listed again to catch
    # another publisher's copies (see test_two_publishers_...).
    breaks = [
        i for i, (a, b) in enumerate(itertools.pairwise(every), 1) if b[0] != a[1] + dt.timedelta(days=1)
    ]
    ranges, again = every[: breaks[0]], every[breaks[0] :]
    window = (ranges[-1][1] - ranges[0][0]).days + 1
    assert len(ranges) == -(-window // 90)  # one listing per 90 days of window, no more
    assert all(b[0] == a[1] + dt.timedelta(days=1) for a, b in itertools.pairwise(again))


def test_a_range_refused_as_too_long_is_halved(pub: Publisher, fake: FakeTrainingPeaks) -> None:
    fake.fault("GET", r"/v2/workouts/\d+/.*", "status", status=400, body='{"Message": "Date range too long"}')
    summary = pub.run()
    assert summary.failed == 0
    first, second = listing_ranges(fake)[:2]
    assert (second[1] - second[0]).days + 1 == 45 and second[0] == first[0]


def test_the_listing_asks_for_descriptions(pub: Publisher, fake: FakeTrainingPeaks) -> None:
    seen: list[str] = []
    pub.run()
    (pub.state / "ledger.sqlite3").unlink()
    for suffix in ("-wal", "-shm"):
        (pub.state / f"ledger.sqlite3{suffix}").unlink(missing_ok=True)
    fake.on_request = lambda method, path: seen.append(method)
    summary = pub.run()
    assert summary.created == 0 and "POST" not in seen  # found by the marker in each description


def test_rest_days_are_not_published_unless_asked(
    pub: Publisher, fake: FakeTrainingPeaks, tmp_path: Path
) -> None:
    athlete = pub.athlete()
    pub.run(athlete)
    assert not [w for w in fake.planned(ATHLETE_ID) if w["WorkoutType"] == "other"]
    adapter = make_adapter(fake, pub.state, waits=pub.waits)
    adapter.rest_days = "note"
    with Ledger(pub.state) as ledger:
        summary, _ = sync.publish(athlete, adapter, ledger, now=lambda: NOW, wait=pub.waits)
    adapter.close()
    rests = [
        w for w in athlete.plan.workouts if w.kind == "rest" and w.date <= TODAY + dt.timedelta(days=365)
    ]
    assert summary.created == len(rests) > 0
    # Going back to the default removes them again, and only them.
    summary = pub.run(athlete)
    assert summary.deleted == len(rests) and summary.created == 0
    pub.check(athlete)


@pytest.mark.parametrize("premium", [True, False], ids=["premium", "basic"])
@pytest.mark.parametrize("system", ["pace", "heart_rate", "rpe"])
def test_every_account_and_intensity_system_publishes_exactly_the_plan(
    fake: FakeTrainingPeaks, tmp_path: Path, premium: bool, system: str
) -> None:
    fake.athletes[ATHLETE_ID].premium = premium
    pub = Publisher(fake, tp_profile(tmp_path, system), tmp_path / "state")
    athlete = pub.athlete()
    n = len(published(athlete.plan))
    fake.fault("GET", r"/v2/workouts/\d+/.*", "status", status=503)
    fake.fault("POST", "/v2/workouts/plan", "status", status=429, headers={"Retry-After": "2"}, times=3)
    fake.fault("POST", "/v2/workouts/plan", "reset_after")
    fake.fault("POST", "/v2/workouts/plan", "status", status=502)
    fake.fault("POST", "/v2/workouts/plan", "reset_before")
    first = pub.run(athlete)
    assert (first.created, first.failed) == (n, 0)
    pub.check(athlete)
    if not premium:
        assert all(w["Tags"] is None for w in fake.planned(ATHLETE_ID))  # found by description alone

    writes = fake.writes()
    again = pub.run(athlete)
    assert fake.writes() == writes and again.unchanged == n

    assert athlete.plan.race_date is not None
    moved = pub.athlete(race_date=athlete.plan.race_date + dt.timedelta(days=7))
    summary = pub.run(moved)
    assert (summary.updated, summary.created, summary.deleted) == (n, 0, 0)
    assert fake.writes() == writes + n

    for path in pub.state.glob("ledger.sqlite3*"):
        path.unlink()
    rebuilt = pub.run(moved)
    assert (rebuilt.created, rebuilt.updated, rebuilt.deleted) == (0, 0, 0) and fake.writes() == writes + n
    pub.check(moved)

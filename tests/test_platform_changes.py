"""What athletes and coaches change on the platform is kept: moved, edited, deleted and
completed workouts survive later publishes and plan changes, conflicts are reported, and
``reclaim`` puts the plan's version back on purpose. Two publishers converge."""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from plansync.adapters import markers
from plansync.adapters.trainingpeaks.client import TokenStore
from plansync.core.plan import Workout
from plansync.inputs.compiling import compile_file
from plansync.publishing.engine import Everything

from .conftest import Cli
from .fakes.trainingpeaks import FakeTrainingPeaks
from .test_coach import write_profile, ws  # noqa: F401  (fixtures)
from .test_trainingpeaks_integration import Publisher, fake, profile_path, pub  # noqa: F401  (fixtures)
from .tp_helpers import ATHLETE_ID

RACE_MOVED = dt.date(2027, 4, 25)


def _remote(fake: FakeTrainingPeaks, uid: str) -> dict[str, Any]:
    (found,) = [
        w for w in fake.planned(ATHLETE_ID) if (markers.parse(w["Description"]) or ("", ""))[1] == uid
    ]
    return found


def _easy(pub: Publisher, week: int = 3) -> Workout:
    return next(w for w in pub.athlete().plan.workouts if w.week == week and w.kind == "easy")


def test_a_moved_workout_stays_moved_across_publishes_and_a_race_move(
    pub: Publisher,
    fake: FakeTrainingPeaks,
) -> None:
    pub.run()
    w = _easy(pub)
    chosen = (w.date + dt.timedelta(days=1)).isoformat()
    fake.move(_remote(fake, w.id)["Id"], chosen)
    reports = [pub.run() for _ in range(3)]
    assert all(r.kept == 1 and r.updated == 0 for r in reports)
    assert reports[0].kept_lines[0].startswith("new: ") and "moved to" in reports[0].kept_lines[0]
    assert not any(line.startswith("new: ") for r in reports[1:] for line in r.kept_lines)  # once as new
    moved = pub.athlete(race_date=RACE_MOVED)
    pub.run(moved)
    assert str(_remote(fake, w.id)["WorkoutDay"])[:10] == chosen  # the athlete's day, whatever the plan does


def test_a_deleted_workout_is_not_created_again(pub: Publisher, fake: FakeTrainingPeaks) -> None:
    pub.run()
    w = _easy(pub)
    fake.remove(_remote(fake, w.id)["Id"])
    first, second = pub.run(), pub.run()
    assert (first.created, second.created) == (0, 0) and first.kept == second.kept == 1
    assert "deleted on trainingpeaks" in first.kept_lines[0]
    assert not [
        x for x in fake.planned(ATHLETE_ID) if (markers.parse(x["Description"]) or ("", ""))[1] == w.id
    ]


def test_a_coach_edit_survives_a_plan_change_as_a_conflict_and_reclaim_restores_the_plan(
    pub: Publisher,
    fake: FakeTrainingPeaks,
) -> None:
    pub.run()
    w = _easy(pub, week=5)
    remote = _remote(fake, w.id)
    marker = markers.MARKER.search(remote["Description"])
    assert marker is not None
    edited = f"Do this one on the track, 400 m laps.\n\n{marker.group(0)}"
    fake.edit(remote["Id"], edited)
    assert pub.run().kept_lines == [f"new: {w.date} {w.title}: edited on trainingpeaks: left as it is"]
    moved = pub.athlete(race_date=RACE_MOVED)
    report = pub.run(moved, force=True)
    assert _remote(fake, w.id)["Description"] == edited  # the coach's words stand
    assert any(
        "conflict: edited on trainingpeaks, and the plan changed it too" in x for x in report.kept_lines
    )
    reclaimed = pub.run(moved, reclaim=Everything())
    assert reclaimed.kept == 0 and _remote(fake, w.id)["Description"] != edited
    pub.check(moved)


def test_a_completed_or_past_workout_is_never_changed(pub: Publisher, fake: FakeTrainingPeaks) -> None:
    pub.run()
    w = _easy(pub)
    remote = _remote(fake, w.id)
    fake.complete(remote["Id"], 0.5, 5000.0)
    report = pub.run(pub.athlete(race_date=RACE_MOVED), force=True, reclaim=Everything())
    assert report.failed == 0  # the platform refuses to change a completed workout: never asked
    assert _remote(fake, w.id)["WorkoutDay"] == remote["WorkoutDay"]
    assert any("completed" in x for x in report.kept_lines)


def test_two_publishers_with_their_own_state_folders_leave_no_duplicates(
    fake: FakeTrainingPeaks,
    profile_path: Path,
    tmp_path: Path,
) -> None:
    for attempt in range(3):
        for w in fake.planned(ATHLETE_ID):
            fake.remove(w["Id"])
        laptop = Publisher(fake, profile_path, tmp_path / f"laptop-{attempt}")
        ci = Publisher(fake, profile_path, tmp_path / f"ci-{attempt}")
        for p in (laptop, ci):  # each signed in on its own (refresh tokens rotate)
            p.state.mkdir(parents=True)
            TokenStore(p.state / "trainingpeaks-token.json").save(
                {"refresh_token": fake.issue_refresh_token()}
            )
        runs = [threading.Thread(target=p.run) for p in (laptop, ci)]
        for t in runs:
            t.start()
        for t in runs:
            t.join()
        uids = [(markers.parse(w["Description"]) or ("", ""))[1] for w in fake.planned(ATHLETE_ID)]
        assert len(uids) == len(set(uids)) > 0, attempt
        laptop.check()
        assert laptop.run().created == ci.run().created == 0  # and each one's ledger agrees


def test_the_coach_sees_kept_changes_and_conflicts_and_reclaims(
    ws: Path, cli: Cli, fake: FakeTrainingPeaks, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As a coach would: publish --all, the athlete moves a run and the coach edits another on
    TrainingPeaks, the race moves; publish says what it kept, status asks for attention,
    --reclaim puts the plan's version back."""
    monkeypatch.setenv("PLANSYNC_TP_CLIENT_ID", fake.client_id)
    monkeypatch.setenv("PLANSYNC_TP_CLIENT_SECRET", fake.client_secret)
    config = ws / "plansync.toml"
    config.write_text(config.read_text().replace("rate_limit = 20", "rate_limit = 500"))
    jane = write_profile(ws, "jane", plan__requested_at="2027-01-08T09:00:00+00:00")
    code, out = cli(["publish", "--all"], ws)
    assert code == 0, out
    plan = compile_file(jane)
    easy = [w for w in plan.workouts if w.kind == "easy" and w.week >= 3]
    moved, edited = easy[0], easy[3]
    fake.move(_remote(fake, moved.id)["Id"], (moved.date + dt.timedelta(days=1)).isoformat())
    marker = markers.MARKER.search(_remote(fake, edited.id)["Description"])
    assert marker is not None
    fake.edit(_remote(fake, edited.id)["Id"], f"Track session instead.\n{marker.group(0)}")
    jane.write_text(jane.read_text().replace("2027-04-18", "2027-04-25"))  # the race moves a week
    code, out = cli(["publish", str(jane), "--to", "trainingpeaks", "--force"], ws)
    assert code == 0, out
    assert (
        f"kept: new: {moved.date + dt.timedelta(days=1)}" in out
        and "conflict: edited on trainingpeaks" in out
    )
    code, out = cli(["status"], ws)
    assert code == 1 and "CONFLICT" in out and edited.id in out
    assert "kept as changed there: 1 moved on trainingpeaks, 1 conflict on trainingpeaks" in out
    code, out = cli(["publish", str(jane), "--to", "trainingpeaks", "--reclaim", edited.id], ws)
    assert code == 0 and "Track session" not in _remote(fake, edited.id)["Description"]
    code, out = cli(["status", "--format", "json"], ws)
    assert code == 0 and json.loads(out)[0]["attention"] is None


def test_intervals_keeps_moved_edited_and_deleted_events(tmp_path: Path) -> None:
    from plansync.adapters.base import Athlete
    from plansync.adapters.intervals.adapter import IntervalsAdapter
    from plansync.adapters.intervals.client import transport
    from plansync.inputs.loader import load_profile
    from plansync.publishing import engine
    from plansync.state.ledger import Ledger

    from .fakes.intervals import FakeIntervals
    from .tp_helpers import NOW, TODAY, tp_profile

    server = FakeIntervals()
    server.add_key("k", "i9")
    server.start()
    try:
        path = tp_profile(tmp_path)
        path.write_text(path.read_text() + '  intervals: {athlete_id: "0"}\n')
        athlete = Athlete(load_profile(path), compile_file(path), TODAY)
        adapter = IntervalsAdapter(
            transport(server.url, httpx.BasicAuth("API_KEY", "k"), sleep=lambda s: None)
        )
        with Ledger(tmp_path / "st") as ledger:
            engine.publish(athlete, adapter, ledger, now=lambda: NOW)
            events = {(markers.parse(e.get("description")) or ("", ""))[1]: e for e in server.of("i9")}
            runs = [w for w in athlete.plan.workouts if w.kind == "easy" and w.week >= 3][:3]
            server.move(events[runs[0].id]["id"], (runs[0].date + dt.timedelta(days=2)).isoformat())
            found = markers.MARKER.search(events[runs[1].id]["description"])
            assert found is not None
            server.edit(events[runs[1].id]["id"], "Hills instead\n" + found.group(0))
            server.remove(events[runs[2].id]["id"])
            first, _ = engine.publish(athlete, adapter, ledger, now=lambda: NOW)
            again, _ = engine.publish(athlete, adapter, ledger, now=lambda: NOW)
        adapter.close()
        assert (first.kept, first.created, first.updated) == (3, 0, 0)
        assert again.kept == 3 and not any(x.startswith("new: ") for x in again.kept_lines)
        assert server.invalid == []
    finally:
        server.stop()


def test_two_publishing_processes_with_separate_state_folders_leave_no_duplicates(
    tmp_path: Path, profile_path: Path
) -> None:
    """The coach's laptop and a CI job, as two real processes publishing the same athlete at
    once, twice over: when both have finished there is exactly one of each workout."""
    from .test_publish_kill import publish_process
    from .tp_helpers import published, running_fake

    with running_fake() as server:
        for attempt in range(2):
            for w in server.planned(ATHLETE_ID):
                server.remove(w["Id"])
            procs = [
                publish_process(
                    server, profile_path, tmp_path / f"{who}-{attempt}", server.issue_refresh_token()
                )
                for who in ("laptop", "ci")
            ]
            outs = [p.communicate(timeout=120) for p in procs]
            assert all(p.returncode == 0 for p in procs), outs
            uids = [(markers.parse(w["Description"]) or ("", ""))[1] for w in server.planned(ATHLETE_ID)]
            assert len(uids) == len(set(uids)) == len(published(compile_file(profile_path))), attempt

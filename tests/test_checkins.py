"""The foot check-in: what the athlete's feet say changes the plan as the pain-monitoring
model says (Silbernagel et al. 2007), each change with its reason, through every command."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from plansync.core.checkins import SITES, Checkin, episodes
from plansync.core.compiler import compile_plan
from plansync.core.listening import listen
from plansync.core.vocab import RUN_KINDS
from plansync.inputs.loader import load_profile, load_template

from .conftest import ROOT, Cli, examples
from .fakes.trainingpeaks import FakeTrainingPeaks
from .test_coach import fake, write_profile, ws  # noqa: F401  (fixtures)
from .tp_helpers import ATHLETE_ID

JANE = ROOT / "examples" / "jane-doe.yaml"
PROFILE = load_profile(JANE)
PLAN = compile_plan(load_template(ROOT / "plan_templates" / "half-marathon-intermediate.yaml"), PROFILE)
START = PLAN.start_date
RUNS = RUN_KINDS


def _checkin(draw: st.DrawFn, pain: st.SearchStrategy[int]) -> Checkin:
    return Checkin(
        START + dt.timedelta(days=draw(st.integers(0, 7 * PLAN.weeks))),
        draw(pain),
        draw(st.sampled_from([None, *SITES])),
        draw(st.sampled_from([None, "morning", "during", "after"])),
        draw(st.sampled_from([(), (), (), ("numbness",), ("sharp", "swelling")])),
        cleared=draw(st.booleans()) and draw(st.booleans()),
    )


ANY_PAIN = st.integers(0, 10)


@st.composite
def histories(draw: st.DrawFn, pain: st.SearchStrategy[int] = ANY_PAIN) -> list[Checkin]:
    return [_checkin(draw, pain) for _ in range(draw(st.integers(0, 8)))]


@settings(max_examples=examples(60), deadline=None)
@given(histories())
def test_no_run_where_a_rule_forbids_one_and_none_after_a_red_flag_until_cleared(
    checkins: list[Checkin],
) -> None:
    after = listen(PLAN, checkins)
    assert [w.id for w in after.workouts] == [w.id for w in PLAN.workouts]  # ids kept
    for episode in episodes(checkins):
        if episode.kind in ("stop", "pause"):
            inside = [w for w in after.workouts if episode.covers(w.date)]
            assert not [w for w in inside if w.kind in RUNS], (
                episode,
                [w.id for w in inside if w.kind in RUNS],
            )
    for flag in [c for c in checkins if c.red_flags]:
        cleared = [c.date for c in checkins if c.cleared and c.date >= flag.date]
        until = min(cleared) if cleared else dt.date.max
        runs = [w for w in after.workouts if flag.date <= w.date < until and w.kind in RUNS]
        assert not runs, (flag, [w.id for w in runs])
    for new, old in zip(after.workouts, PLAN.workouts, strict=True):
        if new != old:
            assert new.notes and new.notes[0] and new.description.startswith(new.notes[0][:20])  # says why


@settings(max_examples=examples(30), deadline=None)
@given(histories(pain=st.integers(0, 2)))
def test_pain_0_to_2_without_red_flags_changes_nothing(checkins: list[Checkin]) -> None:
    calm = [Checkin(c.date, c.pain, c.where, c.when) for c in checkins]
    assert listen(PLAN, calm) == PLAN


def test_acceptable_pain_shortens_the_next_run_and_eases_the_next_hard_session() -> None:
    day = dt.date(2027, 2, 10)
    after = listen(PLAN, [Checkin(day, 4, "arch", "after")])
    changed = [(w, o) for w, o in zip(after.workouts, PLAN.workouts, strict=True) if w != o]
    runs = [(w, o) for w, o in changed if o.kind in RUNS]
    assert runs and runs[0][0].distance_m == round(runs[0][1].distance_m * 0.8)
    assert all(not w.hard for w, _ in runs)
    assert all("arch pain 4 on 10 Feb" in w.notes[0] for w, _ in changed)
    assert len([o for _, o in runs if o.hard]) <= 1 and len(runs) <= 2  # only the next ones


def test_not_settled_by_the_morning_or_the_same_site_twice_stops_running() -> None:
    day = dt.date(2027, 2, 10)
    settled = [Checkin(day, 4, "heel", "after"), Checkin(day + dt.timedelta(days=1), 1, "heel", "morning")]
    unsettled = [Checkin(day, 4, "heel", "after"), Checkin(day + dt.timedelta(days=1), 3, "heel", "morning")]
    twice = [Checkin(day, 4, "heel", "after"), Checkin(day + dt.timedelta(days=1), 4, "heel", "after")]
    assert [e.kind for e in episodes(settled)] == ["caution"]
    assert [e.kind for e in episodes(unsettled)] == ["caution", "stop"]
    assert [e.kind for e in episodes(twice)] == ["caution", "stop"]


def _cli(cli: Cli, tmp_path: Path, *args: str, today: str = "2027-02-10") -> tuple[int, str]:
    return cli(["checkin", str(JANE), "--state", "st", *args], tmp_path, today=today)


def _workouts(cli: Cli, tmp_path: Path, today: str = "2027-02-10") -> list[dict[str, Any]]:
    code, out = cli(["compile", str(JANE), "--state", "st", "--format", "json"], tmp_path, today=today)
    assert code == 0, out
    return list(json.loads(out)["workouts"])


def test_pain_2_changes_nothing_and_pain_6_at_the_heel_means_cross_training(tmp_path: Path, cli: Cli) -> None:
    before = _workouts(cli, tmp_path)
    code, out = _cli(cli, tmp_path, "--pain", "2", "--where", "heel")
    assert code == 0 and "0 workouts changed" in out and _workouts(cli, tmp_path) == before
    code, out = _cli(cli, tmp_path, "--pain", "6", "--where", "heel", "--when", "after", "--format", "json")
    assert code == 0, out
    changes = json.loads(out)["changes"]
    crossed = [c for c in changes if c["field"] == "kind" and c["after"] == "cross"]
    assert crossed and crossed[0]["date"] == "2027-02-11"
    assert all("Replaced by cross-training: heel pain 6 on 10 Feb" in c["reason"] for c in crossed)
    after = {w["id"]: w for w in _workouts(cli, tmp_path)}
    first = after[crossed[0]["id"]]
    assert first["kind"] == "cross" and first["distance_m"] == 0 and first["steps"][0]["type"] == "cross"
    code, out = _cli(cli, tmp_path, "--list", "--format", "json")
    assert [c["pain"] for c in json.loads(out)["checkins"]] == [2, 6]
    assert [e["kind"] for e in json.loads(out)["episodes"]] == ["stop"]
    # Two days later the heel is fine: a graded return, easy only.
    code, out = _cli(cli, tmp_path, "--pain", "1", "--where", "heel", "--when", "morning", today="2027-02-12")
    assert code == 0 and "graded return at 60%" in out
    back = [
        w for w in _workouts(cli, tmp_path, "2027-02-12") if "2027-02-13" <= str(w["date"]) <= "2027-02-19"
    ]
    assert [w for w in back if w["kind"] not in ("rest", "foot_strength")] and not any(
        w["hard"] for w in back
    )


def test_bad_check_ins_are_clear_messages(tmp_path: Path, cli: Cli) -> None:
    code, out = _cli(cli, tmp_path, "--pain", "11")
    assert code == 2 and "11" in out and "Traceback" not in out
    code, out = _cli(cli, tmp_path, "--pain", "3", "--date", "2027-02-20")
    assert code == 2 and "after today" in out
    code, out = _cli(cli, tmp_path, "--cleared")
    assert code == 2 and "no red flag to clear" in out
    code, out = _cli(cli, tmp_path, "--pain", "3", "--note", "a\x1b[31mred")
    assert code == 2 and "control character" in out
    bad = tmp_path / "bad.csv"
    bad.write_text("date,pain,where\n2027-02-09,3,elbow\n")
    code, out = _cli(cli, tmp_path, "--from", str(bad))
    assert code == 2 and "bad.csv:2" in out and "where" in out and "elbow" in out


def test_check_ins_from_a_csv_file_are_kept_once(tmp_path: Path, cli: Cli) -> None:
    log = tmp_path / "checkins.csv"
    log.write_text(
        "date,pain,where,when,red_flags,note\n2027-02-08,3,arch,after,,tight\n2027-02-09,1,arch,morning,,\n"
    )
    code, out = _cli(cli, tmp_path, "--from", str(log))
    assert code == 0, out
    code, out = _cli(cli, tmp_path, "--from", str(log), "--format", "json")
    assert json.loads(out)["added"] == 0 and len(json.loads(out)["checkins"]) == 2


def test_a_red_flag_pauses_running_status_says_so_and_cleared_starts_a_graded_return(
    ws: Path,  # noqa: F811
    fake: FakeTrainingPeaks,  # noqa: F811
    cli: Cli,
) -> None:
    config = ws / "plansync.toml"
    config.write_text(config.read_text().replace("rate_limit = 20", "rate_limit = 500"))
    jane = write_profile(ws, "jane", plan__requested_at="2027-01-08T09:00:00+00:00")
    code, out = cli(["publish", "--all"], ws)
    assert code == 0, out
    published = {w["Title"] for w in fake.planned(ATHLETE_ID)}
    code, out = cli(["checkin", str(jane), "--pain", "5", "--where", "heel", "--red-flag", "numbness"], ws)
    assert code == 0 and "NEEDS ATTENTION: red flag numbness (heel) on 10 Jan" in out
    code, out = cli(["status"], ws)
    assert code == 1 and "1 needs attention" in out and "NEEDS ATTENTION: red flag numbness" in out
    code, out = cli(["publish", "--all"], ws)  # picks up the check-in: only what changed
    assert code == 0 and "jane" in out, out
    planned = fake.planned(ATHLETE_ID)
    assert {w["Title"] for w in planned} != published
    assert all(w["WorkoutType"] != "run" or w["WorkoutDay"][:10] < "2027-01-10" for w in planned)
    assert any(w["Title"] == "Paused · no running" for w in planned)
    code, out = cli(["checkin", str(jane), "--cleared"], ws, today="2027-01-14")
    assert code == 0 and "graded return" in out
    code, out = cli(["status", "--format", "json"], ws, today="2027-01-14")
    assert {r["athlete"]: r["state"] for r in json.loads(out)} == {"jane": "changed"}


def test_status_remembers_a_red_flag_between_runs(ws: Path, cli: Cli) -> None:  # noqa: F811
    jane = write_profile(ws, "jane", plan__requested_at="2027-01-08T09:00:00+00:00")
    code, out = cli(["checkin", str(jane), "--pain", "7", "--red-flag", "sharp", "--where", "arch"], ws)
    assert code == 0, out
    for _ in range(2):  # the second run reuses what the first learnt
        code, out = cli(["status", "--format", "json"], ws)
        (row,) = json.loads(out)
        assert code == 1 and row["state"] == "overdue" and "red flag sharp (arch)" in row["attention"]

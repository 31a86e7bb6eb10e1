"""Real exports read as the platforms write them, a race in them proposing new paces, and
the return after days without running graded by the gap table."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from plansync.core.gaps import GAP_RULES, Gap, current_gap, gaps, lost_before_race, rule_for
from plansync.inputs.activities import read_activities

from .conftest import ROOT, Cli

DATA = Path(__file__).parent / "data" / "activities"
EXAMPLE = ROOT / "examples" / "adaptation"
PROFILE = str(EXAMPLE / "alex-moreno.yaml")
TODAY = "2027-03-10"


def test_a_strava_bulk_export_is_read_with_local_days_and_its_race_flag() -> None:
    found = read_activities(DATA / "strava-activities.csv", "km", "Australia/Sydney")
    run, ride, race = sorted(found, key=lambda a: str(a.source_id))
    # 19:05 UTC on 1 March is 06:05 on 2 March in Sydney.
    assert (run.date, run.kind, run.distance_m, run.duration_s) == (
        dt.date(2027, 3, 2),
        "run",
        8210.0,
        2900.0,
    )
    assert (ride.kind, ride.distance_m, ride.race) == ("cross", 0.0, False)
    assert (race.date, race.distance_m, race.race, race.source_id) == (
        dt.date(2027, 3, 7),
        10020.0,
        True,
        "12800000003",
    )


def test_a_garmin_connect_export_reads_moving_time_dashes_and_thousands() -> None:
    run, treadmill, swim = sorted(read_activities(DATA / "garmin-Activities.csv", "km"), key=lambda a: a.date)
    assert (run.date, run.distance_m, run.duration_s, run.avg_hr) == (
        dt.date(2027, 3, 2),
        8210.0,
        2900.0,
        142.0,
    )
    assert (treadmill.kind, treadmill.distance_m, treadmill.duration_s) == ("run", 5000.0, 1800.0)
    assert (swim.kind, swim.distance_m, swim.avg_hr, swim.race) == ("cross", 0.0, None, False)


def test_an_intervals_icu_export_reads_metres_seconds_and_races() -> None:
    found = read_activities(DATA / "intervals-activities.csv", "mi")
    run, ride, race = sorted(found, key=lambda a: str(a.source_id))
    assert (run.distance_m, run.duration_s, run.rpe, run.source_id) == (8210.0, 2900.0, 3.0, "i1001")
    assert (ride.kind, race.race, run.race) == ("cross", True, False)


def test_a_bad_race_flag_names_its_line_and_column(tmp_path: Path) -> None:
    from plansync.errors import ActivitiesError

    bad = tmp_path / "a.csv"
    bad.write_text("date,type,distance,duration,rpe,avg_hr,race\n2027-03-01,run,5,25:00,,,maybe\n")
    with pytest.raises(ActivitiesError, match="race"):
        read_activities(bad, "km")


def _adapt(cli: Cli, tmp_path: Path, rows: str, *extra: str) -> tuple[int, str]:
    source = tmp_path / "export.csv"
    header, *body = (EXAMPLE / "activities.csv").read_text().splitlines(keepends=True)
    source.write_text(header.rstrip("\n") + ",race\n" + "".join(body) + rows)
    return cli(["adapt", PROFILE, "--from", str(source), "--state", "st", *extra], tmp_path, today=TODAY)


RACE = "2027-03-07,run,10,45:00,9,,yes\n"  # 45:00 for 10 km against the profile's 48:30


def _threshold(cli: Cli, tmp_path: Path) -> set[str]:
    code, out = cli(["compile", PROFILE, "--state", "st", "--format", "json"], tmp_path, today=TODAY)
    assert code == 0, out
    return {
        str(s["target"]["text"])
        for w in json.loads(out)["workouts"]
        if w["date"] >= TODAY
        for s in w.get("steps", [])
        if isinstance(s.get("target"), dict) and s["target"].get("zone") in ("easy", "half_marathon")
    }


def test_a_faster_race_proposes_paces_and_applies_them_only_when_the_coach_accepts(
    tmp_path: Path, cli: Cli
) -> None:
    code, out = _adapt(cli, tmp_path, RACE, "--dry-run")
    assert code == 0, out
    assert (
        "new paces: the race on 2027-03-07 (10 km in 45:00)" in out
        and "apply them with --accept-paces" in out
    )
    assert "threshold" in out and "→" in out
    before = _threshold(cli, tmp_path)
    code, out = _adapt(cli, tmp_path, RACE, "--format", "json")  # kept, but not the paces
    proposal = json.loads(out)["paces"]
    assert code == 0 and proposal["applied"] is False and proposal["vdot_after"] > proposal["vdot_before"]
    assert _threshold(cli, tmp_path) == before
    code, out = _adapt(cli, tmp_path, RACE, "--accept-paces")
    assert code == 0 and "applied and kept with the plan" in out and "new paces accepted" in out
    after = _threshold(cli, tmp_path)
    assert after and after != before  # every later compile uses the accepted race
    code, out = cli(["adapt", PROFILE, "--reset", "--state", "st"], tmp_path, today=TODAY)
    assert code == 0 and _threshold(cli, tmp_path) == before


def test_gaps_are_run_free_stretches_of_a_week_or_more() -> None:
    start = dt.date(2027, 1, 4)
    runs = [dt.date(2027, 1, 5), dt.date(2027, 1, 7), dt.date(2027, 1, 20)]
    found = gaps(runs, start, dt.date(2027, 2, 1))
    assert found == [
        Gap(dt.date(2027, 1, 8), dt.date(2027, 1, 19)),
        Gap(dt.date(2027, 1, 21), dt.date(2027, 1, 31)),
    ]
    assert [g.days for g in found] == [12, 11]
    assert current_gap(runs, start, dt.date(2027, 2, 1)) == 11
    assert current_gap(runs, start, dt.date(2027, 1, 25)) == 0  # four days off is not a gap
    assert lost_before_race(found, dt.date(2027, 3, 20)) == 9  # the 8-week window starts on 23 Jan
    assert [rule_for(d).share for d in (3, 7, 13, 14, 28, 29, 90)] == [None, 0.75, 0.75, 0.5, 0.5, 0.5, 0.5]
    assert all(rule.source for rule in GAP_RULES)


def test_three_weeks_off_two_weeks_before_the_race_is_not_race_ready(tmp_path: Path, cli: Cli) -> None:
    source = tmp_path / "export.csv"
    header, *rows = (EXAMPLE / "activities.csv").read_text().splitlines()
    source.write_text("\n".join([header, *(r for r in rows if r < "2027-03-14")]) + "\n")
    code, out = cli(
        ["adapt", PROFILE, "--from", str(source), "--dry-run", "--state", "st", "--format", "json"],
        tmp_path,
        today="2027-04-05",
    )
    assert code == 0, out
    data = json.loads(out)
    codes = [w["code"] for w in data["warnings"]]
    assert "not-race-ready" in codes
    ready = next(w for w in data["warnings"] if w["code"] == "not-race-ready")
    assert "days without running" in ready["message"] and ready["data"]["lost_days"] >= 10
    first_back = [w for w in data["workouts"] if "2027-04-05" <= w["date"] <= "2027-04-11"]
    assert first_back and not any(
        w["kind"] in ("tempo", "intervals", "hills", "threshold") for w in first_back
    )
    reasons = {c["reason"] for c in data["changes"] if c["date"] <= "2027-04-11"}
    assert any("days without running: the first week back at most 50%" in r for r in reasons), reasons

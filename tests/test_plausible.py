"""Careless activity data is checked before it is believed: a ride logged as a run, a GPS
glitch, the same export twice, an empty file. Each is named; none changes the plan."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from plansync.core.actuals import Activity
from plansync.core.plausible import BOUNDS, implausible, screen

from .conftest import ROOT, Cli

EXAMPLE = ROOT / "examples" / "adaptation"
PROFILE = str(EXAMPLE / "alex-moreno.yaml")
TODAY = "2027-03-10"
RIDE = "2027-03-07,run,80,2:30:00,4,\n"  # 32 km/h: a ride logged as a run
GLITCH = "2027-03-08,run,499,0:10:00,,\n"  # 499 km in ten minutes


def _adapt(cli: Cli, tmp_path: Path, csv_text: str, *extra: str) -> tuple[int, str]:
    source = tmp_path / "export.csv"
    source.write_text(csv_text)
    args = ["adapt", PROFILE, "--from", str(source), "--dry-run", "--state", "st", *extra]
    return cli(args, tmp_path, today=TODAY)


def _workouts(out: str) -> list[dict[str, object]]:
    return list(json.loads(out)["workouts"])


def test_a_ride_logged_as_a_run_and_a_gps_glitch_are_left_out_and_named(tmp_path: Path, cli: Cli) -> None:
    clean = (EXAMPLE / "activities.csv").read_text()
    code, plain = _adapt(cli, tmp_path, clean, "--format", "json")
    assert code == 0, plain
    careless = clean + RIDE + GLITCH
    code, out = _adapt(cli, tmp_path, careless, "--format", "json")
    assert code == 0 and _workouts(out) == _workouts(plain)
    left_out = json.loads(out)["left_out"]
    lines = len(careless.splitlines())
    assert [note.split(": ", 1)[0] for note in left_out] == [
        f"{tmp_path / 'export.csv'}:{lines - 1}",
        f"{tmp_path / 'export.csv'}:{lines}",
    ]
    assert "not a run on foot" in left_out[0] and "longer than 100 km" in left_out[1]
    code, table = _adapt(cli, tmp_path, careless)
    assert code == 0 and f"left out: {tmp_path / 'export.csv'}:{lines - 1}: 80.0 km in 2:30:00" in table


def test_the_same_export_twice_gives_the_same_plan_as_once(tmp_path: Path, cli: Cli) -> None:
    clean = (EXAMPLE / "activities.csv").read_text()
    rows = clean.splitlines(keepends=True)[1:]
    code, once = _adapt(cli, tmp_path, clean, "--format", "json")
    code_twice, twice = _adapt(cli, tmp_path, clean + "".join(rows), "--format", "json")
    assert code == code_twice == 0 and _workouts(twice) == _workouts(once)
    assert len(json.loads(twice)["left_out"]) == len([r for r in rows if r.strip()])
    assert all("counted once" in note for note in json.loads(twice)["left_out"])


def test_a_header_only_file_or_a_run_without_its_distance_exits_2(tmp_path: Path, cli: Cli) -> None:
    code, out = _adapt(cli, tmp_path, "date,type,distance,duration\n")
    assert code == 2 and "no activities after the header" in out and "Traceback" not in out
    code, out = _adapt(cli, tmp_path, "date,type,distance,duration\n2027-03-01,run,,\n")
    assert code == 2 and ":2: distance: a run needs its distance" in out


def test_a_window_without_any_activity_is_asked_about_before_it_counts_as_missed(
    tmp_path: Path, cli: Cli
) -> None:
    before_the_plan = "date,type,distance,duration\n2026-01-05,run,5,0:30:00\n"
    code, out = _adapt(cli, tmp_path, before_the_plan)
    assert code == 2 and "is the export complete?" in out and "--assume-missed" in out
    code, out = _adapt(cli, tmp_path, before_the_plan, "--assume-missed", "--format", "json")
    assert code == 0 and json.loads(out)["changes"]


def test_a_strava_export_with_repeated_columns_reads_the_first_distance(tmp_path: Path, cli: Cli) -> None:
    """Strava repeats Distance (km, then metres) and Elapsed Time: the first of each is read."""
    from plansync.inputs.activities import read_activities

    export = tmp_path / "activities.csv"
    export.write_text(
        "Activity ID,Activity Date,Activity Name,Activity Type,Elapsed Time,Distance,Moving Time,"
        "Elapsed Time,Distance\n"
        '11,"Feb 1, 2027, 7:12:03 AM",Morning Run,Run,2950,8.21,2900,2950.0,8210.0\n'
    )
    (run,) = read_activities(export, "km")
    assert (run.distance_m, run.duration_s, run.source_id) == (8210.0, 2900.0, "11")


@given(
    st.floats(1000, 60000),
    st.floats(60, 6 * 3600),
    st.sampled_from(["run", "cross"]),
)
def test_screening_keeps_exactly_what_is_plausible_and_counts_each_once(
    metres: float, seconds: float, kind: str
) -> None:
    day = dt.date(2027, 2, 1)
    activity = Activity(day, "run" if kind == "run" else "cross", metres if kind == "run" else 0.0, seconds)
    screened = screen([activity, activity])
    pace = seconds / (metres / 1000)
    fast = BOUNDS["run"].fastest_s_per_km
    assert fast is not None
    plausible = kind != "run" or pace >= fast
    assert (implausible(activity) is None) == plausible
    assert len(screened.kept) == (1 if plausible else 0)
    assert len(screened.left_out) == (1 if plausible else 2)  # a duplicate, or both implausible


def test_a_strava_time_in_utc_lands_on_the_athletes_own_day(tmp_path: Path) -> None:
    """06:15 in Sydney on 4 Nov is 19:15 UTC on 3 Nov, as Strava writes it."""
    from plansync.inputs.activities import read_activities

    export = tmp_path / "activities.csv"
    export.write_text(
        "Activity ID,Activity Date,Activity Name,Activity Type,Elapsed Time,Distance,Moving Time\n"
        '7,"Nov 3, 2026, 7:15:00 PM",Morning Run,Run,1900,5.0,1850\n'
    )
    (sydney,) = read_activities(export, "km", "Australia/Sydney")
    (london,) = read_activities(export, "km", "Europe/London")
    assert (sydney.date, london.date) == (dt.date(2026, 11, 4), dt.date(2026, 11, 3))


def test_a_huge_field_a_device_or_a_fifo_is_a_message_not_a_hang(tmp_path: Path, cli: Cli) -> None:
    import os

    big = tmp_path / "big.csv"
    big.write_text("date,type,distance,duration\n2027-03-01,run,5," + "x" * 200_000 + "\n")
    fifo = tmp_path / "fifo.csv"
    os.mkfifo(fifo)
    for source, expected in (
        (big, f"{big}:2: not a CSV file plansync can read"),
        (Path("/dev/zero"), "/dev/zero:1: not a regular file"),
        (fifo, f"{fifo}:1: not a regular file"),
    ):
        code, out = cli(["compliance", PROFILE, "--from", str(source)], tmp_path, today=TODAY)
        assert code == 2 and expected in out and "Traceback" not in out

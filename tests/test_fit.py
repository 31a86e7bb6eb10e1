"""FIT workout files, decoded by an independent decoder (Garmin's FIT SDK) and
compared with the plan step by step."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, cast

import pytest
from garmin_fit_sdk import Decoder, Stream

from plansync.core.plan import Plan, Step, Workout
from plansync.core.quantities import METRES_PER_UNIT
from plansync.inputs.compiling import compile_file
from plansync.watch.export import chosen, export_fit
from plansync.watch.fit import HR_OFFSET, file_name, serial_number, workout_bytes

from .conftest import ROOT, Cli, matches_golden

EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
GOLDEN = Path(__file__).parent / "golden" / "fit"


def decode(data: bytes) -> dict[str, list[dict[str, Any]]]:
    """Garmin's decoder: the file must be FIT, its CRC right, and nothing left unread."""
    assert Decoder(Stream.from_byte_array(bytearray(data))).is_fit()
    assert Decoder(Stream.from_byte_array(bytearray(data))).check_integrity()
    messages, errors = Decoder(Stream.from_byte_array(bytearray(data))).read(
        convert_datetimes_to_dates=False, merge_heart_rates=False
    )
    assert errors == []
    return cast(dict[str, list[dict[str, Any]]], messages)


def _flat(steps: tuple[Step, ...]) -> list[tuple[Step, int | None]]:
    """The plan's steps as the file lays them out: a repeat after its inner steps."""
    out: list[tuple[Step, int | None]] = []
    for step in steps:
        if step.type == "repeat":
            first = len(out)
            out.extend((inner, None) for inner in step.steps)
            out.append((step, first))
        else:
            out.append((step, None))
    return out


def check_against_plan(plan: Plan, workout: Workout, messages: dict[str, list[dict[str, Any]]]) -> None:
    (file_id,) = messages["file_id_mesgs"]
    assert file_id["type"] == "workout" and file_id["manufacturer"] == "development"
    assert file_id["serial_number"] == serial_number(plan.athlete)
    (head,) = messages["workout_mesgs"]
    steps = messages["workout_step_mesgs"]
    assert head["num_valid_steps"] == len(steps)
    if workout.kind == "foot_strength":
        assert head["sport"] == "training" and len(steps) == workout.description.count("\n- ") + 1
        assert all(s["duration_type"] == "open" and s.get("notes") for s in steps)
        return
    assert head["sport"] == ("generic" if workout.kind == "cross" else "running")
    flat = _flat(workout.steps)
    assert len(steps) == len(flat), workout.id
    for got, (step, first) in zip(steps, flat, strict=True):
        if step.type == "repeat":
            assert got["duration_type"] == "repeat_until_steps_cmplt"
            assert got["duration_step"] == first and got["repeat_steps"] == step.count
            continue
        assert got["intensity"] == {"warmup": "warmup", "cooldown": "cooldown", "recover": "recovery"}.get(
            step.type, "active"
        )
        if step.by == "distance" and step.distance_m:
            assert got["duration_type"] == "distance"
            assert abs(got["duration_distance"] - step.distance_m) <= 0.01
        else:
            assert got["duration_type"] == "time"
            assert abs(got["duration_time"] - (step.duration_s or 0)) <= 0.001
        target = step.target
        assert target is not None
        if target.system == "pace":
            unit = METRES_PER_UNIT[plan.units]
            assert got["target_type"] == "speed" and got["target_value"] == 0
            assert abs(got["custom_target_speed_low"] - unit / target.high) <= 0.001
            assert abs(got["custom_target_speed_high"] - unit / target.low) <= 0.001
        elif target.system == "heart_rate":
            assert got["target_type"] == "heart_rate" and got["target_value"] == 0
            assert got["custom_target_heart_rate_low"] == target.low + HR_OFFSET
            assert got["custom_target_heart_rate_high"] == target.high + HR_OFFSET
        else:
            assert got["target_type"] == "open" and got["notes"].startswith(f"RPE {target.low}–{target.high}")


@pytest.mark.parametrize("profile", EXAMPLES, ids=lambda p: p.stem)
def test_every_file_of_every_example_decodes_to_its_plan(profile: Path, tmp_path: Path) -> None:
    plan = compile_file(profile)
    workouts = chosen(plan)
    assert workouts and not any(w.kind == "rest" for w in workouts)
    result = export_fit(plan, tmp_path, workouts, prune=True)
    assert len(result.written) == len(workouts)
    for w in workouts:
        check_against_plan(plan, w, decode((tmp_path / file_name(w)).read_bytes()))


def test_the_same_plan_gives_the_same_bytes_and_an_unchanged_export_writes_nothing(tmp_path: Path) -> None:
    plan = compile_file(EXAMPLES[0])
    workouts = chosen(plan)
    first = export_fit(plan, tmp_path / "a", workouts, prune=True)
    stamps = {p: p.stat().st_mtime_ns for p in first.written}
    again = export_fit(compile_file(EXAMPLES[0]), tmp_path / "a", workouts, prune=True)
    assert again.written == [] and len(again.unchanged) == len(workouts) and again.removed == []
    assert {p: p.stat().st_mtime_ns for p in first.written} == stamps
    export_fit(plan, tmp_path / "b", workouts, prune=True)
    for path in first.written:
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes()


def test_a_whole_export_removes_its_own_stale_files_and_nothing_else(tmp_path: Path) -> None:
    plan = compile_file(EXAMPLES[0])
    (tmp_path / "2020-01-01-e1.fit").write_bytes(b"old")
    (tmp_path / "my-own-workout.fit").write_bytes(b"mine")
    result = export_fit(plan, tmp_path, chosen(plan), prune=True)
    assert [p.name for p in result.removed] == ["2020-01-01-e1.fit"]
    assert (tmp_path / "my-own-workout.fit").read_bytes() == b"mine"


def test_export_fit_for_one_week(cli: Cli, tmp_path: Path) -> None:
    code, out = cli(
        ["export", "fit", str(ROOT / "examples" / "jane-doe.yaml"), "-o", "week", "--week", "5"], tmp_path
    )
    assert code == 0 and "written" in out
    plan = compile_file(ROOT / "examples" / "jane-doe.yaml")
    assert sorted(p.name for p in (tmp_path / "week").iterdir()) == sorted(
        file_name(w) for w in chosen(plan, 5)
    )
    code, out = cli(
        ["export", "fit", str(ROOT / "examples" / "jane-doe.yaml"), "-o", "week", "--week", "40"], tmp_path
    )
    assert code == 2 and "week 40 is not in the plan" in out


GOLDEN_CASES = {"pace": "jane-doe", "heart_rate": "ana-ruiz", "rpe": "sam-lee"}


@pytest.mark.parametrize("system", sorted(GOLDEN_CASES))
def test_golden_fit_files_for_each_intensity_system(system: str) -> None:
    """Week 6 of an athlete per system, as the decoder reads it. Regenerate with
    PLANSYNC_UPDATE_GOLDEN=1 after reviewing the change."""
    plan = compile_file(ROOT / "examples" / f"{GOLDEN_CASES[system]}.yaml")
    assert plan.system == system
    decoded = {
        file_name(w): decode(workout_bytes(plan, w)) for w in chosen(plan, 6) if w.kind != "foot_strength"
    }
    matches_golden(GOLDEN / f"{system}.json", decoded)


def test_golden_folder_is_complete() -> None:
    assert sorted(p.stem for p in GOLDEN.glob("*.json")) == sorted(GOLDEN_CASES)


def test_feed_build_fit_writes_the_next_two_weeks_beside_each_calendar(cli: Cli, tmp_path: Path) -> None:
    from plansync.calendars.server import FeedApp

    athletes = tmp_path / "athletes"
    athletes.mkdir()
    (athletes / "jane-doe.yaml").write_text((ROOT / "examples" / "jane-doe.yaml").read_text())
    args = [
        "feed",
        "build",
        "athletes",
        "--out",
        "out",
        "--fit",
        "--state",
        "st",
        "--base-url",
        "https://f.example",
    ]
    code, out = cli(args, tmp_path, today="2027-02-03")
    assert code == 0, out
    (folder,) = [p for p in (tmp_path / "out").iterdir() if p.is_dir()]
    assert (tmp_path / "out" / f"{folder.name}.ics").is_file()  # beside the calendar, named like it
    plan = compile_file(athletes / "jane-doe.yaml")
    window = [w for w in chosen(plan) if dt.date(2027, 2, 3) <= w.date < dt.date(2027, 2, 17)]
    assert sorted(p.name for p in folder.glob("*.fit")) == sorted(file_name(w) for w in window)
    for w in window:
        check_against_plan(plan, w, decode((folder / file_name(w)).read_bytes()))
    page = (folder / "index.html").read_text()
    assert all(file_name(w) in page for w in window)

    # Served with the FIT type, the page at the folder's own URL.
    app = FeedApp(tmp_path / "out")
    seen: list[tuple[str, list[tuple[str, str]]]] = []
    some = file_name(window[0])
    body = b"".join(
        app(
            {"REQUEST_METHOD": "GET", "PATH_INFO": f"/{folder.name}/{some}"}, lambda s, h: seen.append((s, h))
        )
    )
    assert seen[0][0] == "200 OK" and ("Content-Type", "application/vnd.ant.fit") in seen[0][1]
    assert body == (folder / some).read_bytes()
    assert (
        b"".join(app({"REQUEST_METHOD": "GET", "PATH_INFO": f"/{folder.name}/"}, lambda s, h: None))
        == page.encode()
    )

    # A day later the window moves: yesterday's file goes, nothing else is touched.
    (folder / "notes.txt").write_text("mine")
    code, out = cli(args, tmp_path, today="2027-02-04")
    assert code == 0, out
    assert not (folder / f"2027-02-03-{window[0].slot}.fit").exists() or window[0].date != dt.date(2027, 2, 3)
    assert all(p.name >= "2027-02-04" for p in folder.glob("*.fit")) and (folder / "notes.txt").exists()

    # The athlete leaves: the folder's files go with the feed.
    (athletes / "jane-doe.yaml").unlink()
    code, out = cli(args, tmp_path, today="2027-02-04")
    assert code == 0 and not list(folder.glob("*.fit")) and not (folder / "index.html").exists()

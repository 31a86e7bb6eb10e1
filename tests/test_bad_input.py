"""Bad input: one clear message naming file, line and key; exit 2; no traceback; nothing written."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .conftest import EXAMPLE, Cli, run_cli

Writer = Callable[[dict[str, Any], str], Path]


def compile_error(path: Path, tmp_path: Path, today: str = "2027-01-10") -> str:
    out = tmp_path / "plan.json"
    code, text = run_cli(["compile", str(path), "--format", "json", "-o", str(out)], today=today)
    assert code == 2, text
    assert "Traceback" not in text
    assert not out.exists(), "nothing is written on bad input"
    assert text.startswith(f"error: {path}:")
    return text


def test_malformed_yaml_points_at_the_line(tmp_path: Path) -> None:
    path = tmp_path / "athlete.yaml"
    path.write_text("id: jane\nname: [Jane\nunits: km\n", encoding="utf-8")
    text = compile_error(path, tmp_path)
    assert "invalid YAML" in text
    assert f"{path}:3:" in text or f"{path}:2:" in text


def test_misspelt_key_suggests_the_right_one(
    profile_data: dict[str, Any], write_yaml: Writer, tmp_path: Path
) -> None:
    profile_data["fitness"]["weekly_distnce"] = profile_data["fitness"].pop("weekly_distance")
    path = write_yaml(profile_data, "athlete.yaml")
    text = compile_error(path, tmp_path)
    assert "fitness.weekly_distnce: unknown key 'weekly_distnce'; did you mean 'weekly_distance'?" in text
    line = path.read_text().splitlines().index("  weekly_distnce: 30") + 1
    assert f"{path}:{line}:" in text


def test_wrong_type_says_what_was_expected(
    profile_data: dict[str, Any], write_yaml: Writer, tmp_path: Path
) -> None:
    profile_data["fitness"]["long_run"] = "far"
    text = compile_error(write_yaml(profile_data, "athlete.yaml"), tmp_path)
    assert "fitness.long_run: expected a valid number" in text
    assert "(got 'far')" in text


def test_impossible_date(profile_data: dict[str, Any], write_yaml: Writer, tmp_path: Path) -> None:
    profile_data["plan"]["race_date"] = "2027-02-30"
    text = compile_error(write_yaml(profile_data, "athlete.yaml"), tmp_path)
    assert "plan.race_date:" in text and "day value is outside expected range" in text


def test_unknown_template_names_the_profile_line(
    profile_data: dict[str, Any], write_yaml: Writer, tmp_path: Path
) -> None:
    profile_data["plan"]["template"] = "half-marathon-intermedaite"
    path = write_yaml(profile_data, "athlete.yaml")
    text = compile_error(path, tmp_path)
    assert "plan.template: unknown template 'half-marathon-intermedaite'" in text
    assert "did you mean 'half-marathon-intermediate'" in text


def test_no_available_days(profile_data: dict[str, Any], write_yaml: Writer, tmp_path: Path) -> None:
    profile_data["availability"]["days"] = []
    text = compile_error(write_yaml(profile_data, "athlete.yaml"), tmp_path)
    assert "availability.days:" in text and "at least 1 item" in text


def test_too_few_days_for_the_template(
    profile_data: dict[str, Any], write_yaml: Writer, tmp_path: Path
) -> None:
    profile_data["availability"] = {"days": ["tue", "sun"], "long_run_day": "sun"}
    text = compile_error(write_yaml(profile_data, "athlete.yaml"), tmp_path)
    assert "availability.days: template half-marathon-intermediate needs at least 4 training days" in text


def test_race_date_in_the_past(profile_data: dict[str, Any], write_yaml: Writer, tmp_path: Path) -> None:
    text = compile_error(write_yaml(profile_data, "athlete.yaml"), tmp_path, today="2027-05-01")
    assert "plan.race_date: race date 2027-04-18 is not in the future (today is 2027-05-01)" in text


def test_race_date_too_close(profile_data: dict[str, Any], write_yaml: Writer, tmp_path: Path) -> None:
    text = compile_error(write_yaml(profile_data, "athlete.yaml"), tmp_path, today="2027-03-01")
    assert "leaves 7 full weeks" in text and "needs at least 12" in text


def test_joining_late_shortens_the_plan_with_a_warning(
    profile_data: dict[str, Any], write_yaml: Writer, cli: Cli
) -> None:
    profile_data["plan"]["weeks"] = 16
    code, text = cli(["compile", str(write_yaml(profile_data, "athlete.yaml"))], today="2027-01-10")
    assert code == 0
    assert "Joined late: the plan is shortened from 16 to 14 weeks" in text


@pytest.mark.parametrize(
    ("intensity", "key"),
    [
        ({"system": "heart_rate"}, "intensity.threshold_hr"),
        ({"system": "heart_rate", "max_hr": 190}, "intensity.resting_hr"),
        ({"system": "pace"}, "intensity.threshold_pace"),
    ],
)
def test_missing_intensity_input_names_the_key(
    intensity: dict[str, Any], key: str, profile_data: dict[str, Any], write_yaml: Writer, tmp_path: Path
) -> None:
    profile_data["fitness"].pop("recent_race")
    profile_data["intensity"] = intensity
    text = compile_error(write_yaml(profile_data, "athlete.yaml"), tmp_path)
    assert f"{key}:" in text


def test_weeks_outside_the_template_range(
    profile_data: dict[str, Any], write_yaml: Writer, tmp_path: Path
) -> None:
    profile_data["plan"]["weeks"] = 20
    text = compile_error(write_yaml(profile_data, "athlete.yaml"), tmp_path)
    assert (
        "plan.weeks: 20 weeks is outside template half-marathon-intermediate's range of 12–16 weeks" in text
    )


def test_general_template_refuses_a_race_date(
    profile_data: dict[str, Any], write_yaml: Writer, tmp_path: Path
) -> None:
    profile_data["plan"] = {"template": "general-base-building", "race_date": "2027-04-18"}
    text = compile_error(write_yaml(profile_data, "athlete.yaml"), tmp_path)
    assert "give plan.start_date instead" in text


def test_athlete_below_the_template_entry_level(
    profile_data: dict[str, Any], write_yaml: Writer, tmp_path: Path
) -> None:
    profile_data["fitness"] = {"weekly_distance": 8, "long_run": 4}
    profile_data["intensity"] = {"system": "rpe"}
    text = compile_error(write_yaml(profile_data, "athlete.yaml"), tmp_path)
    assert "fitness.weekly_distance: template half-marathon-intermediate starts from at least 20 km" in text


def test_every_problem_in_a_file_is_reported(
    profile_data: dict[str, Any], write_yaml: Writer, tmp_path: Path
) -> None:
    profile_data["units"] = "furlongs"
    profile_data["timezone"] = "Mars/Olympus"
    text = compile_error(write_yaml(profile_data, "athlete.yaml"), tmp_path)
    assert "units:" in text and "timezone:" in text


def test_yaml_one_point_one_surprises_are_avoided(
    profile_data: dict[str, Any], write_yaml: Writer, tmp_path: Path, cli: Cli
) -> None:
    path = write_yaml(profile_data, "athlete.yaml")
    # An unquoted pace is a string, not the sexagesimal number 290 of YAML 1.1.
    path.write_text(path.read_text().replace("time: '48:30'", "time: 48:30"), encoding="utf-8")
    code, _ = cli(["compile", str(path)])
    assert code == 0


def test_duplicate_keys_are_an_error(
    profile_data: dict[str, Any], write_yaml: Writer, tmp_path: Path
) -> None:
    path = write_yaml(profile_data, "athlete.yaml")
    path.write_text(path.read_text() + "units: mi\n", encoding="utf-8")
    text = compile_error(path, tmp_path)
    assert "units: duplicate key (first on line 4)" in text


def test_missing_file(tmp_path: Path, cli: Cli) -> None:
    code, text = cli(["compile", str(tmp_path / "nobody.yaml")])
    assert code == 2 and "no such file" in text


def test_the_real_command_exits_2_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: [\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "plansync", "compile", str(bad)], capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr and str(bad) in proc.stderr


def test_a_template_with_a_repeat_inside_a_repeat_is_refused_at_its_line(tmp_path: Path, cli: Cli) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    broken = Path(__file__).parent / "broken_templates" / "nested-repeat.yaml"
    (folder / "nested-repeat.yaml").write_bytes(broken.read_bytes())
    profile = tmp_path / "athlete.yaml"
    profile.write_text(EXAMPLE.read_text().replace("half-marathon-intermediate", "nested-repeat"))
    code, out = cli(["compile", str(profile), "--templates", str(folder)], tmp_path)
    assert code == 2 and "Traceback" not in out
    assert f"{folder / 'nested-repeat.yaml'}:73:9:" in out and "one level of repetition" in out


HOSTILE_PROFILES = {
    "weeks-with-a-leading-zero": ("  weeks: 12", "  weeks: 012", None),
    "a-5000-digit-number": ("weekly_distance: 30", "weekly_distance: " + "9" * 5000, "too large"),
    "the-year-9999": ("race_date: 2027-04-18", "race_date: 9999-12-31", "between 2000 and 2100"),
    "a-race-too-far-away": ("race_date: 2027-04-18", "race_date: 2035-04-18", "more than 3 years away"),
    "an-absurd-pace": ('threshold_pace: "4:50"', 'threshold_pace: "99999999999999999999:00:00"', "m:ss"),
    "a-one-second-pace": ('threshold_pace: "4:50"', 'threshold_pace: "0:01"', "2:30 and 15:00 per km"),
    "a-template-path": ("template: half-marathon-intermediate", "template: ../../etc/passwd", "not paths"),
    "an-absolute-template": ("template: half-marathon-intermediate", "template: /etc/x", "not paths"),
    "escape-in-a-name": ("name: Jane Doe", "name: Jane\x1b[31m", "U+001B"),
    "a-tab-in-a-name": ("name: Jane Doe", 'name: "Jane\\tDoe"', "control characters"),
    "infinite-shoe": ("distance: 220", "distance: .inf", "finite"),
    "a-ten-thousand-character-id": ("id: jane-doe", "id: " + "j" * 10_000, "at most 64"),
    "an-alias-bomb": (
        "id: jane-doe",
        "x: &a [1]\ny: *a\nid: jane-doe",
        "anchors and aliases are not allowed",
    ),
    "a-self-alias": ("id: jane-doe", "x: &a [*a]\nid: jane-doe", "anchors and aliases are not allowed"),
    "weekly-distance-of-a-car": ("weekly_distance: 30", "weekly_distance: 400", "at most 300 km"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_PROFILES))
def test_hostile_profiles_get_one_located_message_and_nothing_written(tmp_path: Path, case: str) -> None:
    old, new, expected = HOSTILE_PROFILES[case]
    text = EXAMPLE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "athlete.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    out = tmp_path / "plan.json"
    code, message = run_cli(["compile", str(path), "--format", "json", "-o", str(out)])
    if expected is None:  # careless but meaningful: it compiles
        assert code == 0, message
        return
    assert code == 2 and message.startswith(f"error: {path}:") and expected in message, message
    assert not out.exists()


@pytest.mark.parametrize("kind", ["fifo", "device", "folder", "too-large", "not-utf8"])
def test_files_that_are_not_profiles_are_named_not_read(tmp_path: Path, kind: str) -> None:
    import os

    path = tmp_path / "athlete.yaml"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        path.symlink_to("/dev/zero")
    elif kind == "folder":
        path.mkdir()
    elif kind == "too-large":
        path.write_text("id: x\n" + "# padding\n" * 120_000)
    else:
        path.write_bytes(EXAMPLE.read_bytes().replace(b"Jane", b"J\xffne"))
    code, message = run_cli(["compile", str(path)])
    assert code == 2 and "Traceback" not in message, message
    if kind == "folder":  # a folder of profiles compiles into a folder: the command says how
        assert "give -o DIR" in message
    else:
        assert message.startswith(f"error: {path}"), message


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (["-O", "rate=abc"], {}, "-O rate='abc': expected requests a second"),
        (["-O", "rate=0.001"], {}, "-O rate='0.001'"),
        (["-O", "rate=nan"], {}, "-O rate='nan'"),
        ([], {"PLANSYNC_TP_API_URL": "ftp://x"}, "PLANSYNC_TP_API_URL='ftp://x': expected an https:// URL"),
        ([], {"PLANSYNC_HTTP_TIMEOUT": "nan"}, "PLANSYNC_HTTP_TIMEOUT='nan'"),
        ([], {"PLANSYNC_PUBLISH_RATE_LIMIT": "lots"}, "PLANSYNC_PUBLISH_RATE_LIMIT='lots'"),
        ([], {"PLANSYNC_TODAY": "someday"}, "PLANSYNC_TODAY='someday'"),
    ],
)
def test_options_and_environment_are_named_when_wrong(
    tmp_path: Path, args: list[str], env: dict[str, str], expected: str, cli: Cli
) -> None:
    profile = tmp_path / "athlete.yaml"
    profile.write_text(EXAMPLE.read_text() + 'platforms:\n  trainingpeaks: {athlete_id: "1"}\n')
    today = None if "PLANSYNC_TODAY" in env else "2027-01-10"
    code, out = cli(
        ["publish", str(profile), "--to", "trainingpeaks", "--dry-run", *args], tmp_path, env=env, today=today
    )
    assert code == 2 and expected in out and "Traceback" not in out, out


def test_a_file_where_the_ics_folder_should_be(tmp_path: Path, cli: Cli) -> None:
    (tmp_path / "afile").write_text("x")
    code, out = cli(["publish", str(EXAMPLE), "--to", "ics", "-O", "dir=afile"], tmp_path)
    assert code == 2 and "-O dir=afile: that is a file" in out


def test_a_plansync_toml_that_is_not_utf8(tmp_path: Path, cli: Cli) -> None:
    cli(["init", "coach"], tmp_path)
    config = tmp_path / "coach" / "plansync.toml"
    config.write_bytes(config.read_bytes() + b"\n# caf\xe9\n")
    code, out = cli(["status"], tmp_path / "coach")
    assert code == 2 and f"{config}:" in out and "not UTF-8" in out


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("--name", "A" * 300, "at most 100"),
        ("--name", "Jo\tKe", "control characters"),
        ("--template", "../x", "expected one of"),
    ],
)
def test_intake_answers_are_checked_at_the_question(
    tmp_path: Path, option: str, value: str, expected: str, cli: Cli
) -> None:
    cli(["init", "coach"], tmp_path)
    base = ["athlete", "new", "--no-input", "--name", "Jo Ke", "--race-date", "2027-04-18"]
    base += ["--weekly-distance", "30", "--long-run", "12", "--recent-race", "10k 48:30"]
    code, out = cli([*base, option, value], tmp_path / "coach")
    assert code == 2 and expected in out and not list((tmp_path / "coach" / "athletes").iterdir())


def test_a_mistyped_adapter_option_exits_2(tmp_path: Path, cli: Cli) -> None:
    code, out = cli(["publish", str(EXAMPLE), "--to", "ics", "-O", "folder=x", "--state", "st"], tmp_path)
    assert code == 2 and "-O folder: adapter ics has no such option" in out and "dir" in out
    assert not (tmp_path / "x").exists() and not (tmp_path / "calendars").exists()

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

"""The command line: help everywhere, version, the example job, outputs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click

import plansync
from plansync import __version__
from plansync.cli import main

from .conftest import EXAMPLE, Cli


def test_version(cli: Cli) -> None:
    code, out = cli(["--version"])
    assert code == 0 and __version__ in out


def test_every_command_has_help(cli: Cli) -> None:
    assert main.help
    for name, command in main.commands.items():
        assert command.help, f"{name} has no help text"
        code, out = cli([name, "--help"])
        assert code == 0 and "Usage:" in out
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"{name} {param.opts} has no help text"


def test_python_dash_m_runs_the_cli() -> None:
    proc = subprocess.run([sys.executable, "-m", "plansync", "--version"], capture_output=True, text=True)
    assert proc.returncode == 0 and __version__ in proc.stdout


def test_example_compiles_to_a_readable_table(cli: Cli) -> None:
    code, out = cli(["compile", "--example"])
    assert code == 0
    assert "Jane Doe (jane-doe) · Half marathon · intermediate" in out
    assert "RACE 21.1 km" in out
    lines = out.splitlines()
    assert lines[3].split()[:5] == ["wk", "phase", "volume", "Mon", "Tue"]
    weeks = [line.split()[0] for line in lines[5:] if line.strip() and line.split()[0].isdigit()]
    assert weeks == [str(n) for n in range(1, 15)]  # 12 weeks to the race, 2 of recovery after it
    assert "12 weeks · race 2027-04-18 · 2 weeks after it" in out


def test_json_output_has_the_documented_fields(tmp_path: Path, cli: Cli) -> None:
    out = tmp_path / "plan.json"
    code, _ = cli(["compile", str(EXAMPLE), "--format", "json", "-o", str(out)])
    assert code == 0
    data = json.loads(out.read_text())
    for key in (
        "athlete",
        "template",
        "start_date",
        "end_date",
        "race_date",
        "weeks",
        "units",
        "warnings",
        "weeks_summary",
        "workouts",
    ):
        assert key in data
    assert set(data["weeks_summary"][0]) >= {"week", "start", "distance_m", "duration_s", "cutback"}
    workout = data["workouts"][0]
    assert set(workout) >= {
        "id",
        "date",
        "week",
        "kind",
        "title",
        "description",
        "distance_m",
        "duration_s",
        "hard",
        "surface",
        "shoe",
        "steps",
    }
    kinds = {w["kind"] for w in data["workouts"]}
    assert kinds <= {
        "rest",
        "recovery",
        "easy",
        "long",
        "tempo",
        "threshold",
        "intervals",
        "hills",
        "strides",
        "race_pace",
        "race",
        "cross",
        "foot_strength",
    }
    assert {"rest", "long", "race", "foot_strength"} <= kinds


def test_overrides_move_the_race_and_change_the_length(cli: Cli) -> None:
    code, out = cli(
        ["compile", str(EXAMPLE), "--race-date", "2027-05-02", "--weeks", "14", "--format", "json"]
    )
    assert code == 0
    data = json.loads(out)
    assert (data["race_date"], data["weeks"], data["start_date"]) == ("2027-05-02", 14, "2027-01-25")


def test_race_and_start_date_together_is_a_usage_error(cli: Cli) -> None:
    code, out = cli(["compile", str(EXAMPLE), "--race-date", "2027-05-02", "--start-date", "2027-02-01"])
    assert code == 2 and "not both" in out


def test_a_bad_date_option_is_a_usage_error(cli: Cli) -> None:
    code, out = cli(["compile", str(EXAMPLE), "--race-date", "18/04/2027"])
    assert code == 2 and "expected YYYY-MM-DD" in out


def test_templates_folder_is_searched_first(tmp_path: Path, cli: Cli) -> None:
    source = (Path(plansync.__file__).parent / "templates" / "half-marathon-intermediate.yaml").read_text()
    (tmp_path / "half-marathon-intermediate.yaml").write_text(
        source.replace("name: Half marathon · intermediate", "name: Club half plan"), encoding="utf-8"
    )
    code, out = cli(["compile", str(EXAMPLE), "--templates", str(tmp_path)])
    assert code == 0 and "Club half plan" in out


def test_public_api_is_what_the_docs_promise() -> None:
    assert set(plansync.__all__) == {
        "History",
        "InputError",
        "Options",
        "Plan",
        "PlanError",
        "PlansyncError",
        "Problem",
        "ProfileError",
        "Step",
        "TemplateError",
        "TemplateNotFound",
        "Violation",
        "WeekSummary",
        "Workout",
        "__version__",
        "check",
        "compile_file",
        "compile_plan",
        "load_profile",
        "load_template",
    }
    for name in plansync.__all__:
        assert getattr(plansync, name) is not None


def test_help_does_not_import_the_compiler() -> None:
    code = (
        "import sys, plansync.cli; print('plansync.core.compiler' in sys.modules, 'pydantic' in sys.modules)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.split() == ["False", "False"]


def test_a_folder_of_profiles_compiles_to_one_json_each(tmp_path: Path, cli: Cli) -> None:
    folder = tmp_path / "athletes"
    folder.mkdir()
    for example in sorted(EXAMPLE.parent.glob("*.yaml")):
        (folder / example.name).write_bytes(example.read_bytes())
    (folder / "broken.yaml").write_text("id: broken\n")
    code, out = cli(["compile", "athletes", "-o", "plans"], tmp_path)
    assert code == 1 and "4 plans written, 0 unchanged, 1 failed" in out and "broken.yaml" in out
    single = cli(["compile", str(EXAMPLE), "--format", "json"], tmp_path)[1]
    assert (tmp_path / "plans" / "jane-doe.json").read_text() == single
    code, out = cli(["compile", "athletes", "-o", "plans"], tmp_path)
    assert "0 plans written, 4 unchanged" in out

"""`plansync validate`: a corpus of broken templates, each caught at the right line."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from plansync.inputs.loader import load_template
from plansync.inputs.validate import _cases, validate

from .conftest import ROOT, Cli

BROKEN = sorted((Path(__file__).parent / "broken_templates").glob("*.yaml"))


def expectation(path: Path) -> tuple[int, str]:
    """Each broken template says, on its second line, the line and message it expects."""
    m = re.match(r"# expect: (\d+): (.*)", path.read_text(encoding="utf-8").splitlines()[1])
    assert m, f"{path.name} has no '# expect: LINE: message' line"
    return int(m.group(1)), m.group(2)


def test_the_corpus_has_at_least_twenty_broken_templates() -> None:
    assert len(BROKEN) >= 20


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.stem)
def test_broken_template_is_caught_at_its_line(path: Path) -> None:
    line, message = expectation(path)
    report = validate([path])
    assert report.errors >= 1
    hits = [f for f in report.findings if f.severity == "error" and f.line == line and message in f.message]
    assert hits, [(f.line, f.message) for f in report.findings]
    assert all(f.file == str(path) for f in report.findings)


def test_shipped_templates_validate_clean() -> None:
    report = validate([ROOT / "plan_templates"], ROOT / "examples")
    assert report.errors == 0, [f.message for f in report.findings if f.severity == "error"]
    assert report.templates == 4
    assert report.plans >= 200


def test_a_rule_broken_only_once_compiled_names_template_profile_week_and_date() -> None:
    path = next(p for p in BROKEN if p.stem == "foot-strength-crowded-out")
    finding = next(f for f in validate([path]).findings if f.rule == "foot strength")
    assert finding.template == "foot-strength-crowded-out"
    assert finding.profile and re.fullmatch(
        r"(low|middle|high)-\dd-\d+w-\w+-(km|mi)-(sat|sun)", finding.profile
    )
    assert finding.week == 1
    assert finding.profile in finding.message and "week 1" in finding.message


def test_every_problem_is_reported_not_only_the_first(tmp_path: Path) -> None:
    text = (ROOT / "plan_templates" / "half-marathon-intermediate.yaml").read_text()
    text = text.replace("zone: threshold", "zone: threshhold").replace(
        "exercise: towel_scrunches", "exercise: towels"
    )
    text = text.replace("  weekly_cap: 0.10", "  weekly_cap: 0.5")
    path = tmp_path / "half-marathon-intermediate.yaml"
    path.write_text(text, encoding="utf-8")
    messages = " | ".join(f.message for f in validate([path]).findings)
    assert "did you mean 'threshold'" in messages and "less than or equal to 0.1" in messages


def test_exit_status_and_summary(cli: Cli) -> None:
    code, out = cli(["validate", str(ROOT / "plan_templates")])
    assert code == 0
    assert re.search(r"^4 templates, [\d,]+ plans compiled, 0 errors, 0 warnings, \d+ notes$", out, re.M)
    # A peak a low-volume starting point cannot reach is a note (that athlete's plan says so),
    # not a warning: the shipped templates pass --strict as they come.
    assert ": note: progression.peak_long_run:" in out
    code, _ = cli(["validate", str(ROOT / "plan_templates"), "--strict"])
    assert code == 0
    code, out = cli(["validate", str(BROKEN[0])])
    assert code == 1
    code, out = cli(["validate", "no/such/folder"])
    assert code == 2


def test_text_output_has_no_colour_off_a_terminal(cli: Cli) -> None:
    _, out = cli(["validate", *map(str, BROKEN[:3])])
    assert "\x1b[" not in out
    assert out.splitlines()[0] == str(BROKEN[0])


def test_json_output_is_a_stable_list_of_findings(cli: Cli) -> None:
    code, out = cli(["validate", *map(str, BROKEN), "--format", "json"])
    data = json.loads(out)
    assert code == 1 and data["errors"] >= len(BROKEN)
    keys = {
        "severity",
        "file",
        "line",
        "column",
        "key",
        "message",
        "template",
        "profile",
        "rule",
        "week",
        "date",
    }
    assert all(set(f) == keys for f in data["findings"])


def test_github_annotations_are_chosen_on_github_actions(cli: Cli) -> None:
    path = next(p for p in BROKEN if p.stem == "unknown-session")
    line, _ = expectation(path)
    code, out = cli(["validate", str(path)], env={"GITHUB_ACTIONS": "true"})
    assert code == 1
    first = out.splitlines()[0]
    assert first.startswith(f"::error file={path},line={line},col=")
    assert "::phases[1].sessions[1]: unknown session 'tempoo'" in first


def test_coach_profiles_are_dry_run_too(tmp_path: Path) -> None:
    profile = (
        (ROOT / "examples" / "jane-doe.yaml").read_text().replace("long_run_day: sun", "long_run_day: wed")
    )
    (tmp_path / "jane.yaml").write_text(profile, encoding="utf-8")
    report = validate([ROOT / "plan_templates" / "half-marathon-intermediate.yaml"], tmp_path)
    bad = [f for f in report.findings if f.severity == "error"]
    assert bad and bad[0].file == str(tmp_path / "jane.yaml") and "long_run_day wed" in bad[0].message


@pytest.mark.parametrize("template", sorted(p.stem for p in (ROOT / "plan_templates").glob("*.yaml")))
def test_each_templates_words_are_written_in_every_unit_and_intensity_system(template: str) -> None:
    """Validate writes the titles and descriptions of a few dry runs only (no rule reads them):
    enough that every unit meets every intensity system, and every coach's own athlete."""
    t = load_template(ROOT / "plan_templates" / f"{template}.yaml")
    coach = [("jane.yaml", p) for _, p, _ in _cases(t, [])[:1]]
    cases = _cases(t, coach)
    written = {(p.units, p.intensity.system) for _, p, text in cases if text}
    assert written == {(u, s) for u in ("km", "mi") for s in ("pace", "heart_rate", "rpe")}
    assert cases[-1][0] == "jane.yaml" and cases[-1][2]
    assert sum(text for _, _, text in cases) <= 7 < len(cases)

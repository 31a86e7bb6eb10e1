"""A plan in progress is a fact: the same plan whatever today is, and a moved race
re-plans only the weeks ahead."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plansync.core import rules
from plansync.core.compiler import Options, compile_plan
from plansync.core.profile import Profile
from plansync.core.progress import replan
from plansync.core.records import PlanRecord
from plansync.errors import PlanError
from plansync.inputs.loader import SHIPPED_TEMPLATES, load_template
from plansync.state.ledger import Ledger

from .conftest import Cli, examples
from .test_compiler_properties import SHIPPED, cases

TEMPLATE = load_template(SHIPPED_TEMPLATES / "half-marathon-intermediate.yaml")


def _profile(data: dict[str, Any], **plan: Any) -> Profile:
    body = json.loads(json.dumps(data))
    body["plan"].update(plan)
    return Profile.model_validate(body)


def _made(profile: Profile, made_on: dt.date) -> PlanRecord:
    return PlanRecord.of(compile_plan(TEMPLATE, profile, Options(today=made_on)), made_on)


def test_five_weeks_in_the_example_compiles_as_on_day_one(
    cli: Cli, tmp_path: Path, write_yaml: Callable[[dict[str, Any], str], Path], profile_data: dict[str, Any]
) -> None:
    """No consultation date in the profile: the plan counts as made when the athlete got it."""
    path = write_yaml(profile_data, "jane.yaml")
    code, day_one = cli(["compile", str(path), "--format", "json"], tmp_path, today="2027-01-12")
    assert code == 0
    # Before the athlete has it, five weeks in, it is a new plan: too late for 12 weeks.
    code, out = cli(["compile", str(path)], tmp_path, today="2027-03-01")
    assert code == 2 and "needs at least 12" in out
    # Once exported (or published, or in a feed), it is the athlete's plan.
    assert (
        cli(["export", "ics", str(path), "-o", str(tmp_path / "jane.ics")], tmp_path, today="2027-01-12")[0]
        == 0
    )
    code, later = cli(["compile", str(path), "--format", "json"], tmp_path, today="2027-03-01")
    assert code == 0 and later == day_one
    code, status = cli(["status", str(tmp_path)], tmp_path, today="2027-03-01")
    assert "invalid" not in status


def test_the_consultation_date_anchors_the_plan(profile_data: dict[str, Any]) -> None:
    profile = _profile(profile_data, requested_at="2027-01-10T09:30:00+00:00")
    from plansync.core.progress import made_on

    for today in (dt.date(2027, 1, 10), dt.date(2027, 3, 1), dt.date(2027, 4, 17)):
        assert made_on(profile, today, None) == dt.date(2027, 1, 10)


@settings(max_examples=examples(30), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(), st.integers(0, 200))
def test_today_anywhere_inside_the_plan_gives_the_same_plan(
    case: tuple[str, Profile, int], days_in: int
) -> None:
    from plansync.core.progress import made_on

    template_id, profile, _ = case
    template = SHIPPED[template_id]
    first = compile_plan(template, profile, Options())
    day_one = first.start_date - dt.timedelta(days=3)
    record = PlanRecord.of(first, day_one)
    today = min(first.start_date + dt.timedelta(days=days_in), first.end_date)
    later = compile_plan(template, profile, Options(today=made_on(profile, today, record)))
    assert later.workouts == first.workouts and later.weeks_summary == first.weeks_summary


def test_a_race_moved_two_weeks_later_keeps_the_weeks_begun(profile_data: dict[str, Any]) -> None:
    profile = _profile(profile_data)
    record = _made(profile, dt.date(2027, 1, 12))
    before = compile_plan(TEMPLATE, profile, Options(today=dt.date(2027, 1, 12)))
    today = dt.date(2027, 3, 3)  # a Wednesday in week 6
    moved = replan(TEMPLATE, _profile(profile_data, race_date="2027-05-02"), record, today)
    assert moved.race_date == dt.date(2027, 5, 2) and moved.weeks == 14
    assert moved.start_date == before.start_date and moved.made_on == record.made_on
    begun = [w for w in before.workouts if w.week <= 6]
    assert [w for w in moved.workouts if w.week <= 6] == begun  # the past and this week, as they were
    later = {w.id for w in before.workouts if w.week > 6 and w.kind == "long"}
    assert later <= {w.id for w in moved.workouts}  # slots that remain keep their ids
    assert len({w.id for w in moved.workouts}) == len(moved.workouts)
    assert [s.taper for s in moved.weeks_summary].count(True) == 2  # the taper keeps its length
    violations = rules.check(
        moved,
        TEMPLATE,
        available_days=profile.availability.days,
        current_weekly_m=30000,
        current_long_m=12000,
        long_run_day=profile.availability.long_run_day,
    )
    assert violations == []


def test_a_race_moved_too_close_is_refused_with_the_earliest_safe_date(profile_data: dict[str, Any]) -> None:
    profile = _profile(profile_data)
    record = _made(profile, dt.date(2027, 1, 12))
    with pytest.raises(PlanError) as caught:
        replan(TEMPLATE, _profile(profile_data, race_date="2027-03-14"), record, dt.date(2027, 3, 3))
    assert "2027-03-21 or later" in str(caught.value) and caught.value.key == "plan.race_date"
    with pytest.raises(PlanError) as caught:
        replan(TEMPLATE, _profile(profile_data, race_date="2027-06-20"), record, dt.date(2027, 3, 3))
    assert "latest race date is 2027-05-16" in str(caught.value)


def test_the_record_is_kept_once_and_moves_with_a_rename(
    tmp_path: Path, profile_data: dict[str, Any]
) -> None:
    profile = _profile(profile_data)
    first = _made(profile, dt.date(2027, 1, 12))
    with Ledger(tmp_path) as ledger:
        ledger.remember_plan(first)
        ledger.remember_plan(PlanRecord.of(compile_plan(TEMPLATE, profile, Options()), dt.date(2027, 2, 1)))
        assert ledger.plan_records()["test-runner"].made_on == dt.date(2027, 1, 12)
        ledger.rename("test-runner", "jane-smith")
        records = ledger.plan_records()
    assert set(records) == {"jane-smith"} and records["jane-smith"].athlete == "jane-smith"


def test_publish_all_reports_an_athlete_that_does_not_compile(
    cli: Cli, tmp_path: Path, write_yaml: Callable[[dict[str, Any], str], Path], profile_data: dict[str, Any]
) -> None:
    assert cli(["init", str(tmp_path)])[0] == 0
    athletes = tmp_path / "athletes"
    athletes.mkdir(exist_ok=True)
    for old in athletes.glob("*.yaml"):
        old.unlink()
    (athletes / "late.yaml").write_text(write_yaml(profile_data, "late.yaml").read_text())
    code, out = cli(["publish", "--all", "--to", "ics", "--dry-run"], tmp_path, today="2027-03-01")
    assert "every athlete" not in out
    assert "FAILED" in out and "needs at least 12" in out and code == 1


def test_five_weeks_in_publish_and_status_are_as_on_day_one(cli: Cli, tmp_path: Path) -> None:
    """Published on day one (no consultation date in the profile), five weeks later the
    same profile republishes nothing and status calls the athlete published."""
    from .tp_helpers import running_fake, tp_environment, tp_profile

    path = tp_profile(tmp_path)
    path.write_text("".join(line for line in path.read_text().splitlines(True) if "requested_at" not in line))
    with running_fake() as fake:
        env = tp_environment(fake)
        code, out = cli(
            ["publish", str(path), "--to", "trainingpeaks", "--state", "state"],
            tmp_path,
            today="2027-01-12",
            env=env,
        )
        assert code == 0, out
        writes = fake.writes()
        code, out = cli(
            ["publish", str(path), "--to", "trainingpeaks", "--state", "state"],
            tmp_path,
            today="2027-03-01",
            env=env,
        )
        assert code == 0, out
        assert fake.writes() == writes  # the same plan: nothing to change
        code, plan = cli(["compile", str(path), "--state", "state"], tmp_path, today="2027-03-01", env=env)
        assert code == 0 and "12 weeks · race 2027-04-18" in plan

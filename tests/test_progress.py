"""A plan in progress is a fact: the same plan whatever today is, and a moved race
re-plans only the weeks ahead."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from plansync.core import rules
from plansync.core.compiler import Options, compile_plan
from plansync.core.plan import Plan
from plansync.core.profile import Profile
from plansync.core.progress import plan_as_of, replan
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


def _kept(plan: Plan, before: PlanRecord | None) -> PlanRecord:
    """The record the workspace keeps once the athlete has ``plan`` (export, feed, publish)."""
    assert plan.made_on is not None
    return PlanRecord.of(plan, plan.made_on).kept_over(before)


@pytest.mark.parametrize("days", [3, 7, 14, -7])
def test_a_moved_race_stays_the_same_plan_once_the_athlete_has_it(
    profile_data: dict[str, Any], days: int
) -> None:
    """The race moves mid-plan; the re-planned plan goes to the athlete, and the workspace
    keeps its record. Every later compile must give that plan again: it gave a new plan
    from the day the first was made instead (a week later for a race a week later, every
    entry ahead moved), so the calendar changed again at the next publish or build."""
    profile = _profile(profile_data)
    first = _made(profile, dt.date(2027, 1, 12))
    race = (first.race or dt.date.min) + dt.timedelta(days=days)
    moved = _profile(profile_data, race_date=race.isoformat())
    today = dt.date(2027, 3, 3)
    given = plan_as_of(TEMPLATE, moved, today, first)
    assert given.race_date == race and given.moved_on == today
    record = _kept(given, first)
    for later in (today, today + dt.timedelta(days=1), today + dt.timedelta(days=20)):
        again = plan_as_of(TEMPLATE, moved, later, record)
        assert again.workouts == given.workouts and again.weeks_summary == given.weeks_summary
    assert _kept(given, record) == record  # given again, the record stays as it is
    ran = compile_plan(TEMPLATE, profile, Options(today=dt.date(2027, 1, 12)))

    def run_before(plan: Plan) -> list[tuple[str, dt.date, str, int]]:  # the week of the move begins
        return [(w.id, w.date, w.kind, w.distance_m) for w in plan.workouts if w.date < dt.date(2027, 3, 1)]

    assert run_before(given) == run_before(ran)  # (a move by days renumbers the weeks, not these)


def test_a_second_move_keeps_the_weeks_of_the_first(tmp_path: Path, profile_data: dict[str, Any]) -> None:
    profile = _profile(profile_data)
    first = _made(profile, dt.date(2027, 1, 12))
    race = first.race or dt.date.min
    once = _profile(profile_data, race_date=(race + dt.timedelta(days=7)).isoformat())
    given = plan_as_of(TEMPLATE, once, dt.date(2027, 2, 17), first)
    twice = _profile(profile_data, race_date=(race + dt.timedelta(days=14)).isoformat())
    then = plan_as_of(TEMPLATE, twice, dt.date(2027, 3, 10), _kept(given, first))
    begun = dt.date(2027, 3, 8)  # the week of the second move starts
    assert [w for w in then.workouts if w.date < begun] == [w for w in given.workouts if w.date < begun]
    with Ledger(tmp_path) as ledger:  # kept through the ledger's JSON, moves within moves
        ledger.remember_plan(first)
        for plan in (given, then):
            assert plan.made_on is not None
            ledger.remember_plan(PlanRecord.of(plan, plan.made_on))
        record = ledger.plan_records()[profile.id]
    assert record.before is not None and record.before.before == first
    later = plan_as_of(TEMPLATE, twice, dt.date(2027, 4, 1), record)
    assert later.workouts == then.workouts


def test_a_moved_race_exported_once_is_up_to_date_after(
    cli: Cli, tmp_path: Path, write_yaml: Callable[[dict[str, Any], str], Path], profile_data: dict[str, Any]
) -> None:
    """As the coach sees it: the race moves a week in the profile, the calendar is exported
    with the new plan, and the exports after it change nothing."""
    path = write_yaml(profile_data, "jane.yaml")
    export = ["export", "ics", str(path), "-o", str(tmp_path / "jane.ics")]
    assert cli(export, tmp_path, today="2027-01-12")[0] == 0
    race = dt.date.fromisoformat(str(profile_data["plan"]["race_date"])) + dt.timedelta(days=7)
    path.write_text(path.read_text().replace(str(profile_data["plan"]["race_date"]), race.isoformat()))
    code, out = cli(export, tmp_path, today="2027-03-03")
    assert code == 0 and "up to date" not in out, out
    moved = (tmp_path / "jane.ics").read_bytes()
    for later in ("2027-03-03", "2027-03-04", "2027-03-20"):
        code, out = cli(export, tmp_path, today=later)
        assert code == 0 and "up to date" in out, (later, out)
    assert (tmp_path / "jane.ics").read_bytes() == moved


@settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(), st.integers(-3, 60), st.integers(-14, 21), st.integers(0, 40))
def test_a_plan_given_after_a_race_move_is_the_plan_every_later_day(
    case: tuple[str, Profile, int], days_in: int, move: int, later: int
) -> None:
    """Any athlete, any race move the plan can take, any day after: once the athlete has the
    re-planned plan, compiling it again from the record the workspace keeps gives it back.
    The move may come before the plan starts (from the day the athlete was given it on)."""
    template_id, profile, _ = case
    template = SHIPPED[template_id]
    assume(template.goal == "half_marathon" and move != 0)
    try:
        first = compile_plan(template, profile, Options())
    except PlanError:
        assume(False)
        raise
    assert first.race_date is not None
    record = PlanRecord.of(first, first.start_date - dt.timedelta(days=3))  # given to the athlete then
    today = first.start_date + dt.timedelta(days=days_in)
    race = first.race_date + dt.timedelta(days=move)
    moved = profile.model_copy(update={"plan": profile.plan.model_copy(update={"race_date": race})})
    try:
        given_plan = plan_as_of(template, moved, today, record)
    except PlanError:  # too close for the taper, or past the template's longest plan: refused
        assume(False)
        raise
    kept = _kept(given_plan, record)
    again = plan_as_of(template, moved, today + dt.timedelta(days=later), kept)
    assert again.workouts == given_plan.workouts


def test_a_moved_race_is_published_once(cli: Cli, tmp_path: Path) -> None:
    """Published, then the coach moves the race a week mid-plan: the next publish updates the
    entries ahead, and a publish days later changes nothing on the platform (it moved every
    entry again before)."""
    from .tp_helpers import running_fake, tp_environment, tp_profile

    path = tp_profile(tmp_path)
    publish = ["publish", str(path), "--to", "trainingpeaks", "--state", "state"]
    with running_fake() as fake:
        env = tp_environment(fake)
        assert cli(publish, tmp_path, today="2027-01-12", env=env)[0] == 0
        text = path.read_text()
        race = dt.date.fromisoformat(text.split("race_date: ")[1].split()[0].strip("'\""))
        path.write_text(text.replace(race.isoformat(), (race + dt.timedelta(days=7)).isoformat()))
        written = fake.writes()
        code, out = cli(publish, tmp_path, today="2027-03-03", env=env)
        assert code == 0 and fake.writes() > written, out
        written = fake.writes()
        for later in ("2027-03-04", "2027-03-15"):
            code, out = cli(publish, tmp_path, today=later, env=env)
            assert code == 0 and fake.writes() == written, (later, out)

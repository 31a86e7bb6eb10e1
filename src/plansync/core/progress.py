"""A plan in progress: what was made, and re-planning it when the race moves.

A plan, once an athlete has it (exported, published, in a feed), is a fact:
the day it was made is kept (:class:`PlanRecord`), and compiling the same
profile later gives the same plan whatever today is. When the coach moves the
race during the plan, :func:`replan` keeps every whole week before the current
one as it was and plans the rest towards the new date, every rule counting
the weeks kept; a move that would squeeze the taper is refused with the
earliest safe date instead.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from zoneinfo import ZoneInfo

from plansync.core.compiler import Options, compile_plan
from plansync.core.history import History
from plansync.core.listening import listen
from plansync.core.plan import Plan
from plansync.core.profile import Profile
from plansync.core.race_paces import with_accepted
from plansync.core.records import PlanRecord
from plansync.core.template import Template
from plansync.errors import PlanError


def applies(record: PlanRecord | None, profile: Profile) -> bool:
    """Whether the record is of this athlete's current plan (same template)."""
    return record is not None and record.athlete == profile.id and record.template == profile.plan.template


def race_moved(record: PlanRecord, profile: Profile) -> bool:
    return record.race is not None and profile.plan.race_date not in (None, record.race)


def replan(template: Template, profile: Profile, record: PlanRecord, today: dt.date) -> Plan:
    """The plan of ``record`` with its race moved to the profile's race date.

    Every week that has begun stays as it was (the athlete may be half-way
    through it); the weeks from the next one to the new race date are planned
    again, each rule counting the weeks kept. The week grid ends on race day,
    so a move by days that are not whole weeks shifts the new weeks with it."""
    new_race = profile.plan.race_date
    assert record.race is not None and new_race is not None
    if today < record.start:  # not started yet: a new plan, made today
        return compile_plan(template, profile, Options(today=today))
    before = recorded_plan(template, profile, record)
    taper = template.taper.weeks if template.taper else 1
    earliest = _next_week(record.start, today) + dt.timedelta(days=7 * taper - 1)
    latest = record.start + dt.timedelta(days=7 * template.weeks.max - 1)
    weeks = math.ceil(((new_race - record.start).days + 1) / 7)
    start = new_race - dt.timedelta(days=7 * weeks - 1)
    keep_before = _next_week(start, today)
    if (new_race - keep_before).days + 1 < 7 * taper:
        raise PlanError(
            f"the race cannot move to {new_race}: the plan is under way and its {taper}-week taper "
            f"needs the race on {earliest} or later; keep {record.race} or choose a date from {earliest}",
            key="plan.race_date",
        )
    if new_race > latest:
        raise PlanError(
            f"the race cannot move to {new_race}: template {template.id} plans at most {template.weeks.max} "
            f"weeks from the plan's start ({record.start}), so the latest race date is {latest}; "
            "for a later race, start a new plan",
            key="plan.race_date",
        )
    options = Options(race_date=new_race, weeks=weeks)
    history = History(kept=before, kept_before=keep_before)
    planned = compile_plan(template, profile, options, history)
    return dataclasses.replace(planned, made_on=record.made_on, moved_on=today)


def recorded_plan(template: Template, profile: Profile, record: PlanRecord) -> Plan:
    """The plan a record is of, for its own race: compiled as of the day it was made, or,
    for a plan re-planned for a moved race, re-planned as on the day of the move from the
    plan before it (``record.before``, itself perhaps a move). A plan the athlete has stays
    the same plan, the weeks they ran before a move included, however many moves later."""
    if record.before is not None and record.moved_on is not None:
        at_its_race = profile.model_copy(
            update={"plan": profile.plan.model_copy(update={"race_date": record.race})}
        )
        return replan(template, at_its_race, record.before, record.moved_on)
    options = Options(race_date=record.race, weeks=record.weeks, today=record.made_on)
    return compile_plan(template, profile, options)


def _next_week(grid: dt.date, today: dt.date) -> dt.date:
    """The first week start of the grid starting on ``grid`` that is today or later."""
    days = (today - grid).days
    return grid + dt.timedelta(days=7 * max(0, -(-days // 7)))


def profile_key(profile: Profile) -> str:
    """A fingerprint of the profile's content: an adaptation holds while it is unchanged."""
    import hashlib

    return hashlib.sha256(profile.model_dump_json().encode()).hexdigest()[:16]


def adapt(
    template: Template,
    profile: Profile,
    base: Plan,
    actuals: tuple[tuple[dt.date, float], ...],
    today: dt.date,
) -> Plan:
    """``base`` (the plan the athlete has) planned again from today against what they
    actually ran: every whole week before this one is counted as run, this week and the
    ones after are planned again with every limit against the actual runs, and every
    entry before today stays as it was. Ids stay wherever the slot remains."""
    this_week = base.start_date + dt.timedelta(days=7 * max(0, (today - base.start_date).days // 7))
    options = Options(
        race_date=base.race_date, start_date=None if base.race_date else base.start_date, weeks=base.weeks
    )
    history = History(
        kept=base,
        kept_before=this_week,
        runs=tuple((d, m) for d, m in actuals if d < today),
        runs_until=today,
    )
    planned = compile_plan(template, profile, options, history)
    past = [w for w in base.workouts if w.date < today]
    taken = {w.id for w in past}
    ahead = [w for w in planned.workouts if w.date >= today and w.id not in taken]
    workouts = tuple(sorted(past + ahead, key=lambda w: (w.date, w.kind == "foot_strength", w.id)))
    return dataclasses.replace(planned, workouts=workouts, made_on=base.made_on)


def adapted_from(template: Template, profile: Profile, base: Plan, record: PlanRecord, key: str) -> Plan:
    """The adapted plan a record keeps, while the profile is the one it was made for (``key``,
    :func:`profile_key` of the profile as written)."""
    if record.adapted_from is None or record.profile != key:
        return base
    return adapt(template, profile, base, record.actuals, record.adapted_on or record.adapted_from)


def made_on(profile: Profile, today: dt.date, record: PlanRecord | None) -> dt.date:
    """The day the athlete's plan counts as made: when they were given it (the
    record), else the consultation (``plan.requested_at``), else today. Compiling
    "as of" that day makes a plan in progress the same plan whatever today is."""
    if applies(record, profile):
        assert record is not None
        return min(record.made_on, today)
    requested = profile.plan.requested_at
    if requested is not None:
        return min(requested.astimezone(ZoneInfo(profile.timezone)).date(), today)
    return today


def plan_as_of(
    template: Template,
    profile: Profile,
    today: dt.date | None,
    record: PlanRecord | None = None,
    options: Options | None = None,
) -> Plan:
    """This athlete's plan as of ``today``: the one question every command asks.

    With no ``today`` (a fixed demonstration), the plan compiled as the profile
    says. Otherwise the plan the athlete has (``record``, kept in the workspace
    state) stays the same plan whatever today is: compiled as of the day it was
    made, its race moved with :func:`replan`, and adapted to what was run while
    the adaptation holds. ``options`` that change the dates make a new plan."""
    options = options or Options()
    if today is None or options.today is not None:
        return compile_plan(template, profile, options)
    untouched = options.race_date is None and options.weeks is None and options.start_date is None
    current = untouched and record is not None and applies(record, profile)
    key = profile_key(profile)  # of the profile as written: a changed profile ends an adaptation
    if record is not None and applies(record, profile):
        profile = with_accepted(profile, record.paces)  # new paces the coach accepted
    if current and record is not None and race_moved(record, profile):
        plan = replan(template, profile, record, today)
    elif current and record is not None and record.before is not None:  # a move the athlete has
        plan = adapted_from(template, profile, recorded_plan(template, profile, record), record, key)
    else:
        plan = compile_plan(
            template, profile, dataclasses.replace(options, today=made_on(profile, today, record))
        )
        if current and record is not None:
            plan = adapted_from(template, profile, plan, record, key)  # kept by `plansync adapt`
    if record is not None and record.athlete == profile.id and record.checkins:
        plan = listen(plan, record.checkins)  # what the athlete's feet said (plansync checkin)
    return plan

"""The plan compiler: (template, profile, options, history) -> Plan. Pure and deterministic.

No clock, no files, no network: ``Options.today`` is passed in by the caller.
:func:`compile_plan` is a short pipeline of named steps over one value, the
:class:`Draft` (the plan being written):

1. dates (:func:`plan_dates`), then the athlete's basis and peaks and the phases
   (:mod:`plansync.core.weeks`);
2. week by week: a kept week of a plan in progress stays as it was
   (:func:`keep_week`); any other week (:func:`plan_week`) is placed
   (:mod:`plansync.core.schedule`), given its volume, its sessions, sized
   (:mod:`plansync.core.sizing`) and written out with its guidance
   (:mod:`plansync.core.entries`); each week is then counted in the load
   (:mod:`plansync.core.load`), so every limit of the next week (the 10 % rule
   over the highest earlier week, the 30-day single-run spike) is computed from
   the weeks already written — the same functions ``plansync validate`` checks
   the finished plan with;
3. the recovery weeks after the race, the warnings
   (:mod:`plansync.core.plan_warnings`) and each entry's time of day.

What happened to a plan in progress (weeks kept, runs actually run) is its
:class:`~plansync.core.history.History`; what-if plans for the warnings are
sketches (the same steps without the entries).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import math
from dataclasses import dataclass, field

from plansync.core import plan_warnings, rules
from plansync.core.entries import EntryContext, week_entries
from plansync.core.gaps import current_gap
from plansync.core.history import History
from plansync.core.kept import Kept
from plansync.core.load import Day, Load, days
from plansync.core.options import Options
from plansync.core.plan import Plan, PlanWarning, References, WeekSummary, Workout
from plansync.core.plan_warnings import Readiness, Sketch
from plansync.core.profile import Profile
from plansync.core.quantities import METRES_PER_UNIT, fmt_distance
from plansync.core.schedule import Slot, WeekLayout, WeekRequest, place_week
from plansync.core.sessions import Sized
from plansync.core.shoes import ShoeRack
from plansync.core.sizing import RECOVERY_MAX_S, Planned, WeekBudget, WeekSizes, plain, size_week
from plansync.core.template import SessionSpec, Template
from plansync.core.timing import real_local_time, set_timing
from plansync.core.vocab import HALF_MARATHON_M, HARD_KINDS, RUN_KINDS, WEEKDAYS, ZONES
from plansync.core.weeks import Basis, WeekPlan, basis, phase_weeks, week_volume
from plansync.core.zones import ZoneModel
from plansync.errors import PlanError

__all__ = ["Draft", "Options", "compile_plan", "real_local_time"]

# Fresh legs: nothing in race week longer than 40 % of the race (8.4 km for a half), while a
# runner of high volume still keeps 40-60 % of the peak week in race week (Bosquet et al. 2007).
RACE_WEEK_RUN_SHARE = 0.4
AFTER_RACE_RUN_SHARE = 0.35  # the weeks after the race: no run over about a third of it
SHAKE_OUT_SHARE = 0.2  # the day before the race: rest or a shake-out of at most a fifth of it
MAX_YEARS_AHEAD = 3  # a plan starts within this many years of today
Shaped = tuple[WeekLayout, list[Planned], WeekSizes]  # a week's placement, sessions and sizes
ONE_WEEK, SIX_DAYS = dt.timedelta(days=7), dt.timedelta(days=6)
WEEKS = tuple(i * ONE_WEEK for i in range(32))  # each week's start from the plan's, made once
TIMED_KINDS = RUN_KINDS - {"race"}  # a week's running time counts these


@dataclass
class Draft:
    """The plan being written: what every step reads and adds to."""

    template: Template
    profile: Profile
    options: Options
    history: History
    sketch: bool  # a what-if plan: load and summaries only, no entries
    start: dt.date
    n_weeks: int
    race: dt.date | None
    warnings: list[PlanWarning]
    weeks: list[WeekPlan]
    basis: Basis
    zones: ZoneModel
    rack: ShoeRack
    ctx: EntryContext
    offset_of: dict[str, int]
    available: frozenset[int]
    capacity: int  # most runs a week may hold (leaves a rest day)
    totals: dict[str, int]  # template session -> occurrences in the whole plan
    load: Load = field(default_factory=Load)
    workouts: list[Workout] = field(default_factory=list)
    summaries: list[WeekSummary] = field(default_factory=list)

    def week_start(self, number: int) -> dt.date:
        return (
            self.start + WEEKS[number - 1]
            if 0 < number <= len(WEEKS)
            else self.start + (number - 1) * ONE_WEEK
        )


def compile_plan(
    template: Template,
    profile: Profile,
    options: Options | None = None,
    history: History | None = None,
    *,
    advice: bool = True,
    text: bool = True,
) -> Plan:
    """The athlete's plan: dated workouts, week summaries, warnings. ``advice``: the what-if
    figures behind the warnings' advice (the earliest later race that is race-ready, how far
    one more training day takes the peak). Without it (``validate``, which reads only the
    warnings' codes), every warning is still given exactly when it would be, but its what-if
    figures go only as far as deciding that, and no later race is named. Without ``text``
    (``validate`` again, for most of its dry runs), each run's title and description are left
    empty: every figure, step, note, shoe and surface is the same."""
    draft = start_draft(
        template, profile, options or Options(), history or History(), sketch=False, text=text
    )
    _run(draft)
    return _finish(draft, advice)


def _run(draft: Draft, enough: Enough = (math.inf, math.inf)) -> None:
    """The pipeline's week steps, in order, over one draft (a sketch stops at a week of
    ``enough[0]`` metres, or a long run of ``enough[1]``: its peak, or its longest run, is
    then at least that)."""
    for week in draft.weeks:
        if draft.sketch and week.taper_factor is not None:
            break  # a sketch asks for the peak and the longest run: the taper only shrinks from them
        if draft.history.keeps(draft.week_start(week.number) + SIX_DAYS):
            keep_week(draft, week)
        else:
            plan_week(draft, week)
        if draft.sketch and _sketch_done(draft, enough):
            break
    if draft.sketch:
        return
    if draft.race is not None:
        light = plan_warnings.race_week_light(draft.summaries, draft.n_weeks, draft.profile)
        draft.warnings.extend([light] if light else [])
    after_race_weeks(draft)


def _sketch_done(draft: Draft, enough: Enough) -> bool:
    """Whether a sketch has answered after the week just planned: its peak or its longest
    long run reached what was asked (``enough``), or its long run can no longer reach it
    in the weeks before the taper, every run being held to 110 % of the longest before it
    (:func:`rules.longest_within`: arithmetic, where planning those weeks was most of what
    a what-if cost)."""
    load = draft.load
    longest = max(load.longs, default=0.0)
    if draft.summaries[-1].distance_m >= enough[0] or longest >= enough[1]:
        return True
    if enough[1] == math.inf:
        return False
    left = sum(1 for w in draft.weeks[len(draft.summaries) :] if w.taper_factor is None)
    run_so_far = max((m for _, m in load.history), default=0.0)
    return rules.longest_within(max(run_so_far, draft.basis.current_long), left) < enough[1]


Enough = tuple[float, float]  # a sketch may stop at a week this high, or a long run this long
SKETCHES_KEPT = 1024  # what-if plans remembered per process (each a few numbers)
_sketches: Kept[tuple[int, str, Options, Enough], tuple[Template, Sketch]] = Kept(SKETCHES_KEPT)


def _sketch(
    template: Template,
    profile: Profile,
    options: Options,
    zones: ZoneModel,
    enough: Enough = (math.inf, math.inf),
) -> Sketch:
    """A what-if plan's highest week and longest long run (for the warnings): its weeks up
    to the taper, without entries, each run measured but not built. The taper's weeks are
    never the highest nor hold the longest run (they shrink from the peak, and no race-week
    run is longer than the week before: none was, over the validation matrix and 600 random
    profiles). Sketches are pure, so each distinct one is made once per process: the plans
    of a roster or a validation matrix ask for the same what-ifs again and again."""
    key = (id(template), profile.model_dump_json(), options, enough)
    hit = _sketches.get(key, lambda kept: kept[0] is template)
    if hit is not None:
        return hit[1]
    draft = start_draft(template, profile, options, History(), sketch=True, zones=zones)
    _run(draft, enough)
    made = Sketch(max(s.distance_m for s in draft.summaries), max(draft.load.longs))
    _sketches.put(key, (template, made))  # the template kept too, so its id is not reused
    return made


def start_draft(
    template: Template,
    profile: Profile,
    options: Options,
    history: History,
    sketch: bool,
    zones: ZoneModel | None = None,
    text: bool = True,
) -> Draft:
    """The dates, the phases, the athlete's basis and peaks: an empty draft (``zones``: the
    athlete's, when a sketch already knows them)."""
    start, n_weeks, race, warnings = plan_dates(template, profile, options, history)
    if len(profile.availability.days) < template.rules.min_days:
        raise PlanError(
            f"template {template.id} needs at least {template.rules.min_days} training days a week; the profile gives {len(profile.availability.days)}",
            key="availability.days",
        )
    _check_fitness(template, profile)
    weeks = phase_weeks(template, n_weeks)
    zones = zones or ZoneModel(profile)
    rack = ShoeRack(profile.shoes, profile.units, n_weeks if race is not None else None, warnings)
    offset_of = {day: (WEEKDAYS.index(day) - start.weekday()) % 7 for day in WEEKDAYS}
    available = frozenset(offset_of[d] for d in profile.availability.days)
    totals: dict[str, int] = {}
    for week in weeks:
        for name in week.sessions:
            totals[name] = totals.get(name, 0) + 1
    draft = Draft(
        template=template,
        profile=profile,
        options=options,
        history=history,
        sketch=sketch,
        start=start,
        n_weeks=n_weeks,
        race=race,
        warnings=warnings,
        weeks=weeks,
        basis=basis(template, profile, weeks),
        zones=zones,
        rack=rack,
        ctx=EntryContext(template, profile, zones, rack, warnings, text=text),
        offset_of=offset_of,
        available=available,
        capacity=min(len(available), 6),
        totals=totals,
    )
    if offset_of[profile.availability.long_run_day] == 6 and not history.in_progress:
        # The athlete's own long run came the day before the plan starts (their usual week
        # goes on): week 1's first day follows it, as every later week's does.
        draft.load.prev_last_long = draft.load.prev_last_hard = True
    if history.adapting and history.runs_until is not None:
        draft.load.gap_days = current_gap([d for d, _ in history.runs or ()], start, history.runs_until)
    return draft


def plan_dates(
    template: Template, profile: Profile, options: Options, history: History
) -> tuple[dt.date, int, dt.date | None, list[PlanWarning]]:
    """The plan's first day, its length and race day: from the options, else the profile;
    a race too close for the whole plan shortens it (``joined-late``)."""
    weeks = options.weeks or profile.plan.weeks or template.weeks.default
    key = "plan.weeks" if (profile.plan.weeks and not options.weeks) else "plan.template"
    low = 1 if history.in_progress else template.weeks.min  # a plan in progress may end sooner
    if not low <= weeks <= template.weeks.max:
        raise PlanError(
            f"{weeks} weeks is outside template {template.id}'s range of {template.weeks.min}–{template.weeks.max} weeks",
            key=key,
        )
    race = options.race_date or (profile.plan.race_date if not options.start_date else None)
    anchor = options.start_date or (profile.plan.start_date if not options.race_date else None)
    if template.goal == "general" and race is not None:
        raise PlanError(
            f"template {template.id} is a general plan without a race: give plan.start_date instead",
            key="plan.race_date",
        )
    if race is None:
        assert anchor is not None
        _check_day(anchor, options.today, "start date", "plan.start_date", allow_today=True)
        if template.goal == "half_marathon":
            race = anchor + dt.timedelta(days=7 * weeks - 1)
        return anchor, weeks, race, []
    warnings: list[PlanWarning] = []
    if options.today is not None:
        _check_day(race, options.today, "race date", "plan.race_date", allow_today=False)
        weeks = _joined_late(template, race, options.today, weeks, warnings)
    return race - dt.timedelta(days=7 * weeks - 1), weeks, race, warnings


def _check_day(day: dt.date, today: dt.date | None, what: str, key: str, *, allow_today: bool) -> None:
    """A plan's anchor day is not in the past, nor more than MAX_YEARS_AHEAD away (a typo)."""
    if today is None:
        return
    if day < today or (day == today and not allow_today):
        state = "in the past" if allow_today else "not in the future"
        raise PlanError(f"{what} {day} is {state} (today is {today})", key=key)
    if day > today + dt.timedelta(days=365 * MAX_YEARS_AHEAD):
        raise PlanError(f"{what} {day} is more than {MAX_YEARS_AHEAD} years away; check for a typo", key=key)


def _joined_late(
    template: Template, race: dt.date, today: dt.date, weeks: int, warnings: list[PlanWarning]
) -> int:
    """The plan's length when the race leaves fewer full weeks from today than it asks."""
    room = ((race - today).days + 1) // 7
    if room >= weeks:
        return weeks
    if room < template.weeks.min:
        raise PlanError(
            f"race date {race} leaves {room} full weeks from {today}; template {template.id} needs at least {template.weeks.min}",
            key="plan.race_date",
        )
    warnings.append(
        PlanWarning(
            "joined-late",
            f"Joined late: the plan is shortened from {weeks} to {room} weeks to start by {today}.",
            {"weeks": weeks, "shortened_to": room},
        )
    )
    return room


def keep_week(draft: Draft, week: WeekPlan) -> None:
    """A week of a plan in progress that has begun: its entries stay as they were. Its
    sessions still count in the progression of later weeks, and its shoes' wear and
    surfaces in their rotation; it counts as run when the runs are known."""
    history, load = draft.history, draft.load
    assert history.kept is not None
    week_start = draft.week_start(week.number)
    week_end = week_start + SIX_DAYS
    kept = [
        dataclasses.replace(w, week=week.number)
        for w in history.kept.workouts
        if week_start <= w.date <= week_end
    ]
    layout = _place(draft, week)  # later sessions carry on from the ones this week placed
    race_week = draft.race is not None and week.number == draft.n_weeks
    planned = _sessions(draft, layout, race_week)  # counted as the week that placed them counted them
    if week.taper_factor is None and not week.cutback:  # as plan_week's _no_dip remembers it
        held = float(sum(w.distance_m for w in kept if w.kind in RUN_KINDS and w.kind != "race"))
        draft.load.last_growing = (held, layout, planned)
    for w in kept:
        if w.surface is not None:
            draft.ctx.turns[w.kind] = draft.ctx.turns.get(w.kind, 0) + 1
        if w.shoe is not None:
            draft.rack.count(w.shoe, w.distance_m or (HALF_MARATHON_M if w.kind == "race" else 0))
    if history.adapting:
        load.count_run(week.number, kept, history.ran(week_start, week_end), week_end)
    else:
        load.count(days(kept), week_end)
    draft.workouts.extend(kept)
    load.last_runs = {w.slot: float(w.distance_m) for w in kept if w.kind in RUN_KINDS and w.kind != "race"}
    was = next((s for s in history.kept.weeks_summary if s.start == week_start), None)
    draft.summaries.append(was or _summary(week, week_start, days(kept), kept))


def plan_week(draft: Draft, week: WeekPlan) -> None:
    """A new week: placed, given its volume, its sessions sized, written out, counted."""
    race_week = draft.race is not None and week.number == draft.n_weeks
    week_start = draft.week_start(week.number)
    week_end = week_start + SIX_DAYS
    layout = _place(draft, week)
    draft.load.dropped_hard += layout.dropped_hard
    budget = _budget(draft, week, race_week, week_end)
    easy = draft.load.easy_weeks > 0
    if easy:
        layout = _easy_week(draft, week, layout)
    planned = _sessions(draft, layout, race_week)
    week_sizes = size_week(planned, budget, draft.zones)
    if not easy:  # an easy week back keeps its easy sessions
        layout, planned, week_sizes = _no_dip(draft, week, budget, (layout, planned, week_sizes))
    sized = week_sizes.sized
    draft.load.last_runs = {slot: s.distance_m for slot, s in sized.items()}
    if week_sizes.unplaced_m > draft.basis.step_m and not race_week:
        draft.load.short_weeks.append((week.number, budget.volume, budget.volume - week_sizes.unplaced_m))
    slots = _sized_slots(layout, sized, draft.basis.walk_run)
    if draft.sketch:
        counted = [_day(week_start, s, sized) for s in slots]
        draft.load.count(counted, week_end)
        draft.summaries.append(_summary(week, week_start, counted, []))
        return
    specs = {p.slot: _spec_of(p, sized) for p in planned}
    entries = week_entries(draft.ctx, week.number, week_start, slots, specs, sized, race_week)
    draft.workouts.extend(entries)
    history, counted = draft.history, days(entries)
    if history.under_way(week_start):
        assert history.runs_until is not None
        ran = history.ran(week_start, week_end)
        draft.load.count_under_way(entries, history.runs_until, ran, week_end)
    else:
        draft.load.count(counted, week_end)
    draft.summaries.append(_summary(week, week_start, counted, entries))


DIP_STEPS = 1  # a growing week may come out this many rounding steps under the one before


def _no_dip(draft: Draft, week: WeekPlan, budget: WeekBudget, sized: Shaped) -> Shaped:
    """No unplanned dip: a growing week whose sessions hold less than the growing week
    before it (its shape rules left volume out: a new phase's sessions, a day the week
    cannot use) first runs its recovery runs away from the long run as easy runs
    (:func:`_easy_not_recovery`), then, if it still dips, runs the shape of that week
    again, when that holds more. Repeating a week rather than stepping down is how a
    coach holds a load the athlete has absorbed (coaching reference, "Load and
    progression": no week is a step back unless it is a planned cutback)."""
    layout, planned, sizes = sized
    previous = draft.load.last_growing
    if week.taper_factor is not None or week.cutback:
        return sized
    now = (layout, planned, sizes, _held(sizes))
    low = -math.inf if previous is None else previous[0] - DIP_STEPS * draft.basis.step_m
    eased = _easy_not_recovery(layout, planned) if now[3] < low else None
    if eased is not None:
        now = _fuller(draft, week.number, budget, now, eased, EASED)
    flags = (draft.load.prev_last_hard, draft.load.prev_last_long)
    if previous is not None and now[3] < low and _follows(previous[1], flags):
        shape = (previous[1], previous[2])
        now = _fuller(
            draft, week.number, budget, now, shape, "it repeats the shape of the week before, which held more"
        )
    layout, planned, sizes, held = now
    draft.load.last_growing = (held, layout, planned)
    return layout, planned, sizes


def _fuller(
    draft: Draft,
    week: int,
    budget: WeekBudget,
    now: tuple[WeekLayout, list[Planned], WeekSizes, float],
    shape: tuple[WeekLayout, list[Planned]],
    reason: str,
) -> tuple[WeekLayout, list[Planned], WeekSizes, float]:
    """The week in ``shape`` when it holds more than the week as it is ``now`` (the week's
    reasons say why), else ``now``."""
    again = size_week(shape[1], budget, draft.zones)
    if _held(again) <= now[3]:
        return now
    draft.load.because(week, reason)
    return shape[0], shape[1], again, _held(again)


EASED = "a recovery run away from the long run is an easy run this week, so the week does not dip"


def _easy_not_recovery(layout: WeekLayout, planned: list[Planned]) -> tuple[WeekLayout, list[Planned]] | None:
    """The week with its recovery runs that do not follow the long run as easy runs; None
    when it has none. The day after a hard session is easy running or rest (the hard/easy
    rule); a recovery run is the short kind of it (RECOVERY_MAX_S), an easy run the longer
    one, as in every published plan family. Only the day after the long run must be the
    week's shortest run (coaching reference, "Shape of a week in published plan families"),
    so a week the 45-minute recovery run would leave short runs that day easy instead."""
    eased = {p.slot for p in planned if p.spec.kind == "recovery" and not p.after_long}
    if not eased:
        return None
    slots = tuple(s._replace(kind="easy") if s.slot in eased else s for s in layout.slots)
    return dataclasses.replace(layout, slots=slots), [
        p._replace(spec=plain("easy")) if p.slot in eased else p for p in planned
    ]


def _follows(layout: WeekLayout, flags: tuple[bool, bool]) -> bool:
    """Whether a week's shape may follow the week just planned (``flags``: it ended with a
    hard day, with the long run): no hard day after a hard one, and the day after a long
    run rest or a recovery run, as the placement step requires."""
    after_hard, after_long = flags
    first = [s for s in layout.slots if s.offset == 0]
    if after_hard and any(s.kind in HARD_KINDS or s.kind == "long" for s in first):
        return False
    return not (after_long and any(s.kind not in ("recovery", "cross") or not s.after_long for s in first))


def _held(sizes: WeekSizes) -> float:
    """The running a week's sizes hold, as its summary counts it (whole metres)."""
    return float(sum(round(s.distance_m) for s in sizes.sized.values()))


def _place(draft: Draft, week: WeekPlan) -> WeekLayout:
    """The placement step: the week's sessions on the athlete's days (hard/easy, rest day)."""
    template, load = draft.template, draft.load
    return place_week(
        WeekRequest(
            sessions=tuple((name, template.sessions[name].kind) for name in week.sessions),
            available=draft.available,
            long_offset=draft.offset_of[draft.profile.availability.long_run_day],
            race_week=draft.race is not None and week.number == draft.n_weeks,
            prev_last_hard_or_long=load.prev_last_hard,
            prev_last_long=load.prev_last_long,
            consecutive_hard=template.rules.consecutive_hard,
            max_hard=template.rules.max_hard_days,
            capacity=draft.capacity,
        )
    )


def _easy_week(draft: Draft, week: WeekPlan, layout: WeekLayout) -> WeekLayout:
    """The first week back after missed weeks: its quality sessions run as easy runs, as a
    coach brings intensity back only after a full easy week (coaching reference, "Returning
    after missed training": quality returns after easy running is tolerated)."""
    draft.load.easy_weeks -= 1
    easy = tuple(
        s._replace(kind="easy") if s.kind in HARD_KINDS and s.kind != "race" else s for s in layout.slots
    )
    if easy != layout.slots:
        draft.load.because(week.number, "the first week back is easy: quality sessions return after it")
    return dataclasses.replace(layout, slots=easy)


def _budget(draft: Draft, week: WeekPlan, race_week: bool, week_end: dt.date) -> WeekBudget:
    """The week's volume, long-run target and single-run cap, as sizing takes them."""
    template, profile, b, load = draft.template, draft.profile, draft.basis, draft.load
    volume = week_volume(template, profile, b, week, load, draft.history.adapting)
    recent_long = rules.longest_recent(load.history, week_end, draft.start, b.current_long)
    run_cap = rules.spike_cap(recent_long)
    if draft.history.adapting and run_cap < volume.long_target:
        load.because(
            week.number, f"the longest run of the last 30 days was {fmt_distance(recent_long, profile.units)}"
        )
    if race_week:  # fresh legs: nothing in race week longer than a third of the race
        run_cap = min(run_cap, RACE_WEEK_RUN_SHARE * HALF_MARATHON_M)
    return WeekBudget(
        volume=volume.volume,
        long_target=volume.long_target,
        run_cap=run_cap,
        long_share=template.rules.long_run_share,
        step=b.step_m,
        fine=b.fine_m,
        walk_run=b.walk_run,
        min_run=b.min_run,
        easy_share=template.rules.easy_run_share,
        after_long_share=template.rules.after_long_share,
        # Week 1 follows the athlete's own long run, as long as the plan's first one: the
        # plan may hold a long run shorter than theirs, and week 2 measures from the plan's.
        after_long_of=(load.longs[-1] if load.longs else min(b.current_long, volume.long_target))
        if load.prev_last_long
        else None,
        recovery_max_m=RECOVERY_MAX_S * draft.zones.speed("recovery"),
        sketch=draft.sketch,
        spread=profile.fitness.return_from_injury and not week.cutback,  # a cutback cuts the long run already
    )


def _sessions(draft: Draft, layout: WeekLayout, race_week: bool) -> list[Planned]:
    """The sessions step: each placed slot's session, how far through its progression,
    and its own cap (the shake-out the day before the race), long and quality first."""
    planned: list[Planned] = []
    for slot in layout.slots:
        if slot.kind == "race":
            continue
        eve = _race_week_cap(draft, slot) if race_week else None
        if slot.name == "":  # an extra easy run of the scheduler's, not a template session
            planned.append(Planned(slot.slot, plain(slot.kind), 0.0, slot.after_long, slot.optional, eve))
            continue
        spec = draft.template.sessions[slot.name]
        if slot.kind != spec.kind:  # demoted to an easy run by the day rules
            spec = plain(slot.kind)
        seen = draft.load.occurrences.get(slot.name, 0)
        draft.load.occurrences[slot.name] = seen + 1
        progress = seen / max(1, draft.totals[slot.name] - 1)
        planned.append(Planned(slot.slot, spec, progress, slot.after_long, cap_m=eve))
    planned.sort(key=lambda x: _slot_rank(x.slot))  # slots are unique: the order is total
    return planned


def _race_week_cap(draft: Draft, slot: Slot) -> float:
    """A race-week run's own cap: never longer than the same run the week before (a taper
    shortens runs and keeps their number: Bosquet et al. 2007), a run new this week no longer
    than that week's longest run besides the long run, and the day before the race a
    shake-out of at most a fifth of the race (or rest)."""
    before = draft.load.last_runs
    others = [m for s, m in before.items() if s != "long"]
    cap = before.get(slot.slot, max(others, default=math.inf))
    if slot.offset == 5:
        cap = min(cap, SHAKE_OUT_SHARE * HALF_MARATHON_M)
    return cap


def _sized_slots(layout: WeekLayout, sized: dict[str, Sized], walk_run: bool) -> list[Slot]:
    """The slots the sizing kept, each with the kind it is run as; run/walk weeks have
    no strides yet (they are easy sessions)."""
    slots = [s for s in layout.slots if s.slot in sized or s.kind == "race"]
    slots = [
        s._replace(kind=k) if (k := sized[s.slot].kind if s.slot in sized else None) else s for s in slots
    ]
    if walk_run:
        slots = [s._replace(kind="easy") if s.kind == "strides" else s for s in slots]
    return slots


def _day(week_start: dt.date, slot: Slot, sized: dict[str, Sized]) -> Day:
    """A sketch's entry: its date, kind and metres, as the entry would have them."""
    metres = HALF_MARATHON_M if slot.kind == "race" else sized[slot.slot].distance_m
    return (week_start + dt.timedelta(days=slot.offset), slot.kind, float(round(metres)))


def after_race_weeks(draft: Draft) -> None:
    """Recovery weeks after the race: easy running at the template's shares of the peak week."""
    template, b = draft.template, draft.basis
    if draft.race is None or template.after_race is None:
        return
    for j, factor in enumerate(template.after_race.factors):
        number = draft.n_weeks + j + 1
        week_start = draft.week_start(number)
        # The race is not a training run: the 30-day rule counts the runs before it.
        before = [(d, m) for d, m in draft.load.history if d != draft.race]
        recent = rules.longest_recent(before, week_start + dt.timedelta(days=6), draft.start, b.current_long)
        budget = WeekBudget(
            volume=factor * max(draft.load.volumes),
            long_target=0.0,
            run_cap=min(AFTER_RACE_RUN_SHARE * HALF_MARATHON_M, rules.spike_cap(recent)),
            long_share=template.rules.long_run_share,
            step=b.step_m,
            min_run=b.min_run,
            fine=b.fine_m,
            recovery_max_m=RECOVERY_MAX_S * draft.zones.speed("recovery"),
        )
        entries = _after_race_week(draft, number, week_start, j, budget)
        draft.workouts.extend(entries)
        counted = days(entries)
        draft.load.count(counted, week_start + dt.timedelta(days=6))
        draft.summaries.append(_summary(WeekPlan(number, "after race", []), week_start, counted, entries))


AFTER_RACE_NOTE = (
    "Recovery after the race: every run easy and short, no hard sessions yet; stop and walk if anything "
    "hurts. Red flags that mean rest and a professional, not training through: {flags}."
)


def _after_race_week(
    draft: Draft, number: int, week_start: dt.date, index: int, budget: WeekBudget
) -> list[Workout]:
    """A recovery week after the race: rest the first two days, then a few easy runs
    (recovery runs in the first week), foot strength, and the red flags on each run."""
    days_free = sorted(d for d in draft.available if index > 0 or d >= 2)
    runs = days_free[: max(1, min(len(days_free), draft.capacity - 1 - (1 if index == 0 else 0)))]
    kind = "recovery" if index == 0 else "easy"
    spec = _after_race_spec(kind, ", ".join(draft.template.recovery.red_flags))
    planned = [Planned(f"e{i + 1}", spec, 0.0) for i in range(len(runs))]
    sized = size_week(planned, budget, draft.zones).sized
    slots = [Slot(d, "", kind, f"e{i + 1}") for i, d in enumerate(runs) if f"e{i + 1}" in sized]
    return week_entries(draft.ctx, number, week_start, slots, {s.slot: spec for s in slots}, sized, False)


@functools.cache  # a few kinds and templates; the specs are never changed in place
def _after_race_spec(kind: str, flags: str) -> SessionSpec:
    """A run of the weeks after the race: plain, with the note on how to recover."""
    return plain(kind).model_copy(update={"notes": AFTER_RACE_NOTE.format(flags=flags)})


def _spec_of(p: Planned, sized: dict[str, Sized]) -> SessionSpec:
    """The session as sized: a quality session the week had no room for is an easy run."""
    built = sized.get(p.slot)
    return plain(built.kind) if built is not None and built.kind else p.spec


def _summary(week: WeekPlan, week_start: dt.date, counted: list[Day], entries: list[Workout]) -> WeekSummary:
    """A week's line in the plan's summary: its training volume and running time."""
    timed = TIMED_KINDS
    return WeekSummary(
        week=week.number,
        start=week_start,
        phase=week.phase,
        distance_m=round(sum(m for _, kind, m in counted if kind in RUN_KINDS and kind != "race")),
        duration_s=sum(w.duration_s for w in entries if w.kind in timed),
        cutback=week.cutback,
        taper=week.taper_factor is not None,
    )


@functools.cache  # a few slot names
def _slot_rank(slot: str) -> tuple[int, int]:
    """Priority of a slot within its week: long, quality, then easy running in template order."""
    order = {"race": 0, "long": 0, "q": 1, "e": 2, "x": 3}
    head = slot.rstrip("0123456789")
    return (order.get(head, 9), int(slot[len(head) :] or 0))


def _warnings(draft: Draft, advice: bool) -> None:
    """The warnings step: the load's, the race week's, and the two what-if ones."""
    template, profile, options, history, load = (
        draft.template,
        draft.profile,
        draft.options,
        draft.history,
        draft.load,
    )
    draft.warnings.extend(plan_warnings.load_warnings(template, profile, load, draft.basis, draft.n_weeks))

    def what_if(other: Profile, dates: Options, enough: Enough) -> Sketch:
        return _sketch(template, other, dates, draft.zones, enough)  # other days, other dates: same zones

    few = None
    if load.short_weeks and not history.adapting:
        few = plan_warnings.days_warning(template, profile, options, load, what_if, draft.basis.peak, advice)
    if template.goal == "half_marathon" and (not history.in_progress or history.adapting):
        reach = Readiness(
            max(load.longs), draft.start, draft.n_weeks, longer_plans=advice and not history.adapting
        )
        ready = plan_warnings.readiness(template, profile, options, reach, few, what_if)
        if ready is not None:
            draft.warnings.insert(0, ready)
    draft.warnings.extend([few] if few else [])
    gaps = plan_warnings.gap_warnings(history, draft.start, draft.race)
    draft.warnings[:] = plan_warnings.with_gap(draft.warnings, gaps)
    over = plan_warnings.overreach_warning(load, profile)
    draft.warnings.extend([over] if over else [])
    dropped = plan_warnings.dropped_warning(load.dropped_hard)
    draft.warnings.extend([dropped] if dropped else [])


def _finish(draft: Draft, advice: bool) -> Plan:
    """The warnings, each entry's time, and the plan as one value."""
    _warnings(draft, advice)
    profile, template = draft.profile, draft.template
    set_timing(draft.workouts, profile, draft.warnings)
    return Plan(
        athlete=profile.id,
        athlete_name=profile.name,
        template=template.id,
        template_name=template.name,
        goal=template.goal,
        start_date=draft.start,
        end_date=draft.start + dt.timedelta(days=7 * len(draft.summaries) - 1),
        race_date=draft.race,
        weeks=draft.n_weeks,
        units=profile.units,
        timezone=profile.timezone,
        system=profile.intensity.system,
        warnings=tuple(draft.warnings),
        weeks_summary=tuple(draft.summaries),
        workouts=tuple(draft.workouts),
        zones=tuple(draft.zones.target(z) for z in ZONES),
        references=_references(profile, draft.zones),
        made_on=draft.options.today,
        shoes=draft.rack.forecast(),
        reasons=tuple((w, tuple(r)) for w, r in sorted(draft.load.reasons.items()) if r),
    )


def _check_fitness(template: Template, profile: Profile) -> None:
    """Refuse athletes below the template's entry level: no safe plan reaches race day."""
    unit_m = METRES_PER_UNIT[profile.units]
    for key, have, need in (
        (
            "fitness.weekly_distance",
            profile.fitness.weekly_distance * unit_m,
            template.progression.min_weekly,
        ),
        ("fitness.long_run", profile.fitness.long_run * unit_m, template.progression.min_long_run),
    ):
        if have + 1 < need:
            raise PlanError(
                f"template {template.id} starts from at least {fmt_distance(need, profile.units)}; the athlete has "
                f"{fmt_distance(have, profile.units)}. Build up with a lower-level or base-building template first",
                key=key,
            )


def _references(profile: Profile, zones: ZoneModel) -> References:
    """The 100 % marks: the athlete's own threshold pace when the profile states one (so a
    platform shows the paces the description shows), else the one derived from the race."""
    pace = profile.intensity.threshold_pace
    if pace is None:
        pace = zones.pace_s_per_km("threshold") * METRES_PER_UNIT[profile.units] / 1000
    return References(float(pace), profile.intensity.threshold_hr, profile.intensity.max_hr)

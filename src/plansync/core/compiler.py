"""The plan compiler: (template, profile, options) -> Plan. Pure and deterministic.

No clock, no files, no network: ``Options.today`` is passed in by the caller.
The compiler works week by week, so every limit it sizes a run with (the
10 % rule over the highest earlier week, the 30-day single-run spike) is
computed from the weeks it has already written — the same functions
``plansync validate`` checks the finished plan with.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import math
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from plansync.core import peaks, rules
from plansync.core.entries import TENDER_WEEKS, EntryContext, week_entries
from plansync.core.plan import TIMED_KINDS, Plan, PlanWarning, References, WeekSummary, Workout
from plansync.core.profile import Profile
from plansync.core.quantities import METRES_PER_UNIT, fmt_distance
from plansync.core.schedule import Slot, WeekRequest, place_week
from plansync.core.sessions import Sized
from plansync.core.shoes import ShoeRack
from plansync.core.sizing import MIN_RUN_M, Planned, WeekBudget, plain, size_week
from plansync.core.template import SessionSpec, Template
from plansync.core.vocab import HALF_MARATHON_M, HARD_KINDS, RUN_KINDS, WEEKDAYS, ZONES
from plansync.core.zones import ZoneModel
from plansync.errors import PlanError

RACE_WEEK_RUN_SHARE = 0.35
SHAKE_OUT_SHARE = 0.2  # the day before the race: rest or a shake-out of at most a fifth of it
# Runs come in whole steps of the athlete's unit: half kilometres, quarter miles;
# runs under 5 km in tenths, so a short run can grow by 10 %.
MAX_YEARS_AHEAD = 3  # a plan starts within this many years of today
STEP_M = {"km": 500.0, "mi": METRES_PER_UNIT["mi"] / 4}
TENDER_START = 0.85  # the first weeks' volume for tender feet
MISSED_SHARE = 0.5  # a week run at under half its plan was missed
RESUME_STEP = 0.1  # after missed weeks, 10 % below the last completed week per week missed
INJURY_WEEKLY_CAP = 0.05  # back from an injury: at most 5 % over the highest earlier week
INJURY_MAX_GROWTH = 1.2
WALK_RUN_MIN_M = 1000.0  # the shortest run/walk session
FINE_STEP_M = {"km": 100.0, "mi": METRES_PER_UNIT["mi"] / 10}  # runs under 5 km


@dataclass(frozen=True)
class Options:
    """What a caller may override at compile time. ``today`` rejects past races."""

    race_date: dt.date | None = None
    start_date: dt.date | None = None
    weeks: int | None = None
    today: dt.date | None = None
    probe: bool = False  # a what-if compile (another day): no further what-ifs
    # A plan in progress being re-planned: its whole weeks before ``keep_before``
    # stay exactly as they were, and every rule of the new weeks counts them.
    keep: Plan | None = None
    keep_before: dt.date | None = None
    # What the athlete actually ran, (date, metres) of each run: the kept weeks count
    # these, not what was planned, so every limit of the weeks ahead is against them.
    actuals: tuple[tuple[dt.date, float], ...] | None = None
    actuals_until: dt.date | None = None  # the actual runs go up to this day; the plan after it


@dataclass
class _WeekPlan:
    number: int
    phase: str
    sessions: list[str]
    build_index: int = 0  # k of K among growing build weeks (0 if not one)
    cutback: bool = False
    taper_factor: float | None = None


@dataclass
class _State:
    history: list[tuple[dt.date, float]] = field(default_factory=list)
    volumes: list[float] = field(default_factory=list)
    longs: list[float] = field(default_factory=list)
    occurrences: dict[str, int] = field(default_factory=dict)
    prev_last_hard: bool = False
    prev_last_long: bool = False
    dropped_hard: int = 0
    short_weeks: list[tuple[int, float, float]] = field(default_factory=list)  # (week, target, held)
    missed_weeks: int = 0  # kept weeks at the end whose actual running was under half the plan
    last_completed: float = 0.0  # the actual volume of the last kept week that was not missed
    reasons: dict[int, list[str]] = field(default_factory=dict)  # week -> why it is what it is


def _dates(t: Template, p: Profile, o: Options) -> tuple[dt.date, int, dt.date | None, list[PlanWarning]]:
    warnings: list[PlanWarning] = []
    weeks = o.weeks or p.plan.weeks or t.weeks.default
    key = "plan.weeks" if (p.plan.weeks and not o.weeks) else "plan.template"
    low = 1 if o.keep is not None else t.weeks.min  # a plan in progress may end sooner
    if not low <= weeks <= t.weeks.max:
        raise PlanError(
            f"{weeks} weeks is outside template {t.id}'s range of {t.weeks.min}–{t.weeks.max} weeks", key=key
        )
    race = o.race_date or (p.plan.race_date if not o.start_date else None)
    start_anchor = o.start_date or (p.plan.start_date if not o.race_date else None)
    if t.goal == "general" and race is not None:
        raise PlanError(
            f"template {t.id} is a general plan without a race: give plan.start_date instead",
            key="plan.race_date",
        )
    horizon = o.today + dt.timedelta(days=365 * MAX_YEARS_AHEAD) if o.today is not None else None
    if race is None:
        assert start_anchor is not None
        if o.today is not None and start_anchor < o.today:
            raise PlanError(
                f"start date {start_anchor} is in the past (today is {o.today})", key="plan.start_date"
            )
        if horizon is not None and start_anchor > horizon:
            raise PlanError(
                f"start date {start_anchor} is more than {MAX_YEARS_AHEAD} years away; check for a typo",
                key="plan.start_date",
            )
        if t.goal == "half_marathon":
            race = start_anchor + dt.timedelta(days=7 * weeks - 1)
        return start_anchor, weeks, race, warnings
    if o.today is not None:
        if race <= o.today:
            raise PlanError(
                f"race date {race} is not in the future (today is {o.today})", key="plan.race_date"
            )
        if horizon is not None and race > horizon:
            raise PlanError(
                f"race date {race} is more than {MAX_YEARS_AHEAD} years away; check for a typo",
                key="plan.race_date",
            )
        room = ((race - o.today).days + 1) // 7
        if room < weeks:
            if room < t.weeks.min:
                raise PlanError(
                    f"race date {race} leaves {room} full weeks from {o.today}; template {t.id} needs at least {t.weeks.min}",
                    key="plan.race_date",
                )
            warnings.append(
                PlanWarning(
                    "joined-late",
                    f"Joined late: the plan is shortened from {weeks} to {room} weeks to start by {o.today}.",
                    {"weeks": weeks, "shortened_to": room},
                )
            )
            weeks = room
    return race - dt.timedelta(days=7 * weeks - 1), weeks, race, warnings


def _phase_weeks(t: Template, weeks: int) -> list[_WeekPlan]:
    taper = t.taper.weeks if t.taper else 0
    build = weeks - taper
    raw = [ph.share * build for ph in t.phases]
    counts = [max(1, math.floor(x)) for x in raw]
    while sum(counts) < build:
        i = max(range(len(raw)), key=lambda j: (raw[j] - counts[j], -j))
        counts[i] += 1
    while sum(counts) > build:
        i = max((j for j in range(len(counts)) if counts[j] > 1), key=lambda j: (counts[j] - raw[j], j))
        counts[i] -= 1
    out: list[_WeekPlan] = []
    for ph, n in zip(t.phases, counts, strict=True):
        first = len(out) + 1
        out.extend(_WeekPlan(first + i, ph.name, list(ph.sessions)) for i in range(n))
    every = t.progression.cutback.every
    k = 0
    for b, wk in enumerate(out, start=1):
        if b % every == 0 and b != build:
            wk.cutback = True
        else:
            k += 1
            wk.build_index = k
    if t.taper:
        for j in range(taper):
            out.append(
                _WeekPlan(build + j + 1, "taper", list(t.taper.sessions), taper_factor=t.taper.factors[j])
            )
    return out


def compile_plan(template: Template, profile: Profile, options: Options | None = None) -> Plan:
    t, p, o = template, profile, options or Options()
    start, n_weeks, race, warnings = _dates(t, p, o)
    if len(p.availability.days) < t.rules.min_days:
        raise PlanError(
            f"template {t.id} needs at least {t.rules.min_days} training days a week; the profile gives {len(p.availability.days)}",
            key="availability.days",
        )
    _check_fitness(t, p)
    zones = ZoneModel(p)
    unit_m = METRES_PER_UNIT[p.units]
    step_m = STEP_M[p.units]
    current = p.fitness.weekly_distance * unit_m
    current_long = p.fitness.long_run * unit_m
    walk_run = current_long < rules.WALK_RUN_BELOW_M  # not yet running 3 km without stopping
    min_run = WALK_RUN_MIN_M if walk_run else math.ceil(MIN_RUN_M / step_m) * step_m
    plan_weeks = _phase_weeks(t, n_weeks)
    growing = max(w.build_index for w in plan_weeks)
    injured = p.fitness.return_from_injury
    weekly_cap = min(t.progression.weekly_cap, INJURY_WEEKLY_CAP) if injured else t.progression.weekly_cap
    max_growth = min(t.progression.max_growth, INJURY_MAX_GROWTH) if injured else t.progression.max_growth
    peak = peaks.weekly_peak(current, *t.progression.peak_weekly, growing, max_growth)
    peak_long = peaks.long_peak(current_long, *t.progression.peak_long_run)
    base, base_long = min(current, peak), min(current_long, peak_long)

    totals: dict[str, int] = {}
    for wk in plan_weeks:
        for name in wk.sessions:
            totals[name] = totals.get(name, 0) + 1

    offset_of = {day: (WEEKDAYS.index(day) - start.weekday()) % 7 for day in WEEKDAYS}
    available = frozenset(offset_of[d] for d in p.availability.days)
    capacity = min(len(available), 6)
    st = _State()
    rack = ShoeRack(p.shoes, p.units, n_weeks if race is not None else None, warnings)
    ctx = EntryContext(t, p, zones, rack, warnings)
    workouts: list[Workout] = []
    summaries: list[WeekSummary] = []

    for wk in plan_weeks:
        week_start = start + dt.timedelta(days=7 * (wk.number - 1))
        race_week = race is not None and wk.number == n_weeks
        week_end = week_start + dt.timedelta(days=6)
        if o.keep is not None and o.keep_before is not None and week_end < o.keep_before:
            kept = [
                dataclasses.replace(w, week=wk.number)
                for w in o.keep.workouts
                if week_start <= w.date <= week_end
            ]
            for name in wk.sessions:  # later sessions carry on their progression
                st.occurrences[name] = st.occurrences.get(name, 0) + 1
            for w in kept:  # ... and so do the surface rotation and the shoes' wear
                if w.surface is not None:
                    ctx.turns[w.kind] = ctx.turns.get(w.kind, 0) + 1
                if w.shoe is not None:
                    rack.count(w.shoe, w.distance_m or (HALF_MARATHON_M if w.kind == "race" else 0))
            if o.actuals is not None:
                _count_actual(st, kept, week_start, o.actuals, o.actuals_until)
            else:
                _count(st, kept, week_start)
            workouts.extend(kept)
            was = next((s for s in o.keep.weeks_summary if s.start == week_start), None)
            summaries.append(was or _summary(wk, week_start, kept))
            continue
        kinds = tuple((name, t.sessions[name].kind) for name in wk.sessions)
        layout = place_week(
            WeekRequest(
                sessions=kinds,
                available=available,
                long_offset=offset_of[p.availability.long_run_day],
                race_week=race_week,
                prev_last_hard_or_long=st.prev_last_hard,
                prev_last_long=st.prev_last_long,
                consecutive_hard=t.rules.consecutive_hard,
                max_hard=t.rules.max_hard_days,
                capacity=capacity,
            )
        )
        st.dropped_hard += layout.dropped_hard

        # Volume and long run for the week.
        limit = rules.weekly_limit(current, st.volumes, weekly_cap)
        if o.actuals is not None and wk.taper_factor is None:
            limit = _actual_limit(st, wk.number, limit, p)
        if wk.taper_factor is not None:
            target = wk.taper_factor * max(st.volumes)
            long_target = wk.taper_factor * max(st.longs)
        elif wk.cutback:
            target = t.progression.cutback.factor * max(st.volumes)
            long_target = t.progression.cutback.factor * max(st.longs)
        else:
            share = wk.build_index / growing
            target = base + (peak - base) * share
            long_target = base_long + (peak_long - base_long) * share
        volume = min(target, limit)
        if o.actuals is not None and limit < target - 1 and not st.reasons.get(wk.number):
            st.reasons.setdefault(wk.number, []).append(
                f"the highest week actually run was {fmt_distance(max(st.volumes), p.units)}"
            )
        if p.tender_feet and wk.number <= TENDER_WEEKS:  # tender feet: the first weeks start lighter
            volume *= TENDER_START
        recent_long = rules.longest_recent(st.history, week_end, start, current_long)
        run_cap = rules.spike_cap(recent_long)
        if o.actuals is not None and run_cap < long_target:
            st.reasons.setdefault(wk.number, []).append(
                f"the longest run of the last 30 days was {fmt_distance(recent_long, p.units)}"
            )
        if race_week:  # fresh legs: nothing in race week longer than a third of the race
            run_cap = min(run_cap, RACE_WEEK_RUN_SHARE * HALF_MARATHON_M)
        priority = {s.slot: i for i, s in enumerate(sorted(layout.slots, key=lambda s: _slot_rank(s.slot)))}

        planned: list[Planned] = []
        for slot in layout.slots:
            if slot.kind == "race":
                continue
            eve = SHAKE_OUT_SHARE * HALF_MARATHON_M if race_week and slot.offset == 5 else None
            if slot.name == "":  # an extra easy run of the scheduler's, not a template session
                planned.append(Planned(slot.slot, plain(slot.kind), 0.0, slot.after_long, slot.optional, eve))
                continue
            spec = t.sessions[slot.name]
            if slot.kind != spec.kind:  # demoted to an easy run by the day rules
                spec = plain(slot.kind)
            seen = st.occurrences.get(slot.name, 0)
            st.occurrences[slot.name] = seen + 1
            progress = seen / max(1, totals[slot.name] - 1)
            planned.append(Planned(slot.slot, spec, progress, slot.after_long, cap_m=eve))
        planned.sort(key=lambda x: priority[x.slot])
        budget = WeekBudget(
            volume=volume,
            long_target=long_target,
            run_cap=run_cap,
            long_share=t.rules.long_run_share,
            step=step_m,
            fine=FINE_STEP_M[p.units],
            walk_run=walk_run,
            min_run=min_run,
            easy_share=t.rules.easy_run_share,
            after_long_share=t.rules.after_long_share,
            after_long_of=st.longs[-1] if st.prev_last_long else None,
        )
        week_sizes = size_week(planned, budget, zones)
        sized = week_sizes.sized
        if week_sizes.unplaced_m > step_m and not race_week:
            st.short_weeks.append((wk.number, volume, volume - week_sizes.unplaced_m))
        specs = {x.slot: _spec_of(x, sized) for x in planned}
        slots = [s for s in layout.slots if s.slot in sized or s.kind == "race"]
        slots = [
            dataclasses.replace(s, kind=k) if (k := sized[s.slot].kind if s.slot in sized else None) else s
            for s in slots
        ]
        if walk_run:  # run/walk weeks have no strides yet: they are easy sessions
            slots = [dataclasses.replace(s, kind="easy") if s.kind == "strides" else s for s in slots]

        entries = week_entries(ctx, wk.number, week_start, slots, specs, sized, race_week)
        workouts.extend(entries)
        if o.actuals is not None and o.actuals_until is not None and week_start < o.actuals_until:
            # The week under way: its days before ``actuals_until`` count as run, not as planned.
            ahead = [w for w in entries if w.date >= o.actuals_until]
            ran = tuple((d, m) for d, m in o.actuals if week_start <= d < o.actuals_until)
            _count(st, ahead, week_start)
            st.volumes[-1] += sum(m for _, m in ran)
            done = [w for w in entries if w.date < o.actuals_until]
            st.longs[-1] = max(st.longs[-1], _actual_long(done, list(ran)))
            st.history.extend(ran)
        else:
            _count(st, entries, week_start)
        summaries.append(_summary(wk, week_start, entries))

    light = _race_week_light(summaries, n_weeks, p) if race is not None else None
    if light is not None:
        warnings.append(light)
    if race is not None and t.after_race is not None:
        for j, factor in enumerate(t.after_race.factors):
            number = n_weeks + j + 1
            week_start = start + dt.timedelta(days=7 * (number - 1))
            budget = WeekBudget(
                volume=factor * max(st.volumes),
                long_target=0.0,
                run_cap=RACE_WEEK_RUN_SHARE * HALF_MARATHON_M,
                long_share=t.rules.long_run_share,
                step=step_m,
                min_run=min_run,
                fine=FINE_STEP_M[p.units],
            )
            entries = _after_race_week(ctx, number, week_start, j, budget, available, capacity)
            workouts.extend(entries)
            _count(st, entries, week_start)
            summaries.append(
                WeekSummary(
                    week=number,
                    start=week_start,
                    phase="after race",
                    distance_m=round(rules.training_volume(entries)),
                    duration_s=sum(w.duration_s for w in entries if w.kind in RUN_KINDS),
                    cutback=False,
                    taper=False,
                )
            )
    warnings.extend(_load_warnings(t, p, st, (current, peak), (current_long, peak_long), n_weeks))
    few = _days_warning(t, p, o, st) if st.short_weeks and not o.probe and o.actuals is None else None
    if t.goal == "half_marathon" and not o.probe and (o.keep is None or o.actuals is not None):
        ready = _readiness(t, p, o, max(st.longs), start, n_weeks, few)
        if ready is not None:
            warnings.insert(0, ready)
    if few is not None:
        warnings.append(few)
    if st.dropped_hard:
        warnings.append(
            PlanWarning(
                "hard-sessions-dropped",
                f"{st.dropped_hard} hard sessions did not fit the available days without breaking the hard/easy rules and were left out.",
                {"dropped": st.dropped_hard},
            )
        )
    _set_timing(workouts, p, warnings)
    return Plan(
        athlete=p.id,
        athlete_name=p.name,
        template=t.id,
        template_name=t.name,
        goal=t.goal,
        start_date=start,
        end_date=start + dt.timedelta(days=7 * len(summaries) - 1),
        race_date=race,
        weeks=n_weeks,
        units=p.units,
        timezone=p.timezone,
        system=p.intensity.system,
        warnings=tuple(warnings),
        weeks_summary=tuple(summaries),
        workouts=tuple(workouts),
        zones=tuple(zones.target(z) for z in ZONES),
        references=_references(p, zones),
        made_on=o.today,
        shoes=rack.forecast(),
        reasons=tuple((w, tuple(r)) for w, r in sorted(st.reasons.items()) if r),
    )


def _race_week_light(summaries: list[WeekSummary], race_week: int, p: Profile) -> PlanWarning | None:
    """Race week below the 40 % of the peak week a taper keeps (few days, short caps)."""
    peak = max((s.distance_m for s in summaries if not s.taper), default=0)
    held = summaries[race_week - 1].distance_m
    if peak <= 0 or held >= rules.TAPER_DEPTH[0] * peak - rules.TOLERANCE_M * 7:
        return None
    return PlanWarning(
        "race-week-light",
        f"Race week holds {fmt_distance(held, p.units)}, {held / peak:.0%} of the peak week (a taper keeps "
        f"40–60 %): the athlete's days and the short runs of race week leave no more room. Keep every run "
        "easy and relaxed; an extra short easy run early in the week would help.",
        {"held_m": held, "peak_m": peak},
    )


AFTER_RACE_NOTE = (
    "Recovery after the race: every run easy and short, no hard sessions yet; stop and walk if anything "
    "hurts. Red flags that mean rest and a professional, not training through: {flags}."
)


def _after_race_week(
    ctx: EntryContext,
    number: int,
    week_start: dt.date,
    index: int,
    budget: WeekBudget,
    available: frozenset[int],
    capacity: int,
) -> list[Workout]:
    """A recovery week after the race: rest the first two days, then a few easy runs
    (recovery runs in the first week), foot strength, and the red flags on each run."""
    days = sorted(d for d in available if index > 0 or d >= 2)
    runs = days[: max(1, min(len(days), capacity - 1 - (1 if index == 0 else 0)))]
    kind = "recovery" if index == 0 else "easy"
    flags = ", ".join(ctx.template.recovery.red_flags)
    spec = plain(kind).model_copy(update={"notes": AFTER_RACE_NOTE.format(flags=flags)})
    planned = [Planned(f"e{i + 1}", spec, 0.0) for i in range(len(runs))]
    sized = size_week(planned, budget, ctx.zones).sized
    slots = [Slot(d, "", kind, f"e{i + 1}") for i, d in enumerate(runs) if f"e{i + 1}" in sized]
    return week_entries(ctx, number, week_start, slots, {s.slot: spec for s in slots}, sized, False)


def _spec_of(p: Planned, sized: dict[str, Sized]) -> SessionSpec:
    """The session as sized: a quality session the week had no room for is an easy run."""
    built = sized.get(p.slot)
    return plain(built.kind) if built is not None and built.kind else p.spec


def _count_actual(
    st: _State,
    kept: list[Workout],
    week_start: dt.date,
    actuals: tuple[tuple[dt.date, float], ...],
    until: dt.date | None,
) -> None:
    """A kept week as the athlete ran it: its volume, longest run and runs are the actual ones."""
    end = week_start + dt.timedelta(days=6)
    ran = [(d, m) for d, m in actuals if week_start <= d <= end and (until is None or d < until)]
    planned = rules.training_volume(kept)
    volume = sum(m for _, m in ran)
    last_day = {w.kind for w in kept if w.date == end}
    st.volumes.append(volume)
    st.longs.append(_actual_long(kept, ran))
    st.history.extend(ran)
    st.prev_last_hard = bool(last_day & (HARD_KINDS | {"long"})) and any(d == end for d, _ in ran)
    st.prev_last_long = "long" in last_day and any(d == end for d, _ in ran)
    if planned > 0 and volume < MISSED_SHARE * planned:
        st.missed_weeks += 1
    else:
        st.missed_weeks = 0
        st.last_completed = volume


def _actual_long(kept: list[Workout], ran: list[tuple[dt.date, float]]) -> float:
    """The long run of a week as run: the run on the planned long run's day, or, when the
    athlete moved it, the longest run that was not on a quality session's day. A hill or
    tempo session longer than the long run is not the long run, as in the plan itself."""
    long_days = {w.date for w in kept if w.kind == "long"}
    on_long_day = [m for d, m in ran if d in long_days]
    if on_long_day:
        return max(on_long_day)
    hard_days = {w.date for w in kept if w.kind in HARD_KINDS}
    return max((m for d, m in ran if d not in hard_days), default=0.0)


def _actual_limit(st: _State, week: int, limit: float, p: Profile) -> float:
    """After missed weeks, a return below the last completed week (10 % lower per week
    missed); the 10 % rule itself already counts the actual weeks (``st.volumes``)."""
    reasons = st.reasons.setdefault(week, [])
    if st.missed_weeks and st.last_completed > 0:
        resume = st.last_completed * (1 - RESUME_STEP) ** st.missed_weeks
        if resume < limit:
            reasons.append(
                f"{st.missed_weeks} missed week{'s' if st.missed_weeks > 1 else ''}: resuming below the last "
                f"completed week ({fmt_distance(st.last_completed, p.units)})"
            )
            limit = resume
        st.missed_weeks = 0  # once: the weeks after grow from here
    return limit


def _count(st: _State, entries: list[Workout], week_start: dt.date) -> None:
    """What the rules of the next weeks see of this one."""
    last_day = {w.kind for w in entries if w.date == week_start + dt.timedelta(days=6)}
    st.volumes.append(rules.training_volume(entries))
    st.longs.append(max((w.distance_m for w in entries if w.kind == "long"), default=0.0))
    st.history.extend((w.date, float(w.distance_m)) for w in entries if w.kind in RUN_KINDS)
    st.prev_last_hard = bool(last_day & (HARD_KINDS | {"long"}))
    st.prev_last_long = "long" in last_day


def _summary(wk: _WeekPlan, week_start: dt.date, entries: list[Workout]) -> WeekSummary:
    return WeekSummary(
        week=wk.number,
        start=week_start,
        phase=wk.phase,
        distance_m=round(rules.training_volume(entries)),
        duration_s=sum(w.duration_s for w in entries if w.kind in RUN_KINDS and w.kind != "race"),
        cutback=wk.cutback,
        taper=wk.taper_factor is not None,
    )


def _slot_rank(slot: str) -> tuple[int, int]:
    """Priority of a slot within its week: long, quality, then easy running in template order."""
    order = {"race": 0, "long": 0, "q": 1, "e": 2, "x": 3}
    head = slot.rstrip("0123456789")
    return (order.get(head, 9), int(slot[len(head) :] or 0))


def _load_warnings(
    t: Template, p: Profile, st: _State, weekly: tuple[float, float], long: tuple[float, float], weeks: int
) -> list[PlanWarning]:
    out: list[PlanWarning] = []
    units = p.units
    current, peak = weekly
    current_long, peak_long = long
    high = t.progression.peak_weekly[1]
    if current >= ABOVE_RANGE * high:
        out.append(
            PlanWarning(
                "above-template-peak",
                f"Current volume {fmt_distance(current, units)}/week is at or above the top of this template's "
                f"peak range (up to {fmt_distance(high, units)}); the plan holds your volume rather than cutting "
                "it. Consider a higher-level template.",
            )
        )
    elif max(st.volumes) < 0.95 * peak:
        out.append(
            PlanWarning(
                "weekly-peak-capped",
                f"Weekly volume is capped at {fmt_distance(max(st.volumes), units)} (your peak "
                f"{fmt_distance(peak, units)}): it cannot be reached safely from {fmt_distance(current, units)}/week in {weeks} weeks.",
            )
        )
    if max(st.longs) < 0.95 * min(peak_long, max(current_long, peak_long)):
        out.append(
            PlanWarning(
                "long-run-capped",
                f"The long run is capped at {fmt_distance(max(st.longs), units)} (your peak "
                f"{fmt_distance(peak_long, units)}) to stay within 110 % of the longest recent run.",
            )
        )
    return out


ABOVE_RANGE = 0.95  # at the top of the template's range: the next template up is suggested
DAYS_MATTER_M = 2000.0  # another day must raise the peak by this much to be worth a warning
ORDINALS = ("", "first", "second", "third", "fourth", "fifth", "sixth", "seventh")


def _days_warning(t: Template, p: Profile, o: Options, st: _State) -> PlanWarning | None:
    """When the week's shape rules hold the peak below its target, say how far the
    athlete's days go and what one more day (the best one) would reach; nothing
    when another day would not raise the peak (the shortfall was rounding)."""
    held = max(st.volumes)
    n = len(p.availability.days)
    best: tuple[float, str, float] | None = None  # (peak week, the day, longest long run)
    for day in WEEKDAYS:
        if day in p.availability.days:
            continue
        days = [d for d in WEEKDAYS if d in p.availability.days or d == day]
        more = p.model_copy(update={"availability": p.availability.model_copy(update={"days": days})})
        try:
            plan = compile_plan(t, more, _probe(o))
        except PlanError:  # pragma: no cover - one more day never makes a plan invalid
            continue
        peak = max(w.distance_m for w in plan.weeks_summary)
        if best is None or peak > best[0] + 1:
            best = (peak, day, max((w.distance_m for w in plan.workouts if w.kind == "long"), default=0))
    if best is None or best[0] < held + DAYS_MATTER_M:
        return None
    weeks = [w for w, _, _ in st.short_weeks]
    name = calendar.day_name[WEEKDAYS.index(best[1])]
    return PlanWarning(
        "few-days",
        f"{n} training days a week hold at most {fmt_distance(held, p.units)} without an easy run over "
        f"{t.rules.easy_run_share:.0%} of the long run, so weeks {_ranges(weeks)} are capped below their "
        f"target; a {ORDINALS[n + 1]} day ({name}) would let the plan reach {fmt_distance(best[0], p.units)}.",
        {
            "weeks": weeks,
            "held_m": round(held),
            "extra_day": best[1],
            "would_reach_m": round(best[0]),
            "longest_with_it_m": round(best[2]),
        },
    )


def _readiness(
    t: Template,
    p: Profile,
    o: Options,
    longest: float,
    start: dt.date,
    weeks: int,
    few: PlanWarning | None,
) -> PlanWarning | None:
    """A plan whose longest run stays below what the template calls race-ready says
    so first, with what would work: a longer plan (a later race), walk breaks in
    the race, or a base-building block first."""
    ready = t.progression.race_ready_long * HALF_MARATHON_M
    if longest + 1 >= ready:
        return None
    u = p.units
    data: dict[str, object] = {"longest_m": round(longest), "ready_m": round(ready)}
    options: list[str] = []
    for more in range(weeks + 1, t.weeks.max + 1 if o.actuals is None else weeks + 1):
        race = start + dt.timedelta(days=7 * more - 1)
        try:
            longer = compile_plan(t, p, Options(race_date=race, weeks=more, today=o.today, probe=True))
        except PlanError:  # pragma: no cover - a longer plan from the same start always compiles
            continue
        if max(w.distance_m for w in longer.workouts if w.kind == "long") + 1 >= ready:
            options.append(
                f"a race on {race.isoformat()} or later (a {more}-week plan from {start.isoformat()})"
            )
            data.update({"earliest_race": race.isoformat(), "weeks": more})
            break
    if few is not None and float(few.data["longest_with_it_m"]) + 1 >= ready:
        day = calendar.day_name[WEEKDAYS.index(str(few.data["extra_day"]))]
        options.append(
            f"a {ORDINALS[len(p.availability.days) + 1]} training day ({day}), which lets the long run reach it"
        )
    options.append(
        f"a run/walk race: planned walk breaks from the start (such as 4 min running, 1 min walking) "
        f"make {fmt_distance(HALF_MARATHON_M, u)} manageable with a longest run of {fmt_distance(longest, u)}"
    )
    options.append("a base-building block first (general-base-building), then this plan for a later race")
    return PlanWarning(
        "not-race-ready",
        f"NOT RACE-READY: the longest run this plan can safely reach is {fmt_distance(longest, u)}, below the "
        f"{fmt_distance(ready, u)} ({t.progression.race_ready_long:.0%} of the race) this template asks of a "
        "finisher. Choose one of: " + "; ".join(options) + ".",
        data,
    )


def _probe(o: Options) -> Options:
    return Options(race_date=o.race_date, start_date=o.start_date, weeks=o.weeks, today=o.today, probe=True)


def _ranges(weeks: list[int]) -> str:
    """``[5, 6, 7, 9]`` -> ``5–7, 9``."""
    out: list[str] = []
    for w in weeks:
        if out and out[-1].split("–")[-1] == str(w - 1):
            out[-1] = f"{out[-1].split('–')[0]}–{w}"
        else:
            out.append(str(w))
    return ", ".join(out)


def _check_fitness(t: Template, p: Profile) -> None:
    """Refuse athletes below the template's entry level: no safe plan reaches race day."""
    unit_m = METRES_PER_UNIT[p.units]
    for key, have, need in (
        ("fitness.weekly_distance", p.fitness.weekly_distance * unit_m, t.progression.min_weekly),
        ("fitness.long_run", p.fitness.long_run * unit_m, t.progression.min_long_run),
    ):
        if have + 1 < need:
            raise PlanError(
                f"template {t.id} starts from at least {fmt_distance(need, p.units)}; the athlete has "
                f"{fmt_distance(have, p.units)}. Build up with a lower-level or base-building template first",
                key=key,
            )


def _set_timing(workouts: list[Workout], p: Profile, warnings: list[PlanWarning]) -> None:
    """Each entry carries its own time of day and reminder, so calendars need no profile.
    A time the clocks skip or repeat that day (a daylight-saving change) moves to the next
    minute that happens exactly once, with a warning: every calendar then agrees on it."""
    reminder = p.calendar.reminder_minutes
    zone = ZoneInfo(p.timezone)
    for w in workouts:
        if w.kind in TIMED_KINDS:
            at = p.availability.time_on(WEEKDAYS[w.date.weekday()])
            if at is not None:
                real = real_local_time(w.date, at, zone)
                if real != at:
                    warnings.append(
                        PlanWarning(
                            "time-moved",
                            f"Week {w.week}: {w.title} on {w.date.isoformat()} starts at {real:%H:%M}, not "
                            f"{at:%H:%M}: the clocks change that night and {at:%H:%M} does not happen once.",
                            {"date": w.date.isoformat(), "from": f"{at:%H:%M}", "to": f"{real:%H:%M}"},
                        )
                    )
                at = real
            w.start_time = at
        if reminder is not None and w.kind != "rest":
            w.reminder_minutes = reminder


def real_local_time(day: dt.date, at: dt.time, zone: ZoneInfo) -> dt.time:
    """``at`` on ``day`` if that local time happens exactly once there, else the next minute that does."""
    local = dt.datetime.combine(day, at)
    for _ in range(24 * 60):
        first, second = local.replace(tzinfo=zone), local.replace(tzinfo=zone, fold=1)
        exists = first.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) == local
        once = first.utcoffset() == second.utcoffset()
        if exists and once:
            return local.time()
        local += dt.timedelta(minutes=1)
    return at  # pragma: no cover - no zone skips a whole day


def _references(p: Profile, zones: ZoneModel) -> References:
    """The 100 % marks: the athlete's own threshold pace when the profile states one (so a
    platform shows the paces the description shows), else the one derived from the race."""
    pace = p.intensity.threshold_pace
    if pace is None:
        pace = zones.pace_s_per_km("threshold") * METRES_PER_UNIT[p.units] / 1000
    return References(float(pace), p.intensity.threshold_hr, p.intensity.max_hr)

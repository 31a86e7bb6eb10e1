"""The warnings step: what the coach must know about a plan before sending it.

Most warnings are read off the finished load (a capped peak or long run, a
light race week). Two ask "what if": what one more training day would reach
(``few-days``), and which later race would make the athlete race-ready
(``not-race-ready``). Those are answered by sketches, the compiler's pipeline
without the entries (no descriptions, shoes or guidance), a few each per plan.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass

from plansync.core import rules
from plansync.core.gaps import GAP_RULES, RACE_LOST_DAYS, gaps, lost_before_race
from plansync.core.history import History
from plansync.core.load import Load
from plansync.core.options import Options
from plansync.core.plan import PlanWarning, WeekSummary
from plansync.core.profile import Profile
from plansync.core.quantities import fmt_distance
from plansync.core.template import Template
from plansync.core.vocab import HALF_MARATHON_M, WEEKDAYS
from plansync.core.weeks import Basis
from plansync.errors import PlanError

ABOVE_RANGE = 0.95  # at the top of the template's range: the next template up is suggested
DAYS_MATTER_M = 2000.0  # another day must raise the peak by this much to be worth a warning
ORDINALS = ("", "first", "second", "third", "fourth", "fifth", "sixth", "seventh")


@dataclass(frozen=True)
class Sketch:
    """What a what-if plan tells: its highest week and its longest long run (metres)."""

    peak: float
    longest: float


# A sketch of the plan for another profile or dates. Its last argument, ``enough``: a week
# volume after which the sketch may stop (its peak is then at least that); math.inf for all of it.
# A what-if plan's peak and longest run; it may stop once its peak, or its longest run, is
# at least as high as asked (each ``math.inf``: the whole plan up to its taper).
WhatIf = Callable[[Profile, Options, tuple[float, float]], Sketch]


def load_warnings(
    template: Template, profile: Profile, load: Load, b: Basis, weeks: int
) -> list[PlanWarning]:
    """A current volume above the template's range; a weekly peak or long run the plan could
    not reach safely (the 10 % and 110 % rules held it below the athlete's own peak)."""
    out: list[PlanWarning] = []
    units = profile.units
    high = template.progression.peak_weekly[1]
    if b.current >= ABOVE_RANGE * high:
        out.append(
            PlanWarning(
                "above-template-peak",
                f"Current volume {fmt_distance(b.current, units)}/week is at or above the top of this template's "
                f"peak range (up to {fmt_distance(high, units)}); the plan holds your volume rather than cutting "
                "it. Consider a higher-level template.",
            )
        )
    elif max(load.volumes) < 0.95 * b.peak:
        out.append(
            PlanWarning(
                "weekly-peak-capped",
                f"Weekly volume is capped at {fmt_distance(max(load.volumes), units)} (your peak "
                f"{fmt_distance(b.peak, units)}): it cannot be reached safely from {fmt_distance(b.current, units)}/week in {weeks} weeks.",
            )
        )
    if max(load.longs) < 0.95 * min(b.peak_long, max(b.current_long, b.peak_long)):
        out.append(
            PlanWarning(
                "long-run-capped",
                f"The long run is capped at {fmt_distance(max(load.longs), units)} (your peak "
                f"{fmt_distance(b.peak_long, units)}) to stay within 110 % of the longest recent run.",
            )
        )
    return out


def race_week_light(summaries: list[WeekSummary], race_week: int, profile: Profile) -> PlanWarning | None:
    """Race week below the 40 % of the peak week a taper keeps (few days, short caps)."""
    peak = max((s.distance_m for s in summaries if not s.taper), default=0)
    held = summaries[race_week - 1].distance_m
    if peak <= 0 or held >= rules.TAPER_DEPTH[0] * peak - rules.TOLERANCE_M * 7:
        return None
    return PlanWarning(
        "race-week-light",
        f"Race week holds {fmt_distance(held, profile.units)}, {held / peak:.0%} of the peak week (a taper keeps "
        f"40–60 %): the athlete's days leave no more room, since no race-week run is longer than the same run "
        "the week before. Keep every run easy and relaxed; an extra short easy run early in the week would help.",
        {"held_m": held, "peak_m": peak},
    )


def days_warning(
    template: Template,
    profile: Profile,
    options: Options,
    load: Load,
    what_if: WhatIf,
    peak: float,
    advice: bool = True,
) -> PlanWarning | None:
    """When the week's shape rules hold the peak below its target, say how far the
    athlete's days go and what one more day would reach; nothing when it would not raise
    the peak (the shortfall was rounding). The day is :func:`extra_day`, and one sketch
    answers for it; none when even the athlete's peak target (``peak``: no week of any plan
    of theirs is higher) is too close to what the days hold to be worth a warning. Without
    ``advice`` (only whether the warning is given is read), the sketch stops as soon as it
    decides that, and the figures the warning gives are only as far as it went."""
    held = max(load.volumes)
    n = len(profile.availability.days)
    day = extra_day(profile)
    if day is None or peak < held + DAYS_MATTER_M - 1:
        return None
    days = [d for d in WEEKDAYS if d in profile.availability.days or d == day]
    more = profile.model_copy(update={"availability": profile.availability.model_copy(update={"days": days})})
    try:
        sketch = what_if(more, options, (math.inf if advice else held + DAYS_MATTER_M, math.inf))
    except PlanError:  # pragma: no cover - one more day never makes a plan invalid
        return None
    best = (sketch.peak, day, sketch.longest)
    if best[0] < held + DAYS_MATTER_M:
        return None
    weeks = [w for w, _, _ in load.short_weeks]
    name = calendar.day_name[WEEKDAYS.index(best[1])]
    return PlanWarning(
        "few-days",
        f"{n} training days a week hold at most {fmt_distance(held, profile.units)} without an easy run over "
        f"{template.rules.easy_run_share:.0%} of the long run, so weeks {ranges(weeks)} are capped below their "
        f"target; a {ORDINALS[n + 1]} day ({name}) would let the plan reach {fmt_distance(best[0], profile.units)}.",
        {
            "weeks": weeks,
            "held_m": round(held),
            "extra_day": best[1],
            "would_reach_m": round(best[0]),
            "longest_with_it_m": round(best[2]),
        },
    )


def extra_day(profile: Profile) -> str | None:
    """The free day that adds most to a week: the first one in the week that is not the
    day after the long run. That day holds only a short run (the template's after-long
    share of the long run: the hard/easy principle, coaching reference "Shape of a
    week"), so it adds least; every other free day holds a full easy run. Measured over
    the validation matrix: the peak this day gives is the best any one day gives, within
    100 m (one sketch instead of one per free day)."""
    free = [d for d in WEEKDAYS if d not in profile.availability.days]
    after_long = WEEKDAYS[(WEEKDAYS.index(profile.availability.long_run_day) + 1) % 7]
    return next((d for d in free if d != after_long), free[0] if free else None)


@dataclass(frozen=True)
class Readiness:
    """A plan's reach against race-readiness: its longest long run, where it starts, how long it is."""

    longest: float
    start: dt.date
    weeks: int
    longer_plans: bool  # whether a longer plan (a later race) is one of the options


def readiness(
    template: Template,
    profile: Profile,
    options: Options,
    reach: Readiness,
    few: PlanWarning | None,
    what_if: WhatIf,
) -> PlanWarning | None:
    """A plan whose longest run stays below what the template calls race-ready says
    so first, with what would work: a longer plan (a later race), one more day, walk
    breaks in the race, or a base-building block first."""
    ready = template.progression.race_ready_long * HALF_MARATHON_M
    longest = reach.longest
    if longest + 1 >= ready:
        return None
    u = profile.units
    data: dict[str, object] = {"longest_m": round(longest), "ready_m": round(ready)}
    options_text: list[str] = []
    later = _later_race(template, profile, options, reach, ready, what_if) if reach.longer_plans else None
    if later is not None:
        race, more = later
        options_text.append(
            f"a race on {race.isoformat()} or later (a {more}-week plan from {reach.start.isoformat()})"
        )
        data.update({"earliest_race": race.isoformat(), "weeks": more})
    if few is not None and float(few.data["longest_with_it_m"]) + 1 >= ready:
        day = calendar.day_name[WEEKDAYS.index(str(few.data["extra_day"]))]
        options_text.append(
            f"a {ORDINALS[len(profile.availability.days) + 1]} training day ({day}), which lets the long run reach it"
        )
    options_text.append(
        f"a run/walk race: planned walk breaks from the start (such as 4 min running, 1 min walking) "
        f"make {fmt_distance(HALF_MARATHON_M, u)} manageable with a longest run of {fmt_distance(longest, u)}"
    )
    options_text.append(
        "a base-building block first (general-base-building), then this plan for a later race"
    )
    return PlanWarning(
        "not-race-ready",
        f"NOT RACE-READY: the longest run this plan can safely reach is {fmt_distance(longest, u)}, below the "
        f"{fmt_distance(ready, u)} ({template.progression.race_ready_long:.0%} of the race) this template asks of a "
        "finisher. Choose one of: " + "; ".join(options_text) + ".",
        data,
    )


def _later_race(
    template: Template, profile: Profile, options: Options, reach: Readiness, ready: float, what_if: WhatIf
) -> tuple[dt.date, int] | None:
    """The shortest longer plan from the same start whose long run reaches ``ready``. The
    longest plan the template allows is asked first: when even it falls short, no shorter
    one reaches further (a longer plan has more build weeks; over the validation matrix and
    415 random plans, none did), and one sketch answers instead of one per length."""
    lengths = range(reach.weeks + 1, template.weeks.max + 1)

    def reaches(more: int) -> bool:
        race = reach.start + dt.timedelta(days=7 * more - 1)
        try:
            dates = Options(race_date=race, weeks=more, today=options.today)
            sketch = what_if(profile, dates, (math.inf, ready - 1))  # it may stop once it reaches
        except PlanError:  # pragma: no cover - a longer plan from the same start always compiles
            return False
        return sketch.longest + 1 >= ready

    if not lengths or not reaches(lengths[-1]):
        return None
    more = next(m for m in lengths if reaches(m))  # the longest reaches it: so one does
    return reach.start + dt.timedelta(days=7 * more - 1), more


def overreach_warning(load: Load, profile: Profile) -> PlanWarning | None:
    """Weeks run well over their plan: the plan does not build on them, and the coach is told.
    A week run well above plan is no reason to raise later weeks; progression continues from
    the plan (Pfitzinger's 3 up / 1 down rhythm kept; coaching reference, "Overreach")."""
    if not load.overreached:
        return None
    u = profile.units
    weeks = "; ".join(
        f"week {week}: {fmt_distance(run, u)} against {fmt_distance(planned, u)} ({run / planned:.0%})"
        for week, run, planned in load.overreached
    )
    return PlanWarning(
        "overreach",
        f"Run well over the plan ({weeks}). The weeks ahead keep to the plan rather than build on it: "
        "watch for fatigue and soreness, and talk with the athlete about keeping to the plan.",
        {"weeks": [{"week": w, "run_m": round(r), "planned_m": round(p)} for w, r, p in load.overreached]},
    )


def dropped_warning(dropped: int) -> PlanWarning | None:
    if not dropped:
        return None
    return PlanWarning(
        "hard-sessions-dropped",
        f"{dropped} hard sessions did not fit the available days without breaking the hard/easy rules and were left out.",
        {"dropped": dropped},
    )


def ranges(weeks: list[int]) -> str:
    """``[5, 6, 7, 9]`` -> ``5–7, 9``."""
    out: list[str] = []
    for w in weeks:
        if out and out[-1].split("–")[-1] == str(w - 1):
            out[-1] = f"{out[-1].split('–')[0]}–{w}"
        else:
            out.append(str(w))
    return ", ".join(out)


def gap_warnings(history: History, start: dt.date, race: dt.date | None) -> list[PlanWarning]:
    """What days without running mean for the race and the plan (:mod:`plansync.core.gaps`):
    10 or more days lost in the 8 weeks before the race make it unsafe as planned (Pfitzinger
    & Douglas), said as NOT RACE-READY with its options unless the long-run check said so
    already; a gap over four weeks asks for a new plan (Daniels: longer breaks, more
    cautiously)."""
    if not history.adapting or history.runs_until is None:
        return []
    found = gaps([d for d, _ in history.runs or ()], start, history.runs_until)
    out: list[PlanWarning] = []
    lost = lost_before_race(found, race) if race is not None else 0
    if race is not None and lost >= RACE_LOST_DAYS:
        out.append(
            PlanWarning(
                "not-race-ready",
                f"NOT RACE-READY: {lost} days without running in the 8 weeks before the race "
                f"({race.isoformat()}); 10 or more make racing it as planned unsafe. Choose one of: "
                "a later race; running it as a training run at easy effort; a slower goal, "
                "with the paces revised after the return.",
                {"lost_days": lost, "race": race.isoformat()},
            )
        )
    longest = max((g.days for g in found), default=0)
    if longest >= GAP_RULES[-1].first_day:
        out.append(
            PlanWarning(
                "gap-new-plan",
                f"{longest} days without running: over four weeks off, the athlete's fitness is no "
                "longer what the profile says. Update the profile's fitness and start a new plan.",
                {"gap_days": longest},
            )
        )
    return out


def with_gap(warnings: list[PlanWarning], found: list[PlanWarning]) -> list[PlanWarning]:
    """The gap warnings added; a gap's NOT RACE-READY joined to the one already there."""
    out = list(warnings)
    for new in found:
        at = next((i for i, w in enumerate(out) if w.code == new.code), None)
        if at is None:
            out.insert(0 if new.code == "not-race-ready" else len(out), new)
            continue
        old = out[at]
        reason = new.message.removeprefix("NOT RACE-READY: ").split(". Choose one of", 1)[0]
        out[at] = PlanWarning(old.code, f"{old.message} Also: {reason}.", {**old.data, **new.data})
    return out

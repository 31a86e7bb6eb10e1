"""The coaching rules, written once: the compiler obeys them, ``validate`` reports them.

The limits (``SPIKE_LIMIT``, :func:`longest_recent`, :func:`weekly_limit`) are
what the compiler sizes runs with; :func:`check` walks a finished plan and
names every broken rule with its week and date.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from plansync.core.plan import Plan, Workout
from plansync.core.schedule import EASY_AFTER
from plansync.core.sizing import long_share_cap
from plansync.core.template import Rules, Template
from plansync.core.vocab import HARD_KINDS, RUN_KINDS, WEEKDAYS

SPIKE_LIMIT = 1.10  # a run may be at most 110 % of the longest of the previous 30 days
SPIKE_WINDOW_DAYS = 30
RESTART_M = 2000.0  # a run this short is always allowed: a restart after weeks without running
FIRST_WEEK_LIMIT = 1.10  # week 1 at most 110 % of the athlete's current volume
TAPER_DEPTH = (0.40, 0.60)  # the templates' race-week factor: a 40–60 % cut from the peak week
TAPER_MAX_SHARE = TAPER_DEPTH[1]
TOLERANCE_M = 1.0
WALK_RUN_BELOW_M = 3000.0  # the compiler's threshold for plans that start with run/walk
SHORTEST_RUN_M = 2100.0  # the shortest continuous run a plan holds (2 km, or 1.25 mi), with room
STEP_SLACK_M = 500.0  # runs come in whole steps: a ratio between two runs may be off by one
FILL_KINDS = frozenset({"easy", "strides", "recovery"})


@dataclass(frozen=True)
class Violation:
    rule: str
    week: int
    date: dt.date | None
    message: str

    def __str__(self) -> str:
        when = f"week {self.week}" + (f", {self.date.isoformat()}" if self.date else "")
        return f"{when}: {self.rule}: {self.message}"


def longest_recent(
    history: Iterable[tuple[dt.date, float]], day: dt.date, start: dt.date, initial_long: float
) -> float:
    """Longest run in the 30 days before ``day``; the athlete's stated recent
    longest run counts as if run the day before the plan starts."""
    low = day - dt.timedelta(days=SPIKE_WINDOW_DAYS)
    best = initial_long if start - dt.timedelta(days=1) >= low else 0.0
    for date, metres in history:
        if low <= date < day and metres > best:
            best = metres
    return best


def spike_cap(longest: float) -> float:
    """The longest run allowed: 110 % of the longest of the previous 30 days, or a restart run."""
    return max(SPIKE_LIMIT * longest, RESTART_M)


def weekly_limit(current: float, earlier: Iterable[float], cap: float) -> float:
    """Most training volume a week may hold: ``cap`` over the highest earlier week,
    the athlete's current volume counting as week 0."""
    before = list(earlier)
    limit = max([current, *before]) * (1 + cap)
    return min(limit, current * FIRST_WEEK_LIMIT) if not before else limit


def training_volume(workouts: Iterable[Workout]) -> float:
    return float(sum(w.distance_m for w in workouts if w.kind in RUN_KINDS and w.kind != "race"))


def check(
    plan: Plan,
    template: Template,
    *,
    available_days: Iterable[str],
    current_weekly_m: float,
    current_long_m: float,
) -> list[Violation]:
    """Every rule the plan breaks. An empty list means the plan is safe to send."""
    out: list[Violation] = []
    rules = template.rules
    by_date: dict[dt.date, list[Workout]] = defaultdict(list)
    by_week: dict[int, list[Workout]] = defaultdict(list)
    for w in plan.workouts:
        by_date[w.date].append(w)
        by_week[w.week].append(w)
    available = set(available_days)
    # An athlete not yet running WALK_RUN_BELOW_M without stopping starts with run/walk:
    # sessions alike in size, none longer than the long one.
    walk_run = current_long_m < WALK_RUN_BELOW_M

    def day_kinds(d: dt.date) -> set[str]:
        return {w.kind for w in by_date.get(d, [])}

    runs_so_far: list[tuple[dt.date, float]] = []
    for w in sorted(plan.workouts, key=lambda x: (x.date, x.id)):
        weekday = WEEKDAYS[w.date.weekday()]
        if w.kind in RUN_KINDS | {"cross"} and w.kind != "race" and weekday not in available:
            out.append(
                Violation("available days", w.week, w.date, f"{w.kind} on {weekday}, not an available day")
            )
        if w.kind in RUN_KINDS and w.kind != "race":
            limit = spike_cap(longest_recent(runs_so_far, w.date, plan.start_date, current_long_m))
            if w.distance_m > limit + TOLERANCE_M:
                out.append(
                    Violation(
                        "single-run spike",
                        w.week,
                        w.date,
                        f"{w.kind} of {w.distance_m} m is over 110 % of the longest run of the previous 30 days",
                    )
                )
            runs_so_far.append((w.date, float(w.distance_m)))
        kinds = day_kinds(w.date)
        nxt = w.date + dt.timedelta(days=1)
        if w.kind == "long" or (w.kind in HARD_KINDS and w.kind != "race"):
            following = day_kinds(nxt)
            allowed = EASY_AFTER | (
                HARD_KINDS if (rules.consecutive_hard and w.kind != "long") else frozenset()
            )
            bad = following - allowed
            if bad:
                out.append(
                    Violation(
                        "easy after hard",
                        w.week,
                        nxt,
                        f"{', '.join(sorted(bad))} the day after a {w.kind} session",
                    )
                )
        if w.kind == "foot_strength":
            clash = kinds & (HARD_KINDS | {"long"})
            if clash:
                out.append(
                    Violation(
                        "foot strength", w.week, w.date, f"foot strength on a {', '.join(sorted(clash))} day"
                    )
                )
            if plan.race_date is not None and w.date == plan.race_date - dt.timedelta(days=1):
                out.append(
                    Violation("foot strength", w.week, w.date, "foot strength the day before the race")
                )
        if w.kind == "long":
            next_runs = [x for x in by_date.get(nxt, []) if x.kind in RUN_KINDS]
            out.extend(_after_long(w, next_runs, rules, walk_run))
    if not rules.consecutive_hard:
        hard_days = sorted({w.date for w in plan.workouts if w.hard})
        for a, b in itertools.pairwise(hard_days):
            if (b - a).days == 1:
                week = next(w.week for w in by_date[b])
                out.append(Violation("hard days apart", week, b, "hard sessions on consecutive days"))

    earlier: list[float] = []
    peak = 0.0
    long_dates = {w.date for w in plan.workouts if w.kind == "long"}
    for week in sorted(by_week):
        entries = by_week[week]
        volume = training_volume(entries)
        limit = weekly_limit(current_weekly_m, earlier, template.progression.weekly_cap)
        if volume > limit + TOLERANCE_M * 7:
            out.append(
                Violation(
                    "weekly progression",
                    week,
                    None,
                    f"{volume:.0f} m is over the limit of {limit:.0f} m (cap over the highest earlier week)",
                )
            )
        earlier.append(volume)
        summary = plan.weeks_summary[week - 1]
        if not summary.taper:
            peak = max(peak, volume)
        dates = {summary.start + dt.timedelta(days=i) for i in range(7)}
        if not any(day_kinds(d) <= {"rest"} for d in dates):
            out.append(Violation("rest day", week, None, "no full rest day in the week"))
        sessions = sum(1 for w in entries if w.kind == "foot_strength")
        if not 2 <= sessions <= 3:
            out.append(
                Violation("foot strength", week, None, f"{sessions} foot-strength sessions; expected 2–3")
            )
        hard = sum(1 for w in entries if w.hard and w.kind != "race")
        if hard > rules.max_hard_days:
            out.append(
                Violation(
                    "hard days", week, None, f"{hard} hard days; the template allows {rules.max_hard_days}"
                )
            )
        longs = [w for w in entries if w.kind == "long"]
        if longs:
            out.extend(_week_shape(week, entries, longs[0], available, rules, summary.start, walk_run))
        if volume > 0:
            others = other_shares(entries, long_dates, rules)
            share = long_share_cap(rules.long_run_share, others)
            for w in longs:
                if w.distance_m > share * volume + TOLERANCE_M:
                    out.append(
                        Violation(
                            "long-run share",
                            week,
                            w.date,
                            f"long run is {w.distance_m / volume:.0%} of the week; with {len(others)} other runs the cap is {share:.0%}",
                        )
                    )
    if plan.race_date is not None and peak > 0:
        # The taper must cut at least 40 %. A deeper cut is allowed (the template's
        # factors aim at 40–60 %; caps on a small athlete can take a little more off).
        race_week = training_volume(by_week[plan.weeks])
        if race_week > TAPER_MAX_SHARE * peak + TOLERANCE_M:
            out.append(
                Violation(
                    "taper depth",
                    plan.weeks,
                    None,
                    f"race-week training is {race_week / peak:.0%} of the peak week; a taper cuts it to {TAPER_MAX_SHARE:.0%} or less",
                )
            )
    return out


def other_shares(entries: Iterable[Workout], long_dates: set[dt.date], rules: Rules) -> list[float]:
    """The share of the long run each other run of a week may hold (for its long-run share)."""
    return [
        rules.after_long_share if w.date - dt.timedelta(days=1) in long_dates else rules.easy_run_share
        for w in entries
        if w.kind in RUN_KINDS and w.kind not in ("long", "race")
    ]


def share_cap(share: float, long_m: float) -> float:
    """A share of a long run, never below the shortest run a plan holds, never above the long run."""
    return min(long_m, max(share * long_m, SHORTEST_RUN_M))


def _after_long(long: Workout, next_runs: list[Workout], rules: Rules, walk_run: bool) -> list[Violation]:
    """The day after the long run is rest, cross-training or a short recovery run."""
    out: list[Violation] = []
    cap = share_cap(1.0 if walk_run else rules.after_long_share, long.distance_m)
    for w in next_runs:
        if w.kind != "recovery" and not walk_run:
            out.append(
                Violation("after the long run", w.week, w.date, f"{w.kind} run the day after the long run")
            )
        elif w.distance_m > cap + TOLERANCE_M:
            out.append(
                Violation(
                    "after the long run",
                    w.week,
                    w.date,
                    f"recovery run of {w.distance_m} m is over {rules.after_long_share:.0%} of the long run before it ({long.distance_m} m)",
                )
            )
    return out


def _week_shape(
    week: int,
    entries: list[Workout],
    long: Workout,
    available: set[str],
    rules: Rules,
    start: dt.date,
    walk_run: bool,
) -> list[Violation]:
    """No easy run over its share of the long run, easy runs alike in size, and
    the week's volume on another day rather than in a run over its cap."""
    out: list[Violation] = []
    cap = share_cap(1.0 if walk_run else rules.easy_run_share, long.distance_m)
    fills = [w for w in entries if w.kind in FILL_KINDS]
    over = [w for w in fills if w.distance_m > cap + TOLERANCE_M]
    for w in over:
        out.append(
            Violation(
                "easy-run cap",
                week,
                w.date,
                f"{w.kind} run of {w.distance_m} m is over {rules.easy_run_share:.0%} of the week's long run ({long.distance_m} m)",
            )
        )
    easy = [w.distance_m for w in fills if w.kind != "recovery"]
    if len(easy) > 1 and not walk_run and max(easy) > rules.easy_spread * min(easy) + STEP_SLACK_M:
        out.append(
            Violation(
                "easy-run spread",
                week,
                None,
                f"easy runs of {min(easy)}–{max(easy)} m differ by more than {rules.easy_spread:g}×",
            )
        )
    if over:
        running = {w.date for w in entries if w.kind in RUN_KINDS or w.kind == "cross"}
        for i in range(7):
            day = start + dt.timedelta(days=i)
            if WEEKDAYS[day.weekday()] in available and day not in running:
                out.append(
                    Violation(
                        "fill days first",
                        week,
                        day,
                        "an available day is left empty while a run is over its cap",
                    )
                )
                break
    return out

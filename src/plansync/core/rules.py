"""The coaching rules, written once: the compiler obeys them, ``validate`` reports them.

The limits (``SPIKE_LIMIT``, :func:`longest_recent`, :func:`weekly_limit`) are
what the compiler sizes runs with; :func:`check` walks a finished plan and
names every broken rule with its week and date.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import operator
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from plansync.core.plan import Plan, Workout
from plansync.core.schedule import EASY_AFTER
from plansync.core.sizing import RECOVERY_MAX_S, long_share_cap
from plansync.core.template import Rules, Template
from plansync.core.vocab import HARD_KINDS, RUN_KINDS, WEEKDAYS

SPIKE_LIMIT = 1.10  # a run may be at most 110 % of the longest of the previous 30 days
SPIKE_WINDOW_DAYS = 30
SPIKE_WINDOW = dt.timedelta(days=SPIKE_WINDOW_DAYS)
ONE_DAY = dt.timedelta(days=1)
RESTART_M = 2000.0  # a run this short is always allowed: a restart after weeks without running
ROUNDING_SLACK_M = 50.0  # what a sized run may exceed its cap by (grid steps, whole metres): ample
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
    low = day - SPIKE_WINDOW
    best = initial_long if start - ONE_DAY >= low else 0.0
    for date, metres in history:
        if low <= date < day and metres > best:
            best = metres
    return best


def longest_within(longest: float, weeks: int) -> float:
    """The longest any run can be ``weeks`` weeks on, from runs no longer than ``longest``:
    each week's runs are held to :func:`spike_cap` of the longest before it (with
    ROUNDING_SLACK_M for whole steps and metres). An upper bound, not a plan: a what-if
    that cannot reach a long run by it stops early (see the compiler's sketches)."""
    for _ in range(weeks):
        longest = spike_cap(longest) + ROUNDING_SLACK_M
    return longest


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


@dataclass(frozen=True)
class PlanView:
    """A finished plan as the rules read it: entries by day and by week, the athlete's start."""

    plan: Plan
    template: Template
    available: frozenset[str]
    current_weekly_m: float
    current_long_m: float
    by_date: dict[dt.date, list[Workout]]
    by_week: dict[int, list[Workout]]
    own_long: dt.date | None = None  # the athlete's own long run the day before the plan starts

    @property
    def rules(self) -> Rules:
        return self.template.rules

    @property
    def walk_run(self) -> bool:
        """An athlete not yet running WALK_RUN_BELOW_M without stopping starts with run/walk:
        sessions alike in size, none longer than the long one."""
        return self.current_long_m < WALK_RUN_BELOW_M

    def kinds_on(self, day: dt.date) -> set[str]:
        return {w.kind for w in self.by_date.get(day, [])}

    @functools.cached_property  # read by most rules: sorted once per plan
    def ordered(self) -> list[Workout]:
        return sorted(self.plan.workouts, key=operator.attrgetter("date", "id"))

    def in_order(self) -> list[Workout]:
        return self.ordered

    @property
    def long_dates(self) -> set[dt.date]:
        found = {w.date for w in self.plan.workouts if w.kind == "long"}
        return found | ({self.own_long} if self.own_long is not None else set())


@dataclass(frozen=True)
class Rule:
    """One coaching rule: its id, why it exists, where it comes from, and how to find where a plan
    breaks it (the violations name the rule, or the part of it, that broke)."""

    id: str
    reason: str
    source: str
    find: Callable[[PlanView], Iterable[Violation]]


ON_A_TRAINING_DAY = (RUN_KINDS | {"cross"}) - {"race"}  # the race's day is the race's, not the athlete's
HARD_OR_LONG = HARD_KINDS | {"long"}


def _available_days(view: PlanView) -> Iterator[Violation]:
    for w in view.in_order():
        if w.kind not in ON_A_TRAINING_DAY:
            continue
        weekday = WEEKDAYS[w.date.weekday()]
        if weekday not in view.available:
            yield Violation("available days", w.week, w.date, f"{w.kind} on {weekday}, not an available day")


def _single_run_spike(view: PlanView) -> Iterator[Violation]:
    recent = _RecentLongest(view.plan.start_date, view.current_long_m)
    for w in view.in_order():
        if w.kind in RUN_KINDS and w.kind != "race":
            limit = spike_cap(recent.before(w.date))
            if w.distance_m > limit + TOLERANCE_M:
                yield Violation(
                    "single-run spike",
                    w.week,
                    w.date,
                    f"{w.kind} of {w.distance_m} m is over 110 % of the longest run of the previous 30 days",
                )
            recent.add(w.date, float(w.distance_m))


class _RecentLongest:
    """:func:`longest_recent` over runs given in date order, asked in date order: a sliding
    window whose longest run is kept at its front (each run goes in and out once, where
    asking the whole list for each run of a long plan was most of the rule check)."""

    def __init__(self, start: dt.date, initial_long: float) -> None:
        self.start, self.initial_long = start, initial_long
        self.own_day = start - dt.timedelta(days=1)  # the athlete's own long run counts as run then
        self.runs: list[tuple[dt.date, float]] = []
        self.taken = 0  # runs[:taken] have entered the window
        self.window: deque[tuple[dt.date, float]] = deque()  # metres falling from the front

    def add(self, date: dt.date, metres: float) -> None:
        self.runs.append((date, metres))

    def before(self, day: dt.date) -> float:
        """The longest run in the 30 days before ``day``, as :func:`longest_recent` says."""
        while self.taken < len(self.runs) and self.runs[self.taken][0] < day:
            date, metres = self.runs[self.taken]
            while self.window and self.window[-1][1] <= metres:
                self.window.pop()  # a longer run later in the window outlasts it
            self.window.append((date, metres))
            self.taken += 1
        low = day - SPIKE_WINDOW
        while self.window and self.window[0][0] < low:
            self.window.popleft()
        best = self.initial_long if self.own_day >= low else 0.0
        return max(best, self.window[0][1]) if self.window else best


EASY_OR_HARD = EASY_AFTER | HARD_KINDS  # after a hard session, where hard days may follow one another


def _easy_after_hard(view: PlanView) -> Iterator[Violation]:
    for w in view.in_order():
        if w.kind == "long" or (w.kind in HARD_KINDS and w.kind != "race"):
            nxt = w.date + dt.timedelta(days=1)
            hard_ok = view.rules.consecutive_hard and w.kind != "long"
            bad = view.kinds_on(nxt) - (EASY_OR_HARD if hard_ok else EASY_AFTER)
            if bad:
                yield Violation(
                    "easy after hard",
                    w.week,
                    nxt,
                    f"{', '.join(sorted(bad))} the day after a {w.kind} session",
                )


def _foot_strength_days(view: PlanView) -> Iterator[Violation]:
    race = view.plan.race_date
    for w in view.in_order():
        if w.kind != "foot_strength":
            continue
        clash = view.kinds_on(w.date) & HARD_OR_LONG
        if clash:
            yield Violation(
                "foot strength", w.week, w.date, f"foot strength on a {', '.join(sorted(clash))} day"
            )
        if race is not None and w.date == race - dt.timedelta(days=1):
            yield Violation("foot strength", w.week, w.date, "foot strength the day before the race")


def _after_the_long_run(view: PlanView) -> Iterator[Violation]:
    for w in view.in_order():
        if w.kind == "long":
            nxt = w.date + dt.timedelta(days=1)
            next_runs = [x for x in view.by_date.get(nxt, []) if x.kind in RUN_KINDS]
            yield from _after_long(w, next_runs, view.rules, view.walk_run)


def _hard_days_apart(view: PlanView) -> Iterator[Violation]:
    if view.rules.consecutive_hard:
        return
    hard_days = sorted({w.date for w in view.plan.workouts if w.hard})
    for a, b in itertools.pairwise(hard_days):
        if (b - a).days == 1:
            week = next(w.week for w in view.by_date[b])
            yield Violation("hard days apart", week, b, "hard sessions on consecutive days")


def _weekly_progression(view: PlanView) -> Iterator[Violation]:
    earlier: list[float] = []
    for week in sorted(view.by_week):
        volume = training_volume(view.by_week[week])
        limit = weekly_limit(view.current_weekly_m, earlier, view.template.progression.weekly_cap)
        if volume > limit + TOLERANCE_M * 7:
            yield Violation(
                "weekly progression",
                week,
                None,
                f"{volume:.0f} m is over the limit of {limit:.0f} m (cap over the highest earlier week)",
            )
        earlier.append(volume)


def _rest_day(view: PlanView) -> Iterator[Violation]:
    for week in sorted(view.by_week):
        start = view.plan.weeks_summary[week - 1].start
        if not any(view.kinds_on(start + dt.timedelta(days=i)) <= {"rest"} for i in range(7)):
            yield Violation("rest day", week, None, "no full rest day in the week")


def _foot_strength(view: PlanView) -> Iterator[Violation]:
    yield from _foot_strength_days(view)
    for week in sorted(view.by_week):
        sessions = sum(1 for w in view.by_week[week] if w.kind == "foot_strength")
        if not 2 <= sessions <= 3:
            yield Violation("foot strength", week, None, f"{sessions} foot-strength sessions; expected 2–3")


def _hard_days(view: PlanView) -> Iterator[Violation]:
    for week in sorted(view.by_week):
        hard = sum(1 for w in view.by_week[week] if w.hard and w.kind != "race")
        if hard > view.rules.max_hard_days:
            yield Violation(
                "hard days", week, None, f"{hard} hard days; the template allows {view.rules.max_hard_days}"
            )


def _shape_of_week(view: PlanView) -> Iterator[Violation]:
    for week in sorted(view.by_week):
        entries = view.by_week[week]
        longs = [w for w in entries if w.kind == "long"]
        if longs:
            start = view.plan.weeks_summary[week - 1].start
            yield from _week_shape(
                week, entries, longs[0], set(view.available), view.rules, start, view.walk_run
            )


def _long_run_share(view: PlanView) -> Iterator[Violation]:
    long_dates = view.long_dates
    for week in sorted(view.by_week):
        entries = view.by_week[week]
        volume = training_volume(entries)
        if volume <= 0:
            continue
        others = other_shares(entries, long_dates, view.rules)
        share = long_share_cap(view.rules.long_run_share, others)
        for w in entries:
            if w.kind == "long" and w.distance_m > share * volume + TOLERANCE_M:
                yield Violation(
                    "long-run share",
                    week,
                    w.date,
                    f"long run is {w.distance_m / volume:.0%} of the week; with {len(others)} other runs the cap is {share:.0%}",
                )


def _recovery_length(view: PlanView) -> Iterator[Violation]:
    for w in view.in_order():
        if w.kind == "recovery" and w.duration_s > RECOVERY_MAX_S + 60:
            yield Violation(
                "recovery length", w.week, w.date, f"recovery run of {w.duration_s // 60} min is over 45 min"
            )


def _taper_depth(view: PlanView) -> Iterator[Violation]:
    """The taper must cut at least 40 %. A deeper cut is allowed (the template's factors
    aim at 40–60 %; caps on a small athlete can take a little more off)."""
    plan = view.plan
    peak = max(
        (training_volume(view.by_week[w]) for w in view.by_week if not plan.weeks_summary[w - 1].taper),
        default=0.0,
    )
    if plan.race_date is None or peak <= 0:
        return
    race_week = training_volume(view.by_week[plan.weeks])
    if race_week > TAPER_MAX_SHARE * peak + TOLERANCE_M:
        yield Violation(
            "taper depth",
            plan.weeks,
            None,
            f"race-week training is {race_week / peak:.0%} of the peak week; a taper cuts it to {TAPER_MAX_SHARE:.0%} or less",
        )


# The coaching rules, in the order they are reported, each with its source
# (the coaching reference the compiler is written from; README "The rules").
RULES: tuple[Rule, ...] = (
    Rule("available days", "runs only on the athlete's days", "the athlete's profile", _available_days),
    Rule(
        "single-run spike",
        "no run over 110 % of the longest of the previous 30 days",
        "Frandsen et al., Br J Sports Med 2025 (Garmin-RUNSAFE)",
        _single_run_spike,
    ),
    Rule(
        "easy after hard",
        "an easy day after every hard session and long run",
        "hard days separated by an easy day (common plan-generator rule)",
        _easy_after_hard,
    ),
    Rule(
        "after the long run",
        "the day after the long run is rest, cross-training or the week's shortest run",
        "published half-marathon plan families (Pfitzinger/Latter, Higdon)",
        _after_the_long_run,
    ),
    Rule(
        "hard days apart",
        "no hard sessions on consecutive days",
        "no speed sessions back to back (Nike)",
        _hard_days_apart,
    ),
    Rule(
        "weekly progression",
        "no week over 10 % above the highest earlier week",
        "the brief's 10 % rule, against the highest earlier week (Nielsen 2014)",
        _weekly_progression,
    ),
    Rule("rest day", "a full rest day every week", "the brief's recovery protocols", _rest_day),
    Rule(
        "foot strength",
        "2–3 foot-strength sessions a week, away from hard days and race eve",
        "the brief's foot-strength add-ons; Taddei et al. 2020",
        _foot_strength,
    ),
    Rule(
        "hard days",
        "at most the template's hard days a week",
        "at most 2 hard days a week (template setting)",
        _hard_days,
    ),
    Rule(
        "week shape",
        "easy runs within their share of the long run, alike in size, days filled first",
        "published plan families: easy runs 30–60 % of the long run",
        _shape_of_week,
    ),
    Rule(
        "long-run share",
        "the long run within its share of the week",
        "Pfitzinger 20–32 %, Higdon 36–52 %, about two thirds on three runs",
        _long_run_share,
    ),
    Rule(
        "taper depth",
        "race week cut to 40–60 % of the peak",
        "Bosquet et al. 2007, taper meta-analysis",
        _taper_depth,
    ),
)


def check(
    plan: Plan,
    template: Template,
    *,
    available_days: Iterable[str],
    current_weekly_m: float,
    current_long_m: float,
    long_run_day: str | None = None,
) -> list[Violation]:
    """Every rule the plan breaks, rule by rule (:data:`RULES`). An empty list means the
    plan is safe to send. ``long_run_day``: the athlete's; when it is the day before the
    plan starts, week 1's first day follows their own long run (as the compiler plans it)."""
    by_date: dict[dt.date, list[Workout]] = defaultdict(list)
    by_week: dict[int, list[Workout]] = defaultdict(list)
    for w in plan.workouts:
        by_date[w.date].append(w)
        by_week[w.week].append(w)
    view = PlanView(
        plan,
        template,
        frozenset(available_days),
        current_weekly_m,
        current_long_m,
        dict(by_date),
        dict(by_week),
        _own_long(plan.start_date, long_run_day),
    )
    return [v for rule in RULES for v in rule.find(view)]


def _own_long(start: dt.date, long_run_day: str | None) -> dt.date | None:
    eve = start - dt.timedelta(days=1)
    return eve if long_run_day is not None and WEEKDAYS[eve.weekday()] == long_run_day else None


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

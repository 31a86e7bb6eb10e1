"""Sizing one week's runs: the long run, quality sessions, then the easy running.

Given the week's volume target and the single-run cap (both from
:mod:`plansync.core.rules`), decide every session's distance. Runs are whole
steps of the athlete's unit (half a kilometre, a quarter mile); an easy run
that would come out shorter than ``MIN_RUN_M`` is dropped and its day rests.
"""

from __future__ import annotations

import math
from functools import cache
from typing import NamedTuple

from plansync.core import sessions
from plansync.core.sessions import Sized
from plansync.core.template import SessionSpec, StepSpec
from plansync.core.zones import ZoneModel

MIN_RUN_M = 2000.0
RECOVERY_WEIGHT = 0.7  # a recovery run gets this share of an easy run's distance
# A recovery run is short: at most 45 minutes at recovery pace (the week's shortest run the
# day after the long run, in every published plan family; coaching reference, "Shape of a week").
RECOVERY_MAX_S = 45 * 60
FILL_KINDS = ("easy", "recovery", "strides")
LONG_OR_FILL = frozenset({"long", *FILL_KINDS})  # every other session is quality (or cross-training)
WALK_RUN_SESSIONS = 3  # run/walk weeks: three sessions, as the couch-to-5k programmes do
CONTINUOUS_MIN_M = 3000.0  # in run/walk plans, shorter sessions alternate running and walking
SMALL_RUN_M = 5000.0  # shorter runs come in finer steps (0.1 km, 0.1 mi), so 10 % growth shows
FEW_RUNS_SLACK = 0.05  # room over the at-cap share for whole-step rounding
# A returning athlete's spread week keeps its long run at least this share of the week: the
# low end of the novice plans' 36-52 % (coaching reference, "Long run share of the week").
SPREAD_LONG_SHARE = 0.36
# ... and at least this much of the long run the week would have had: spreading never cuts the
# long run more than a cutback week does (the shipped templates' cutback factor, Pfitzinger's
# 3 up / 1 down; coaching reference).
SPREAD_LONG_KEEP = 0.75
QUALITY_ROOM = 0.5  # one quality session takes at most half of what the long run leaves
_BELOW_SMALL = SMALL_RUN_M - 1e-6
_floor = math.floor


class WeekBudget(NamedTuple):  # a named tuple: made for every week and every try at one
    volume: float  # training metres the week should hold
    long_target: float
    run_cap: float  # no run longer than this (the 30-day spike rule)
    long_share: float
    step: float  # rounding step in metres
    min_run: float
    easy_share: float = 1.0  # no easy/strides/recovery run over this share of the long run
    after_long_share: float = 1.0  # the run the day after the long run, against it
    after_long_of: float | None = None  # that long run, when it was last week's (else this week's)
    fine: float = 0.0  # the finer step of runs under SMALL_RUN_M (0: the one step throughout)
    walk_run: bool = False  # runs under CONTINUOUS_MIN_M are run/walk intervals
    recovery_max_m: float = math.inf  # a recovery run's longest size (RECOVERY_MAX_S at recovery pace)
    sketch: bool = False  # a what-if plan: easy and long runs get their distance, not their steps
    spread: bool = False  # returning from injury: every run the days and volume hold (see _spread)

    def floor(self, metres: float) -> float:
        """``metres`` down to the grid: fine steps below SMALL_RUN_M, whole steps above
        (:func:`floor_to`, written out: sizing asks this tens of thousands of times a plan)."""
        fine = self.fine
        if fine and metres < _BELOW_SMALL:
            return _floor(metres / fine + 1e-9) * fine
        step = self.step
        return _floor(metres / step + 1e-9) * step

    @property
    def least_run(self) -> float:
        """The shortest run on the grid: ``min_run`` rounded up to the unit's steps."""
        return self.up(self.min_run - 1.0)

    def up(self, metres: float) -> float:
        """The next size on the grid above ``metres``."""
        fine = self.fine
        if fine and metres + fine < _BELOW_SMALL:
            return _floor(metres / fine + 1e-9) * fine + fine
        step = self.step
        return max(_floor(metres / step + 1e-9) * step + step, math.ceil(SMALL_RUN_M / step - 1e-9) * step)


class Planned(NamedTuple):  # a named tuple: made for every session of every week
    slot: str
    spec: SessionSpec
    progress: float  # 0..1 through the session's occurrences in the plan
    after_long: bool = False
    optional: bool = False
    cap_m: float | None = None  # a cap of its own (the shake-out the day before a race)

    @property
    def has_fixed_part(self) -> bool:
        return len(self.spec.steps) > 1 or self.spec.steps[0].repeat is not None


@cache  # a few kinds; the specs are never changed in place
def plain(kind: str) -> SessionSpec:
    """A one-step run of a kind, for sessions demoted by the day rules."""
    zone = "recovery" if kind == "recovery" else "easy"
    return SessionSpec(kind=kind, steps=[StepSpec(run="fill", zone=zone)])


def floor_to(metres: float, step: float) -> float:
    return math.floor(metres / step + 1e-9) * step


def _fill_run(spec: SessionSpec, zones: ZoneModel, progress: float, fill_m: float, b: WeekBudget) -> Sized:
    """A run that fills ``fill_m`` (besides its fixed part): built, or only measured in a sketch."""
    if b.sketch:
        return Sized((), sessions.measure(spec, zones, progress=progress, fill_m=fill_m), 0.0)
    return sessions.build(spec, zones, progress=progress, fill_m=fill_m)


def _fixed_part(p: Planned, zones: ZoneModel) -> float:
    """Metres of a fill session that are not the fill (strides, a fast finish)."""
    steps = p.spec.steps  # has_fixed_part, written out: asked for every fill run of every try
    fixed = len(steps) > 1 or steps[0].repeat is not None
    return sessions.measure(p.spec, zones, progress=p.progress) if fixed else 0.0


class WeekSizes(NamedTuple):
    sized: dict[str, Sized]  # a fill session missing from it rests
    unplaced_m: float  # volume the week's shape rules left out (0 when it all fitted)


def size_week(planned: list[Planned], budget: WeekBudget, zones: ZoneModel) -> WeekSizes:
    """Sizes for the sessions kept, and how much of the week's volume did not fit.

    The long run's first size assumes every planned run is kept; when some cannot
    be (too short to stand alone), the week is sized again expecting the runs that
    were kept, whose fewer runs leave the long run a larger share. The fuller of
    the tries wins."""
    if budget.walk_run:
        return _size_walk_run(planned, budget, zones)
    # Optional runs join only when the others are full: the long run is first sized without them.
    runs = runs_planned = sum(
        1 for p in planned if p.slot != "long" and p.spec.kind != "cross" and not p.optional
    )
    tries: dict[int, _Try] = {}
    while runs not in tries:
        tries[runs] = _size_once(planned, budget, zones, runs)
        runs = tries[runs].kept
    best = next(iter(tries.values())).sizes
    for t in tries.values():  # the fullest try wins; of equals, the first
        best = t.sizes if t.sizes.unplaced_m < best.unplaced_m - 1e-6 else best
    if best.unplaced_m > budget.step and any(p.slot == "long" for p in planned):
        # Volume left out: perhaps the long run took room an easy run needed to stand
        # alone. Once more, with that room kept for each run the best try held (unless
        # that room leaves the long run as a try already made had it: the same week again).
        held = sum(1 for slot in best.sized if slot != "long")
        same = tries.get(held)
        if (
            same is None
            or _reserved_long(same.long_m, same.quality_m, same.quality_runs, held, budget) != same.long_m
        ):
            sizes = _size_once(planned, budget, zones, held, reserve=held).sizes
            if sizes.unplaced_m < best.unplaced_m - 1e-6:
                best = sizes
    if budget.spread:
        best = _spread(planned, budget, zones, runs_planned, best)
    return best


def _runs_held(planned: list[Planned], sizes: WeekSizes) -> int:
    """How many runs besides the long run a week's sizes hold (cross-training is no run)."""
    cross = {p.slot for p in planned if p.spec.kind == "cross"}
    return sum(1 for slot in sizes.sized if slot != "long" and slot not in cross)


def _spread(planned: list[Planned], b: WeekBudget, zones: ZoneModel, runs: int, best: WeekSizes) -> WeekSizes:
    """A returning athlete's week keeps the planned runs its volume can hold at ``min_run``
    each, when the long run can give up the room they need and still hold
    SPREAD_LONG_SHARE of the week and SPREAD_LONG_KEEP of its own length: it gives up the
    larger share a week of few runs allows it (up to two thirds of the week,
    :func:`long_share_cap`) rather than the week lose a run. The most runs that hold win,
    then the fullest week. Injury risk follows the single run, not the week (a run over
    110 % of the longest of the last 30 days: HR 1.64; Frandsen et al., Br J Sports Med
    2025, coaching reference "Single-run spikes"), and every step lands at 2-3x body
    weight: a return spreads its volume over more, shorter runs (and starts below the
    athlete's own load, as Daniels' return after time off does). Cutback weeks are not
    spread (``spread`` is off): they cut the long run already."""
    held = _runs_held(planned, best)
    if held >= runs or "long" not in best.sized:
        return best
    on_grid = b._replace(min_run=b.least_run)  # room for whole runs on the grid
    floor = SPREAD_LONG_KEEP * best.sized["long"].distance_m
    chosen, key = best, (held, -best.unplaced_m)
    for reserve in range(runs, max(held, 1) - 1, -1):
        tried = _size_once(planned, on_grid, zones, reserve, reserve=reserve).sizes
        long = tried.sized.get("long")
        placed = b.volume - tried.unplaced_m
        if long is None or long.distance_m < max(floor, min(SPREAD_LONG_SHARE, b.long_share) * placed) - 1e-6:
            continue
        found = (_runs_held(planned, tried), -tried.unplaced_m)
        if found[0] >= held and found > (key[0], key[1] + 1e-6):
            chosen, key = tried, found
    return chosen


class _Try(NamedTuple):
    """One try at a week: its sizes, how many other runs it kept, and what its long run
    and quality sessions were before the easy running was shared out."""

    sizes: WeekSizes
    kept: int
    long_m: float
    quality_m: float
    quality_runs: int


def _reserved_long(long_m: float, quality_m: float, quality_runs: int, reserve: int, b: WeekBudget) -> float:
    """The long run shortened to leave ``reserve`` other runs ``min_run`` each beside the
    quality sessions (``quality_runs`` runs of ``quality_m``), never below ``min_run`` for that."""
    room = b.floor(b.volume - quality_m - max(0, reserve - quality_runs) * b.min_run)
    return max(min(long_m, room), min(long_m, b.min_run))


def _size_once(
    planned: list[Planned], b: WeekBudget, zones: ZoneModel, expected: int, reserve: int = 0
) -> _Try:
    """One try at the week, the long run first sized for ``expected`` other runs (and, with
    ``reserve``, short enough to leave that many other runs ``min_run`` each); also how many
    other runs were kept."""
    out: dict[str, Sized] = {}
    long, quality, fills, after = None, [], [], 0
    for p in planned:  # one pass: every week's every try starts here
        kind = p.spec.kind
        if kind in FILL_KINDS:
            fills.append(p)
        elif kind not in LONG_OR_FILL:
            quality.append(p)
        if long is None and p.slot == "long":
            long = p
        after = 1 if p.after_long and expected > 0 else after
    first_share = long_share_cap(
        b.long_share, [b.after_long_share] * after + [b.easy_share] * (expected - after)
    )
    long_m = b.floor(min(b.long_target, b.run_cap, first_share * b.volume)) if long else 0.0
    for p in quality:
        built = _size_quality(p, b, zones, room=max(b.volume - long_m, 0.0))
        if built is not None:
            out[p.slot] = built
        elif p.spec.kind != "cross":  # too big for this week: an easy run holds its day
            fills.append(p._replace(spec=plain("easy"), progress=0.0))
    quality_m = sum(out[p.slot].distance_m for p in quality if p.slot in out)
    quality_runs = sum(1 for p in quality if p.slot in out and p.spec.kind != "cross")
    first_long = long_m
    if reserve and long is not None:
        long_m = _reserved_long(long_m, quality_m, quality_runs, reserve, b)
    all_fixed = {p.slot: _fixed_part(p, zones) for p in fills}
    spare = b.volume - long_m - quality_m

    fill_sizes, fixed = _share_fills(fills, all_fixed, spare, _caps(fills, long_m if long else None, b), b)
    if long is not None:
        # The long run's share is of the finished week, and the easy runs' caps are
        # shares of the long run: shorten the long run until both hold together. The
        # week's other runs count as they will be run: the quality sessions with the
        # easy running their cool-downs take up (_extend_quality).
        for _ in range(64):
            held = quality_m + sum(fill_sizes.values())
            others = held + _extend_quality(
                quality, out, b, zones, long_m, b.volume - long_m - held, build=False
            )
            shares = [
                b.after_long_share if p.after_long else b.easy_share for p in fills if p.slot in fill_sizes
            ]
            share = long_share_cap(b.long_share, shares + [b.easy_share] * quality_runs)
            if share >= 1.0:
                break  # the long run is the week's only run
            bound = b.floor(share * others / (1 - share))
            if long_m <= bound + 1e-6:
                break
            long_m = bound
            fill_sizes, fixed = _share_fills(fills, all_fixed, spare, _caps(fills, long_m, b), b)
        out["long"] = _size_long(long, long_m, b, zones)
    for p in fills:
        if p.slot in fill_sizes:
            plain_run = fixed[p.slot] < all_fixed[p.slot]  # too short for its strides: an easy run
            spec = plain("easy") if plain_run else p.spec
            built = _fill_run(spec, zones, p.progress, fill_sizes[p.slot] - fixed[p.slot], b)
            demoted = plain_run or (p.spec.kind == "easy" and any(q.slot == p.slot for q in quality))
            out[p.slot] = built._replace(kind="easy") if demoted else built
    placed = long_m + quality_m + sum(fill_sizes.values())
    placed += _extend_quality(quality, out, b, zones, long_m if long else None, b.volume - placed)
    kept = len(fill_sizes) + quality_runs
    return _Try(WeekSizes(out, max(0.0, b.volume - placed)), kept, first_long, quality_m, quality_runs)


def _extend_quality(
    quality: list[Planned],
    out: dict[str, Sized],
    b: WeekBudget,
    zones: ZoneModel,
    long_m: float | None,
    left: float,
    build: bool = True,
) -> float:
    """Volume the easy runs could not hold goes to the quality sessions' cool-downs, each up
    to an easy run's cap: a coach adds easy running before or after a session rather than
    let a week fall short (the quality itself, Daniels' caps, is unchanged). Returns the
    metres added (with ``build`` False, only measured: ``out`` is left as it is)."""
    added = 0.0
    easy = b.run_cap if long_m is None else min(b.run_cap, _share_of(b.easy_share, long_m, b))
    for p in quality:
        sized = out.get(p.slot)
        if sized is None or p.spec.kind == "cross" or left - added < b.fine:
            continue
        cap = easy if p.cap_m is None else min(easy, p.cap_m)
        extra = math.floor(min(left - added, cap - sized.distance_m) / b.fine + 1e-9) * b.fine  # in tenths
        if extra < b.fine:
            continue
        if not build:
            added += sessions.lengthening(sized, extra, zones)
            continue
        longer = sessions.lengthened(sized, extra, zones)
        if longer is not None:
            out[p.slot] = longer
            added += longer.distance_m - sized.distance_m
    return added


def _size_walk_run(planned: list[Planned], b: WeekBudget, zones: ZoneModel) -> WeekSizes:
    """A week of a plan that starts with run/walk: the long session and up to two others
    that hold ``min_run`` each, all alike (quality sessions wait); sessions under
    CONTINUOUS_MIN_M alternate running and walking, longer ones are easy runs."""
    long = next((p for p in planned if p.slot == "long"), None)
    # Quality sessions wait, but their days still hold run/walk: the week keeps its sessions.
    others = [
        p if p.spec.kind in FILL_KINDS else p._replace(spec=plain("easy"))
        for p in planned
        if p.slot != "long" and p.spec.kind != "cross"
    ]
    demoted = {p.slot for p in planned if p.slot != "long" and p.spec.kind not in (*FILL_KINDS, "cross")}
    chosen = (([long] if long else []) + others)[:WALK_RUN_SESSIONS]
    while len(chosen) > 1 and b.volume / len(chosen) < b.min_run - 1e-6:
        chosen.pop()
    each = min(b.volume / max(1, len(chosen)), b.long_target if long else b.run_cap)
    each = b.floor(min(max(each, b.min_run), b.run_cap))  # never under min_run, never a spike
    out: dict[str, Sized] = {}
    progress = chosen[0].progress if chosen else 0.0  # one structure for the week's sessions
    for p in chosen:
        size = each
        if p.after_long and b.after_long_of is not None:
            size = b.floor(min(each, b.after_long_of))  # no longer than last week's long session
        if size < CONTINUOUS_MIN_M:
            out[p.slot] = sessions.walk_run(size, zones, progress)
        else:
            out[p.slot] = sessions.build(plain(p.spec.kind), zones, progress=p.progress, fill_m=size)
        if p.slot in demoted:
            out[p.slot] = out[p.slot]._replace(kind="easy")
    placed = sum(s.distance_m for s in out.values())
    return WeekSizes(out, max(0.0, b.volume - placed))


def long_share_cap(template_share: float, other_shares: list[float]) -> float:
    """Most of a week the long run may hold: the template's share, or more in a week
    of few runs, where the others at their caps (each a share of the long run: the
    easy share, or the smaller one of the run the day after a long run) still leave
    the long run a larger share; as in the published plans, where a three-run week
    puts about two thirds in the long run."""
    if not other_shares:
        return 1.0
    return max(template_share, 1 / (1 + sum(other_shares)) + FEW_RUNS_SLACK)


def _caps(fills: list[Planned], long_m: float | None, b: WeekBudget) -> dict[str, float]:
    """Each fill run's longest size: the spike cap, and its share of the long run."""
    caps: dict[str, float] = {}
    easy = b.run_cap if long_m is None else min(b.run_cap, _share_of(b.easy_share, long_m, b))
    for p in fills:
        cap = easy if p.cap_m is None else min(easy, p.cap_m)
        if p.spec.kind == "recovery":
            cap = min(cap, max(b.recovery_max_m, b.min_run))
        if p.after_long:
            before = b.after_long_of if b.after_long_of is not None else long_m
            if before is not None:
                cap = min(cap, _share_of(b.after_long_share, before, b))
        caps[p.slot] = b.floor(cap + 0.5)  # a long run recorded in whole metres is on the grid
    return caps


def _share_of(share: float, long_m: float, b: WeekBudget) -> float:
    """A share of a long run, but never below the shortest run on the athlete's grid (a small
    athlete's cut-back week, and the day after it, keep their easy runs) nor above the long
    run itself."""
    return min(long_m, max(share * long_m, b.least_run))


def _size_long(p: Planned, total: float, b: WeekBudget, zones: ZoneModel) -> Sized:
    if b.walk_run and total < CONTINUOUS_MIN_M:
        return sessions.walk_run(total, zones, p.progress)
    fixed = _fixed_part(p, zones)
    spec = p.spec
    if total - fixed < b.min_run:  # no room for the fast finish: keep it all easy
        spec, fixed = plain("long"), 0.0
    return _fill_run(spec, zones, p.progress, max(total - fixed, 0.0), b)


def _size_quality(p: Planned, b: WeekBudget, zones: ZoneModel, room: float) -> Sized | None:
    """The session scaled down to the Daniels caps and to what the week has room for;
    None when even its smallest form is too long for the athlete (the day rests)."""
    cross = p.spec.kind == "cross"
    scale = 1.0
    for zone, metres in sessions.work_by_zone(p.spec, p.progress, zones).items():
        share_cap, abs_cap = sessions.WORK_CAPS[zone]
        scale = min(scale, min(share_cap * b.volume, abs_cap) / metres)
    own = p.cap_m if p.cap_m is not None else math.inf  # race week: no longer than the week before
    limit = min(b.run_cap, own, QUALITY_ROOM * room) + 1
    for _ in range(6):  # each size measured, and only the one that fits built
        if cross or sessions.measure(p.spec, zones, progress=p.progress, scale=scale) <= limit:
            return sessions.build(p.spec, zones, progress=p.progress, scale=scale, cross=cross)
        scale *= 0.7
    return None


def _share_fills(
    fills: list[Planned], all_fixed: dict[str, float], spare: float, caps: dict[str, float], b: WeekBudget
) -> tuple[dict[str, float], dict[str, float]]:
    """Split ``spare`` metres over the fill runs, in whole steps and within each run's
    cap, evenly by weight (a recovery run gets less). Optional runs join only while
    the others are at their caps, when what is left holds a run or, shared with them,
    leaves every run ``min_run``. Runs that would hold less than ``min_run`` are
    dropped, lowest priority first; but when only runs with a fixed part (strides) are
    short, the first runs without it, as an easy run, rather than leave its day empty.
    Also returns each run's fixed part as kept (0: it runs as an easy run)."""
    need = b.min_run - 1e-6
    fixed = {k: (v if caps[k] - v >= need else 0.0) for k, v in all_fixed.items()}
    kept: list[Planned] = []
    extras: list[Planned] = []
    for p in fills:
        if caps[p.slot] - fixed[p.slot] >= need:
            (extras if p.optional else kept).append(p)
    least = b.least_run
    while True:
        # Each run at least ``min_run`` beyond its fixed part when the week has room for
        # that: a recovery run's lower weight never drops it while the easy runs hold more.
        lows = {p.slot: fixed[p.slot] + least for p in kept}
        sizes = _water_fill(kept, lows if sum(lows.values()) <= spare + 1e-6 else fixed, spare, caps, b)
        leftover = spare - sum(sizes.values())
        joined = [*kept, extras[0]] if extras else []
        room = spare - sum(fixed[p.slot] for p in joined) - len(joined) * b.min_run  # all at min_run
        if extras and (leftover >= b.min_run - 1e-6 or (leftover > b.step + 1e-6 and room >= -1e-6)):
            kept.append(extras.pop(0))  # the week's leftover, or shared so every run keeps min_run
            continue
        short = [k for k in sizes if sizes[k] - fixed[k] < need]
        if not short:
            return sizes, fixed
        if all(fixed[k] > 0 and sizes[k] >= need for k in short):  # only strides lack room
            fixed = {**fixed, short[0]: 0.0}
            continue
        kept.pop()


def _water_fill(
    kept: list[Planned], fixed: dict[str, float], spare: float, caps: dict[str, float], b: WeekBudget
) -> dict[str, float]:
    """Sizes at one common level (by weight) under each cap, floored to the step,
    then the floored remainder handed back a step at a time to the shortest runs."""
    if not kept:
        return {}
    weights = [RECOVERY_WEIGHT if p.spec.kind == "recovery" else 1.0 for p in kept]
    lows = [fixed[p.slot] for p in kept]
    tops = [caps[p.slot] for p in kept]
    level = _level(weights, lows, tops, spare)
    sizes = [b.floor(min(top, max(low, w * level))) for w, low, top in zip(weights, lows, tops, strict=True)]
    leftover = spare - sum(sizes)
    ups = [b.up(size) for size in sizes]  # each run's next size on the grid
    while True:
        grow = -1  # the shortest run by weight that can take its next step (the first of equals)
        for i, size in enumerate(sizes):
            if ups[i] > tops[i] + 1e-6 or ups[i] - size > leftover + 1e-6:
                continue
            if grow < 0 or size / weights[i] < sizes[grow] / weights[grow]:
                grow = i
        if grow < 0:
            return {p.slot: size for p, size in zip(kept, sizes, strict=True)}
        leftover -= ups[grow] - sizes[grow]
        sizes[grow] = ups[grow]
        ups[grow] = b.up(sizes[grow])


def _level(weights: list[float], lows: list[float], tops: list[float], spare: float) -> float:
    """The highest common level at which the runs (each ``weight × level``, at least its
    fixed part ``low``, at most its cap ``top``) hold no more than ``spare`` metres in all.
    The total is piecewise linear in the level, so it is solved exactly on the segment
    between two breakpoints (where a run leaves its fixed part or reaches its cap), found
    by walking the breakpoints in order; the level is never above ``spare`` plus the
    largest cap."""
    high = max(spare, 0.0) + max(tops, default=0.0)
    if sum(tops) <= spare:
        return high  # every run fits at its cap (the total never passes what it holds at its caps)
    runs = list(zip(weights, lows, tops, strict=True))
    at_a = _total(runs, 0.0)
    if at_a > spare:
        return 0.0
    # Each run grows (slope w) from its fixed part to its cap: the total's slope changes there.
    changes: list[tuple[float, float]] = []
    for w, low, cap in runs:
        if low < cap:
            if low / w < high:
                changes.append((low / w, w))
            if cap / w < high:
                changes.append((cap / w, -w))
    changes.sort()
    changes.append((high, 0.0))
    a = slope = 0.0
    for c, dw in changes:
        if c > a:
            if at_a + slope * (c - a) > spare - 1e-6 and _total(runs, c) > spare:
                middle = (a + c) / 2  # a run is linear on the whole segment if it is in the middle
                slope = sum([w for w, low, cap in runs if low < w * middle < cap])
                return a + (spare - _total(runs, a)) / slope if slope > 0 else a
            a, at_a = c, at_a + slope * (c - a)
        slope += dw
    return high


def _total(runs: list[tuple[float, float, float]], level: float) -> float:
    """The metres the runs ``(weight, low, top)`` hold at a common level: each ``weight ×
    level``, at least ``low``, then at most ``top`` (``min(top, max(low, w * level))``,
    written out: sizing asks this thousands of times a plan)."""
    held = 0.0
    for w, low, top in runs:
        metres = w * level
        if low > metres:
            metres = low
        held += top if metres >= top else metres
    return held

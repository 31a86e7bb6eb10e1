"""Placing a week's sessions on days: the hard/easy pattern and the rest day.

Pure functions over day offsets 0..6 from the week's first day. Each week is
placed knowing how the previous week ended, so the rules hold across the week
boundary too.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations, pairwise
from typing import NamedTuple

from plansync.core.vocab import HARD_KINDS

# After a long run or a hard session, only these may follow (the rule engine agrees).
EASY_AFTER = frozenset({"rest", "recovery", "easy", "cross", "foot_strength"})


class Slot(NamedTuple):  # a named tuple: made and remade for every session of every week
    """A session placed on a day of the week."""

    offset: int
    name: str  # the template's session name, or "race"
    kind: str
    slot: str  # stable role within the week: long, race, q1, e2, x1
    after_long: bool = False  # the day after the long run: the week's shortest run
    optional: bool = False  # an extra easy run, used only when the others reach their caps


@dataclass(frozen=True)
class WeekLayout:
    slots: tuple[Slot, ...]
    dropped_hard: int  # hard sessions that did not fit the available days


class WeekRequest(NamedTuple):  # a named tuple: asked for every week, and hashed to find its placing
    sessions: tuple[tuple[str, str], ...]  # (name, kind), priority order, long first
    available: frozenset[int]
    long_offset: int
    race_week: bool
    prev_last_hard_or_long: bool  # was the previous week's last day hard or long?
    prev_last_long: bool  # was it the long run?
    consecutive_hard: bool
    max_hard: int
    capacity: int  # most runs a week may hold (leaves a rest day)


def _spread_score(days: tuple[int, ...]) -> tuple[int, int]:
    if len(days) < 2:
        return (7, 0)
    gaps = [b - a for a, b in pairwise(days)]
    return (min(gaps), -sum(days))


@lru_cache(maxsize=4096)
def place_week(req: WeekRequest) -> WeekLayout:
    """Place a week's sessions. Pure, so cached: most weeks of a plan ask the same.

    The long run (or the race) on its day; hard sessions first (up to the day's
    limit), then the rest of the template's sessions in order fill whatever days
    remain: a hard session that cannot be placed frees its day for the next session
    instead of leaving it empty; days still open take optional easy runs."""
    anchor = 6 if req.race_week else req.long_offset
    name, kind = req.sessions[0]
    first = Slot(6, "race", "race", "race") if req.race_week else Slot(req.long_offset, name, kind, "long")
    sessions = list(req.sessions[1:])  # in race week the race replaces the long run
    free = sorted(d for d in req.available if d != anchor)
    room = max(0, req.capacity - 1)
    all_hard = [s for s in sessions if s[1] in HARD_KINDS]
    hard = all_hard[: min(max(0, req.max_hard), room)]
    chosen = _hard_days(req, anchor, free, len(hard))
    dropped = len(hard) - len(chosen) + len(all_hard) - len(hard)
    slots = [first] + [
        Slot(day, n, k, f"q{i + 1}")
        for i, (day, (n, k)) in enumerate(zip(chosen, hard[: len(chosen)], strict=False))
    ]
    others = [s for s in sessions if s[1] not in HARD_KINDS]
    if req.race_week:  # a taper keeps the number of runs (Bosquet et al. 2007): no cross-training
        others = [s for s in others if s[1] != "cross"]
    others = others[: room - len(chosen)]
    after_long = {req.long_offset + 1} if not req.race_week else set()
    if req.prev_last_long:
        after_long.add(0)
    taken = {s.offset for s in slots}
    open_days = [d for d in free if d not in taken]
    if req.race_week:
        open_days = [d for d in open_days if d != 5] + ([5] if 5 in open_days else [])
    picked = _spread_days(open_days, taken, len(others))
    counters: dict[str, int] = {}
    slots += _place_others(req, slots, others[: len(picked)], picked, after_long, counters)
    spare_days = [d for d in open_days if d not in picked]
    slots += _spare_runs(req, spare_days, room - len(chosen) - len(picked), after_long, counters)
    slots.sort(key=lambda s: s.offset)
    return WeekLayout(tuple(slots), dropped)


def _hard_days(req: WeekRequest, anchor: int, free: list[int], wanted: int) -> tuple[int, ...]:
    """Days for up to ``wanted`` hard sessions: never the long run's day, the day after it
    or the day before it, nor the two days before a race, nor a Monday after a hard
    Sunday; apart unless the template allows back-to-back; as spread out as possible."""
    # Race week ends with the race: no day after it to guard and no long run; no hard session
    # in the two days before the race.
    blocked = {4, 5, 6} if req.race_week else {anchor, (anchor + 1) % 7, (req.long_offset - 1) % 7}
    if req.prev_last_hard_or_long:
        blocked.add(0)
    candidates = [d for d in free if d not in blocked]
    for k in range(wanted, 0, -1):
        options = [
            c
            for c in combinations(candidates, k)
            if req.consecutive_hard or all(b - a > 1 for a, b in pairwise(c))
        ]
        if options:
            return max(options, key=_spread_score)
    return ()


def _spread_days(open_days: list[int], taken: set[int], wanted: int) -> list[int]:
    """``wanted`` of the open days, each as far as it can be from the days already taken."""
    picked: list[int] = []
    for _ in range(min(wanted, len(open_days))):
        best = max(
            (d for d in open_days if d not in picked),
            key=lambda d: (min(_cyclic_distance(d, t) for t in taken | set(picked)), -d),
        )
        picked.append(best)
    return sorted(picked)


def _place_others(
    req: WeekRequest,
    placed: list[Slot],
    pool: list[tuple[str, str]],
    picked: list[int],
    after_long: set[int],
    counters: dict[str, int],
) -> list[Slot]:
    """Sessions in priority order, each to its best free day: recovery-type runs to
    days after hard ones, strides never there; slot names follow priority."""
    after_hard = {(s.offset + 1) for s in placed if s.kind in HARD_KINDS or s.kind == "long"}
    days = list(picked)
    out: list[Slot] = []
    for name, kind in pool:

        def fit(day: int, kind: str = kind) -> tuple[int, int, int]:
            after = day in after_hard or (day == 0 and req.prev_last_hard_or_long)
            if kind == "strides":
                return (0 if after else 1, 0, -day)
            if kind in ("recovery", "cross"):  # the day after the long run suits them best
                return (1 if after else 0, 1 if day in after_long else 0, -day)
            # An easy run the day after the long run becomes the week's shortest run: another
            # day keeps it an easy run (after a hard session it still is one).
            return (0 if day in after_long else 1, 0 if after else 1, -day)

        day = max(days, key=fit)
        days.remove(day)
        after = day in after_hard or (day == 0 and req.prev_last_hard_or_long)
        if after and kind not in EASY_AFTER:
            kind = "easy"
        if day in after_long and kind in ("easy", "strides"):
            kind = "recovery"  # the day after the long run is the week's shortest run
        prefix = "x" if kind == "cross" else "e"
        counters[prefix] = counters.get(prefix, 0) + 1
        out.append(Slot(day, name, kind, f"{prefix}{counters[prefix]}", after_long=day in after_long))
    return out


def _spare_runs(
    req: WeekRequest, spare_days: list[int], spare_room: int, after_long: set[int], counters: dict[str, int]
) -> list[Slot]:
    """Days still open (short of the weekly rest day) take optional easy runs: the week's
    volume goes to another day before any single run grows past its cap, and race week
    keeps the athlete's usual number of runs, each shorter."""
    out: list[Slot] = []
    for day in sorted(spare_days, key=lambda d: (d in after_long, d))[: max(0, spare_room)]:
        kind = "recovery" if day in after_long else "easy"
        counters["e"] = counters.get("e", 0) + 1
        optional = not req.race_week  # race week's runs are all kept, each shorter
        out.append(Slot(day, "", kind, f"e{counters['e']}", after_long=day in after_long, optional=optional))
    return out


@lru_cache(maxsize=4096)
def pick_spread(candidates: tuple[int, ...], k: int, avoid: frozenset[int]) -> list[int]:
    """Choose k days from candidates as evenly spread as possible (for foot strength)."""
    pool = [d for d in candidates if d not in avoid]
    k = min(k, len(pool))
    if k == 0:
        return []
    best = max(combinations(pool, k), key=lambda c: (_cyclic_min_gap(c), -sum(c)))
    return list(best)


def _cyclic_min_gap(days: tuple[int, ...]) -> int:
    if len(days) < 2:
        return 7
    gaps = [b - a for a, b in pairwise(days)]
    gaps.append(days[0] + 7 - days[-1])
    return min(gaps)


def _cyclic_distance(a: int, b: int) -> int:
    return min((a - b) % 7, (b - a) % 7)

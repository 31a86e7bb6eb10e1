"""Each athlete's own peak, inside the template's range.

A template states where its peak week and peak long run fall (``[low, high]``);
the athlete's peak is their current volume grown over the block's building
weeks, never below what they run now and never doubled:

    peak = min(high, max(low_reachable, current × growth)),  at least current
    growth = 1 + (max_growth - 1) × min(1, growing weeks / FULL_BLOCK_WEEKS)
    low_reachable = min(low, current × max_growth)

``max_growth`` is the template's (``progression.max_growth``, below 2: never a
doubling): a novice plan grows more (the published novice plans go from
about 19 to 37 km) than an advanced one.

so a 40 km/week runner and a 60 km/week runner on the same template get
different plans, an athlete above the range holds their volume (and is told
of the next template up), and the 10 % rule and the week's shape still cap
what each week may hold on the way.
"""

from __future__ import annotations

FULL_BLOCK_WEEKS = 10  # growing weeks (not cutback, not taper) that earn the template's whole growth
LONG_GROWTH = 1.6  # the long run's growth over the block, at most


def weekly_peak(current: float, low: float, high: float, growing_weeks: int, max_growth: float) -> float:
    if current >= high:
        return current  # never a cut: the plan holds what the athlete runs now
    growth = 1 + (max_growth - 1) * min(1.0, growing_weeks / FULL_BLOCK_WEEKS)
    return max(current, min(high, max(min(low, current * max_growth), current * growth)))


def long_peak(current_long: float, low: float, high: float) -> float:
    if current_long >= high:
        return high  # long enough for the race: more is not the point of the plan
    return max(current_long, min(high, max(low, current_long * LONG_GROWTH)))

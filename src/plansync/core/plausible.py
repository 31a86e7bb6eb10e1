"""What comes back is checked before it is believed: plausible activities, each counted once.

An activity export is careless data: a ride logged as a run, a GPS glitch that
puts 499 km in ten minutes, the same export read twice. Believed, any of them
turns a plan into an unsafe one (a 39 km long run). So before adapting:

- each activity must be plausible for its type (:data:`BOUNDS`): a run faster
  than 2:30 min/km is faster than any half-marathon world record pace (about
  2:50 min/km), so it was not run on foot; a run longer than 8 hours is not a
  training run; such rows are left out, each with where it came from and why;
- duplicates count once: the same source id, or the same day, type, distance
  and duration within 1 %; each is named too.

Nothing is dropped silently: every activity left out is in :attr:`Screened.left_out`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from plansync.core.actuals import Activity
from plansync.core.quantities import fmt_clock

SAME_WITHIN = 0.01  # two activities within 1 % in distance and duration on one day are one


@dataclass(frozen=True)
class Bounds:
    """What an activity of one type can be: pace (seconds per km) and how long it lasts."""

    fastest_s_per_km: float | None  # None: no distance to check (cross-training)
    longest_s: float
    longest_m: float | None


# One table; the README's "Plausible activities" lists the same numbers.
BOUNDS: dict[str, Bounds] = {
    # faster than 2:30 min/km is no run on foot (the half-marathon record is about 2:50 min/km);
    # over 8 hours or 100 km is no training run
    "run": Bounds(fastest_s_per_km=150.0, longest_s=8 * 3600.0, longest_m=100_000.0),
    "cross": Bounds(fastest_s_per_km=None, longest_s=12 * 3600.0, longest_m=None),
    "other": Bounds(fastest_s_per_km=None, longest_s=12 * 3600.0, longest_m=None),
}


@dataclass
class Screened:
    """The activities believed, and every one left out with its reason."""

    kept: list[Activity] = field(default_factory=list)
    left_out: list[tuple[Activity, str]] = field(default_factory=list)

    def notes(self) -> list[str]:
        """``where: why`` for each activity left out, in the order they came."""
        return [f"{a.where or a.date.isoformat()}: {why}" for a, why in self.left_out]


def implausible(activity: Activity) -> str | None:
    """Why the activity cannot be what it says it is, or None when it can."""
    bounds = BOUNDS[activity.kind]
    if activity.duration_s > bounds.longest_s:
        return f"a {activity.kind} of {activity.duration_s / 3600:.1f} h is longer than {bounds.longest_s / 3600:g} h"
    if bounds.longest_m is not None and activity.distance_m > bounds.longest_m:
        return f"a {activity.kind} of {activity.distance_m / 1000:.1f} km is longer than {bounds.longest_m / 1000:g} km"
    if bounds.fastest_s_per_km is not None and activity.distance_m > 0:
        pace = activity.duration_s / (activity.distance_m / 1000)
        if pace < bounds.fastest_s_per_km:
            return (
                f"{activity.distance_m / 1000:.1f} km in {fmt_clock(activity.duration_s)} is "
                f"{fmt_clock(pace)} min/km, faster than {fmt_clock(bounds.fastest_s_per_km)} min/km: "
                "not a run on foot (a ride logged as a run, or a GPS glitch?)"
            )
    return None


def _same(a: Activity, b: Activity) -> bool:
    if a.source_id is not None and a.source_id == b.source_id:
        return True
    return (
        a.date == b.date
        and a.kind == b.kind
        and _close(a.distance_m, b.distance_m)
        and _close(a.duration_s, b.duration_s)
    )


def _close(x: float, y: float) -> bool:
    return abs(x - y) <= SAME_WITHIN * max(x, y)


def screen(activities: Iterable[Activity]) -> Screened:
    """Plausible activities, each counted once; the rest named with their reasons."""
    out = Screened()
    by_day: dict[tuple[str, object], list[Activity]] = {}
    seen_ids: dict[str, Activity] = {}
    for activity in activities:
        why = implausible(activity)
        if why is not None:
            out.left_out.append((activity, why))
            continue
        earlier = seen_ids.get(activity.source_id) if activity.source_id else None
        earlier = earlier or next(
            (a for a in by_day.get((activity.kind, activity.date), []) if _same(a, activity)), None
        )
        if earlier is not None:
            first = earlier.where or earlier.date.isoformat()
            out.left_out.append((activity, f"the same activity as {first}: counted once"))
            continue
        out.kept.append(activity)
        by_day.setdefault((activity.kind, activity.date), []).append(activity)
        if activity.source_id:
            seen_ids[activity.source_id] = activity
    return out

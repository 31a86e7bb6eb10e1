"""A race in the athlete's data: new paces proposed to the coach, applied only on approval.

A race or time trial sets the athlete's VDOT (Daniels' Running Formula; the
formula in :mod:`plansync.core.daniels`), and with it every training pace. A
new VDOT is proposed, not applied silently (coaching reference, "Race results →
paces"): ``plansync adapt`` shows the old and new paces, and only
``--accept-paces`` keeps the race with the plan (:class:`AcceptedRace`), so
every later compile uses it while the profile's own recent race is the one it
replaced.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from plansync.core.actuals import Activity
from plansync.core.daniels import vdot
from plansync.core.profile import Profile, RecentRace
from plansync.core.quantities import METRES_PER_UNIT, Units, fmt_clock, fmt_distance, fmt_pace
from plansync.core.records import AcceptedRace, race_key
from plansync.core.zones import ZoneModel

RACE_MIN_M = 1500.0  # Daniels' tables start at 1,500 m
RACE_MAX_M = 42195.0 * 1.05  # a marathon, with a GPS's overshoot
MIN_CHANGE = 0.5  # VDOT points: a smaller change moves no pace by more than a second or two a km
SHOWN = ("easy", "marathon", "half_marathon", "threshold", "interval")


@dataclass(frozen=True)
class PaceProposal:
    """New paces from a race: what changes, old → new."""

    race: AcceptedRace
    vdot_before: float
    vdot_after: float
    paces: tuple[tuple[str, float, float], ...]  # (zone, before, after) in s per the profile's unit
    units: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "race": self.race.as_dict(),
            "vdot_before": round(self.vdot_before, 1),
            "vdot_after": round(self.vdot_after, 1),
            "paces": [
                {"zone": z, f"before_s_per_{self.units}": round(b), f"after_s_per_{self.units}": round(a)}
                for z, b, a in self.paces
            ],
        }

    def describe(self) -> str:
        u: Units = "mi" if self.units == "mi" else "km"
        race = self.race
        shown = "; ".join(
            f"{zone.replace('_', ' ')} {fmt_pace(b, u)} → {fmt_pace(a, u)}" for zone, b, a in self.paces
        )
        return (
            f"the race on {race.date} ({fmt_distance(race.distance_m, u)} in {fmt_clock(race.seconds)}) "
            f"gives VDOT {self.vdot_before:.1f} → {self.vdot_after:.1f}: {shown}"
        )


def propose(profile: Profile, activities: Sequence[Activity], today: dt.date) -> PaceProposal | None:
    """New paces from the most recent race before today, when the athlete trains by pace and
    the race moves their VDOT by at least :data:`MIN_CHANGE` (Daniels)."""
    if profile.intensity.system != "pace":
        return None  # heart-rate and effort targets do not come from a race time
    races = [
        a
        for a in activities
        if a.race and a.kind == "run" and a.date < today and RACE_MIN_M <= a.distance_m <= RACE_MAX_M
    ]
    if not races:
        return None
    last = max(races, key=lambda a: (a.date, a.distance_m))
    before = ZoneModel(profile)
    accepted = AcceptedRace(last.date, last.distance_m, last.duration_s, race_key(profile))
    after_vdot = vdot(last.distance_m, last.duration_s)
    if abs(after_vdot - before.vdot) < MIN_CHANGE:
        return None
    after = ZoneModel(_applied(accepted, profile))
    per_unit = METRES_PER_UNIT[profile.units] / 1000
    paces = tuple(
        (zone, before.pace_s_per_km(zone) * per_unit, after.pace_s_per_km(zone) * per_unit) for zone in SHOWN
    )
    return PaceProposal(accepted, before.vdot, after.vdot, paces, profile.units)


def with_accepted(profile: Profile, race: AcceptedRace | None) -> Profile:
    """The profile with the coach's accepted race, while it holds."""
    return _applied(race, profile) if race is not None and race.holds_for(profile) else profile


def _applied(race: AcceptedRace, profile: Profile) -> Profile:
    """The profile with this race as its recent race (its paces follow from it)."""
    unit = METRES_PER_UNIT[profile.units]
    recent = RecentRace.model_construct(distance=race.distance_m / unit, time=race.seconds)
    fitness = profile.fitness.model_copy(update={"recent_race": recent})
    return profile.model_copy(update={"fitness": fitness})

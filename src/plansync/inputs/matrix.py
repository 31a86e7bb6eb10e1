"""The built-in matrix of athlete profiles a template is dry-run against.

Not a full cartesian product (that would be thousands of plans a template):
every plan length × every training-day count × low, middle and high volume,
with the intensity system, units and race day rotating so that each value of
each appears many times. Race and start dates are far in the future, so the
matrix never depends on today.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass

from plansync.core.profile import Profile
from plansync.core.quantities import METRES_PER_UNIT
from plansync.core.template import Template

RACE_SATURDAY = dt.date(2031, 4, 5)
RACE_SUNDAY = dt.date(2031, 4, 6)
# Training days by count, for a long run on Sunday; shifted a day earlier for Saturday.
DAYS_FOR_SUNDAY = {
    3: ["tue", "thu", "sun"],
    4: ["tue", "thu", "sat", "sun"],
    5: ["mon", "tue", "thu", "sat", "sun"],
    6: ["mon", "tue", "wed", "thu", "sat", "sun"],
}
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
SYSTEMS = ("pace", "heart_rate", "rpe")
RACE_TIMES_10K = {"low": "62:00", "middle": "52:00", "high": "43:00"}


@dataclass(frozen=True)
class MatrixProfile:
    name: str  # e.g. "middle-4d-12w-pace-km-sun"
    profile: Profile


def _shift(days: list[str], by: int) -> list[str]:
    return [WEEKDAYS[(WEEKDAYS.index(d) + by) % 7] for d in days]


def _volumes_km(t: Template) -> dict[str, float]:
    low = max(t.progression.min_weekly / 1000, 8.0)
    high = max(t.progression.peak_weekly[1] / 1000 * 0.9, low + 10)
    return {"low": low, "middle": round((low + high) / 2), "high": round(high)}


def matrix(t: Template) -> Iterator[MatrixProfile]:
    i = 0
    for weeks in range(t.weeks.min, t.weeks.max + 1):
        for n_days in (3, 4, 5, 6):
            if n_days < t.rules.min_days:
                continue
            for level, weekly_km in _volumes_km(t).items():
                system = SYSTEMS[i % 3]
                units = "km" if i % 2 == 0 else "mi"
                saturday = (i // 2) % 2 == 1
                i += 1
                yield _profile(t, weeks, n_days, level, weekly_km, system, units, saturday)


def _profile(
    t: Template,
    weeks: int,
    n_days: int,
    level: str,
    weekly_km: float,
    system: str,
    units: str,
    saturday: bool,
) -> MatrixProfile:
    unit_km = METRES_PER_UNIT[units] / 1000
    long_km = max(t.progression.min_long_run / 1000, round(weekly_km * 0.33, 1))
    days = DAYS_FOR_SUNDAY[n_days]
    if saturday:
        days = _shift(days, -1)
    anchor = RACE_SATURDAY if saturday else RACE_SUNDAY
    plan: dict[str, object] = {"template": t.id, "weeks": weeks}
    if t.goal == "half_marathon":
        plan["race_date"] = anchor.isoformat()
    else:
        plan["start_date"] = (anchor - dt.timedelta(days=6)).isoformat()
    intensity: dict[str, object] = {"system": system}
    fitness: dict[str, object] = {  # rounded up: never below the template's entry level
        "weekly_distance": math.ceil(weekly_km / unit_km * 10) / 10,
        "long_run": math.ceil(long_km / unit_km * 10) / 10,
    }
    if system == "pace":
        fitness["recent_race"] = {"distance": "10k", "time": RACE_TIMES_10K[level]}
    elif system == "heart_rate":
        intensity.update({"threshold_hr": 168} if level != "middle" else {"max_hr": 190, "resting_hr": 55})
    name = f"{level}-{n_days}d-{weeks}w-{system}-{units}-{'sat' if saturday else 'sun'}"
    profile = Profile.model_validate(
        {
            "id": "matrix",
            "name": f"Matrix {name}",
            "timezone": "UTC",
            "units": units,
            "plan": plan,
            "availability": {"days": days, "long_run_day": days[-1]},
            "fitness": fitness,
            "intensity": intensity,
            "shoes": [
                {"name": "Daily", "role": "cushioned", "distance": 100, "lifespan": 700},
                {"name": "Fast", "role": "light", "distance": 50, "lifespan": 500},
            ],
        }
    )
    return MatrixProfile(name, profile)

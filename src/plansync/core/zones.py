"""Training zones: Daniels' VDOT paces, Friel and Karvonen heart rates, CR10 effort.

A plan's steps target abstract zones (``threshold``, ``easy``, ...). This
module turns a zone into a concrete target in the athlete's system and units,
and into a running speed used to estimate durations and distances (every
athlete has one: from a recent race, from a threshold pace, or estimated from
weekly volume when neither is given).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from plansync.core.daniels import race_time, vdot, velocity_for, vo2_at
from plansync.core.kept import Kept
from plansync.core.profile import RACE_DISTANCES_M, Profile
from plansync.core.quantities import METRES_PER_UNIT, Units, fmt_clock

# --- Zones -------------------------------------------------------------------

# Fractions of VDOT for the ranged zones (slow end, fast end).
_VDOT_RANGES = {"recovery": (0.60, 0.66), "easy": (0.63, 0.735)}
_POINT_FRACTIONS = {"threshold": 0.88, "interval": 0.974}
_PACE_HALF_WIDTH_S_PER_KM = 3.0

# Friel, % of lactate-threshold heart rate.
FRIEL = {
    "recovery": (70, 84),
    "easy": (85, 89),
    "marathon": (90, 94),
    "half_marathon": (95, 99),
    "threshold": (100, 102),
    "interval": (103, 106),
    "repetition": (106, 110),
    "strides": (106, 110),
}
# Karvonen, % of heart-rate reserve.
KARVONEN = {
    "recovery": (50, 60),
    "easy": (60, 70),
    "marathon": (70, 80),
    "half_marathon": (80, 85),
    "threshold": (85, 90),
    "interval": (90, 95),
    "repetition": (95, 100),
    "strides": (95, 100),
}
# Borg CR10, after McMillan's mapping.
RPE = {
    "recovery": (2, 3),
    "easy": (2, 4),
    "marathon": (3, 5),
    "half_marathon": (5, 6),
    "threshold": (6, 7),
    "interval": (8, 9),
    "repetition": (9, 10),
    "strides": (8, 9),
}
ZONE_LABELS = {
    "recovery": "recovery",
    "easy": "easy",
    "marathon": "marathon pace",
    "half_marathon": "half-marathon pace",
    "threshold": "threshold",
    "interval": "interval",
    "repetition": "repetition",
    "strides": "strides",
}


@dataclass(frozen=True)
class Target:
    """A zone rendered for one athlete. For pace, ``low`` is the faster end."""

    zone: str
    system: str
    low: int
    high: int
    unit: str  # "s/km", "s/mi", "bpm", "rpe"
    text: str

    def as_dict(self) -> dict[str, object]:
        return {
            "zone": self.zone,
            "system": self.system,
            "low": self.low,
            "high": self.high,
            "unit": self.unit,
            "text": self.text,
        }


class ZoneModel:
    """Everything zone-related for one athlete, computed once per compile."""

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self.units: Units = profile.units
        self.vdot, self.vdot_source = _athlete_vdot(profile)
        self.shared = _shared((self.vdot, self.units, profile.intensity.model_dump_json()))
        self.built, self.step_targets = self.shared.built, self.shared.step_targets
        if self.shared.table is None:  # the zones of every athlete alike in VDOT, units and intensity
            self.shared.table = _table(self.vdot, profile)
        self._pace_s_km, self._targets, self._efforts, self._speeds = self.shared.table

    def pace_s_per_km(self, zone: str) -> float:
        """Mid-zone pace, for estimating how long a step takes."""
        fast, slow = self._pace_s_km[zone]
        return (fast + slow) / 2

    def pace_range_s_per_km(self, zone: str) -> tuple[float, float]:
        """(fast, slow) ends of a zone, seconds per kilometre."""
        return self._pace_s_km[zone]

    def speed(self, zone: str) -> float:
        """Metres per second at mid-zone."""
        return self._speeds[zone]

    def threshold_speed(self) -> float:
        return 1000 / self.pace_s_per_km("threshold")

    def target(self, zone: str) -> Target:
        """The zone in the athlete's own system."""
        return self._targets[zone]

    def effort(self, zone: str) -> Target:
        """The zone as perceived effort (CR10), whatever the athlete's system."""
        return self._efforts[zone]


def _table(vdot: float, profile: Profile) -> ZoneTable:
    """An athlete's zones: each zone's pace range (fast, slow; seconds per kilometre), its
    target in their system, its perceived effort, and its mid-zone speed (m/s)."""
    interval_s_km = 1000 / (velocity_for(vdot * 0.974) / 60)
    rep_gain = 20.0 if vdot < 50 else 15.0
    paces: dict[str, tuple[float, float]] = {}  # fast, slow
    for zone, (slow, fast) in _VDOT_RANGES.items():
        paces[zone] = (_s_per_km(vdot * fast), _s_per_km(vdot * slow))
    centres = {
        "threshold": _s_per_km(vdot * _POINT_FRACTIONS["threshold"]),
        "interval": interval_s_km,
        "repetition": interval_s_km - rep_gain,
        "strides": interval_s_km - rep_gain,
        "marathon": race_time(vdot, 42195.0) / 42.195,
        "half_marathon": race_time(vdot, 21097.5) / 21.0975,
    }
    for zone, centre in centres.items():
        w = _PACE_HALF_WIDTH_S_PER_KM
        paces[zone] = (centre - w, centre + w)
    targets = {zone: _target(zone, paces[zone], profile) for zone in FRIEL}
    efforts = {zone: _effort(zone) for zone in RPE}
    speeds = {zone: 1000 / ((paces[zone][0] + paces[zone][1]) / 2) for zone in FRIEL}
    return paces, targets, efforts, speeds


def _effort(zone: str) -> Target:
    lo, hi = RPE[zone]
    return Target(zone, "rpe", lo, hi, "rpe", f"RPE {lo}–{hi}/10 ({ZONE_LABELS[zone]})")


def _target(zone: str, pace: tuple[float, float], profile: Profile) -> Target:
    i, units = profile.intensity, profile.units
    label = ZONE_LABELS[zone]
    if i.system == "pace":
        factor = METRES_PER_UNIT[units] / 1000
        fast, slow = (round(p * factor) for p in pace)
        text = f"{fmt_clock(fast)}–{fmt_clock(slow)}/{units}"
        return Target(zone, "pace", fast, slow, f"s/{units}", f"{text} ({label})")
    if i.system == "heart_rate":
        if i.threshold_hr is not None:
            lo_pct, hi_pct = FRIEL[zone]
            lo, hi = round(i.threshold_hr * lo_pct / 100), round(i.threshold_hr * hi_pct / 100)
        else:
            assert i.max_hr is not None and i.resting_hr is not None
            reserve = i.max_hr - i.resting_hr
            lo_pct, hi_pct = KARVONEN[zone]
            lo = round(i.resting_hr + reserve * lo_pct / 100)
            hi = round(i.resting_hr + reserve * hi_pct / 100)
        return Target(zone, "heart_rate", lo, hi, "bpm", f"{lo}–{hi} bpm ({label})")
    lo, hi = RPE[zone]
    return Target(zone, "rpe", lo, hi, "rpe", f"RPE {lo}–{hi}/10 ({label})")


ZoneTable = tuple[
    dict[str, tuple[float, float]], dict[str, "Target"], dict[str, "Target"], dict[str, float]
]  # paces (fast, slow s/km), targets, efforts, speeds (m/s) by zone
Built = dict[tuple[int, float, float, float, bool], tuple[Any, Any]]  # core.sessions.build
# (session kind, step type, zone, label) -> the step's targets (core.targets)
StepTargets = dict[tuple[str, str, str, str | None], tuple["Target", "Target | None"]]
ZONE_CACHES_KEPT = 32  # zone models whose built sessions are remembered (each some tens of KiB)


@dataclass
class SharedWork:
    """What is worked out once for every zone model alike in VDOT, units and intensity
    system: a session's steps, their targets and their text depend on nothing else, so
    athletes alike in these (a roster's, a validation matrix's) share them."""

    built: Built = field(default_factory=dict)
    step_targets: StepTargets = field(default_factory=dict)
    texts: dict[int, tuple[Any, str]] = field(default_factory=dict)  # id(steps) -> (steps, text)
    table: ZoneTable | None = None  # the zones themselves (see _table)
    measured: dict[tuple[int, float, float], tuple[Any, float]] = field(default_factory=dict)
    work: dict[tuple[int, float], tuple[Any, dict[str, float]]] = field(default_factory=dict)


_zone_caches: Kept[tuple[float, str, str], SharedWork] = Kept(ZONE_CACHES_KEPT)


def _shared(signature: tuple[float, str, str]) -> SharedWork:
    """The :class:`SharedWork` of a signature (VDOT, units, intensity); the most recently
    used few are kept."""
    return _zone_caches.get_or_make(signature, SharedWork)


def _s_per_km(vo2: float) -> float:
    return 1000 / (velocity_for(vo2) / 60)


def _athlete_vdot(profile: Profile) -> tuple[float, str]:
    race = profile.fitness.recent_race
    if race is not None:
        if isinstance(race.distance, str):
            metres = RACE_DISTANCES_M[race.distance]
        else:
            metres = race.distance * METRES_PER_UNIT[profile.units]
        return vdot(metres, race.time), "recent_race"
    if profile.intensity.threshold_pace is not None:
        s_per_km = profile.intensity.threshold_pace / (METRES_PER_UNIT[profile.units] / 1000)
        v = 60000 / s_per_km
        return vo2_at(v) / _POINT_FRACTIONS["threshold"], "threshold_pace"
    weekly_km = profile.fitness.weekly_distance * METRES_PER_UNIT[profile.units] / 1000
    return min(50.0, max(30.0, 28.0 + 0.3 * weekly_km)), "estimated"

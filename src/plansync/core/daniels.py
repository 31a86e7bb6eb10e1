"""Daniels and Gilbert's running formulas: oxygen cost, VDOT and race-time prediction.

Plain arithmetic on distances and times, shared by the profile's sanity checks
and the zone model.
"""

from __future__ import annotations

import math
from functools import lru_cache


def vo2_at(v: float) -> float:
    """Oxygen cost (ml/kg/min) of running at v metres per minute."""
    return float(-4.60 + 0.182258 * v + 0.000104 * v * v)


def sustainable_fraction(minutes: float) -> float:
    """Share of VO2max that can be held for a race of that many minutes."""
    return 0.8 + 0.1894393 * math.exp(-0.012778 * minutes) + 0.2989558 * math.exp(-0.1932605 * minutes)


def vdot(distance_m: float, seconds: float) -> float:
    minutes = seconds / 60
    return vo2_at(distance_m / minutes) / sustainable_fraction(minutes)


def velocity_for(vo2: float) -> float:
    """Inverse of :func:`vo2_at`: metres per minute for an oxygen cost."""
    return (-0.182258 + math.sqrt(0.182258**2 + 0.000416 * (vo2 + 4.6))) / 0.000208


@lru_cache(maxsize=1024)  # pure: a roster's athletes share a few VDOTs, each plan asks twice
def race_time(v_dot: float, distance_m: float) -> float:
    """Predicted race time in seconds for a VDOT (bisection; VDOT falls as time grows)."""
    lo, hi = 60.0, 60.0 * 60 * 10
    for _ in range(60):
        mid = (lo + hi) / 2
        if vdot(distance_m, mid) > v_dot:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def riegel(seconds: float, d1: float, d2: float) -> float:
    return float(seconds * (d2 / d1) ** 1.06)

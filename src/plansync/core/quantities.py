"""Durations, distances and paces: parsing what coaches write, formatting for athletes.

Inside plansync every distance is metres and every duration seconds. Templates
write quantities with their unit (``15min``, ``1h30min``, ``800m``, ``5km``,
``3mi``); profiles give bare numbers in the athlete's ``units``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

Units = Literal["km", "mi"]

METRES_PER_UNIT: dict[str, float] = {"km": 1000.0, "mi": 1609.344}

_DURATION = re.compile(
    r"^\s*(?:(\d+(?:\.\d+)?)\s*h)?\s*(?:(\d+(?:\.\d+)?)\s*min)?\s*(?:(\d+(?:\.\d+)?)\s*s)?\s*$"
)
_DISTANCE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(m|km|mi)\s*$")
MAX_QUANTITY_TEXT = 24  # characters: "1h30min", "21.0975km"; longer is a typo or an attack
MAX_DURATION_S = 24 * 3600.0
MAX_DISTANCE_M = 1_000_000.0
_CLOCK = re.compile(r"^\s*(?:(\d+):)?(\d{1,2}):(\d{2}(?:\.\d+)?)\s*$")


def parse_duration(text: str) -> float:
    """``"1h30min"`` -> 5400.0 seconds. Raises ValueError with what was expected."""
    m = _DURATION.match(text) if len(text) <= MAX_QUANTITY_TEXT else None
    if not m or not any(m.groups()):
        raise ValueError(
            f"expected a duration such as 45s, 15min or 1h30min, got {text[:MAX_QUANTITY_TEXT]!r}"
        )
    h, mins, s = (float(g) if g else 0.0 for g in m.groups())
    total = h * 3600 + mins * 60 + s
    if total <= 0:
        raise ValueError(f"expected a duration above zero, got {text!r}")
    if total > MAX_DURATION_S:
        raise ValueError(f"expected a duration of at most 24 hours, got {text!r}")
    return total


def parse_distance(text: str) -> float:
    """``"800m"`` -> 800.0, ``"5km"`` -> 5000.0, ``"2mi"`` -> 3218.688 metres."""
    m = _DISTANCE.match(text) if len(text) <= MAX_QUANTITY_TEXT else None
    if not m:
        raise ValueError(f"expected a distance such as 800m, 5km or 3mi, got {text[:MAX_QUANTITY_TEXT]!r}")
    value, unit = float(m.group(1)), m.group(2)
    if value <= 0:
        raise ValueError(f"expected a distance above zero, got {text!r}")
    metres = value * (1.0 if unit == "m" else METRES_PER_UNIT[unit])
    if metres > MAX_DISTANCE_M:
        raise ValueError(f"expected a distance of at most 1000 km, got {text!r}")
    return metres


def parse_clock(text: str) -> float:
    """``"4:50"`` -> 290.0, ``"1:31:49"`` -> 5509.0 seconds."""
    m = _CLOCK.match(text) if len(text) <= 16 else None
    if not m:
        raise ValueError(f"expected a time as m:ss or h:mm:ss, got {text[:16]!r}")
    h = int(m.group(1) or 0)
    total = h * 3600 + int(m.group(2)) * 60 + float(m.group(3))
    if total <= 0:
        raise ValueError(f"expected a time above zero, got {text!r}")
    if total >= 24 * 3600:
        raise ValueError(f"expected a time under 24 hours, got {text!r}")
    return total


def fmt_clock(seconds: float) -> str:
    """5509 -> ``"1:31:49"``; 296 -> ``"4:56"``."""
    s = round(seconds)
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


def fmt_duration(seconds: float) -> str:
    """Human duration, exact below an hour: 45 s, 2 min 30 s, 20 min, 1 h 35 min."""
    s = round(seconds)
    if s < 90:
        return f"{s} s"
    minutes, rest = divmod(s, 60)
    if minutes < 60:
        return f"{minutes} min {rest} s" if rest else f"{minutes} min"
    h, m = divmod(round(s / 60), 60)
    return f"{h} h {m:02d} min" if m else f"{h} h"


def to_units(metres: float, units: Units) -> float:
    return metres / METRES_PER_UNIT[units]


def from_units(value: float, units: Units) -> float:
    return value * METRES_PER_UNIT[units]


@lru_cache(maxsize=4096)  # pure; a plan writes the same few distances many times
def fmt_distance(metres: float, units: Units) -> str:
    """Short efforts in metres (track habit), longer ones in the athlete's units; nothing at
    all in the athlete's units too (``0 km``, never ``0 m``)."""
    if 0 < metres < 2000 and abs(metres - round(metres, -2)) < 1:
        return f"{round(metres)} m"
    value = to_units(metres, units)
    # Planned runs come in quarter miles (9.75 mi); anything else shows one decimal.
    quarter = abs(value * 4 - round(value * 4)) < 0.01
    text = f"{value:.2f}" if units == "mi" and quarter else f"{value:.1f}"
    text = text.rstrip("0").rstrip(".")
    return f"{text} {units}"


def fmt_pace(seconds_per_unit: float, units: Units) -> str:
    return f"{fmt_clock(seconds_per_unit)}/{units}"

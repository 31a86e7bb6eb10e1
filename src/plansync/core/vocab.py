"""The fixed words of plansync's file formats, shared by the schemas and the compiler."""

from __future__ import annotations

from typing import Literal, get_args

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[str, ...] = get_args(Weekday)

Zone = Literal[
    "recovery", "easy", "marathon", "half_marathon", "threshold", "interval", "repetition", "strides"
]
ZONES: tuple[str, ...] = get_args(Zone)

# What a plan entry is. Session kinds are what templates may use; the compiler adds
# rest, race and foot_strength entries itself.
SessionKind = Literal[
    "long",
    "easy",
    "recovery",
    "tempo",
    "threshold",
    "intervals",
    "hills",
    "strides",
    "race_pace",
    "cross",
]
Kind = Literal[
    "rest",
    "recovery",
    "easy",
    "long",
    "tempo",
    "threshold",
    "intervals",
    "hills",
    "strides",
    "race_pace",
    "race",
    "cross",
    "foot_strength",
]
KINDS: tuple[str, ...] = get_args(Kind)

HARD_KINDS = frozenset({"tempo", "threshold", "intervals", "hills", "race_pace", "race"})
RUN_KINDS = frozenset(
    {"recovery", "easy", "long", "tempo", "threshold", "intervals", "hills", "strides", "race_pace", "race"}
)
# Sessions whose size is set by the week's volume (their steps "fill" it).
VOLUME_KINDS = frozenset({"long", "easy", "recovery", "strides"})

Surface = Literal["concrete", "asphalt", "trail", "grass", "treadmill", "track"]
SURFACES: tuple[str, ...] = get_args(Surface)

ShoeRole = Literal["cushioned", "light", "stability", "trail"]
IntensitySystem = Literal["pace", "heart_rate", "rpe"]
Goal = Literal["half_marathon", "general"]

HALF_MARATHON_M = 21097.5

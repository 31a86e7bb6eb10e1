"""Surface guidance for each run (the shoes are plansync.core.shoes)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

# From the brief's surface table, best first: soft surfaces for long and recovery
# running, firm ones for tempo and road racing, a track for intervals and
# repetitions, concrete (the hardest surface) only for short repetitions and
# urban routes. A template may give its own table (``surfaces:``).
DEFAULT_SURFACES: dict[str, tuple[str, ...]] = {
    "long": ("trail", "grass", "asphalt", "treadmill", "track", "concrete"),
    "easy": ("trail", "grass", "asphalt", "treadmill", "track", "concrete"),
    "recovery": ("grass", "trail", "treadmill", "track", "asphalt"),
    "strides": ("grass", "track", "trail", "asphalt"),
    "tempo": ("asphalt", "track", "treadmill", "trail"),
    "threshold": ("asphalt", "track", "treadmill"),
    "race_pace": ("asphalt", "track", "treadmill"),
    "intervals": ("track", "asphalt", "treadmill", "concrete"),
    "hills": ("trail", "asphalt", "treadmill", "grass"),
    "race": ("asphalt", "trail", "concrete", "grass", "treadmill", "track"),
}
WHY = {
    "trail": "soft underfoot, kind to heels and arches",
    "grass": "very soft and works the small stabilising muscles",
    "asphalt": "firm and even, good for steady pace work",
    "treadmill": "cushioned belt and a controlled pace, good in bad weather",
    "concrete": "hardest surface: keep to short efforts and urban routes",
    "track": "measured, even and forgiving: the place for intervals and repetitions",
}
HARD_SURFACES = frozenset({"concrete", "asphalt"})
SPEED_KINDS = frozenset({"tempo", "threshold", "intervals", "hills", "race_pace", "race"})
SHORT_REP_M = 400.0  # concrete only for repetitions this short ...
SHORT_REP_S = 90.0  # ... or this brief
ROTATION = 2  # each kind alternates between its two best surfaces the athlete has


def pick_surface(
    kind: str,
    athlete: Sequence[str],
    template: Mapping[Any, Sequence[str]],
    turn: int = 0,
    short_reps: bool = True,
) -> str | None:
    """The surface for the ``turn``-th session of a kind: the table's surfaces the
    athlete has, best first, alternating between the two best so no one surface
    (a hard one least of all) takes every session. Concrete only when the
    session's efforts are short (``short_reps``) or it is easy running."""
    return surface_in_turn(kind, surface_options(kind, athlete, template, short_reps), turn)


def surface_options(
    kind: str, athlete: Sequence[str], template: Mapping[Any, Sequence[str]], short_reps: bool
) -> tuple[str, ...]:
    """The surfaces a kind of session may use, best first (see :func:`pick_surface`)."""
    preferred = list(template.get(kind, DEFAULT_SURFACES.get(kind, ())))
    options = [s for s in preferred if s in athlete] or list(athlete)  # none in the table: what they have
    if kind in SPEED_KINDS and not short_reps:  # long efforts: anything the athlete has but concrete
        softer = [s for s in athlete if s != "concrete"]
        options = [s for s in options if s != "concrete"] or softer or options
    return tuple(options)


def surface_in_turn(kind: str, options: Sequence[str], turn: int) -> str | None:
    """The ``turn``-th session's surface among its ``options``: the race on the best one."""
    if not options:
        return None
    if kind == "race":
        return options[0]
    return options[turn % min(ROTATION, len(options))]


def short_efforts(steps: Sequence[Any]) -> bool:
    """Whether every fast repetition of a session is short (see SHORT_REP_M, SHORT_REP_S)."""
    for step in steps:
        for inner in getattr(step, "steps", ()):
            if inner.type == "run" and (
                (inner.distance_m or 0) > SHORT_REP_M + 1 or (inner.duration_s or 0) > SHORT_REP_S
            ):
                return False
    return True

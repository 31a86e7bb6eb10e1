"""Which kind of target each step gets: the rule table, written once.

| step                                     | primary target                | shown beside it             |
|------------------------------------------|-------------------------------|-----------------------------|
| strides (short, fast, relaxed)           | effort (RPE)                  | pace, for pace athletes     |
| hill repeats (the uphill efforts)        | effort (RPE)                  | nothing: pace means little uphill, heart rate lags |
| cross-training                           | heart rate (HR athletes), else effort | nothing: no running pace off the road |
| walking (run/walk sessions)              | effort (RPE)                  | nothing                     |
| every other running step                 | the athlete's system (pace, heart rate or RPE) | RPE, so a runner without a watch can follow it |

Heart rate cannot respond within a 15–20 s stride, and a flat-ground pace is
wrong on a hill: those steps go by effort. The description shows RPE beside
every pace or heart-rate target (see :func:`plansync.core.describe.step_lines`).
"""

from __future__ import annotations

from plansync.core.zones import Target, ZoneModel

EFFORT_FIRST_KINDS = frozenset({"hills"})  # sessions whose fast steps go by effort


def primary_kind(session_kind: str, step_type: str, zone: str, system: str, label: str | None = None) -> str:
    """``pace``, ``heart_rate`` or ``rpe``: the kind of target a step is given."""
    if session_kind == "cross":
        return "heart_rate" if system == "heart_rate" else "rpe"
    if label == "Walk":
        return "rpe"
    if zone == "strides":
        return "rpe"
    if session_kind in EFFORT_FIRST_KINDS and step_type == "run":
        return "rpe"
    return system


def secondary_kind(session_kind: str, step_type: str, zone: str, system: str) -> str | None:
    """The target shown beside the primary one, where it means something."""
    if zone == "strides" and system == "pace" and session_kind != "cross":
        return "pace"
    return None


def targets(
    zones: ZoneModel, session_kind: str, step_type: str, zone: str, label: str | None = None
) -> tuple[Target, Target | None]:
    key = (session_kind, step_type, zone, label)
    known = zones.step_targets.get(key)
    if known is not None:
        return known
    system = zones.profile.intensity.system
    primary = primary_kind(session_kind, step_type, zone, system, label)
    second = secondary_kind(session_kind, step_type, zone, system)
    main = zones.target(zone) if primary == system else zones.effort(zone)
    found = main, (zones.target(zone) if second is not None else None)
    zones.step_targets[key] = found  # the rule table is pure: each combination is worked out once
    return found

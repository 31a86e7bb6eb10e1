"""A workout as the TrainingPeaks Partner API wants it (see the reference contract).

Runs are ``run``, foot strength ``strength``, cross-training ``x-train``,
rest days ``other``. ``WorkoutDay`` is the athlete-local date,
``TotalTimePlanned`` decimal hours, ``DistancePlanned`` metres, and
``Structure`` a JSON *string* of steps, each with an ``IntensityClass`` and a
target range in the athlete's system, derived from the step's own target in
the plan against the plan's references (pace as a percentage of threshold
speed, heart rate of threshold or maximum heart rate, RPE), ``Value`` at the
midpoint of ``MinValue`` and ``MaxValue``.
"""

from __future__ import annotations

import json
from typing import Any

from plansync.adapters import markers
from plansync.core.plan import Plan, References, Step, Workout
from plansync.core.vocab import RUN_KINDS

TITLE_LIMIT = 500
INTENSITY_CLASS = {
    "warmup": "WarmUp",
    "cooldown": "CoolDown",
    "recover": "Rest",
    "run": "Active",
    "cross": "Active",
}
DISPLAY_UNIT = {"km": "kilometer", "mi": "mile"}


def workout_type(kind: str) -> str:
    if kind in RUN_KINDS:
        return "run"
    return {"foot_strength": "strength", "cross": "x-train"}.get(kind, "other")


def _range(low: float, high: float) -> dict[str, float]:
    low, high = round(min(low, high), 1), round(max(low, high), 1)
    return {"MinValue": low, "MaxValue": high, "Value": round((low + high) / 2, 2)}


def target(step: Step, references: References) -> dict[str, Any]:
    """The step's own target (as the plan states it) as a percentage of the athlete's reference."""
    t = step.target
    if t is None:
        return {}
    if t.system == "pace":
        threshold = references.threshold_pace_s
        assert threshold is not None
        # Faster is higher: percent of threshold *speed*; ``low`` is the faster pace.
        return {
            "Unit": "PercentOfThresholdSpeed",
            **_range(threshold / t.high * 100, threshold / t.low * 100),
        }
    if t.system == "heart_rate":
        if references.threshold_hr is not None:
            base, unit = references.threshold_hr, "PercentOfThresholdHr"
        else:
            assert references.max_hr is not None
            base, unit = references.max_hr, "PercentOfMaxHr"
        return {"Unit": unit, **_range(t.low / base * 100, t.high / base * 100)}
    return {"Unit": "Rpe", **_range(t.low, t.high)}


def structure(steps: tuple[Step, ...], references: References) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for step in steps:
        if step.type == "repeat":
            out.append(
                {
                    "Type": "Repetition",
                    "Length": {"Unit": "Repetition", "Value": int(step.count or 1)},
                    "Steps": structure(step.steps, references),
                }
            )
            continue
        length = (
            {"Unit": "Meter", "Value": int(step.distance_m or 0)}
            if step.by == "distance" and step.distance_m
            else {"Unit": "Second", "Value": int(step.duration_s or 0)}
        )
        item: dict[str, Any] = {
            "Type": "Step",
            "IntensityClass": INTENSITY_CLASS[step.type],
            "Length": length,
            "IntensityTarget": target(step, references),
        }
        if step.label:
            item["Name"] = step.label
        out.append(item)
    return out


def payload(workout: Workout, plan: Plan, athlete_id: str) -> dict[str, Any]:
    """The full object sent on create and on update (PUT replaces everything)."""
    body: dict[str, Any] = {
        "AthleteId": int(athlete_id),
        "WorkoutDay": workout.date.isoformat(),
        "WorkoutType": workout_type(workout.kind),
        "Title": workout.title[:TITLE_LIMIT],
        "Description": workout.description,
        "TotalTimePlanned": round(workout.duration_s / 3600, 4) if workout.duration_s else None,
        "DistancePlanned": workout.distance_m or None,
        "Structure": None,
        "StructureDisplayUnit": DISPLAY_UNIT[plan.units],
        "Tags": [markers.TAG],
    }
    if workout.steps and workout.kind != "foot_strength":
        body["Structure"] = json.dumps(structure(workout.steps, plan.references), separators=(",", ":"))
    return body


def with_marker(body: dict[str, Any], athlete: str, uid: str) -> tuple[dict[str, Any], str]:
    """The payload carrying its marker (last line of the Description, and a tag), and its fingerprint."""
    fp = markers.fingerprint(body)
    marked = dict(body)
    marked["Description"] = f"{body['Description']}\n\n{markers.marker(athlete, uid, fp)}"
    marked["Tags"] = [*body["Tags"], markers.tag(athlete, uid)]
    return marked, fp

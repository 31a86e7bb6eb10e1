"""A workout as the TrainingPeaks Partner API wants it (see the reference contract).

Runs are ``run``, foot strength ``strength``, cross-training ``x-train``,
rest days ``other``. ``WorkoutDay`` is the athlete-local date,
``TotalTimePlanned`` decimal hours, ``DistancePlanned`` metres, and
``Structure`` a JSON *string* of steps, each with an ``IntensityClass`` and a
target range in the athlete's system, derived from the step's own target in
the plan against the plan's references (pace as a percentage of threshold
speed, heart rate of threshold or maximum heart rate, RPE in whole numbers),
``Value`` at the midpoint of ``MinValue`` and ``MaxValue``. Cross-training
steps go by heart rate or effort, never a running pace. Rest days are not
workouts on the platform: the adapter leaves them out unless asked.

One structure keeps one kind of unit (the reference describes a structure as
RPE-based or not): in a pace or heart-rate workout, strides go by the pace shown
beside their effort and hill efforts are open steps, each named with its effort
("Stride · RPE 8-9"); the fidelity report says so.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from plansync.adapters import markers
from plansync.core.budgets import mixes_effort, short_title
from plansync.core.plan import Plan, References, Step, Workout
from plansync.core.vocab import RUN_KINDS
from plansync.core.zones import RPE

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


def _rpe(low: int, high: int) -> dict[str, Any]:
    """RPE is whole numbers, and Value is the midpoint of MinValue and MaxValue: an even-width
    range is sent whole; an odd-width one, which has no whole midpoint, as Value alone
    (its midpoint rounded up: the harder end of the middle)."""
    if (high - low) % 2 == 0:
        return {"Unit": "Rpe", "MinValue": low, "MaxValue": high, "Value": (low + high) // 2}
    return {"Unit": "Rpe", "Value": (low + high + 1) // 2}


def target(step: Step, references: References, *, cross: bool = False) -> dict[str, Any]:
    """The step's own target (as the plan states it) as a percentage of the athlete's reference.
    Cross-training has no running threshold speed: a pace athlete's cross steps go by effort."""
    t = step.target
    if t is None:
        return {}
    if t.system == "pace" and cross:
        low, high = RPE[t.zone]
        return _rpe(low, high)
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
    return _rpe(t.low, t.high)


def _effort_step(step: Step, references: References) -> tuple[dict[str, Any], str]:
    """An effort step inside a pace or heart-rate structure, and its name.

    The reference documents a structure as RPE-based or not, never both, so one
    structure keeps one kind of unit: an effort step goes by the pace shown beside it
    where there is one (strides), else it is open (a hill effort: a flat-ground pace
    is wrong uphill); either way its name carries the effort, so the athlete's watch
    still says "RPE 8-9"."""
    assert step.target is not None
    effort = f"RPE {step.target.low}-{step.target.high}"
    name = f"{step.label} · {effort}" if step.label else effort
    if step.secondary is not None and step.secondary.system != "rpe":
        return target(dataclasses.replace(step, target=step.secondary), references), name
    return {}, name


def structure(
    steps: tuple[Step, ...], references: References, *, cross: bool = False, mixed: bool | None = None
) -> list[dict[str, Any]]:
    """Steps and one level of repetition (the platform's limit; templates may not nest deeper),
    every length a positive whole number, every target in one kind of unit."""
    if mixed is None:
        mixed = mixes_effort(steps, cross=cross)
    out: list[dict[str, Any]] = []
    for step in steps:
        if step.type == "repeat":
            assert not any(inner.type == "repeat" for inner in step.steps), "one level of repetition"
            out.append(
                {
                    "Type": "Repetition",
                    "Length": {"Unit": "Repetition", "Value": max(1, int(step.count or 1))},
                    "Steps": structure(step.steps, references, cross=cross, mixed=mixed),
                }
            )
            continue
        length = (
            {"Unit": "Meter", "Value": max(1, round(step.distance_m or 0))}
            if step.by == "distance" and step.distance_m
            else {"Unit": "Second", "Value": max(1, round(step.duration_s or 0))}
        )
        intensity, name = target(step, references, cross=cross), step.label
        if mixed and step.target is not None and step.target.system == "rpe":
            intensity, name = _effort_step(step, references)
        item: dict[str, Any] = {
            "Type": "Step",
            "IntensityClass": INTENSITY_CLASS[step.type],
            "Length": length,
        }
        if intensity:
            item["IntensityTarget"] = intensity
        if name:
            item["Name"] = name
        out.append(item)
    return out


def payload(workout: Workout, plan: Plan, athlete_id: str) -> dict[str, Any]:
    """The full object sent on create and on update (PUT replaces everything)."""
    body: dict[str, Any] = {
        "AthleteId": int(athlete_id),
        "WorkoutDay": workout.date.isoformat(),
        "WorkoutType": workout_type(workout.kind),
        "Title": short_title(workout.title, TITLE_LIMIT),
        "Description": workout.description,
        "TotalTimePlanned": round(workout.duration_s / 3600, 4) if workout.duration_s else None,
        "DistancePlanned": workout.distance_m or None,
        "Structure": None,
        "StructureDisplayUnit": DISPLAY_UNIT[plan.units],
        "Tags": [markers.TAG],
    }
    if workout.start_time is not None:  # the athlete's training time: local, no time zone (the reference)
        body["StartTimePlanned"] = f"{workout.date.isoformat()}T{workout.start_time:%H:%M:%S}"
    if workout.steps and workout.kind != "foot_strength":
        steps = structure(workout.steps, plan.references, cross=workout.kind == "cross")
        body["Structure"] = json.dumps(steps, separators=(",", ":"))
    return body


def with_marker(body: dict[str, Any], athlete: str, uid: str) -> tuple[dict[str, Any], str]:
    """The payload carrying its marker (last line of the Description, and a tag), and its fingerprint."""
    fp = markers.fingerprint(body)
    marked = dict(body)
    marked["Description"] = f"{body['Description']}\n\n{markers.marker(athlete, uid, fp)}"
    marked["Tags"] = [*body["Tags"], markers.tag(athlete, uid)]
    return marked, fp

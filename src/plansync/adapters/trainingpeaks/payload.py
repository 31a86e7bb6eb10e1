"""A workout as the TrainingPeaks Partner API wants it (see the reference contract).

Runs are ``run``, foot strength ``strength``, cross-training ``x-train``,
rest days ``other``. ``WorkoutDay`` is the athlete-local date,
``TotalTimePlanned`` decimal hours, ``DistancePlanned`` metres, and
``Structure`` a JSON *string* of steps, each with an ``IntensityClass`` and a
target range in the athlete's system (pace as a percentage of threshold
speed, heart rate of threshold or maximum heart rate, RPE), ``Value`` at the
midpoint of ``MinValue`` and ``MaxValue``.
"""

from __future__ import annotations

import json
from typing import Any

from plansync.adapters import markers
from plansync.core.plan import Step, Workout
from plansync.core.profile import Profile
from plansync.core.vocab import RUN_KINDS
from plansync.core.zones import FRIEL, KARVONEN, RPE, ZoneModel

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


def target(step: Step, profile: Profile, zones: ZoneModel) -> dict[str, Any]:
    zone = step.zone or "easy"
    system = profile.intensity.system
    if system == "pace":
        threshold = zones.pace_s_per_km("threshold")
        fast, slow = zones.pace_range_s_per_km(zone)
        # Faster is higher: percent of threshold *speed*.
        return {"Unit": "PercentOfThresholdSpeed", **_range(threshold / slow * 100, threshold / fast * 100)}
    if system == "heart_rate":
        if profile.intensity.threshold_hr is not None:
            low, high = FRIEL[zone]
            return {"Unit": "PercentOfThresholdHr", **_range(low, high)}
        rest, top = profile.intensity.resting_hr, profile.intensity.max_hr
        assert rest is not None and top is not None
        bpm_low, bpm_high = (rest + (top - rest) * p / 100 for p in KARVONEN[zone])
        return {"Unit": "PercentOfMaxHr", **_range(bpm_low / top * 100, bpm_high / top * 100)}
    low, high = RPE[zone]
    return {"Unit": "Rpe", **_range(low, high)}


def structure(steps: tuple[Step, ...], profile: Profile, zones: ZoneModel) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for step in steps:
        if step.type == "repeat":
            out.append(
                {
                    "Type": "Repetition",
                    "Length": {"Unit": "Repetition", "Value": int(step.count or 1)},
                    "Steps": structure(step.steps, profile, zones),
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
            "IntensityTarget": target(step, profile, zones),
        }
        if step.label:
            item["Name"] = step.label
        out.append(item)
    return out


def payload(workout: Workout, profile: Profile, zones: ZoneModel, athlete_id: str) -> dict[str, Any]:
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
        "StructureDisplayUnit": DISPLAY_UNIT[profile.units],
        "Tags": [markers.TAG],
    }
    if workout.steps and workout.kind != "foot_strength":
        body["Structure"] = json.dumps(structure(workout.steps, profile, zones), separators=(",", ":"))
    return body


def with_marker(body: dict[str, Any], athlete: str, uid: str) -> tuple[dict[str, Any], str]:
    """The payload carrying its marker (last line of the Description, and a tag), and its fingerprint."""
    fp = markers.fingerprint(body)
    marked = dict(body)
    marked["Description"] = f"{body['Description']}\n\n{markers.marker(athlete, uid, fp)}"
    marked["Tags"] = [*body["Tags"], markers.tag(athlete, uid)]
    return marked, fp

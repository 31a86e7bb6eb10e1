"""A plan entry as a FIT workout file, the format every major watch platform reads.

Encoding is fit-tool's (a maintained FIT encoder); the layout follows the FIT
profile's workout file:

- ``file_id``: type workout, manufacturer development, product PRODUCT, a
  serial number derived from the athlete's id, and ``time_created`` at
  midnight UTC of the workout's day: from the plan, never the clock, so the
  same plan gives the same bytes;
- ``workout``: sport running (runs and the race), training (foot strength) or
  generic (cross-training), a name of at most NAME_LIMIT characters, the
  number of steps;
- ``workout_step``: warm-up, active, recovery and cool-down intensities;
  duration by time or distance as the plan measures the step; a repeat is a
  "repeat until steps complete" step pointing back at its first step; the
  target in the athlete's system: pace as a speed range (custom target, m/s),
  heart rate as a bpm range (custom target, bpm + 100 as the profile defines),
  effort (RPE) as an open step with the effort in its notes. Foot strength is
  one open step per exercise, the dose in its notes.
"""

from __future__ import annotations

import datetime as dt
import zlib

from fit_tool.fit_file_builder import FitFileBuilder
from fit_tool.profile.messages.file_id_message import FileIdMessage
from fit_tool.profile.messages.workout_message import WorkoutMessage
from fit_tool.profile.messages.workout_step_message import WorkoutStepMessage
from fit_tool.profile.profile_type import (
    FileType,
    Intensity,
    Manufacturer,
    Sport,
    SubSport,
    WorkoutStepDuration,
    WorkoutStepTarget,
)

from plansync.core.budgets import FIT, fit_words, short_title
from plansync.core.plan import Plan, Step, Workout
from plansync.core.quantities import METRES_PER_UNIT
from plansync.core.vocab import RUN_KINDS
from plansync.core.zones import Target

PRODUCT = 1  # plansync, under the development manufacturer id
NAME_LIMIT = FIT.name_limit  # the workout's name: what watches show in their workout list
STEP_NAME_LIMIT = FIT.step_name_limit  # a step's name: what fits on a watch face
NOTES_LIMIT = 50
DESCRIPTION_LIMIT = 250  # the workout's description (Garmin truncates names and texts over 256)
HR_OFFSET = 100  # the FIT profile: custom heart-rate targets above 100 are bpm + 100
MAX_STEPS = (
    FIT.max_steps or 50
)  # Garmin devices refuse longer workouts; validate --targets fit checks templates
STEP_CACHE_SIZE = 20_000
_STEP_CACHE: dict[tuple[object, ...], WorkoutStepMessage] = {}
FIT_KINDS = RUN_KINDS | {"cross", "foot_strength"}
STEP_NAMES = {"warmup": "Warm up", "cooldown": "Cool down", "recover": "Recover", "cross": "Cross-training"}
INTENSITY = {
    "warmup": Intensity.WARMUP,
    "run": Intensity.ACTIVE,
    "cross": Intensity.ACTIVE,
    "recover": Intensity.RECOVERY,
    "cooldown": Intensity.COOLDOWN,
}


def wants_file(workout: Workout) -> bool:
    """Runs, the race, cross-training and foot strength; rest days make no file."""
    return workout.kind in FIT_KINDS


def file_name(workout: Workout) -> str:
    """``<date>-<slot>.fit``: stable while the entry keeps its day."""
    return f"{workout.date.isoformat()}-{workout.slot}.fit"


def serial_number(athlete: str) -> int:
    return zlib.crc32(athlete.encode("utf-8")) or 1


def _midnight_ms(day: dt.date) -> int:
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp() * 1000)


def workout_bytes(plan: Plan, workout: Workout) -> bytes:
    """The FIT workout file of one plan entry."""
    file_id = FileIdMessage()
    file_id.type = FileType.WORKOUT
    file_id.manufacturer = Manufacturer.DEVELOPMENT.value
    file_id.product = PRODUCT
    file_id.serial_number = serial_number(plan.athlete)
    file_id.time_created = _midnight_ms(workout.date)

    steps = _steps(plan, workout)
    head = WorkoutMessage()
    head.workout_name = short_title(workout.title, NAME_LIMIT)  # made for the budget, never cut mid-word
    if head.workout_name != workout.title:
        head.workout_description = fit_words(workout.title, DESCRIPTION_LIMIT)  # the whole name
    head.num_valid_steps = len(steps)
    if workout.kind == "foot_strength":
        head.sport = Sport.TRAINING
        head.sub_sport = SubSport.STRENGTH_TRAINING
    elif workout.kind == "cross":
        head.sport = Sport.GENERIC
    else:
        head.sport = Sport.RUNNING

    builder = FitFileBuilder(auto_define=True, min_string_size=NOTES_LIMIT)
    builder.add(file_id)
    builder.add(head)
    for step in steps:
        builder.add(step)
    data: bytes = builder.build().to_bytes()
    return data


def _steps(plan: Plan, workout: Workout) -> list[WorkoutStepMessage]:
    if workout.kind == "foot_strength":
        return _exercise_steps(workout)
    out: list[WorkoutStepMessage] = []
    for step in workout.steps:
        if step.type == "repeat":
            first = len(out)
            for inner in step.steps:
                out.append(_step(plan, inner, len(out)))
            out.append(_repeat(len(out), first, int(step.count or 1)))
        else:
            out.append(_step(plan, step, len(out)))
    assert len(out) <= MAX_STEPS, f"{workout.id}: {len(out)} steps"
    return out


def _repeat(index: int, first: int, count: int) -> WorkoutStepMessage:
    key = ("repeat", index, first, count)
    if key not in _STEP_CACHE:
        repeat = WorkoutStepMessage()
        repeat.message_index = index
        repeat.duration_type = WorkoutStepDuration.REPEAT_UNTIL_STEPS_CMPLT
        repeat.duration_step = first
        repeat.target_repeat_steps = count
        _STEP_CACHE[key] = repeat
    return _STEP_CACHE[key]


def _step(plan: Plan, step: Step, index: int) -> WorkoutStepMessage:
    """The message of one step; steps alike (most of a plan's) share one message object,
    which the encoder only reads."""
    target, second = step.target, step.secondary
    key = (
        index,
        plan.units,
        step.type,
        step.label,
        step.by,
        step.duration_s,
        step.distance_m,
        (target.system, target.low, target.high, target.text) if target else None,
        second.text if second else None,
    )
    cached = _STEP_CACHE.get(key)
    if cached is None:
        if len(_STEP_CACHE) > STEP_CACHE_SIZE:
            _STEP_CACHE.clear()
        cached = _STEP_CACHE[key] = _new_step(plan, step, index)
    return cached


def _new_step(plan: Plan, step: Step, index: int) -> WorkoutStepMessage:
    msg = WorkoutStepMessage()
    msg.message_index = index
    name = step.label or STEP_NAMES.get(step.type, "Run")
    msg.workout_step_name = fit_words(name, STEP_NAME_LIMIT)
    msg.intensity = INTENSITY[step.type]
    if step.by == "distance" and step.distance_m:
        msg.duration_type = WorkoutStepDuration.DISTANCE
        msg.duration_distance = float(step.distance_m)
    else:
        msg.duration_type = WorkoutStepDuration.TIME
        msg.duration_time = float(step.duration_s or 0)
    if step.type == "cross" and step.target is not None and step.target.system == "pace":
        msg.target_type = WorkoutStepTarget.OPEN  # no running pace on a bike or in the pool
        msg.notes = fit_words(f"{step.zone or 'easy'} effort", NOTES_LIMIT)
    else:
        _target(msg, step.target, plan.units)
    if step.secondary is not None:
        note = f"{step.target.text.split(' (')[0] if step.target else ''}, about {step.secondary.text.split(' (')[0]}"
        msg.notes = fit_words(note.strip(", "), NOTES_LIMIT)
    return msg


def speed_range(target: Target, units: str) -> tuple[float, float]:
    """(low, high) metres per second of a pace target (``target.low`` is the faster pace)."""
    unit_m = METRES_PER_UNIT[units]
    return unit_m / target.high, unit_m / target.low


def _target(msg: WorkoutStepMessage, target: Target | None, units: str) -> None:
    if target is None:
        msg.target_type = WorkoutStepTarget.OPEN
        return
    if target.system == "pace":
        low, high = speed_range(target, units)
        msg.target_type = WorkoutStepTarget.SPEED
        msg.target_value = 0  # a custom range, not a zone
        msg.custom_target_speed_low = round(low, 3)
        msg.custom_target_speed_high = round(high, 3)
    elif target.system == "heart_rate":
        msg.target_type = WorkoutStepTarget.HEART_RATE
        msg.target_value = 0
        msg.custom_target_heart_rate_low = target.low + HR_OFFSET
        msg.custom_target_heart_rate_high = target.high + HR_OFFSET
    else:  # effort: watches have no RPE target; the step is open and says it
        msg.target_type = WorkoutStepTarget.OPEN
        msg.notes = fit_words(target.text, NOTES_LIMIT)


def _distinct(name: str, taken: list[str]) -> str:
    """Two exercises shortened to the same name ("Calf raises") are told apart by a number."""
    if name not in taken:
        return name
    n = 2
    while True:
        suffix = f" {n}"
        candidate = fit_words(name, (STEP_NAME_LIMIT or 16) - len(suffix)) + suffix
        if candidate not in taken:
            return candidate
        n += 1


def _exercise_steps(workout: Workout) -> list[WorkoutStepMessage]:
    """One open step per exercise line of the session ("- Name: dose — cue")."""
    out: list[WorkoutStepMessage] = []
    for line in workout.description.splitlines():
        if not line.startswith("- ") or ":" not in line:
            continue
        key = ("exercise", len(out), line)
        if key in _STEP_CACHE:
            out.append(_STEP_CACHE[key])
            continue
        name, _, rest = line[2:].partition(":")
        msg = _STEP_CACHE[key] = WorkoutStepMessage()
        msg.message_index = len(out)
        short = _distinct(fit_words(name.strip(), STEP_NAME_LIMIT), [m.workout_step_name for m in out])
        msg.workout_step_name = short
        msg.intensity = Intensity.ACTIVE
        msg.duration_type = WorkoutStepDuration.OPEN
        msg.target_type = WorkoutStepTarget.OPEN
        dose = rest.split(" — ")[0].strip()
        whole = dose if short == name.strip() else f"{name.strip()}: {dose}"  # the full name in the notes
        msg.notes = fit_words(whole, NOTES_LIMIT)
        out.append(msg)
    return out

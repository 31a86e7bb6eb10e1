"""Turning a template session into concrete steps for one athlete and one week.

Steps are sized in metres and seconds with the athlete's zone speeds. A
session either has a fixed size from its steps (quality work, scaled down to
the Daniels caps when the week is small) or "fills" the distance the week
gives it (long, easy, recovery and strides runs).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Hashable
from typing import Any, NamedTuple, TypeVar, cast

from plansync.core.plan import Step
from plansync.core.targets import targets
from plansync.core.template import Quantity, SessionSpec, StepSpec
from plansync.core.zones import ZoneModel

# Daniels' caps on the quality part of a session, as (share of the week, absolute metres).
WORK_CAPS: dict[str, tuple[float, float]] = {
    "threshold": (0.10, 16000.0),
    "interval": (0.08, 10000.0),
    "repetition": (0.05, 8000.0),
    "marathon": (0.20, 29000.0),
    "half_marathon": (0.12, 16000.0),
}
T = TypeVar("T")
MIN_REPEATS = 1
MIN_WORK_SHARE = 0.25  # a scaled continuous effort keeps at least a quarter of its length


class Sized(NamedTuple):  # a named tuple: made for every run of every try at a week
    steps: tuple[Step, ...]
    distance_m: float
    duration_s: float
    kind: str | None = None  # run as this kind instead (a quality session the week had no room for)


def _size(q: Quantity, zone: str, zones: ZoneModel) -> tuple[float, float]:
    """(metres, seconds) of a quantity run in a zone."""
    speed = zones.speed(zone)
    if q.measure == "time":
        return q.value * speed, q.value
    return q.value, q.value / speed


def work_by_zone(spec: SessionSpec, progress: float, zones: ZoneModel) -> dict[str, float]:
    """Metres run in each capped zone (the session's 'work'). Pure, so worked out once for
    every zone model alike (see :func:`build`); the result is not to be changed."""
    return _remembered(
        zones.shared.work, (id(spec), progress), spec, lambda: _work_by_zone(spec, progress, zones)
    )


def _work_by_zone(spec: SessionSpec, progress: float, zones: ZoneModel) -> dict[str, float]:
    out: dict[str, float] = {}

    def walk(steps: list[StepSpec], times: int) -> None:
        for s in steps:
            if s.repeat is not None:
                walk(s.steps or [], times * _count(s.repeat, progress))
            elif s.zone in WORK_CAPS and not s.amount.fill and s.step_type == "run":
                metres, _ = _size(s.amount.at(progress), s.zone, zones)
                out[s.zone] = out.get(s.zone, 0.0) + metres * times

    walk(spec.steps, 1)
    return out


def _count(pair: tuple[int, int], progress: float) -> int:
    return round(pair[0] + (pair[1] - pair[0]) * progress)


def _amount(
    s: StepSpec, speed: float, progress: float, scale: float, fill_m: float
) -> tuple[str, float, float]:
    """(by, metres, seconds) of one step; times round to 30 s, distances to 100 m (short
    efforts stay exact)."""
    amount = s.amount
    if amount.fill:
        return "distance", fill_m, fill_m / speed
    value = amount.value_at(progress) * max(MIN_WORK_SHARE if s.step_type == "run" else 0.5, scale)
    if amount.measure == "time":
        seconds = (round(value / 30) * 30 or 30) if value >= 60 else round(value)
        return "time", seconds * speed, seconds
    metres = (round(value / 100) * 100 or 100) if value >= 400 else round(value)
    return "distance", metres, metres / speed


def _step(
    s: StepSpec, zones: ZoneModel, progress: float, scale: float, fill_m: float, cross: bool, kind: str
) -> Step:
    """One concrete step, with its targets."""
    zone = s.zone
    assert zone is not None
    by, metres, seconds = _amount(s, zones.speed(zone), progress, scale, fill_m)
    target, secondary = targets(zones, "cross" if cross else kind, s.step_type, zone, s.label)
    return Step(
        type=s.step_type,
        zone=zone,
        by=by,
        duration_s=round(seconds),
        distance_m=0 if cross else round(metres),
        target=target,
        label=s.label,
        secondary=secondary,
    )


def measure(
    spec: SessionSpec, zones: ZoneModel, *, progress: float, scale: float = 1.0, fill_m: float = 0.0
) -> float:
    """The metres :func:`build` would give the session, without building its steps (sizing
    tries many sizes; only the one kept is built). Pure, so worked out once for every zone
    model alike (see :func:`build`): the fixed parts, that is (a sketch measures its easy runs
    at sizes of every kind, each once)."""
    if fill_m:
        return _measure(spec, zones, progress, scale, fill_m)
    key = (id(spec), progress, scale)
    return _remembered(zones.shared.measured, key, spec, lambda: _measure(spec, zones, progress, scale, 0.0))


def _measure(spec: SessionSpec, zones: ZoneModel, progress: float, scale: float, fill_m: float) -> float:
    distance = 0
    for s in spec.steps:
        if s.repeat is not None:
            count = max(MIN_REPEATS, int(_count(s.repeat, progress) * scale + 1e-9))
            inner = sum(
                round(_amount(x, zones.speed(x.zone or ""), progress, 1.0, fill_m)[1]) for x in s.steps or []
            )
            distance += count * inner
        else:
            distance += round(_amount(s, zones.speed(s.zone or ""), progress, scale, fill_m)[1])
    return float(distance)


def build(
    spec: SessionSpec,
    zones: ZoneModel,
    *,
    progress: float,
    scale: float = 1.0,
    fill_m: float = 0.0,
    cross: bool = False,
) -> Sized:
    """Concrete steps. ``scale`` (0..1] shrinks fixed parts; ``fill_m`` is the fill step's distance.
    Pure, so each distinct session is built once per athlete (kept on their zone model): a
    plan's easy runs come in a few sizes week after week."""
    key = (id(spec), progress, scale, fill_m, cross)
    known = zones.built.get(key)  # as _remembered does, written out: sizing builds every try's runs
    if known is not None and known[0] is spec:
        hit: Sized = known[1]
        return hit
    made = _build(spec, zones, progress, scale, fill_m, cross)
    zones.built[key] = (spec, made)  # the spec kept too, so its id is not reused
    return made


def _remembered(
    store: dict[Any, tuple[Any, Any]], key: Hashable, spec: SessionSpec, make: Callable[[], T]
) -> T:
    """``make()`` once per key, for every zone model alike (:class:`SharedWork`): what a
    session gives is pure, and is kept with the session itself, so its id in the key is not
    reused."""
    known = store.get(key)
    if known is not None and known[0] is spec:
        return cast(T, known[1])
    made = make()
    store[key] = (spec, made)
    return made


def _build(
    spec: SessionSpec, zones: ZoneModel, progress: float, scale: float, fill_m: float, cross: bool
) -> Sized:
    steps: list[Step] = []
    distance = duration = 0.0
    for s in spec.steps:
        if s.repeat is not None:
            count = max(MIN_REPEATS, int(_count(s.repeat, progress) * scale + 1e-9))
            inner = tuple(_step(x, zones, progress, 1.0, fill_m, cross, spec.kind) for x in s.steps or [])
            steps.append(Step(type="repeat", count=count, steps=inner, label=s.label))
            distance += count * sum(x.distance_m or 0 for x in inner)
            duration += count * sum(x.duration_s or 0 for x in inner)
        else:
            step = _step(s, zones, progress, scale, fill_m, cross, spec.kind)
            steps.append(step)
            distance += step.distance_m or 0
            duration += step.duration_s or 0
    return Sized(tuple(steps), 0.0 if cross else distance, duration)


def _cooldown(sized: Sized) -> int | None:
    """The index of the step that grows when a session is lengthened: its cool-down, else
    its warm-up."""
    return max((n for n, st in enumerate(sized.steps) if st.type in ("cooldown", "warmup")), default=None)


def _extra(step: Step, extra_m: float, zones: ZoneModel) -> tuple[float, float]:
    """(metres, seconds) a step grows by for ``extra_m``: whole minutes for a step in time."""
    speed = zones.speed(step.zone or "easy")
    extra_s = extra_m / speed
    if step.by == "time":  # a cool-down in time grows by whole minutes, as a coach writes it
        extra_s = 60 * int(extra_s // 60)
        extra_m = extra_s * speed
    return extra_m, extra_s


def lengthening(sized: Sized, extra_m: float, zones: ZoneModel) -> float:
    """The metres :func:`lengthened` would add (0 when it would give None), without building."""
    i = _cooldown(sized)
    if i is None:
        return 0.0
    extra_m, extra_s = _extra(sized.steps[i], extra_m, zones)
    return (sized.distance_m + extra_m) - sized.distance_m if extra_s > 0 else 0.0


def lengthened(sized: Sized, extra_m: float, zones: ZoneModel) -> Sized | None:
    """The session with its cool-down (else its warm-up) longer by ``extra_m`` of easy
    running; None when it has neither."""
    i = _cooldown(sized)
    if i is None:
        return None
    last = sized.steps[i]
    extra_m, extra_s = _extra(last, extra_m, zones)
    if last.by == "time" and extra_s <= 0:
        return None
    steps = list(sized.steps)
    steps[i] = dataclasses.replace(
        last,
        distance_m=round((last.distance_m or 0) + extra_m),
        duration_s=round((last.duration_s or 0) + extra_s),
    )
    return sized._replace(
        steps=tuple(steps),
        distance_m=sized.distance_m + extra_m,
        duration_s=sized.duration_s + extra_s,
    )


WALK_SPEED_M_S = 1.4  # a brisk walk
WALK_RUN_LABEL = "run/walk"
WALK_RUN_STEPS = ((60, 120), (120, 90), (180, 90), (240, 60), (300, 60))  # (run, walk) seconds


def walk_run(total_m: float, zones: ZoneModel, progress: float) -> Sized:
    """Run and walk intervals covering about ``total_m``: for athletes not yet able to
    run the distance without stopping. The run part grows and the walk shrinks over
    the plan (1 min run / 2 min walk to 5 min / 1 min)."""
    run_s, walk_s = WALK_RUN_STEPS[min(len(WALK_RUN_STEPS) - 1, int(progress * len(WALK_RUN_STEPS)))]
    speed = zones.speed("easy")
    walk_m = round(walk_s * WALK_SPEED_M_S)
    count = max(2, round(total_m / (run_s * speed + walk_m)))
    # The run part takes up the rest of the distance, in whole 5 s: never over ``total_m``.
    run_s = max(30, int((total_m / count - walk_m) / speed / 5) * 5)
    run_m = int(run_s * speed)
    inner = (
        Step(
            type="run",
            zone="easy",
            by="time",
            duration_s=run_s,
            distance_m=run_m,
            target=zones.target("easy"),
            label="Run",
        ),
        Step(
            type="recover",
            zone="recovery",
            by="time",
            duration_s=walk_s,
            distance_m=walk_m,
            target=zones.effort("recovery"),  # walking goes by effort (see core.targets)
            label="Walk",
        ),
    )
    return Sized(
        (Step(type="repeat", count=count, steps=inner, label=WALK_RUN_LABEL),),
        count * (run_m + walk_m),
        count * (run_s + walk_s),
    )

"""Turning a template session into concrete steps for one athlete and one week.

Steps are sized in metres and seconds with the athlete's zone speeds. A
session either has a fixed size from its steps (quality work, scaled down to
the Daniels caps when the week is small) or "fills" the distance the week
gives it (long, easy, recovery and strides runs).
"""

from __future__ import annotations

from dataclasses import dataclass

from .plan import Step
from .template import Quantity, SessionSpec, StepSpec
from .zones import ZoneModel

# Daniels' caps on the quality part of a session, as (share of the week, absolute metres).
WORK_CAPS: dict[str, tuple[float, float]] = {
    "threshold": (0.10, 16000.0),
    "interval": (0.08, 10000.0),
    "repetition": (0.05, 8000.0),
    "marathon": (0.20, 29000.0),
    "half_marathon": (0.12, 16000.0),
}
MIN_REPEATS = 1
MIN_WORK_SHARE = 0.25  # a scaled continuous effort keeps at least a quarter of its length


@dataclass(frozen=True)
class Sized:
    steps: tuple[Step, ...]
    distance_m: float
    duration_s: float


def _size(q: Quantity, zone: str, zones: ZoneModel) -> tuple[float, float]:
    """(metres, seconds) of a quantity run in a zone."""
    speed = zones.speed(zone)
    if q.measure == "time":
        return q.value * speed, q.value
    return q.value, q.value / speed


def work_by_zone(spec: SessionSpec, progress: float, zones: ZoneModel) -> dict[str, float]:
    """Metres run in each capped zone (the session's 'work')."""
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


def build(
    spec: SessionSpec,
    zones: ZoneModel,
    *,
    progress: float,
    scale: float = 1.0,
    fill_m: float = 0.0,
    cross: bool = False,
) -> Sized:
    """Concrete steps. ``scale`` (0..1] shrinks fixed parts; ``fill_m`` is the fill step's distance."""

    def one(s: StepSpec, times_scale: float) -> Step:
        assert s.zone is not None
        if s.amount.fill:
            metres, seconds = fill_m, fill_m / zones.speed(s.zone)
        else:
            q = s.amount.at(progress)
            factor = max(MIN_WORK_SHARE, times_scale) if s.step_type == "run" else max(0.5, times_scale)
            metres, seconds = _size(Quantity(q.measure, q.value * factor), s.zone, zones)
            if q.measure == "time":
                seconds = round(seconds / 30) * 30 or 30 if seconds >= 60 else round(seconds)
                metres = seconds * zones.speed(s.zone)
            else:
                metres = round(metres / 100) * 100 or 100 if metres >= 400 else round(metres)
                seconds = metres / zones.speed(s.zone)
        return Step(
            type=s.step_type,
            zone=s.zone,
            duration_s=round(seconds),
            distance_m=0 if cross else round(metres),
            target=zones.target(s.zone),
            label=s.label,
        )

    steps: list[Step] = []
    for s in spec.steps:
        if s.repeat is not None:
            count = max(MIN_REPEATS, int(_count(s.repeat, progress) * scale + 1e-9))
            inner = tuple(one(x, 1.0) for x in s.steps or [])
            steps.append(Step(type="repeat", count=count, steps=inner, label=s.label))
        else:
            steps.append(one(s, scale))
    distance = sum(_metres(s) for s in steps)
    duration = sum(_seconds(s) for s in steps)
    return Sized(tuple(steps), 0.0 if cross else distance, duration)


def _metres(s: Step) -> float:
    if s.type == "repeat":
        return (s.count or 1) * sum(_metres(x) for x in s.steps)
    return float(s.distance_m or 0)


def _seconds(s: Step) -> float:
    if s.type == "repeat":
        return (s.count or 1) * sum(_seconds(x) for x in s.steps)
    return float(s.duration_s or 0)

"""Sizing one week's runs: the long run, quality sessions, then the easy running.

Given the week's volume target and the single-run cap (both from
:mod:`plansync.core.rules`), decide every session's distance. Runs are whole
steps of the athlete's unit (half a kilometre, a quarter mile); an easy run
that would come out shorter than ``MIN_RUN_M`` is dropped and its day rests.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from plansync.core import sessions
from plansync.core.sessions import Sized
from plansync.core.template import SessionSpec, StepSpec
from plansync.core.zones import ZoneModel

MIN_RUN_M = 2000.0
RECOVERY_WEIGHT = 0.7  # a recovery run gets this share of an easy run's distance
FILL_KINDS = ("easy", "recovery", "strides")
QUALITY_ROOM = 0.5  # one quality session takes at most half of what the long run leaves


@dataclass(frozen=True)
class WeekBudget:
    volume: float  # training metres the week should hold
    long_target: float
    run_cap: float  # no run longer than this (the 30-day spike rule)
    long_share: float
    step: float  # rounding step in metres
    min_run: float


@dataclass(frozen=True)
class Planned:
    slot: str
    spec: SessionSpec
    progress: float  # 0..1 through the session's occurrences in the plan

    @property
    def has_fixed_part(self) -> bool:
        return len(self.spec.steps) > 1 or self.spec.steps[0].repeat is not None


def plain(kind: str) -> SessionSpec:
    """A one-step run of a kind, for sessions demoted by the day rules."""
    zone = "recovery" if kind == "recovery" else "easy"
    return SessionSpec(kind=kind, steps=[StepSpec(run="fill", zone=zone)])


def floor_to(metres: float, step: float) -> float:
    return math.floor(metres / step + 1e-9) * step


def _fixed_part(p: Planned, zones: ZoneModel) -> float:
    """Metres of a fill session that are not the fill (strides, a fast finish)."""
    return sessions.build(p.spec, zones, progress=p.progress).distance_m if p.has_fixed_part else 0.0


def size_week(planned: list[Planned], budget: WeekBudget, zones: ZoneModel) -> dict[str, Sized]:
    """Sizes for the sessions kept; a fill session missing from the result rests."""
    b = budget
    out: dict[str, Sized] = {}
    long = next((p for p in planned if p.slot == "long"), None)
    quality = [p for p in planned if p.spec.kind not in ("long", *FILL_KINDS)]
    fills = [p for p in planned if p.spec.kind in FILL_KINDS]

    long_m = floor_to(min(b.long_target, b.run_cap, b.long_share * b.volume), b.step) if long else 0.0
    for p in quality:
        built = _size_quality(p, b, zones, room=max(b.volume - long_m, 0.0))
        if built is not None:
            out[p.slot] = built
    quality_m = sum(out[p.slot].distance_m for p in quality if p.slot in out)

    fill_cap = min(b.run_cap, long_m) if long else b.run_cap
    fixed = {p.slot: _fixed_part(p, zones) for p in fills}
    fill_sizes = _share_fills(fills, fixed, b.volume - long_m - quality_m, fill_cap, b)
    for p in fills:
        if p.slot in fill_sizes:
            out[p.slot] = sessions.build(
                p.spec, zones, progress=p.progress, fill_m=fill_sizes[p.slot] - fixed[p.slot]
            )
    if long is not None:
        others = quality_m + sum(fill_sizes.values())
        # The long run's share is of the finished week: bound it by what the other runs hold.
        bound = floor_to(b.long_share * others / (1 - b.long_share), b.step)
        out["long"] = _size_long(long, min(long_m, bound), b, zones)
    return out


def _size_long(p: Planned, total: float, b: WeekBudget, zones: ZoneModel) -> Sized:
    fixed = _fixed_part(p, zones)
    spec = p.spec
    if total - fixed < b.min_run:  # no room for the fast finish: keep it all easy
        spec, fixed = plain("long"), 0.0
    return sessions.build(spec, zones, progress=p.progress, fill_m=max(total - fixed, 0.0))


def _size_quality(p: Planned, b: WeekBudget, zones: ZoneModel, room: float) -> Sized | None:
    """The session scaled down to the Daniels caps and to what the week has room for;
    None when even its smallest form is too long for the athlete (the day rests)."""
    cross = p.spec.kind == "cross"
    scale = 1.0
    for zone, metres in sessions.work_by_zone(p.spec, p.progress, zones).items():
        share_cap, abs_cap = sessions.WORK_CAPS[zone]
        scale = min(scale, min(share_cap * b.volume, abs_cap) / metres)
    for _ in range(6):
        built = sessions.build(p.spec, zones, progress=p.progress, scale=scale, cross=cross)
        if built.distance_m <= min(b.run_cap, QUALITY_ROOM * room) + 1:
            return built
        scale *= 0.7
    return None


def _share_fills(
    fills: list[Planned], all_fixed: dict[str, float], spare: float, cap: float, b: WeekBudget
) -> dict[str, float]:
    """Split ``spare`` metres over the fill runs by weight, in whole steps; drop
    the lowest-priority runs until each left holds at least ``min_run``."""
    kept = list(fills)
    while kept:
        fixed = {p.slot: all_fixed[p.slot] for p in kept}
        weight = {p.slot: RECOVERY_WEIGHT if p.spec.kind == "recovery" else 1.0 for p in kept}
        pool = spare - sum(fixed.values())
        total_w = sum(weight.values())
        sizes = {k: floor_to(min(fixed[k] + pool * w / total_w, cap), b.step) for k, w in weight.items()}
        leftover = spare - sum(sizes.values())
        handed = True
        while handed and leftover >= b.step - 1e-6:  # give back what flooring took, by priority
            handed = False
            for p in kept:
                if leftover < b.step - 1e-6 or sizes[p.slot] + b.step > cap + 1e-6:
                    continue
                if p.spec.kind == "recovery" and sizes[p.slot] >= max(sizes.values()):
                    continue
                sizes[p.slot] += b.step
                leftover -= b.step
                handed = True
        if all(sizes[k] - fixed[k] >= b.min_run for k in sizes):
            return sizes
        kept.pop()
    return {}

"""Surface and shoe guidance for each run, and shoe-wear forecasts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from plansync.core.profile import Shoe
from plansync.core.quantities import METRES_PER_UNIT, Units, fmt_distance

# From the brief: soft surfaces for long and recovery running, firm ones for
# tempo and road racing, concrete only for short intervals and urban routes.
DEFAULT_SURFACES: dict[str, tuple[str, ...]] = {
    "long": ("trail", "grass", "asphalt", "treadmill", "concrete"),
    "easy": ("trail", "grass", "asphalt", "treadmill", "concrete"),
    "recovery": ("grass", "trail", "treadmill", "asphalt", "concrete"),
    "strides": ("grass", "trail", "asphalt", "treadmill", "concrete"),
    "tempo": ("asphalt", "treadmill", "trail", "concrete", "grass"),
    "threshold": ("asphalt", "treadmill", "trail", "concrete", "grass"),
    "race_pace": ("asphalt", "treadmill", "concrete", "trail", "grass"),
    "intervals": ("concrete", "asphalt", "treadmill", "grass", "trail"),
    "hills": ("trail", "asphalt", "treadmill", "grass", "concrete"),
    "race": ("asphalt", "trail", "concrete", "grass", "treadmill"),
}
WHY = {
    "trail": "soft underfoot, kind to heels and arches",
    "grass": "very soft and works the small stabilising muscles",
    "asphalt": "firm and even, good for steady pace work",
    "treadmill": "cushioned belt and a controlled pace, good in bad weather",
    "concrete": "hardest surface: keep to short efforts and urban routes",
}
SPEED_KINDS = frozenset({"tempo", "threshold", "intervals", "hills", "race_pace", "race"})


def pick_surface(
    kind: str, athlete: Sequence[str], template: Mapping[Any, Sequence[str]], turn: int = 0
) -> str | None:
    """The best surface the athlete has for this kind; easy runs alternate between the top two."""
    preferred = list(template.get(kind, DEFAULT_SURFACES.get(kind, ())))
    options = [s for s in preferred if s in athlete] or list(athlete)
    if not options:
        return None
    if kind in ("easy", "recovery") and len(options) > 1 and options[1] in ("trail", "grass", "treadmill"):
        return options[turn % 2]
    return options[0]


def pick_shoe(kind: str, surface: str | None, shoes: Sequence[Shoe]) -> Shoe | None:
    if not shoes:
        return None
    if surface == "trail":
        for shoe in shoes:
            if shoe.role == "trail":
                return shoe
    roles = (
        ("light", "cushioned", "stability", "trail")
        if kind in SPEED_KINDS
        else ("cushioned", "stability", "trail", "light")
    )
    for role in roles:
        for shoe in shoes:
            if shoe.role == role:
                return shoe
    return shoes[0]


@dataclass
class ShoeWear:
    """Running total per pair, to flag the run on which a pair passes its lifespan."""

    units: Units

    def __post_init__(self) -> None:
        self._worn: dict[str, float] = {}

    def add(self, shoe: Shoe, metres: float) -> str | None:
        """Count a run; the lifespan, formatted, when this run takes the pair past it."""
        unit = METRES_PER_UNIT[self.units]
        before = self._worn.get(shoe.name, shoe.distance * unit)
        after = before + metres
        self._worn[shoe.name] = after
        limit = shoe.lifespan * unit
        if before < limit <= after:
            return fmt_distance(limit, self.units)
        return None

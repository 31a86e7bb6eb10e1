"""The athlete's shoes through the plan: which pair each run uses, how worn each gets.

From the coaching brief: two pairs in rotation (a cushioned pair for long and
easy running, a lighter one for speed; parallel use lowered injury risk,
Malisoux 2015), and a pair lasts 480–800 km, to be replaced on schedule even
when it looks fine. So:

- pairs of the same role alternate, run by run;
- a pair already past its lifespan is a warning at the start and a note on
  the first run that uses it (another pair of its role takes its runs where there is one);
- a single-pair athlete is told once, early, to get a second pair;
- the run on which a pair passes its lifespan carries a note; a pair that
  passes it in the last three weeks before the race is flagged with the week
  by which to buy and break in a new one;
- the race is run in a pair that has been run in and is within its lifespan
  on race day, or the race entry says what to do;
- each pair's forecast (start, planned, end) goes in the plan.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from plansync.core.plan import PlanWarning, ShoeForecast
from plansync.core.profile import Shoe
from plansync.core.quantities import METRES_PER_UNIT, Units, fmt_distance

SPEED_KINDS = frozenset({"tempo", "threshold", "intervals", "hills", "race_pace", "race"})
RUN_IN = 3  # runs in a pair before it is raced in
LATE_WEEKS = 3  # a pair passing its lifespan this close to the race needs a new one broken in
TWO_PAIRS = (
    "Tip: a second pair in rotation (a cushioned pair for long and easy runs, a lighter one for "
    "speed work) spreads the load; runners who alternate pairs get injured less often."
)


DAILY = ("cushioned", "stability")  # daily trainers: one rotation for long and easy running


def _roles(kind: str, surface: str | None) -> tuple[tuple[str, ...], ...]:
    """The roles that suit a run, best first; the roles of one group take turns. A stability
    pair is a daily trainer like a cushioned one: both carry the long and easy runs in
    rotation (parallel use of pairs lowered injury risk, Malisoux 2015), not one idle."""
    if surface == "trail":
        return (("trail",), DAILY, ("light",))
    if kind in SPEED_KINDS:
        return (("light",), DAILY, ("trail",))
    return (DAILY, ("trail",), ("light",))


@dataclass
class ShoeRack:
    """Running totals per pair while a plan is built, and what the athlete should know."""

    shoes: Sequence[Shoe]
    units: Units
    race_week: int | None = None
    warnings: list[PlanWarning] = field(default_factory=list)

    def __post_init__(self) -> None:
        unit = METRES_PER_UNIT[self.units]
        self._start = {s.name: s.distance * unit for s in self.shoes}
        self._limit = {s.name: s.lifespan * unit for s in self.shoes}
        self._worn = dict(self._start)
        self._runs = {s.name: 0 for s in self.shoes}
        self._turns: dict[str, int] = {}
        self._passed: dict[str, dt.date] = {}
        self._told_worn: set[str] = set()
        self._told_two_pairs = False
        # The role group each kind of run on each surface uses, and its pairs (worked out once).
        self._group: dict[tuple[str, str | None], tuple[str, list[Shoe]]] = {}
        for s in self.shoes:
            if self._start[s.name] >= self._limit[s.name]:
                self.warnings.append(
                    PlanWarning(
                        "shoe-worn-out",
                        f"{s.name} is already past its lifespan ({fmt_distance(self._start[s.name], self.units)} "
                        f"of {fmt_distance(self._limit[s.name], self.units)}): replace it before the plan starts.",
                        {"shoe": s.name},
                    )
                )
        if len(self.shoes) == 1:
            self.warnings.append(PlanWarning("single-pair", TWO_PAIRS, {"shoe": self.shoes[0].name}))

    def _usable(self, shoe: Shoe) -> bool:
        return self._worn[shoe.name] < self._limit[shoe.name]

    def choose(self, kind: str, surface: str | None) -> Shoe | None:
        """The pair for a run: the best role the athlete has, pairs of that role in turn
        (a worn-out one only when it is the role's only pair: the athlete replaces it
        with a new one of the same kind, as its note says)."""
        if not self.shoes:
            return None
        group = self._group.get((kind, surface))
        if group is None:  # every role list covers every role: one group has pairs
            group = next(
                ("+".join(g), pairs)
                for g in _roles(kind, surface)
                if (pairs := [s for s in self.shoes if s.role in g])
            )
            self._group[kind, surface] = group
        key, pairs = group
        if len(pairs) > 1:
            pairs = [s for s in pairs if self._usable(s)] or pairs
        turn = self._turns.get(key, 0)
        self._turns[key] = turn + 1
        return pairs[turn % len(pairs)]

    def wear(self, shoe: Shoe, metres: float, week: int, date: dt.date) -> list[str]:
        """Count a run in ``shoe``; the notes its workout carries."""
        notes: list[str] = []
        name = shoe.name
        if not self._told_two_pairs and len(self.shoes) == 1:
            notes.append(TWO_PAIRS)
            self._told_two_pairs = True
        before = self._worn[name]
        limit = self._limit[name]
        if before >= limit and name not in self._told_worn:
            self._told_worn.add(name)
            notes.append(f"{name} is past its lifespan: replace the pair now, even if it looks fine.")
        self._worn[name] = before + metres
        self._runs[name] += 1
        if before < limit <= before + metres:
            self._passed[name] = date
            life = fmt_distance(limit, self.units)
            notes.append(
                f"{name} passes its {life} lifespan on this run: replace the pair now, even if it looks fine."
            )
            message = f"Week {week}: {name} passes its {life} lifespan ({date.isoformat()}); plan a new pair."
            data: dict[str, object] = {"shoe": name, "week": week, "date": date.isoformat()}
            if self.race_week is not None and week > self.race_week - LATE_WEEKS:
                by = max(1, self.race_week - LATE_WEEKS)
                message += f" That is close to race day: buy and break in a new pair by week {by}."
                data["buy_by_week"] = by
            self.warnings.append(PlanWarning("shoe-lifespan", message, data))
        return notes

    def count(self, name: str, metres: float) -> None:
        """A run already in the plan (a week kept as it was): its wear, without a word."""
        if name in self._worn:
            before = self._worn[name]
            self._worn[name] = before + metres
            self._runs[name] += 1
            if before < self._limit[name] <= before + metres:
                self._told_worn.add(name)

    def for_race(self, metres: float, surface: str | None) -> tuple[Shoe | None, str | None]:
        """The race pair: run in and within its lifespan at the finish, else what to do."""
        if not self.shoes:
            return None, None
        ready = [
            s
            for s in self.shoes
            if self._runs[s.name] >= RUN_IN and self._worn[s.name] + metres <= self._limit[s.name]
        ]
        for role in (r for group in _roles("race", surface) for r in group):
            for s in ready:
                if s.role == role:
                    self._worn[s.name] += metres
                    return (
                        s,
                        f"Shoe: {s.name}, run in and within its lifespan. Race only in a pair you have run in.",
                    )
        shoe = self.choose("race", surface)
        assert shoe is not None
        by = max(1, (self.race_week or 1) - LATE_WEEKS)
        advice = (
            f"Shoe: {shoe.name} will be past its lifespan by race day or has not been run in: buy a new pair "
            f"of a model you know by week {by} and run at least {RUN_IN} sessions in it before the race."
        )
        self.warnings.append(
            PlanWarning("race-shoe", advice.removeprefix("Shoe: "), {"shoe": shoe.name, "buy_by_week": by})
        )
        self._worn[shoe.name] += metres
        return shoe, advice

    def forecast(self) -> tuple[ShoeForecast, ...]:
        return tuple(
            ShoeForecast(
                name=s.name,
                role=s.role,
                start_m=round(self._start[s.name]),
                planned_m=round(self._worn[s.name] - self._start[s.name]),
                lifespan_m=round(self._limit[s.name]),
                passes_on=self._passed.get(s.name),
            )
            for s in self.shoes
        )

"""The plan-template format: what a coach writes in ``plan_templates/*.yaml``.

A template is unit-free and athlete-free: phases of weeks, the sessions each
phase uses, how load grows, the taper, the foot-strength programme and the
recovery protocol. The compiler turns it and an athlete profile into a Plan.
Quantities carry their unit (``15min``, ``800m``, ``5km``); a ``[from, to]``
pair progresses evenly over the session's occurrences in the plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema, model_validator

from plansync.core.quantities import parse_distance, parse_duration
from plansync.core.vocab import Goal, SessionKind, Surface, Zone

MIN_WEEKS, MAX_WEEKS = 8, 16
# Human limits for what a template may ask of one step, one week and one repeat.
MAX_STEP_M = 50_000.0
MAX_STEP_S = 6 * 3600.0
MAX_WEEK_M = 300_000.0
MAX_REPEAT = 50


@dataclass(frozen=True)
class Quantity:
    """A duration (seconds) or a distance (metres)."""

    measure: Literal["time", "distance"]
    value: float


@dataclass(frozen=True)
class Amount:
    """How big a step is: ``fill`` (the session's share of the week), fixed, or progressing."""

    fill: bool = False
    start: Quantity | None = None
    end: Quantity | None = None

    def at(self, progress: float) -> Quantity:
        return Quantity(self.measure, self.value_at(progress))

    @property
    def measure(self) -> Literal["time", "distance"]:
        assert self.start is not None
        return self.start.measure

    def value_at(self, progress: float) -> float:
        """The seconds or metres at ``progress`` (0..1) from start to end (as :meth:`at`)."""
        assert self.start is not None and self.end is not None
        return self.start.value + (self.end.value - self.start.value) * progress


def _quantity(value: Any) -> Quantity:
    if not isinstance(value, str):
        raise ValueError(f"expected a quantity with its unit such as 15min or 800m, got {value!r}")
    text = value.strip()
    if text.endswith(("km", "mi")) or (text.endswith("m") and not text.endswith("min")):
        metres = parse_distance(text)
        if metres > MAX_STEP_M:
            raise ValueError(f"a step of {text} is more than anyone runs in one go; at most 50km")
        return Quantity("distance", metres)
    seconds = parse_duration(text)
    if seconds > MAX_STEP_S:
        raise ValueError(f"a step of {text} is longer than a training session; at most 6h")
    return Quantity("time", seconds)


def _amount(value: Any) -> Amount:
    if isinstance(value, Amount):
        return value
    if value == "fill":
        return Amount(fill=True)
    if isinstance(value, list):
        if len(value) != 2:
            raise ValueError("expected a [from, to] pair")
        a, b = _quantity(value[0]), _quantity(value[1])
        if a.measure != b.measure:
            raise ValueError("both ends of a [from, to] pair must be times, or both distances")
        return Amount(start=a, end=b)
    q = _quantity(value)
    return Amount(start=q, end=q)


def _count(value: Any) -> tuple[int, int]:
    if isinstance(value, bool):
        raise ValueError("expected a whole number or a [from, to] pair")
    if isinstance(value, int):
        pair = (value, value)
    elif (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        pair = (value[0], value[1])
    elif isinstance(value, tuple):
        pair = value
    else:
        raise ValueError("expected a whole number or a [from, to] pair of whole numbers")
    if min(pair) < 1:
        raise ValueError("repeat counts start at 1")
    if max(pair) > MAX_REPEAT:
        raise ValueError(f"at most {MAX_REPEAT} repeats")
    return pair


def _dist(value: Any) -> float:
    if isinstance(value, float | int) and not isinstance(value, bool) and value == 0:
        return 0.0
    if not isinstance(value, str):
        raise ValueError("expected a distance with its unit, such as 40km or 25mi")
    metres = parse_distance(value)
    if metres > MAX_WEEK_M:
        raise ValueError(f"{value} is more than a week of running can hold; at most 300km")
    return metres


# What a YAML editor should accept, for the JSON Schema (``plansync schema template``).
QUANTITY_SCHEMA: dict[str, Any] = {
    "type": "string",
    "pattern": r"^\s*(\d+(\.\d+)?\s*(h|min|s|m|km|mi)\s*)+$",
    "description": "a duration (45s, 15min, 1h30min) or a distance (800m, 5km, 3mi)",
}
_AMOUNT_SCHEMA = {
    "anyOf": [
        {"const": "fill", "description": "the distance the week gives this run"},
        QUANTITY_SCHEMA,
        {
            "type": "array",
            "items": QUANTITY_SCHEMA,
            "minItems": 2,
            "maxItems": 2,
            "description": "[from, to]: progresses over the session's occurrences",
        },
    ]
}
_COUNT_SCHEMA = {
    "anyOf": [
        {"type": "integer", "minimum": 1},
        {"type": "array", "items": {"type": "integer", "minimum": 1}, "minItems": 2, "maxItems": 2},
    ]
}
_DISTANCE_SCHEMA = {"type": "string", "pattern": r"^\s*\d+(\.\d+)?\s*(m|km|mi)\s*$"}

AmountField = Annotated[Amount, BeforeValidator(_amount), WithJsonSchema(_AMOUNT_SCHEMA)]
CountField = Annotated[tuple[int, int], BeforeValidator(_count), WithJsonSchema(_COUNT_SCHEMA)]
DistanceField = Annotated[float, BeforeValidator(_dist), WithJsonSchema(_DISTANCE_SCHEMA)]


def _dist_range(value: Any) -> tuple[float, float]:
    """A distance, or ``[low, high]``: where the athlete's own peak may fall."""
    if isinstance(value, list):
        if len(value) != 2:
            raise ValueError("expected a distance or [low, high]")
        low, high = _dist(value[0]), _dist(value[1])
        if low > high:
            raise ValueError("[low, high] with low above high")
        return (low, high)
    one = _dist(value)
    return (one, one)


_RANGE_SCHEMA = {
    "anyOf": [
        _DISTANCE_SCHEMA,
        {"type": "array", "items": _DISTANCE_SCHEMA, "minItems": 2, "maxItems": 2},
    ],
    "description": "a distance, or [low, high]: the athlete's peak is chosen inside it",
}
DistanceRange = Annotated[tuple[float, float], BeforeValidator(_dist_range), WithJsonSchema(_RANGE_SCHEMA)]
Fraction = Annotated[float, Field(gt=0, le=1)]


def _seconds(value: Any) -> float:
    if not isinstance(value, str):
        raise ValueError("expected a duration with its unit, such as 30s or 3min")
    return parse_duration(value)


Seconds = Annotated[float, BeforeValidator(_seconds), WithJsonSchema(QUANTITY_SCHEMA)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


STEP_TYPES = ("warmup", "run", "recover", "cooldown", "cross", "repeat")


class StepSpec(_Strict):
    """One step: exactly one of warmup/run/recover/cooldown/cross (with a zone), or a repeat."""

    warmup: AmountField | None = None
    run: AmountField | None = None
    recover: AmountField | None = None
    cooldown: AmountField | None = None
    cross: AmountField | None = None
    repeat: CountField | None = None
    steps: list[StepSpec] | None = None
    zone: Zone | None = None
    label: str | None = None

    @model_validator(mode="after")
    def _one_type(self) -> StepSpec:
        given = [name for name in STEP_TYPES if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(
                f"a step needs exactly one of {', '.join(STEP_TYPES)}; got {', '.join(given) or 'none'}"
            )
        if self.repeat is not None:
            if not self.steps:
                raise ValueError("a repeat needs its steps")
            if self.zone is not None:
                raise ValueError("a repeat has no zone of its own; give each inner step a zone")
            if any(step.repeat is not None for step in self.steps):
                raise ValueError(
                    "a repeat holds plain steps only: training platforms allow one level of repetition"
                )
        else:
            if self.steps is not None:
                raise ValueError("only a repeat has inner steps")
            if self.zone is None:
                raise ValueError("a step needs a zone")
        return self

    @cached_property
    def step_type(self) -> str:
        return next(name for name in STEP_TYPES if getattr(self, name) is not None)

    @cached_property
    def amount(self) -> Amount:
        value = getattr(self, self.step_type)
        assert isinstance(value, Amount)
        return value


class SessionSpec(_Strict):
    kind: SessionKind
    title: str | None = None
    notes: str | None = None
    steps: list[StepSpec] = Field(min_length=1)


class WeekRange(_Strict):
    min: int = Field(ge=MIN_WEEKS, le=MAX_WEEKS)
    max: int = Field(ge=MIN_WEEKS, le=MAX_WEEKS)
    default: int = Field(ge=MIN_WEEKS, le=MAX_WEEKS)

    @model_validator(mode="after")
    def _ordered(self) -> WeekRange:
        if not self.min <= self.default <= self.max:
            raise ValueError(f"expected min <= default <= max, got {self.min}, {self.default}, {self.max}")
        return self


class Phase(_Strict):
    name: str
    share: Fraction  # of the weeks before the taper
    sessions: list[str] = Field(min_length=1)  # in priority order: dropped from the end


class Cutback(_Strict):
    every: int = Field(ge=2, le=6)
    factor: float = Field(ge=0.5, le=0.95)


class Progression(_Strict):
    weekly_cap: float = Field(default=0.10, gt=0, le=0.10)
    # Who the template is for: below these, compiling is refused with a clear message.
    min_weekly: DistanceField = 0.0
    min_long_run: DistanceField = 0.0
    cutback: Cutback
    # The peak's range; each athlete's own peak is chosen inside it (plansync.core.peaks).
    peak_weekly: DistanceRange
    peak_long_run: DistanceRange
    max_growth: float = Field(default=1.4, ge=1.0, lt=2.0)  # peak over current volume: never a doubling
    race_ready_long: Fraction = 0.7  # of the race distance: the longest run a finisher needs


class Taper(_Strict):
    weeks: int = Field(ge=1, le=3)
    factors: list[Fraction]  # share of the peak week, race week last
    sessions: list[str] = Field(min_length=1)


class AfterRace(_Strict):
    """Recovery weeks after the race: easy running only, so the calendar does not stop
    at the finish line. ``factors`` are shares of the peak week, one per week."""

    factors: list[Fraction] = Field(min_length=1, max_length=2)


class Rules(_Strict):
    long_run_share: float = Field(default=0.35, gt=0.15, le=0.7)
    # The shape of a week, against its long run: no easy, strides or recovery run
    # over ``easy_run_share`` of it; the run the day after it a recovery run of at
    # most ``after_long_share``; the week's easy runs within ``easy_spread`` of
    # each other (longest / shortest).
    easy_run_share: float = Field(default=0.6, ge=0.3, le=0.75)
    after_long_share: float = Field(default=0.4, ge=0.2, le=0.6)
    easy_spread: float = Field(default=1.5, ge=1.0, le=3.0)
    consecutive_hard: bool = False
    max_hard_days: int = Field(default=2, ge=0, le=3)
    min_days: int = Field(default=3, ge=2, le=6)


class Stage(_Strict):
    from_week: int = Field(ge=1, le=MAX_WEEKS)
    sets: int = Field(ge=1, le=10)
    reps: int | None = Field(default=None, ge=1, le=50)
    hold: Seconds | None = None  # per set, for static holds
    duration: Seconds | None = None  # the whole exercise, for walks and rolls
    note: str | None = None

    @model_validator(mode="after")
    def _dose(self) -> Stage:
        given = [k for k in ("reps", "hold", "duration") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                f"a stage gives exactly one of reps, hold or duration; got {', '.join(given) or 'none'}"
            )
        return self


class ExerciseSpec(_Strict):
    exercise: str
    stages: list[Stage] = Field(min_length=1)


class FootStrength(_Strict):
    sessions_per_week: int = Field(ge=2, le=3)
    title: str = "Foot strength"
    exercises: list[ExerciseSpec] = Field(min_length=1)


AFTER_EASY = [
    "Walk for a few minutes and drink.",
    "Stretch calves and arches; roll a ball under each foot for a minute.",
]
ON_RED_FLAG = "On a red flag: replace the next run with rest and contact your coach."


class Recovery(_Strict):
    after_long: list[str] = Field(min_length=1)
    after_hard: list[str] = Field(min_length=1)
    after_easy: list[str] = Field(default_factory=lambda: list(AFTER_EASY), min_length=1)
    rest_day: list[str] = Field(min_length=1)
    red_flags: list[str] = Field(default_factory=list)
    on_red_flag: str = ON_RED_FLAG  # what to do, said wherever the red flags are


class Template(_Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
    name: str
    goal: Goal
    level: Literal["beginner", "intermediate", "advanced", "any"]
    description: str | None = None
    weeks: WeekRange
    progression: Progression
    taper: Taper | None = None
    after_race: AfterRace | None = None
    rules: Rules = Rules()
    phases: list[Phase] = Field(min_length=1)
    sessions: dict[str, SessionSpec] = Field(min_length=1)
    foot_strength: FootStrength
    recovery: Recovery
    surfaces: dict[SessionKind, list[Surface]] = Field(default_factory=dict)

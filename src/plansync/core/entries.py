"""Building a week's plan entries: runs, the race, rest days and foot strength."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from plansync.core import describe
from plansync.core.guidance import SPEED_KINDS, pick_surface, short_efforts, surface_in_turn, surface_options
from plansync.core.kept import Kept
from plansync.core.plan import PlanWarning, Step, Workout
from plansync.core.profile import Profile
from plansync.core.quantities import Units, fmt_clock, fmt_distance
from plansync.core.schedule import Slot, pick_spread
from plansync.core.sessions import Sized
from plansync.core.shoes import ShoeRack
from plansync.core.template import SessionSpec, Template
from plansync.core.vocab import HALF_MARATHON_M, HARD_KINDS
from plansync.core.zones import Target, ZoneModel

PAIN_RULES = (
    "Pain rules while you come back from injury: mild discomfort (2 of 10 or less) that settles as you "
    "warm up is fine; stop and walk home at any sharp pain, or pain that grows during the run or makes you limp.",
    "Next morning, check: if the injured spot hurts more than the morning before, or you limp on your "
    "first steps, rest today, replace the next run with rest and tell your coach.",
)
TENDER_WEEKS = 3
TENDER_NOTE = (
    "Tender feet: the first weeks start lighter. Choose the softest surface you have, and stop the run "
    "if a foot starts to ache."
)
PAVEMENT_NOTE = "Sore heels after pavement runs? Mix in trail or treadmill runs where you can."
DAYS = tuple(dt.timedelta(days=d) for d in range(7))  # a week's day offsets, made once
REST_SLOTS = tuple(f"r{i}" for i in range(1, 8))  # a week's rest days' slots, in order
FOOT_SLOTS = tuple(f"f{i}" for i in range(1, 8))  # and its foot-strength sessions'
TAILS_KEPT = 4096  # run descriptions' tails remembered per template (see TemplateWords)


class TemplateWords:
    """The words a template gives every plan alike, written once per template and unit
    (a roster's plans, a validation matrix's, share them): the red flags, the rest day,
    each foot-strength stage, what to do after each kind of run, and the rest of a run's
    description after its steps. Also each week shape's rest and foot-strength days."""

    def __init__(self, template: Template, units: Units) -> None:
        self.template, self.units = template, units
        self.red_flags = red_flag_lines(template)
        r = template.recovery
        self.rest_text = describe.rest_description(r.rest_day, r.red_flags, r.on_red_flag)
        # The weeks where some exercise moves to its next stage: between two, the same session.
        items = template.foot_strength.exercises
        self._stage_starts = sorted({stage.from_week for item in items for stage in item.stages})
        self._foot: dict[int, tuple[str, str, int]] = {}
        self._after: dict[str, str] = {}
        self._tails: dict[tuple[str, str | None, str | None, str | None, tuple[str, ...]], str] = {}
        self._free: dict[tuple[tuple[tuple[int, str], ...], bool, int], tuple[list[int], list[int]]] = {}

    def afterwards(self, kind: str) -> str:
        """The recovery routine after a run of this kind."""
        known = self._after.get(kind)
        if known is None:
            known = self._after[kind] = describe.afterwards(_protocol(self.template, kind))
        return known

    def foot_session(self, week: int) -> tuple[str, str, int]:
        """Week ``week``'s foot-strength session: title, description and seconds."""
        stage = bisect.bisect_right(self._stage_starts, week)
        known = self._foot.get(stage)
        if known is None:
            programme = self.template.foot_strength
            text, seconds = describe.foot_strength(programme, week)
            title = describe.title("foot_strength", programme.title, 0, seconds, self.units)
            known = self._foot[stage] = (title, text, seconds)
        return known

    def tail(
        self, kind: str, notes: str | None, surface: str | None, shoe: str | None, extra: tuple[str, ...]
    ) -> str:
        """:func:`describe.run_tail` of a run, written once for each that is alike."""
        key = (kind, notes, surface, shoe, extra)
        known = self._tails.get(key)
        if known is None:
            if len(self._tails) >= TAILS_KEPT:  # a roster's own shoe and wear notes: start again
                self._tails.clear()
            known = self._tails[key] = describe.run_tail(
                notes=notes, surface=surface, shoe=shoe, after=self.afterwards(kind), extra=extra
            )
        return known

    def free_days(
        self, shape: tuple[tuple[int, str], ...], race_week: bool, per_week: int
    ) -> tuple[list[int], list[int]]:
        """:func:`free_days` of a week's runs: plans repeat a few week shapes, each worked out once."""
        key = (shape, race_week, per_week)
        known = self._free.get(key)
        if known is None:
            known = self._free[key] = free_days(shape, race_week, per_week)
        return known


WORDS_KEPT = 64  # templates (in each unit) whose words are remembered per process
_words: Kept[tuple[int, str], TemplateWords] = Kept(WORDS_KEPT)


def template_words(template: Template, units: Units) -> TemplateWords:
    """The :class:`TemplateWords` of a template in a unit; the most recently used few are kept
    (each with its template, so the template's id is not reused)."""
    return _words.get_or_make(
        (id(template), units), lambda: TemplateWords(template, units), lambda w: w.template is template
    )


@dataclass
class EntryContext:
    """What every entry of one athlete's plan is built from."""

    template: Template
    profile: Profile
    zones: ZoneModel
    rack: ShoeRack
    warnings: list[PlanWarning] = field(default_factory=list)
    turns: dict[str, int] = field(default_factory=dict)  # sessions of each kind so far (surface rotation)
    text: bool = True  # each run's title and description written (``validate`` reads neither)

    def __post_init__(self) -> None:
        self.prefix = f"{self.profile.id}-{self.template.id}"
        self.units = self.profile.units
        self.pain_rules = PAIN_RULES if self.profile.fitness.return_from_injury else ()
        self.tender = self.profile.tender_feet
        self.words = template_words(self.template, self.profile.units)
        self.red_flags, self.rest_text = self.words.red_flags, self.words.rest_text
        self._surfaces: dict[tuple[str, bool], tuple[str, ...]] = {}
        fs = self.template.foot_strength.sessions_per_week
        self._foot_per_week = max(fs, 3) if self.profile.tender_feet else fs
        self._heads: dict[int, str] = {}

    def free_days(self, shape: tuple[tuple[int, str], ...], race_week: bool) -> tuple[list[int], list[int]]:
        """:func:`free_days` of a week's runs (see :meth:`TemplateWords.free_days`)."""
        return self.words.free_days(shape, race_week, self._foot_per_week)

    def surface(self, kind: str, turn: int, short_reps: bool) -> str | None:
        """The surface of the ``turn``-th session of a kind (see guidance.pick_surface)."""
        options = self._surfaces.get((kind, short_reps))
        if options is None:
            options = surface_options(kind, self.profile.surfaces, self.template.surfaces, short_reps)
            self._surfaces[kind, short_reps] = options
        return surface_in_turn(kind, options, turn)

    def steps_text(self, steps: tuple[Step, ...]) -> str:
        """:func:`describe.steps_text`, once per built session for every athlete alike (the
        session's steps are shared through the zone model)."""
        known = self.zones.shared.texts.get(id(steps))
        if known is not None and known[0] is steps:
            text: str = known[1]
            return text
        text = describe.steps_text(steps, self.profile.units)
        self.zones.shared.texts[id(steps)] = (steps, text)  # the steps kept, so their id is not reused
        return text

    def ident(self, week: int, slot: str) -> str:
        """The stable id: athlete, template, week and slot; never the date."""
        head = self._heads.get(week)
        if head is None:
            head = self._heads[week] = f"{self.prefix}-w{week:02d}-"
        return head + slot


def _protocol(t: Template, kind: str) -> list[str]:
    """Every run's short recovery routine: after the long run, after hard work, after easy running."""
    if kind == "long":
        return t.recovery.after_long
    if kind in HARD_KINDS:
        return t.recovery.after_hard
    return t.recovery.after_easy


def red_flag_lines(t: Template) -> list[str]:
    """The red flags and what to do about them: with every hard session and long run."""
    if not t.recovery.red_flags:
        return []
    flags = "; ".join(t.recovery.red_flags)
    return [f"Red flags, see a professional rather than train through: {flags}. {t.recovery.on_red_flag}"]


def run_entry(
    ctx: EntryContext, slot: Slot, spec: SessionSpec, built: Sized, date: dt.date, week: int
) -> Workout:
    kind = slot.kind
    surface = shoe = None
    if kind != "cross":
        turn = ctx.turns.get(kind, 0)
        ctx.turns[kind] = turn + 1
        surface = ctx.surface(kind, turn, kind not in SPEED_KINDS or short_efforts(built.steps))
        shoe = ctx.rack.choose(kind, surface)
    notes = ctx.rack.wear(shoe, built.distance_m, week, date) if shoe is not None else []
    if surface in ("asphalt", "concrete") and kind in ("easy", "long", "recovery"):
        notes.append(PAVEMENT_NOTE)
    notes += ctx.pain_rules
    if ctx.tender and week <= TENDER_WEEKS:
        notes.append(TENDER_NOTE)
    if kind == "long" or kind in HARD_KINDS:
        notes += ctx.red_flags
    shoe_name = shoe.name if shoe else None
    extra = tuple(notes)
    title = description = ""
    if ctx.text:
        title = describe.title(kind, spec.title, built.distance_m, built.duration_s, ctx.units)
        description = describe.run_description(
            ctx.steps_text(built.steps), ctx.words.tail(kind, spec.notes, surface, shoe_name, extra)
        )
    return Workout(
        id=ctx.ident(week, slot.slot),
        date=date,
        week=week,
        slot=slot.slot,
        kind=kind,
        title=title,
        description=description,
        distance_m=round(built.distance_m),
        duration_s=round(built.duration_s),
        hard=kind in HARD_KINDS,
        surface=surface,
        shoe=shoe_name,
        steps=built.steps,
        notes=extra,
    )


FUELLING = (
    "The evening before and on race morning: familiar food only, nothing new on race day.",
    "Breakfast 2–3 hours before the start, mostly carbohydrate (toast, oats, a banana); "
    "a glass of water or two, then sips until the start.",
    "On the course: drink to thirst at the aid stations; if you will run longer than about 90 minutes, "
    "take a gel or sports drink from about 45 minutes, every 30–40 minutes, as practised on long runs.",
)


def _pacing(target: Target, units: Units) -> list[str]:
    """The race in three parts, by the athlete's own target."""
    first, last = round(HALF_MARATHON_M * 0.25), round(HALF_MARATHON_M * 0.85)
    if target.system == "pace":
        easy_end = fmt_clock(target.high)
        start = f"at the slower end of your target ({easy_end}/{units} or a little slower)"
    elif target.system == "heart_rate":
        start = f"at the low end of your target ({target.low}–{(target.low + target.high) // 2} bpm); heart rate lags in the first minutes, so go by feel early"
    else:
        start = f"at RPE {target.low}, relaxed and conversational for a few words"
    return [
        f"To {fmt_distance(first, units)}: {start}. The start always feels easy: do not chase the crowd.",
        f"{fmt_distance(first, units)} to {fmt_distance(last, units)}: settle into your target ({target.text}) and run even effort on hills.",
        f"The last {fmt_distance(HALF_MARATHON_M - last, units)}: if you feel good, let the pace come up gradually; finish strong, not sprinting from far out.",
    ]


def race_entry(ctx: EntryContext, date: dt.date, week: int) -> Workout:
    t, p, zones = ctx.template, ctx.profile, ctx.zones
    seconds = HALF_MARATHON_M / zones.speed("half_marathon")
    target = zones.target("half_marathon")
    step = Step(
        type="run",
        zone="half_marathon",
        by="distance",
        duration_s=round(seconds),
        distance_m=round(HALF_MARATHON_M),
        target=target,
    )
    surface = pick_surface("race", p.surfaces, t.surfaces)
    shoe, shoe_line = ctx.rack.for_race(HALF_MARATHON_M, surface)
    distance = fmt_distance(HALF_MARATHON_M, p.units)
    lines = [
        f"Half marathon, {distance}. Target: {target.text}.",
        "Warm up with 10 min of easy jogging and a few strides. "
        "Start controlled: the first quarter should feel easy.",
        "Pacing:\n" + "\n".join(f"- {x}" for x in _pacing(target, p.units)),
        "Fuelling:\n" + "\n".join(f"- {x}" for x in FUELLING),
    ]
    if shoe_line is not None:
        lines.append(shoe_line)
    lines.append("Afterwards:\n" + "\n".join(f"- {x}" for x in t.recovery.after_long))
    return Workout(
        id=ctx.ident(week, "race"),
        date=date,
        week=week,
        slot="race",
        kind="race",
        title=f"Race day · Half marathon · {distance}",
        description="\n\n".join(lines),
        distance_m=round(HALF_MARATHON_M),
        duration_s=round(seconds),
        hard=True,
        surface=surface,
        shoe=shoe.name if shoe else None,
        steps=(step,),
    )


def rest_entries(ctx: EntryContext, week: int, week_start: dt.date, days: Sequence[int]) -> list[Workout]:
    text = ctx.rest_text
    return [
        Workout(
            id=ctx.ident(week, slot),
            date=week_start + DAYS[d],
            week=week,
            slot=slot,
            kind="rest",
            title="Rest day",
            description=text,
        )
        for slot, d in zip(REST_SLOTS, days, strict=False)
    ]


def free_days(
    shape: tuple[tuple[int, str], ...], race_week: bool, per_week: int
) -> tuple[list[int], list[int]]:
    """A week's rest days and its foot-strength days, from its runs ``(day, kind)`` (a kind
    or "hard" for any run foot strength avoids): 2–3
    sessions on easy or rest days, spread out; one rest day stays a full rest day (the
    one after the long run, else the first) and the race and its eve stay free."""
    day_kinds: dict[int, set[str]] = {d: set() for d in range(7)}
    for offset, kind in shape:
        day_kinds[offset].add(kind)
    rest_days = [d for d in range(7) if not day_kinds[d]]
    long_days = {d for d, kinds in day_kinds.items() if "long" in kinds}
    full_rest = next((d for d in rest_days if d - 1 in long_days), rest_days[0] if rest_days else None)
    avoid = {d for d, kinds in day_kinds.items() if kinds & (HARD_KINDS | {"hard", "long", "strides"})}
    if full_rest is not None:
        avoid.add(full_rest)
    if race_week:
        avoid |= {5, 6}
    return rest_days, pick_spread(tuple(range(7)), per_week, frozenset(avoid))


def foot_strength_entries(
    ctx: EntryContext, week: int, week_start: dt.date, days: Sequence[int]
) -> list[Workout]:
    """The week's foot-strength sessions on ``days`` (see :func:`free_days`)."""
    title, text, seconds = ctx.words.foot_session(week)
    return [
        Workout(
            id=ctx.ident(week, slot),
            date=week_start + DAYS[d],
            week=week,
            slot=slot,
            kind="foot_strength",
            title=title,
            description=text,
            duration_s=seconds,
        )
        for slot, d in zip(FOOT_SLOTS, days, strict=False)
    ]


def week_entries(
    ctx: EntryContext,
    week: int,
    week_start: dt.date,
    slots: list[Slot],
    specs: dict[str, SessionSpec],
    sized: dict[str, Sized],
    race_week: bool,
) -> list[Workout]:
    out: list[Workout] = []
    for s in slots:
        date = week_start + DAYS[s.offset]
        if s.kind == "race":
            out.append(race_entry(ctx, date, week))
        else:
            out.append(run_entry(ctx, s, specs[s.slot], sized[s.slot], date, week))
    rest, foot = ctx.free_days(tuple((s.offset, _day_class(s.kind)) for s in slots), race_week)
    out += rest_entries(ctx, week, week_start, rest)
    out += foot_strength_entries(ctx, week, week_start, foot)
    out.sort(key=_entry_order)
    return out


def _day_class(kind: str) -> str:
    """What :func:`free_days` needs of a run's kind: a long run, a run foot strength avoids
    (hard or with strides), or another run; fewer classes, fewer week shapes to work out."""
    if kind == "long":
        return "long"
    return "hard" if kind in HARD_KINDS or kind == "strides" else "easy"


def _entry_order(w: Workout) -> tuple[dt.date, int, str]:
    return (w.date, 1 if w.kind == "foot_strength" else 0, w.id)

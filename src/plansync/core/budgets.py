"""What each target can hold of a workout: its budget.

Every target plansync writes to declares one (adapters set ``budget``; FIT files use
:data:`FIT`): how long a workout's name and a step's name may be, how many steps a
workout may have (a repeat counts as one step besides the steps it repeats, as the
FIT profile writes it), which target kinds it can carry and whether it takes timed
entries. Names are made for the budget, never cut mid-word (:func:`fit_words`), and
what a target cannot hold is said (the fidelity report), not dropped silently.

Sources: Garmin devices refuse workouts of more than 50 steps and truncate names
over 256 characters (Garmin's FIT SDK workout documentation and users' reports);
plansync keeps watch names to what a watch list and a watch face show (32 and 16).
TrainingPeaks' ``Title`` takes up to 500 characters (the reference).
"""

from __future__ import annotations

from dataclasses import dataclass

from plansync.core.plan import Plan, Step, Workout


@dataclass(frozen=True)
class Budget:
    target: str
    name_limit: int | None  # characters of a workout's name
    step_name_limit: int | None  # characters of a step's name
    max_steps: int | None  # steps a workout may have (a repeat counts once, besides its steps)
    kinds: frozenset[str]  # target kinds it carries natively: pace, heart_rate, rpe
    timed: bool  # entries at a time of day (else all-day)
    notes: bool  # a step can carry notes (the full cue)
    mixed_units: bool = True  # one workout may mix effort (RPE) steps with pace or heart-rate ones


FIT = Budget("fit", 32, 16, 50, frozenset({"pace", "heart_rate"}), False, True)
TRAININGPEAKS = Budget(
    "trainingpeaks", 500, None, None, frozenset({"pace", "heart_rate", "rpe"}), True, False, mixed_units=False
)
INTERVALS = Budget("intervals", None, None, None, frozenset({"pace", "heart_rate"}), True, False)
ICS = Budget("ics", None, None, None, frozenset({"pace", "heart_rate", "rpe"}), True, False)
BUDGETS = {b.target: b for b in (FIT, TRAININGPEAKS, INTERVALS, ICS)}


DANGLING = {"with", "and", "or", "of", "to", "at", "in", "on", "the", "a", "+", "&", "then"}


def fit_words(text: str, limit: int | None) -> str:
    """``text`` within ``limit`` characters, cut at a word boundary (never mid-word), any
    trailing separator dropped; a single word longer than the limit is the one case cut."""
    if limit is None or len(text) <= limit:
        return text
    out = ""
    for word in text.split():
        joined = f"{out} {word}" if out else word
        if len(joined) > limit:
            break
        out = joined
    words = out.rstrip(" ,;:·-–—(+&").split()
    while len(words) > 1 and words[-1].lower() in DANGLING:  # "strides with" says less than "strides"
        words.pop()
    out = " ".join(words).rstrip(" ,;:·-–—(+&")
    return out or text[:limit]


def short_title(title: str, limit: int | None) -> str:
    """A workout's name for a short budget: its parts (``Race day · Half marathon · 21.1 km``)
    kept first and last (the kind and the size), then the first shortened by whole words."""
    if limit is None or len(title) <= limit:
        return title
    parts = [p.strip() for p in title.split("·")]
    if len(parts) > 1:
        first, last = parts[0], parts[-1]
        if "half marathon" in title.lower() and first.lower().startswith("race"):
            first = "HM race"
        candidate = f"{first} · {last}"
        if len(candidate) <= limit:
            return candidate
        room = limit - len(last) - 3
        if room > 3:
            return f"{fit_words(first, room)} · {last}"
    return fit_words(title, limit)


def fit_steps(steps: list[tuple[int, int]]) -> int:
    """Steps a workout takes in a FIT file: ``steps`` as (inner steps, repeat count) per
    template step, where a plain step is (1, 0)."""
    return sum(inner + (1 if count else 0) for inner, count in steps)


def flat_steps(steps: tuple[Step, ...]) -> list[Step]:
    """A workout's steps with one level of repeats opened (each repeated step once)."""
    return [inner for s in steps for inner in (s.steps if s.type == "repeat" else (s,))]


def mixes_effort(steps: tuple[Step, ...], *, cross: bool = False) -> bool:
    """Whether a run's steps mix effort (RPE) targets with pace or heart-rate ones: strides,
    hill efforts and walks in a pace or heart-rate athlete's workout."""
    if cross:
        return False
    systems = {s.target.system for s in flat_steps(steps) if s.target is not None}
    return "rpe" in systems and len(systems) > 1


def step_count(steps: tuple[Step, ...]) -> int:
    """Steps a workout takes where a repeat counts once besides the steps it repeats."""
    return sum(len(s.steps) + 1 if s.type == "repeat" else 1 for s in steps)


def over_budget(budget: Budget | None, workout: Workout) -> str | None:
    """Why ``workout`` cannot go to the target whole (too many steps), or None. A target
    refuses such a workout (or cuts it silently): plansync does not send it."""
    if budget is None or budget.max_steps is None:
        return None
    count = step_count(workout.steps)
    if count <= budget.max_steps:
        return None
    return (
        f"{budget.target}: {workout.title} on {workout.date.isoformat()} has {count} steps and the target takes "
        f"at most {budget.max_steps} (a repeat counts once): not sent; split the session in the template"
    )


def fidelity(budget: Budget, plan: Plan, *, counts: bool = True) -> list[str]:
    """What the target cannot hold of this plan, and what plansync does instead; without
    ``counts``, the same lines with no number of workouts (``validate`` joins them over
    many plans)."""
    out: list[str] = []
    name = budget.target

    def n(count: int) -> str:
        return f"{count} " if counts else ""

    if budget.name_limit is not None:
        long = [w for w in plan.workouts if len(w.title) > budget.name_limit]
        if long:
            out.append(
                f"{name}: {n(len(long))}workout names longer than {budget.name_limit} characters are shortened "
                "at word boundaries (the full name stays in the description)"
            )
    if plan.system not in budget.kinds:
        out.append(
            f"{name}: no {SYSTEM_WORDS[plan.system]} targets: steps are written open, "
            "with the target in the step's notes and the description"
        )
    if not budget.timed and any(w.start_time is not None for w in plan.workouts):
        out.append(f"{name}: no time of day: the training time is in the description only")
    if not budget.mixed_units:
        mixed = sum(1 for w in plan.workouts if mixes_effort(w.steps, cross=w.kind == "cross"))
        if mixed:
            out.append(
                f"{name}: {n(mixed)}workouts mix effort (RPE) steps with {SYSTEM_WORDS[plan.system]} steps, which one "
                "structure cannot: "
                + (
                    "strides go by the pace beside their effort, other efforts are open steps"
                    if plan.system == "pace"
                    else "efforts are open steps"
                )
                + ", each named with its RPE"
            )
    efforts = sum(1 for w in plan.workouts if w.kind in ("strides", "hills"))
    if efforts and name == "intervals" and plan.system != "rpe":  # its builder has no effort target
        out.append(
            f"{name}: {n(efforts)}strides and hill sessions: their short efforts by feel travel as words in "
            "the step's cue (the target has no effort target)"
        )
    return out


SYSTEM_WORDS = {"pace": "pace", "heart_rate": "heart-rate", "rpe": "effort (RPE)"}

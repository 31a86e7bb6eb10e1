"""The words an athlete reads: titles and descriptions of plan entries."""

from __future__ import annotations

from collections.abc import Sequence

from plansync.core.exercises import EXERCISES
from plansync.core.guidance import WHY
from plansync.core.plan import Step
from plansync.core.quantities import Units, fmt_distance, fmt_duration
from plansync.core.template import FootStrength, Stage
from plansync.core.zones import RPE

KIND_TITLES = {
    "rest": "Rest day",
    "recovery": "Recovery run",
    "easy": "Easy run",
    "long": "Long run",
    "tempo": "Tempo",
    "threshold": "Threshold",
    "intervals": "Intervals",
    "hills": "Hills",
    "strides": "Easy run + strides",
    "race_pace": "Race pace",
    "race": "Race day",
    "cross": "Cross-training",
    "foot_strength": "Foot strength",
}
STEP_WORDS = {
    "warmup": "Warm up",
    "run": "Run",
    "recover": "Recover",
    "cooldown": "Cool down",
    "cross": "Cross-train",
}


def title(kind: str, custom: str | None, distance_m: float, duration_s: float, units: Units) -> str:
    base = custom or KIND_TITLES[kind]
    if distance_m > 0:
        return f"{base} · {fmt_distance(distance_m, units)}"
    if duration_s > 0:
        return f"{base} · {fmt_duration(duration_s)}"
    return base


def _amount(step: Step, units: Units) -> str:
    if step.by == "distance":
        return fmt_distance(step.distance_m or 0, units)
    return fmt_duration(step.duration_s or 0)


def step_lines(steps: Sequence[Step], units: Units, indent: str = "") -> list[str]:
    lines: list[str] = []
    for s in steps:
        if s.type == "repeat":
            lines.append(f"{indent}{s.count} ×" + (f" {s.label}" if s.label else ""))
            lines.extend(step_lines(s.steps, units, indent + "  "))
            continue
        word = s.label or STEP_WORDS[s.type]
        line = f"{indent}- {word} {_amount(s, units)}"
        if s.target is not None:
            line += f" at {s.target.text}"
            if s.secondary is not None:
                line += f", about {s.secondary.text.split(' (')[0]}"
            if s.target.system != "rpe" and s.zone in RPE:  # for a run without a watch
                lo, hi = RPE[s.zone]
                line += f" · RPE {lo}–{hi}"
        lines.append(line)
    return lines


def steps_text(steps: Sequence[Step], units: Units) -> str:
    """A session's steps, one line each (a repeat's steps indented under it)."""
    return "\n".join(step_lines(steps, units))


def afterwards(recovery: Sequence[str]) -> str:
    """The recovery routine after a run, as its description ends."""
    return "Afterwards:\n" + "\n".join(f"- {line}" for line in recovery) if recovery else ""


def run_description(steps: str, tail: str) -> str:
    """A run's description: its steps (:func:`steps_text`), then the rest (:func:`run_tail`)."""
    return f"{steps}\n\n{tail}" if steps and tail else steps or tail


def run_tail(
    *,
    notes: str | None,
    surface: str | None,
    shoe: str | None,
    after: str,
    extra: Sequence[str],
) -> str:
    """What a run's description says after its steps: the session's notes, surface and shoe,
    notes of its own (``extra``) and what to do after it (:func:`afterwards`). A plan's runs
    share a few of these, so the compiler writes each once per plan."""
    parts = []
    if notes:
        parts.append(notes.strip())
    guide = []
    if surface:
        guide.append(f"Surface: {surface} ({WHY[surface]}).")
    if shoe:
        guide.append(f"Shoe: {shoe}.")
    if guide:
        parts.append("\n".join(guide))
    if extra:
        parts.append("\n".join(extra))
    parts.append(after)
    return "\n\n".join(p for p in parts if p)


def dose(stage: Stage, per_foot: bool) -> str:
    if stage.reps is not None:
        text = f"{stage.sets} × {stage.reps}"
    elif stage.hold is not None:
        text = f"{stage.sets} × {fmt_duration(stage.hold)} hold"
    else:
        assert stage.duration is not None
        return fmt_duration(stage.duration) + (f" ({stage.note})" if stage.note else "")
    if per_foot:
        text += " per foot"
    if stage.note:
        text += f" ({stage.note})"
    return text


def stage_for(stages: Sequence[Stage], week: int) -> Stage:
    current = stages[0]
    for stage in stages:
        if stage.from_week <= week:
            current = stage
    return current


def foot_strength(programme: FootStrength, week: int) -> tuple[str, int]:
    """Description and an estimated duration in seconds for that week's session."""
    lines = []
    seconds = 0.0
    for item in programme.exercises:
        ex = EXERCISES[item.exercise]
        stage = stage_for(item.stages, week)
        lines.append(f"- {ex.name}: {dose(stage, ex.per_foot)} — {ex.cue}")
        if stage.duration is not None:
            seconds += stage.duration
            continue
        per_set = (stage.reps or 0) * 3 + (stage.hold or 0)
        seconds += stage.sets * (per_set * (2 if ex.per_foot else 1) + 10)
    text = "\n".join(lines) + "\n\nBarefoot work builds slowly: stop at any sharp pain."
    return text, round(seconds / 60) * 60


def rest_description(lines: Sequence[str], red_flags: Sequence[str], on_red_flag: str = "") -> str:
    parts = ["Rest from running today.", "\n".join(f"- {line}" for line in lines)]
    if red_flags:
        parts.append("See a professional, don't train through:\n" + "\n".join(f"- {f}" for f in red_flags))
        if on_red_flag:
            parts.append(on_red_flag)
    return "\n\n".join(parts)

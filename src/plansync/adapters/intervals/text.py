"""A plan entry as intervals.icu workout text, which the platform parses into steps.

One step a line (``- Warm up 15m 70-80% Pace``), a repeat as a ``5x`` line with
a blank line around its block (one level, the platform's limit), durations as
``10m``, ``90s`` or ``1m30s``, distances as ``800mtr`` or ``1.6km``; the target
in the athlete's system: pace as a percentage of threshold pace (``Pace``),
heart rate as a percentage of threshold heart rate (``LTHR``) or of maximum
(``HR``); effort (RPE) has no target on the platform and stays in the step's
cue (``RPE 8-9``), so a watch shows the step open with that text. The coaching
notes follow as plain lines (bullets ``•``, never ``-``, which would make them steps).
"""

from __future__ import annotations

from collections.abc import Sequence

from plansync.core.plan import Plan, References, Step, Workout
from plansync.core.zones import Target

CUES = {
    "warmup": "Warm up",
    "cooldown": "Cool down",
    "recover": "Recover",
    "run": "Run",
    "cross": "Cross-training",
}


def duration(step: Step) -> str:
    if step.by == "distance" and step.distance_m:
        metres = int(step.distance_m)
        return f"{metres}mtr" if metres < 1000 or metres % 100 else f"{metres / 1000:g}km"
    seconds = int(step.duration_s or 0)
    minutes, rest = divmod(seconds, 60)
    if not minutes:
        return f"{rest}s"
    return f"{minutes}m{rest}s" if rest else f"{minutes}m"


def target(t: Target | None, refs: References) -> str:
    if t is None:
        return ""
    if t.system == "pace" and refs.threshold_pace_s:
        # Faster is more: a pace's percentage is threshold pace over the pace.
        low, high = round(refs.threshold_pace_s / t.high * 100), round(refs.threshold_pace_s / t.low * 100)
        return f"{low}-{high}% Pace"
    if t.system == "heart_rate":
        if refs.threshold_hr:
            return f"{round(t.low / refs.threshold_hr * 100)}-{round(t.high / refs.threshold_hr * 100)}% LTHR"
        if refs.max_hr:
            return f"{round(t.low / refs.max_hr * 100)}-{round(t.high / refs.max_hr * 100)}% HR"
    return ""


def _cue(step: Step) -> str:
    cue = step.label or CUES.get(step.type, "Run")
    if step.target is not None and step.target.system == "rpe":
        cue += f" RPE {step.target.low}-{step.target.high}"
    return cue.replace("\n", " ")


def step_lines(steps: Sequence[Step], refs: References) -> list[str]:
    lines: list[str] = []
    for step in steps:
        if step.type == "repeat":
            if lines and lines[-1]:
                lines.append("")
            lines.append(f"{int(step.count or 1)}x")
            lines.extend(step_lines(step.steps, refs))
            lines.append("")
            continue
        running_pace = step.type == "cross" and step.target is not None and step.target.system == "pace"
        # Cross-training has no running pace: its effort goes in the cue (as the budget says).
        shown = "" if running_pace else target(step.target, refs)
        cue = _cue(step) + (f" at {step.zone} effort" if running_pace and step.zone else "")
        parts = [cue, duration(step), shown]
        lines.append("- " + " ".join(p for p in parts if p))
    return lines


def notes(workout: Workout) -> list[str]:
    """The description after its steps, as plain lines."""
    text = workout.description.split("\n\n", 1)[1] if "\n\n" in workout.description else ""
    if workout.kind in ("foot_strength", "race", "rest"):  # their descriptions are not step lines
        text = workout.description
    out = []
    for line in text.splitlines():
        out.append("• " + line[2:] if line.startswith("- ") else line)
    return out


def workout_text(plan: Plan, workout: Workout) -> str:
    """The description intervals.icu gets: steps (when the entry has them), then the notes."""
    blocks = []
    if workout.steps:
        blocks.append("\n".join(step_lines(workout.steps, plan.references)).strip("\n"))
    blocks.append("\n".join(notes(workout)).strip())
    return "\n\n".join(b for b in blocks if b)

"""Plans as text: JSON for machines, a week-by-week table for coaches."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from plansync.core.plan import Plan, Workout, plan_json
from plansync.core.quantities import Units, fmt_distance, fmt_duration
from plansync.core.vocab import RUN_KINDS

SHORT = {
    "rest": "rest",
    "recovery": "recovery",
    "easy": "easy",
    "long": "long",
    "tempo": "tempo",
    "threshold": "threshold",
    "intervals": "intervals",
    "hills": "hills",
    "strides": "strides",
    "race_pace": "race pace",
    "race": "RACE",
    "cross": "cross",
    "foot_strength": "+feet",
}


def to_json(plan: Plan) -> str:
    """Deterministic JSON: same plan, same bytes."""
    return plan_json(plan)


def _cell(entries: Iterable[Workout], units: Units) -> str:
    parts = []
    for w in entries:
        if w.kind in RUN_KINDS:
            parts.append(f"{SHORT[w.kind]} {fmt_distance(w.distance_m, units)}")
        else:
            parts.append(SHORT[w.kind] if w.kind != "cross" else f"cross {fmt_duration(w.duration_s)}")
    return ", ".join(parts)


def to_table(plan: Plan) -> str:
    units: Units = "mi" if plan.units == "mi" else "km"
    lines = [
        f"{plan.athlete_name} ({plan.athlete}) · {plan.template_name}",
        f"{plan.start_date} to {plan.end_date} · {plan.weeks} weeks"
        + (f" · race {plan.race_date}" if plan.race_date else "")
        + (f" · {after} weeks after it" if (after := len(plan.weeks_summary) - plan.weeks) else "")
        + f" · {plan.system.replace('_', ' ')} · {plan.units}",
        "",
    ]
    header = ["wk", "phase", "volume"]
    rows: list[list[str]] = []
    day_names: list[str] = []
    for summary in plan.weeks_summary:
        entries = [w for w in plan.workouts if w.week == summary.week]
        by_day: dict[int, list[Workout]] = {}
        for w in entries:
            by_day.setdefault((w.date - summary.start).days, []).append(w)
        if not day_names:
            day_names = [(summary.start + dt.timedelta(days=d)).strftime("%a") for d in range(7)]
        flag = " cutback" if summary.cutback else ""
        rows.append(
            [str(summary.week), summary.phase + flag, fmt_distance(summary.distance_m, units)]
            + [_cell(by_day.get(d, []), units) for d in range(7)]
        )
    header += day_names
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    lines.append(fmt.format(*header).rstrip())
    lines.append("  ".join("-" * w for w in widths))
    lines.extend(fmt.format(*r).rstrip() for r in rows)
    if plan.shoes:
        lines += ["", "Shoes:"] + [
            f"- {s.name} ({s.role}): {fmt_distance(s.start_m, units)} now, "
            f"{fmt_distance(s.start_m + s.planned_m, units)} after the plan, lifespan {fmt_distance(s.lifespan_m, units)}"
            + (f"; passes it on {s.passes_on}" if s.passes_on else "")
            for s in plan.shoes
        ]
    if plan.warnings:
        lines += ["", "Warnings:"] + [f"- {w}" for w in plan.warnings]
    return "\n".join(lines) + "\n"

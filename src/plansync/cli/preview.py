"""`plansync preview`: the plan as one self-contained HTML page to show or print.

No scripts, fonts or images from anywhere: inline CSS and an inline SVG
chart. A calendar grid (weeks × days, coloured by kind, rest and
foot-strength days visible), a chart of weekly volume (progression, cutback
weeks, taper) with the long run, and each day's details in the athlete's
units and intensity system. Prints on A4.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from html import escape

from plansync.core.describe import KIND_TITLES
from plansync.core.plan import Plan, Workout
from plansync.core.quantities import Units, fmt_distance, fmt_duration

COLOURS = {
    "rest": "#eceff1",
    "recovery": "#c8e6c9",
    "easy": "#a5d6a7",
    "long": "#64b5f6",
    "tempo": "#ffb74d",
    "threshold": "#ffa726",
    "intervals": "#ef5350",
    "hills": "#ba68c8",
    "strides": "#dce775",
    "race_pace": "#ff8a65",
    "race": "#d81b60",
    "cross": "#80deea",
    "foot_strength": "#fff59d",
}

CSS = """
:root { --ink: #1f2933; --muted: #616e7c; }
* { box-sizing: border-box; }
body { font: 13px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
       margin: 24px; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 24px 0 8px; }
.meta { color: var(--muted); margin: 0 0 12px; }
.warnings { background: #fff8e1; border-left: 4px solid #ffb300; padding: 6px 10px; margin: 8px 0; }
table.grid { border-collapse: collapse; width: 100%; table-layout: fixed; }
.grid th, .grid td { border: 1px solid #cfd8dc; padding: 3px; vertical-align: top; }
.grid th { background: #f5f7fa; font-weight: 600; }
.grid td.week { width: 64px; font-weight: 600; }
.grid td.week small { display: block; font-weight: 400; color: var(--muted); }
.entry { border-radius: 3px; padding: 2px 4px; margin: 1px 0; font-size: 11px; }
.entry.rest { color: var(--muted); }
.badge { display: inline-block; font-size: 10px; border-radius: 3px; padding: 0 3px; background: #fff59d;
         border: 1px solid #e6d84a; }
.legend span { display: inline-block; margin: 2px 8px 2px 0; font-size: 11px; }
.legend i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 3px;
            vertical-align: middle; }
.zones td, .zones th { padding: 2px 10px 2px 0; text-align: left; }
section.week-details { break-inside: avoid; }
.day { margin: 4px 0 10px; } .day h4 { margin: 0; font-size: 13px; }
.day pre { white-space: pre-wrap; font: inherit; margin: 2px 0 0 12px; color: #323f4b; }
@page { size: A4; margin: 12mm; }
@media print { body { margin: 0; font-size: 11px; } .grid { font-size: 10px; } h2 { break-after: avoid; }
               .grid tr, svg, .zones { break-inside: avoid; } }
"""


def _cell(entries: list[Workout], units: Units) -> str:
    out = []
    for w in entries:
        if w.kind == "foot_strength":
            out.append('<span class="badge" title="Foot strength">foot strength</span>')
            continue
        label = KIND_TITLES[w.kind]
        amount = (
            fmt_distance(w.distance_m, units)
            if w.distance_m
            else (fmt_duration(w.duration_s) if w.duration_s else "")
        )
        out.append(
            f'<div class="entry {w.kind}" style="background:{COLOURS[w.kind]}">'
            f"{escape(label)}{' · ' + escape(amount) if amount else ''}</div>"
        )
    return "".join(out)


def _chart(plan: Plan, units: Units) -> str:
    weeks = plan.weeks_summary
    longs: dict[int, int] = defaultdict(int)
    for w in plan.workouts:
        if w.kind in ("long", "race"):
            longs[w.week] = max(longs[w.week], w.distance_m)
    top = max([s.distance_m for s in weeks] + list(longs.values()) + [1])
    width, height, left, bottom, top_pad = 720, 220, 44, 28, 12
    step = (width - left - 10) / len(weeks)
    bar = step * 0.62
    scale = (height - bottom - top_pad) / top
    parts = [
        f'<svg id="volume-chart" role="img" aria-label="Weekly volume" viewBox="0 0 {width} {height}" '
        f'width="100%" xmlns="http://www.w3.org/2000/svg">'
    ]
    for frac in (0.25, 0.5, 0.75, 1.0):
        y = height - bottom - top * frac * scale
        parts.append(f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e4e7eb"/>')
        parts.append(
            f'<text x="{left - 4}" y="{y + 4:.1f}" font-size="10" text-anchor="end" fill="#616e7c">'
            f"{escape(fmt_distance(top * frac, units))}</text>"
        )
    points = []
    for i, s in enumerate(weeks):
        x = left + i * step + (step - bar) / 2
        h = s.distance_m * scale
        colour = "#f6a35b" if s.taper else "#9fb3c8" if s.cutback else "#3e7cb1"
        kind = "taper" if s.taper else "cutback" if s.cutback else "build"
        parts.append(
            f'<rect class="bar {kind}" x="{x:.1f}" y="{height - bottom - h:.1f}" width="{bar:.1f}" '
            f'height="{h:.1f}" fill="{colour}"><title>Week {s.week}: '
            f"{escape(fmt_distance(s.distance_m, units))} ({kind})</title></rect>"
        )
        parts.append(
            f'<text x="{x + bar / 2:.1f}" y="{height - bottom + 14}" font-size="10" text-anchor="middle" '
            f'fill="#616e7c">{s.week}</text>'
        )
        if longs.get(s.week):
            points.append((x + bar / 2, height - bottom - longs[s.week] * scale))
    if points:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#d81b60" stroke-width="2"/>')
        parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#d81b60"/>' for x, y in points]
    parts.append("</svg>")
    legend = (
        '<div class="legend"><span><i style="background:#3e7cb1"></i>build week</span>'
        '<span><i style="background:#9fb3c8"></i>cutback week</span>'
        '<span><i style="background:#f6a35b"></i>taper</span>'
        '<span><i style="background:#d81b60"></i>long run / race</span></div>'
    )
    return "".join(parts) + legend


def render(plan: Plan) -> str:
    units: Units = "mi" if plan.units == "mi" else "km"
    by_day: dict[dt.date, list[Workout]] = defaultdict(list)
    for w in plan.workouts:
        by_day[w.date].append(w)
    day_names = [(plan.start_date + dt.timedelta(days=i)).strftime("%a") for i in range(7)]
    rows = []
    for s in plan.weeks_summary:
        flag = " · cutback" if s.cutback else ""
        cells = "".join(
            f"<td>{_cell(by_day.get(s.start + dt.timedelta(days=d), []), units)}</td>" for d in range(7)
        )
        rows.append(
            f'<tr><td class="week">Week {s.week}<small>{escape(s.phase)}{flag}<br>'
            f"{escape(fmt_distance(s.distance_m, units))}</small></td>{cells}</tr>"
        )
    grid = (
        '<table class="grid" id="calendar-grid"><thead><tr><th>Week</th>'
        + "".join(f"<th>{d}</th>" for d in day_names)
        + "</tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )
    kinds = sorted({w.kind for w in plan.workouts}, key=list(COLOURS).index)
    legend = (
        '<div class="legend">'
        + "".join(
            f'<span><i style="background:{COLOURS[k]}"></i>{escape(KIND_TITLES[k])}</span>' for k in kinds
        )
        + "</div>"
    )
    zones = "".join(
        f"<tr><th>{escape(z.zone.replace('_', ' '))}</th><td>{escape(z.text)}</td></tr>" for z in plan.zones
    )
    details = []
    for s in plan.weeks_summary:
        days = []
        for d in range(7):
            date = s.start + dt.timedelta(days=d)
            for w in by_day.get(date, []):
                days.append(
                    f'<div class="day"><h4>{date.strftime("%a %d %b")} · {escape(w.title)}</h4>'
                    f"<pre>{escape(w.description)}</pre></div>"
                )
        details.append(
            f'<section class="week-details"><h3>Week {s.week} · {escape(s.phase)} · '
            f"{escape(fmt_distance(s.distance_m, units))}</h3>{''.join(days)}</section>"
        )
    warnings = "".join(f"<p>{escape(str(w))}</p>" for w in plan.warnings)
    race = f" · race day {plan.race_date.strftime('%d %b %Y')}" if plan.race_date else ""
    title = f"{plan.athlete_name} · {plan.template_name}"
    return (
        f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>"
        f"<h1>{escape(title)}</h1>"
        f'<p class="meta">{plan.start_date.strftime("%d %b %Y")} to {plan.end_date.strftime("%d %b %Y")} · '
        f"{plan.weeks} weeks{race} · {escape(plan.system.replace('_', ' '))} · {plan.units}</p>"
        + (f'<div class="warnings">{warnings}</div>' if warnings else "")
        + f"<h2>Calendar</h2>{legend}{grid}"
        f"<h2>Weekly volume</h2>{_chart(plan, units)}"
        f'<h2>Your zones</h2><table class="zones">{zones}</table>'
        f"<h2>Day by day</h2>{''.join(details)}"
        "</body></html>\n"
    )

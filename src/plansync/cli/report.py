"""Reports for people and machines: ``validate`` (text, JSON, GitHub annotations), ``status``
and ``publish --all`` tables."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from plansync.service import AthleteResult, AthleteStatus, Report


def summary(report: Report) -> str:
    def n(count: int, word: str) -> str:
        return f"{count:,} {word}{'' if count == 1 else 's'}"

    return (
        f"{n(report.templates, 'template')}, {n(report.plans, 'plan')} compiled, "
        f"{n(report.errors, 'error')}, {n(report.warnings, 'warning')}"
        + (f", {n(report.notes, 'note')}" if report.notes else "")
    )


def to_text(report: Report, color: bool) -> str:
    by_file: dict[str, list[str]] = defaultdict(list)
    for f in report.findings:
        where = f.file + (f":{f.line}" if f.line else "") + (f":{f.column}" if f.column else "")
        label = (
            click.style(
                f.severity, fg={"error": "red", "warning": "yellow"}.get(f.severity, "cyan"), bold=True
            )
            if color
            else f.severity
        )
        key = f" {f.key}:" if f.key else ""
        by_file[f.file].append(f"  {where}: {label}:{key} {f.message}")
    lines: list[str] = []
    for file in sorted(by_file):
        lines.append(click.style(file, bold=True) if color else file)
        lines.extend(by_file[file])
        lines.append("")
    for template, lost in sorted(report.fidelity.items()):
        lines.append(f"{template}: what the targets cannot hold, and what plansync does instead")
        lines.extend(f"  fidelity: {line}" for line in lost)
        lines.append("")
    lines.append(summary(report))
    return "\n".join(lines) + "\n"


def to_json(report: Report) -> str:
    data = {
        "templates": report.templates,
        "plans": report.plans,
        "errors": report.errors,
        "warnings": report.warnings,
        "notes": report.notes,
        "findings": [f.as_dict() for f in report.findings],
        "fidelity": [
            {"template": t, "target": line.split(":", 1)[0], "message": line.split(": ", 1)[1]}
            for t, lost in sorted(report.fidelity.items())
            for line in lost
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _escape(text: str, prop: bool = False) -> str:
    """GitHub workflow-command escaping (message data, or property values)."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def to_github(report: Report) -> str:
    lines = []
    for f in report.findings:
        props = [f"file={_escape(f.file, True)}"]
        if f.line:
            props.append(f"line={f.line}")
        if f.column:
            props.append(f"col={f.column}")
        props.append(f"title={_escape('plansync ' + (f.rule or f.severity), True)}")
        message = (f"{f.key}: " if f.key else "") + f.message
        command = "notice" if f.severity == "note" else f.severity
        lines.append(f"::{command} {','.join(props)}::{_escape(message)}")
    for template, lost in sorted(report.fidelity.items()):
        lines.extend(f"::notice title=plansync fidelity::{_escape(template + ': ' + line)}" for line in lost)
    lines.append(summary(report))
    return "\n".join(lines) + "\n"


def status_table(rows: list[AthleteStatus], targets: list[str], color: bool) -> str:
    """One line per athlete, most urgent first, with a count by state at the end."""
    colours = {
        "overdue": "red",
        "invalid": "magenta",
        "changed": "yellow",
        "draft": "cyan",
        "published": "green",
    }

    def when(value: dt.datetime | None) -> str:
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M") if value else "-"

    header = [
        "athlete",
        "template",
        "race",
        "wks",
        "requested (UTC)",
        "due (UTC)",
        *[f"published: {t}" for t in targets],
        "state",
    ]
    body = []
    for r in rows:
        body.append(
            [
                r.athlete,
                r.template or "-",
                r.race_date.isoformat() if r.race_date else "-",
                str(r.weeks or "-"),
                when(r.requested_at),
                when(r.due),
                *[when(r.published.get(t)) for t in targets],
                r.state,
            ]
        )
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    for r, row in zip(rows, body, strict=True):
        line = "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        if color:
            line = line[: -len(r.state)] + click.style(
                r.state, fg=colours[r.state], bold=r.state == "overdue"
            )
        lines.append(line)
        if r.message and r.state == "invalid":  # every problem, each with its hint
            lines.extend("    " + line for line in r.message.splitlines() if line.strip())
        if r.attention:
            lines.append("    " + (click.style(r.attention, fg="red", bold=True) if color else r.attention))
        if r.kept:
            counts_kept: dict[str, int] = {}
            for target, _, what in r.kept:
                key = f"{what} on {target}"
                counts_kept[key] = counts_kept.get(key, 0) + 1
            lines.append(
                "    kept as changed there: " + ", ".join(f"{n} {k}" for k, n in counts_kept.items())
            )
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.state] = counts.get(r.state, 0) + 1
    order = ["overdue", "invalid", "changed", "draft", "published"]
    lines.append("")
    noun = "athlete" if len(rows) == 1 else "athletes"
    needing = sum(1 for r in rows if r.attention)
    attention = [f"{needing} need{'s' if needing == 1 else ''} attention"] if needing else []
    lines.append(
        f"{len(rows)} {noun}: " + ", ".join(attention + [f"{counts[s]} {s}" for s in order if s in counts])
    )
    return "\n".join(lines) + "\n"


def batch_table(results: list[AthleteResult], targets: list[str], dry_run: bool) -> str:
    """The end of `publish --all`: what happened to each athlete, then the totals."""
    header = ["athlete", "was", *targets]
    body = []
    for r in results:
        cells = []
        for t in targets:
            if t in r.errors:
                cells.append("FAILED: " + r.errors[t].splitlines()[0][:60])
            elif t in r.summaries:
                s = r.summaries[t]
                text = f"+{s.created} ~{s.updated} -{s.deleted} ={s.unchanged}"
                text += f" kept {s.kept}" if s.kept else ""  # changes people made there, left as they are
                cells.append(text + (f"  {s.failed} failed" if s.failed else ""))
            else:
                cells.append("-")
        body.append([r.status.athlete, r.status.state, *cells])
    if not body:
        return "nobody needs publishing: every athlete's plan is published as it is\n"
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in [header, *body]
    ]
    failed = sum(1 for r in results if r.failed)
    verb = "would be published" if dry_run else "published"
    ok = len(results) - failed
    noun = "athlete" if ok == 1 else "athletes"
    lines += ["", f"{ok} {noun} {verb}, {failed} failed  (+created ~updated -deleted =unchanged)"]
    return "\n".join(lines) + "\n"

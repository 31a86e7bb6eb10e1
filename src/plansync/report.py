"""``plansync validate`` output: text for people, JSON and GitHub annotations for machines."""

from __future__ import annotations

import json
from collections import defaultdict

import click

from .validate import Report


def summary(report: Report) -> str:
    def n(count: int, word: str) -> str:
        return f"{count:,} {word}{'' if count == 1 else 's'}"

    return (
        f"{n(report.templates, 'template')}, {n(report.plans, 'plan')} compiled, "
        f"{n(report.errors, 'error')}, {n(report.warnings, 'warning')}"
    )


def to_text(report: Report, color: bool) -> str:
    by_file: dict[str, list[str]] = defaultdict(list)
    for f in report.findings:
        where = f.file + (f":{f.line}" if f.line else "") + (f":{f.column}" if f.column else "")
        label = (
            click.style(f.severity, fg="red" if f.severity == "error" else "yellow", bold=True)
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
    lines.append(summary(report))
    return "\n".join(lines) + "\n"


def to_json(report: Report) -> str:
    data = {
        "templates": report.templates,
        "plans": report.plans,
        "errors": report.errors,
        "warnings": report.warnings,
        "findings": [f.as_dict() for f in report.findings],
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
        lines.append(f"::{f.severity} {','.join(props)}::{_escape(message)}")
    lines.append(summary(report))
    return "\n".join(lines) + "\n"

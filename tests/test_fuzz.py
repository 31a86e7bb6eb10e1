"""Hostile and careless input, generated: every outcome is a plan or a located message.

Hypothesis mutates the example profiles and the shipped templates — deletes a
key, retypes or enlarges a value, duplicates a line, injects control
characters and YAML aliases, cuts the file short — then runs ``compile``,
``validate`` and ``export ics`` in-process. The only acceptable outcomes are
success or a :class:`PlansyncError` (an input error names the file). CI runs
a short profile; ``scripts/fuzz.py`` runs a long one. Cases it found are kept
below as ``@example``\\ s.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from plansync.calendars.identity import calendar_bytes
from plansync.errors import InputError, PlansyncError
from plansync.inputs import yamlio
from plansync.inputs.compiling import compile_file
from plansync.inputs.validate import validate
from plansync.state.ledger import Ledger

from .conftest import ROOT

EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
TEMPLATES = sorted((ROOT / "plan_templates").glob("*.yaml"))
RUNS = int(os.environ.get("PLANSYNC_FUZZ_EXAMPLES", "60"))
NOW = dt.datetime(2027, 1, 10, 12, tzinfo=dt.UTC)
FUZZ = settings(
    max_examples=RUNS,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

WEIRD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x2FF), max_size=200),
    st.sampled_from(
        [
            "",
            "0:01",
            "99999999999999999999:00:00",
            "../x",
            "/etc/passwd",
            "012",
            "1e999",
            "9999-12-31",
            "0001-01-01",
            "-5km",
            "0km",
            "fill",
            "999999km",
            "1h99min",
        ]
    ),
    st.lists(st.integers(-5, 10**12), max_size=4),
    st.dictionaries(st.sampled_from(["a", "run", "zone", "id"]), st.integers(), max_size=3),
)


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            out += _paths(value, (*prefix, i))
    return out


def _mutate(data: Any, draw: st.DrawFn) -> Any:
    paths = _paths(data)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(paths))
        parent = data
        for key in path[:-1]:
            parent = parent[key]
        last = path[-1]
        op = draw(st.sampled_from(["delete", "retype", "enlarge"]))
        try:
            if op == "delete":
                del parent[last]
            elif op == "retype":
                parent[last] = draw(WEIRD_VALUES)
            else:
                value = parent[last]
                parent[last] = (str(value) * draw(st.integers(50, 5000)))[:200_000]
        except (KeyError, IndexError, TypeError):
            continue
        paths = _paths(data)
        if not paths:
            break
    return data


@st.composite
def mutated_text(draw: st.DrawFn, source: Path) -> str:
    text = source.read_text(encoding="utf-8")
    if draw(st.booleans()):
        data = yamlio.read(source).data
        text = yaml.safe_dump(_mutate(data, draw), sort_keys=False, allow_unicode=True)
    lines = text.splitlines(keepends=True)
    for _ in range(draw(st.integers(0, 2))):
        op = draw(st.sampled_from(["duplicate", "control", "alias", "cut", "tab"]))
        at = draw(st.integers(0, max(0, len(lines) - 1)))
        if op == "duplicate" and lines:
            lines.insert(at, lines[at])
        elif op == "control" and lines:
            char = draw(st.sampled_from(["\x1b", "\x07", "\x00", "\x0b", "\u202e"]))
            lines[at] = lines[at].rstrip("\n") + char + "\n"
        elif op == "alias":
            lines = ["anchor: &a [1, 2, 3]\n", "again: *a\n", *lines]
        elif op == "cut":
            lines = lines[:at]
        elif op == "tab" and lines:
            lines[at] = "\t" + lines[at]
    return "".join(lines)


def _acceptable(exc: PlansyncError, path: Path) -> None:
    message = str(exc)
    assert message, "an error without a message"
    if isinstance(exc, InputError):
        assert all(p.path is not None for p in exc.problems), message


@FUZZ
@given(data=st.data(), which=st.sampled_from(EXAMPLES))
@example(data=None, which=EXAMPLES[0]).via("the plain example compiles")
def test_a_mutated_profile_compiles_or_says_where_it_is_wrong(
    tmp_path_factory: Any, data: st.DataObject | None, which: Path
) -> None:
    folder = tmp_path_factory.mktemp("profile")
    path = folder / "athlete.yaml"
    path.write_text(
        data.draw(mutated_text(which)) if data is not None else which.read_text(), encoding="utf-8"
    )
    try:
        plan = compile_file(path, ROOT / "plan_templates", now=NOW)
        with Ledger(folder / "state") as ledger:
            calendar_bytes(plan, ledger, NOW)
    except PlansyncError as exc:
        _acceptable(exc, path)


@FUZZ
@given(data=st.data(), which=st.sampled_from(TEMPLATES))
def test_a_mutated_template_validates_to_findings_never_a_crash(
    tmp_path_factory: Any, data: st.DataObject, which: Path
) -> None:
    folder = tmp_path_factory.mktemp("template")
    path = folder / which.name
    path.write_text(data.draw(mutated_text(which)), encoding="utf-8")
    try:
        report = validate([path])
    except PlansyncError as exc:
        _acceptable(exc, path)
        return
    assert all(f.file for f in report.findings)


# What the fuzzer found, kept as plain regression cases.


def test_found_a_time_zone_name_that_sent_zoneinfo_into_recursion(tmp_path: Path) -> None:
    path = tmp_path / "athlete.yaml"
    path.write_text(EXAMPLES[0].read_text().replace("timezone: ", "timezone: a.b.c.d.e.f.g.h.i # was: "))
    try:
        compile_file(path, ROOT / "plan_templates", now=NOW)
    except InputError as exc:
        assert "IANA time zone" in str(exc)
    else:  # pragma: no cover - the test fails here
        raise AssertionError("a dotted time zone compiled")


def test_found_a_template_whose_stage_is_a_number(tmp_path: Path) -> None:
    path = tmp_path / TEMPLATES[0].name
    text = TEMPLATES[0].read_text()
    data = yamlio.read(TEMPLATES[0]).data
    data["id"] = None
    data["foot_strength"]["exercises"][1]["stages"] = [0]
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    report = validate([path])
    assert report.errors and all(f.file == str(path) for f in report.findings) and text

"""The shipped templates: valid, original, and each says who it is for."""

from __future__ import annotations

from pathlib import Path

import pytest

from plansync.core.template import Template
from plansync.inputs.loader import SHIPPED_TEMPLATES, load_template

from .conftest import TEMPLATES

FILES = sorted(TEMPLATES.glob("*.yaml"))


def test_the_four_promised_templates_ship() -> None:
    assert {p.stem for p in FILES} == {
        "half-marathon-beginner",
        "half-marathon-intermediate",
        "half-marathon-advanced",
        "general-base-building",
    }
    assert SHIPPED_TEMPLATES.resolve() == TEMPLATES.resolve()


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_template_opens_with_who_it_is_for(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[:3]
    assert all(line.startswith("#") for line in first)
    assert " for " in " ".join(first).lower()


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_template_loads_and_keeps_the_brief(path: Path) -> None:
    t: Template = load_template(path)
    assert 8 <= t.weeks.min <= t.weeks.default <= t.weeks.max <= 16
    if t.goal == "half_marathon":
        assert t.weeks.min >= 12 and t.taper is not None
    assert 2 <= t.foot_strength.sessions_per_week <= 3
    kinds = {s.kind for s in t.sessions.values()}
    assert "long" in kinds and "easy" in kinds
    assert t.progression.weekly_cap <= 0.10

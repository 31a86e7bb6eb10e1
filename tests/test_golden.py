"""Golden plans: one example athlete per shipped template, compiled to JSON.

A change to any golden file is a change an athlete would see: review the
diff, then regenerate with ``PLANSYNC_UPDATE_GOLDEN=1 pytest tests/test_golden.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from plansync.cli.render import to_json
from plansync.inputs.compiling import compile_file

from .conftest import ROOT

GOLDEN = Path(__file__).parent / "golden"
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


@pytest.mark.parametrize("profile", EXAMPLES, ids=lambda p: p.stem)
def test_golden_plan(profile: Path) -> None:
    text = to_json(compile_file(profile, ROOT / "plan_templates"))
    golden = GOLDEN / f"{profile.stem}.json"
    if os.environ.get("PLANSYNC_UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_every_shipped_template_has_a_golden_plan() -> None:
    import yaml

    covered = {yaml.safe_load(p.read_text())["plan"]["template"] for p in EXAMPLES}
    assert covered == {p.stem for p in (ROOT / "plan_templates").glob("*.yaml")}


def test_same_input_gives_byte_identical_output() -> None:
    profile = ROOT / "examples" / "jane-doe.yaml"
    assert to_json(compile_file(profile)) == to_json(compile_file(profile))

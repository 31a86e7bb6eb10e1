"""JSON Schemas for editors: up to date, and the shipped files pass them."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
import yaml

from plansync.inputs.schemas import schema_json

from .conftest import ROOT, Cli

SCHEMAS = ROOT / "schemas"


@pytest.mark.parametrize("kind", ["template", "profile"])
def test_committed_schema_is_what_the_command_prints(kind: str, cli: Cli) -> None:
    code, output = cli(["schema", kind])
    assert code == 0
    assert output == schema_json(kind)
    assert (SCHEMAS / f"{kind}.schema.json").read_text(encoding="utf-8") == output, (
        "regenerate with: plansync schema " + kind + " > schemas/" + kind + ".schema.json"
    )


@pytest.mark.parametrize(("kind", "folder"), [("template", "plan_templates"), ("profile", "examples")])
def test_shipped_files_pass_the_schema_and_point_at_it(kind: str, folder: str) -> None:
    schema = json.loads((SCHEMAS / f"{kind}.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for path in sorted((ROOT / folder).glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        assert f"# yaml-language-server: $schema=../schemas/{kind}.schema.json" in text
        data = yaml.load(text, Loader=yaml.BaseLoader)  # strings only, as an editor would see them
        errors = [e.message for e in validator.iter_errors(_typed(data))]
        assert errors == [], (path.name, errors)


def test_the_schema_catches_a_misspelt_key() -> None:
    schema = json.loads((SCHEMAS / "profile.schema.json").read_text(encoding="utf-8"))
    data: Any = _typed(yaml.load((ROOT / "examples" / "jane-doe.yaml").read_text(), Loader=yaml.BaseLoader))
    data["availability"]["long_rn_day"] = data["availability"].pop("long_run_day")
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(data))


def _typed(value: object) -> object:
    """YAML 1.2 core typing of BaseLoader strings (what plansync's own loader does)."""
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    assert isinstance(value, str)
    if value in ("true", "false"):
        return value == "true"
    try:
        return int(value)
    except ValueError:
        pass
    try:
        return float(value)
    except ValueError:
        return value

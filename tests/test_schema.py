"""JSON Schemas for editors and scripts: up to date, the shipped files pass them, and every
``--format json`` output passes its own."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
import yaml

from plansync.inputs.schemas import KINDS, OUTPUTS, schema_json

from .conftest import EXAMPLE, ROOT, Cli

SCHEMAS = ROOT / "schemas"


@pytest.mark.parametrize("kind", KINDS)
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


def test_the_command_line_names_every_schema() -> None:
    from plansync.cli.plans import SCHEMA_KINDS

    assert SCHEMA_KINDS == KINDS


def _check(kind: str, text: str) -> None:
    schema = json.loads((SCHEMAS / f"{kind}.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in jsonschema.Draft202012Validator(
            schema, format_checker=jsonschema.FormatChecker()
        ).iter_errors(json.loads(text))
    ]
    assert errors == [], (kind, errors[:5])


def test_every_json_output_passes_its_schema(tmp_path: Any, cli: Cli) -> None:
    """Each command's --format json, run on a workspace with a check-in, an activity export and
    a publish behind it, is valid against the schema the docs publish."""
    assert cli(["init", "ws"], tmp_path)[0] == 0
    ws = tmp_path / "ws"
    (ws / "athletes" / "jane-doe.yaml").write_text(EXAMPLE.read_text())
    runs = tmp_path / "runs.csv"
    runs.write_text(
        "date,type,distance,duration,rpe,avg_hr,race\n"
        "2027-01-25,run,5.5,33:00,3,,\n2027-01-27,run,6,36:00,,140,\n2027-01-31,run,10,45:00,,,yes\n"
    )
    done = {k: False for k in OUTPUTS}
    for kind, args in [
        ("plan", ["compile", "jane-doe"]),
        ("status", ["status"]),
        ("validate", ["validate", "--targets", "fit,trainingpeaks"]),
        ("publish", ["publish", "jane-doe", "--to", "ics", "--dry-run"]),
        ("publish", ["publish", "--all"]),
        ("compliance", ["compliance", "jane-doe", "--from", str(runs)]),
        ("adapt", ["adapt", "jane-doe", "--from", str(runs), "--dry-run"]),
        ("checkins", ["checkin", "jane-doe", "--pain", "6", "--where", "heel", "--when", "after"]),
        ("checkins", ["checkin", "jane-doe", "--list"]),
        ("config", ["config"]),
    ]:
        code, out = cli([*args, "--format", "json"], ws, today="2027-02-02")
        assert code in (0, 1), (args, out)
        _check(kind, out[out.index("[") if out.lstrip().startswith("[") else out.index("{") :])
        done[kind] = True
    assert all(done.values()), done

"""JSON Schemas: of the two file formats (template, profile; made from their models), for
YAML editors and other tools, and of every ``--format json`` output (plan, status, validate,
publish, adapt, compliance, checkins, config; shipped as files in ``plansync/schemas``)."""

from __future__ import annotations

import json
from typing import Any

from plansync.core.profile import Profile
from plansync.core.template import Template

SCHEMA_ID = "https://plansync.dev/schemas/{kind}.schema.json"


INPUTS = ("template", "profile")
OUTPUTS = ("plan", "status", "validate", "publish", "adapt", "compliance", "checkins", "config")
KINDS = INPUTS + OUTPUTS


def schema(kind: str) -> dict[str, Any]:
    if kind in OUTPUTS:
        from importlib.resources import files

        data: dict[str, Any] = json.loads(
            (files("plansync") / "schemas" / f"{kind}.schema.json").read_text("utf-8")
        )
        return data
    model = Template if kind == "template" else Profile
    out: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID.format(kind=kind),
        **model.model_json_schema(mode="validation"),
    }
    out["title"] = "plansync plan template" if kind == "template" else "plansync athlete profile"
    return out


def schema_json(kind: str) -> str:
    return json.dumps(schema(kind), indent=2, ensure_ascii=False) + "\n"

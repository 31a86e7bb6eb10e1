"""The intervals.icu OpenAPI description, patched so a validator can use it.

The published spec (tests/contracts/intervals-icu-openapi.json, MIT) refuses
every request until four things are fixed; this script applies them at test
time, and one strictness of its own:

1. ``security`` asks for Basic *and* Bearer in one requirement: make them alternatives;
2. ``upsertOnUid`` and ``updatePlanApplied`` on ``POST /events/bulk`` are marked
   required, though real clients omit them: make them optional;
3. responses declared ``*/*``: declare them ``application/json``;
4. the plain list path ``GET /api/v1/athlete/{id}/events`` only exists as
   ``/events{format}``: add it;
5. ``EventEx`` gets ``additionalProperties: false``, so a misspelt field fails;
6. the plain wellness listing ``GET /api/v1/athlete/{id}/wellness`` (as the reference
   names it) only exists as ``/wellness{ext}``: add it beside the path's PUT and POST.

Run as a script to write the patched copy (for Prism): ``python tests/icu_spec.py OUT.json``.
"""

from __future__ import annotations

import copy
import json
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

SPEC = Path(__file__).parent / "contracts" / "intervals-icu-openapi.json"
LIST_PATH = "/api/v1/athlete/{id}/events"


@lru_cache(maxsize=1)
def _patched() -> str:
    spec: dict[str, Any] = json.loads(SPEC.read_text(encoding="utf-8"))
    spec["security"] = [{"APIKey": []}, {"AccessToken": []}]
    bulk = spec["paths"]["/api/v1/athlete/{id}/events/bulk"]["post"]
    for parameter in bulk["parameters"]:
        if parameter["name"] in ("upsertOnUid", "updatePlanApplied"):
            parameter["required"] = False
    for item in spec["paths"].values():
        for operation in item.values():
            for response in operation.get("responses", {}).values():
                content = response.get("content")
                if content and "*/*" in content:
                    response["content"] = {"application/json": content.pop("*/*")}
    listing = copy.deepcopy(spec["paths"]["/api/v1/athlete/{id}/events{format}"])
    listing["get"]["parameters"] = [p for p in listing["get"]["parameters"] if p["name"] != "format"]
    listing["get"]["operationId"] = "listEventsPlain"
    spec["paths"][LIST_PATH] = listing
    wellness = copy.deepcopy(spec["paths"]["/api/v1/athlete/{id}/wellness{ext}"]["get"])
    wellness["parameters"] = [p for p in wellness["parameters"] if p["name"] != "ext"]
    wellness["operationId"] = "listWellnessPlain"
    spec["paths"]["/api/v1/athlete/{id}/wellness"]["get"] = wellness
    spec["components"]["schemas"]["EventEx"]["additionalProperties"] = False
    return json.dumps(spec)


def patched() -> dict[str, Any]:
    """A fresh copy of the patched spec."""
    return json.loads(_patched())  # type: ignore[no-any-return]


if __name__ == "__main__":
    Path(sys.argv[1]).write_text(json.dumps(patched(), indent=1), encoding="utf-8")

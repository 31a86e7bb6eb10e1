"""The marker plansync writes into every item it publishes.

``[plansync:<athlete>:<uid>:<fingerprint>]`` — the athlete's profile id, the
workout's stable id and a 12-digit hash of what was sent. With it plansync
recognises its own items without a ledger (adopt, never duplicate), and
leaves everyone else's alone — another athlete's included, should two
profiles ever point at the same platform calendar.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

MARKER = re.compile(r"\[plansync:([a-z0-9][a-z0-9-]*):([a-z0-9][a-z0-9-]*):([0-9a-f]{12})\]")
TAG = "plansync"


def marker(athlete: str, uid: str, fingerprint: str) -> str:
    return f"[plansync:{athlete}:{uid}:{fingerprint}]"


def parse(text: str | None) -> tuple[str, str, str] | None:
    """(athlete, uid, fingerprint) from the last marker in a text, if any."""
    if not text:
        return None
    found = MARKER.findall(text)
    return found[-1] if found else None


def seen(title: str | None, description: str | None) -> str:
    """What a person sees of an item, as a short hash: its title and its description without
    the marker. Kept at write time, it tells a later listing whether someone edited the item."""
    text = f"{(title or '').strip()}\n{MARKER.sub('', description or '').strip()}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def tag(athlete: str, uid: str) -> str:
    return f"{TAG}:{athlete}:{uid}"


def parse_tag(value: str) -> tuple[str, str] | None:
    parts = value.split(":")
    return (parts[1], parts[2]) if len(parts) == 3 and parts[0] == TAG else None


def fingerprint(payload: Any) -> str:
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:12]

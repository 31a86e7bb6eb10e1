"""A tiny third-party adapter, as another package would ship it: one JSON file per athlete.

Declared through the ``plansync.adapters`` entry-point group; the tests
install it and publish through it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

from plansync.adapters.base import Adapter, AdapterContext, Athlete, Counters, RemoteItem
from plansync.core.plan import Workout


class JsonFileAdapter(Adapter):
    name = "jsonfile"
    description = "one JSON file per athlete (an example plugin)"

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.counters = Counters()

    @classmethod
    def from_config(cls, context: AdapterContext) -> JsonFileAdapter:
        return cls(Path(context.options.get("dir", "json-calendars")))

    def _path(self, athlete: Athlete) -> Path:
        return self.directory / f"{athlete.profile.id}.json"

    def _read(self, athlete: Athlete) -> dict[str, Any]:
        path = self._path(athlete)
        return json.loads(path.read_text()) if path.exists() else {}

    def _write(self, athlete: Athlete, data: dict[str, Any]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self._path(athlete).write_text(json.dumps(data, indent=1, sort_keys=True))

    def list(self, athlete: Athlete, start: dt.date, end: dt.date) -> list[RemoteItem]:
        self.counters.requests += 1
        return [
            RemoteItem(k, dt.date.fromisoformat(v["date"]), v["uid"], v["fp"], v["title"])
            for k, v in sorted(self._read(athlete).items())
            if start.isoformat() <= v["date"] <= end.isoformat()
        ]

    def fingerprint(self, athlete: Athlete, workout: Workout) -> str:
        blob = json.dumps([workout.date.isoformat(), workout.title, workout.description])
        return hashlib.sha256(blob.encode()).hexdigest()[:12]

    def _put(self, athlete: Athlete, key: str, workout: Workout) -> RemoteItem:
        data = self._read(athlete)
        fp = self.fingerprint(athlete, workout)
        data[key] = {"uid": workout.id, "fp": fp, "date": workout.date.isoformat(), "title": workout.title}
        self._write(athlete, data)
        self.counters.requests += 1
        return RemoteItem(key, workout.date, workout.id, fp, workout.title)

    def create(self, athlete: Athlete, workout: Workout) -> RemoteItem:
        return self._put(athlete, f"item-{workout.id}", workout)

    def update(self, athlete: Athlete, remote_id: str, workout: Workout) -> RemoteItem:
        return self._put(athlete, remote_id, workout)

    def delete(self, athlete: Athlete, remote_id: str) -> None:
        data = self._read(athlete)
        data.pop(remote_id, None)
        self._write(athlete, data)
        self.counters.requests += 1

"""A stateful fake intervals.icu on loopback, as strict as its published contract.

Every request is validated against the patched OpenAPI description
(tests/icu_spec.py) with openapi-core before it is served: a wrong type, an
unknown field, a missing required one or a wrong path is a 422 with the
validator's message, and recorded in :attr:`FakeIntervals.invalid`.

Where the spec is silent, the fake behaves as the reference describes and as
follows (written down so a test never relies on more):

- auth: HTTP Basic with user ``API_KEY`` and a key it knows, or ``Bearer`` with
  a token it knows; anything else is 401. A key belongs to one athlete (id
  ``i<n>``) and may also see the athletes it coaches; athlete ``0`` means the
  key's own. Another athlete is 403.
- ``POST /events/bulk?upsert=true``: each event needs ``category``,
  ``start_date_local`` and ``name``; with ``upsert=true`` an event whose
  ``external_id`` matches one the same key created is updated (its id kept),
  otherwise created with a new integer id; the answer lists the stored events
  in the order sent. At most MAX_BULK events a request (413 above).
- ``PUT /events/bulk-delete``: deletes this key's events by ``external_id``;
- ``DELETE /events/{eventId}``: deletes one event by its id;
  missing ones are ignored; answers ``{"eventsDeleted": n}``.
- ``GET /activities?oldest=&newest=``: the athlete's completed activities set
  with :attr:`FakeIntervals.activities`, their day in the range.
- ``GET /wellness?oldest=&newest=``: the athlete's daily wellness records set with
  :attr:`FakeIntervals.wellness` (``id`` is the day), in the range.
- ``GET /events?oldest=&newest=``: the athlete's events whose day is in the
  range, both ends included, ordered by day then id.
- faults queued with :meth:`FakeIntervals.fault` hit the next matching request:
  a status (with ``Retry-After``), or ``reset-after`` (the write is committed,
  then the connection is dropped without an answer).
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import requests
from openapi_core import OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest

from ..icu_spec import patched

MAX_BULK = 500
SPEC_HOST = "https://intervals.icu"
_API: OpenAPI | None = None


def api() -> OpenAPI:
    global _API
    if _API is None:
        _API = OpenAPI.from_dict(patched())
    return _API


@dataclass
class Fault:
    method: str
    path: str
    kind: str  # "status" or "reset-after"
    status: int = 500
    retry_after: str | None = None


@dataclass
class FakeIntervals:
    keys: dict[str, str] = field(default_factory=dict)  # key -> its athlete id
    coached: dict[str, set[str]] = field(default_factory=dict)  # key -> athletes it may see
    events: dict[int, dict[str, Any]] = field(default_factory=dict)
    log: list[tuple[str, str, int]] = field(default_factory=list)  # (method, path, status)
    invalid: list[str] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    activities: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # athlete -> completed
    wellness: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # athlete -> daily records

    def __post_init__(self) -> None:
        self.on_request: Callable[[str, str, str], None] | None = None  # (method, path, "before"|"after")
        self._ids = itertools.count(1000)
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.url = ""

    def add_key(self, key: str, athlete: str, coaches: tuple[str, ...] = ()) -> None:
        self.keys[key] = athlete
        self.coached[key] = set(coaches)

    def fault(self, method: str, path: str, kind: str, **kwargs: Any) -> None:
        self.faults.append(Fault(method, path, kind, **kwargs))

    def writes(self) -> int:
        return sum(1 for m, _, s in self.log if m in ("POST", "PUT") and s < 500)

    def count(self, method: str) -> int:
        return sum(1 for m, _, _ in self.log if m == method)

    # --- what athletes and coaches do in intervals.icu's calendar -------------------

    def move(self, ident: int, day: str) -> None:
        with self._lock:
            self.events[ident]["start_date_local"] = f"{day}T00:00:00"

    def edit(self, ident: int, description: str) -> None:
        with self._lock:
            self.events[ident]["description"] = description

    def remove(self, ident: int) -> None:
        with self._lock:
            del self.events[ident]

    def of(self, athlete: str) -> list[dict[str, Any]]:
        return sorted((e for e in self.events.values() if e["athlete_id"] == athlete), key=_order)

    # --- the server -------------------------------------------------------------

    def start(self) -> str:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _any(self) -> None:
                fake._serve(self)

            do_GET = do_POST = do_PUT = do_DELETE = _any

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        return self.url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def _serve(self, h: BaseHTTPRequestHandler) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length) if length else b""
        url = urlparse(h.path)
        method = h.command
        if self.on_request is not None:
            self.on_request(method, url.path, "before")  # may raise: the request is dropped unprocessed
        status, body, after = self._answer(h, method, url.path, url.query, raw)
        if self.on_request is not None:
            self.on_request(method, url.path, "after")  # committed; the answer may never be sent
        self.log.append((method, url.path, status))
        if after == "reset":
            with contextlib.suppress(OSError):
                h.connection.shutdown(socket.SHUT_RDWR)
            return
        data = json.dumps(body).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        if after and after.startswith("retry:"):
            h.send_header("Retry-After", after[6:])
        h.end_headers()
        h.wfile.write(data)

    def _answer(
        self, h: BaseHTTPRequestHandler, method: str, path: str, query: str, raw: bytes
    ) -> tuple[int, Any, str | None]:
        fault = next((f for f in self.faults if f.method == method and f.path in path), None)
        if fault is not None and fault.kind == "status":
            self.faults.remove(fault)
            return (
                fault.status,
                {"error": "fault"},
                f"retry:{fault.retry_after}" if fault.retry_after else None,
            )
        problem = self._validate(method, path, query, raw, dict(h.headers))
        if problem is not None:
            self.invalid.append(problem)
            return 422, {"error": problem}, None
        key = self._key(h.headers.get("Authorization", ""))
        if key is None:
            return 401, {"error": "unauthorized"}, None
        parts = path.split("/")  # ['', 'api', 'v1', 'athlete', '{id}', 'events', ...]
        athlete = self.keys[key] if parts[4] == "0" else parts[4]
        if athlete != self.keys[key] and athlete not in self.coached[key]:
            return 403, {"error": "forbidden"}, None
        params = {k: v[0] for k, v in parse_qs(query).items()}
        body: Any = json.loads(raw) if raw else []
        with self._lock:
            if method == "GET" and path.endswith("/activities"):
                oldest, newest = params.get("oldest", ""), params.get("newest", "")
                done = self.activities.get(athlete, [])
                return 200, [a for a in done if oldest <= a["start_date_local"][:10] <= newest], None
            if method == "GET" and path.endswith("/wellness"):
                oldest, newest = params.get("oldest", ""), params.get("newest", "")
                days = self.wellness.get(athlete, [])
                return 200, [w for w in days if oldest <= w["id"] <= newest], None
            if method == "GET" and path.endswith("/events"):
                oldest, newest = params.get("oldest", ""), params.get("newest", "")
                found = [e for e in self.of(athlete) if oldest <= e["start_date_local"][:10] <= newest]
                return 200, found, None
            if method == "POST" and path.endswith("/events/bulk"):
                if len(body) > MAX_BULK:
                    return 413, {"error": f"at most {MAX_BULK} events"}, None
                stored = [self._upsert(key, athlete, e, params.get("upsert") == "true") for e in body]
                after = None
                if fault is not None and fault.kind == "reset-after":
                    self.faults.remove(fault)
                    after = "reset"
                return 200, stored, after
            if method == "PUT" and path.endswith("/events/bulk-delete"):
                doomed = {d.get("external_id") for d in body}
                gone = [
                    i
                    for i, e in self.events.items()
                    if e["athlete_id"] == athlete
                    and e["created_by"] == key
                    and e.get("external_id") in doomed
                ]
                for i in gone:
                    del self.events[i]
                return 200, {"eventsDeleted": len(gone)}, None
            if method == "DELETE" and parts[5] == "events" and len(parts) == 7 and parts[6].isdigit():
                event = self.events.get(int(parts[6]))
                if event is None or event["athlete_id"] != athlete:
                    return 404, {"error": "event not found"}, None
                del self.events[int(parts[6])]
                return 200, None, None
        return 404, {"error": "not found"}, None

    def _upsert(self, key: str, athlete: str, event: dict[str, Any], upsert: bool) -> dict[str, Any]:
        for field_name in ("category", "start_date_local", "name"):
            if field_name not in event:
                raise AssertionError(f"event without {field_name}")
        if upsert and event.get("external_id"):
            for stored in self.events.values():
                if (stored["athlete_id"], stored["created_by"], stored.get("external_id")) == (
                    athlete,
                    key,
                    event["external_id"],
                ):
                    stored.update(event)
                    return dict(stored)
        new = {**event, "id": next(self._ids), "athlete_id": athlete, "created_by": key}
        self.events[new["id"]] = new
        return dict(new)

    def _key(self, header: str) -> str | None:
        if header.startswith("Basic "):
            user, _, key = base64.b64decode(header[6:]).decode().partition(":")
            return key if user == "API_KEY" and key in self.keys else None
        if header.startswith("Bearer "):
            token = header[7:]
            return token if token in self.keys else None
        return None

    @staticmethod
    def _validate(method: str, path: str, query: str, raw: bytes, headers: dict[str, str]) -> str | None:
        request = requests.Request(
            method,
            f"{SPEC_HOST}{path}" + (f"?{query}" if query else ""),
            data=raw or None,
            headers={k: v for k, v in headers.items() if k.lower() in ("content-type", "authorization")},
        ).prepare()
        try:
            api().validate_request(RequestsOpenAPIRequest(request))
        except Exception as exc:  # openapi-core's validation errors: say what was wrong
            cause = exc.__cause__
            return f"{method} {path}: {exc}" + (f" ({cause})" if cause else "")
        return None


def _order(event: dict[str, Any]) -> tuple[str, int]:
    return (str(event["start_date_local"]), int(event["id"]))

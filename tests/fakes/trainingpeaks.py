"""A fake TrainingPeaks Partner API on loopback that follows and enforces the reference contract.

Used by the integration tests and the benchmarks. It enforces: form-encoded
token requests with HTTP Basic client authentication, rotating refresh
tokens (each refresh token works once), Bearer access tokens that expire,
full-replace PUT (a missing field becomes null), the date window (7 days
back, a year ahead), and a Structure that is a JSON string whose steps carry
an IntensityClass and a Value at the midpoint of MinValue and MaxValue.

And what the reference's "Listing, Basic athletes and structure limits"
documents: listings never carry Structure, and carry Description only with
``?includeDescription=true``; a listing longer than 90 days is refused (400);
a Basic athlete's Tags are null on read and ignored on write; RPE values are
integers; a Repetition holds Steps only (one level); every Length.Value is a
positive integer; an x-train step never targets threshold speed. A coach app
(the default, ``coach_app=True``) may plan future workouts for a Basic
athlete; an athlete-only app gets 403 for them.

Faults are queued with :meth:`FakeTrainingPeaks.fault` and hit the next
matching request: a status with a JSON, HTML or malformed body, a reset
before or after the write is committed, a slow answer past the client's
timeout, or expiring every access token (a 401 in the middle of a run).
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import itertools
import json
import re
import secrets
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

FIELDS = (
    "AthleteId",
    "WorkoutDay",
    "WorkoutType",
    "Title",
    "Description",
    "StartTimePlanned",
    "TotalTimePlanned",
    "DistancePlanned",
    "TSSPlanned",
    "IFPlanned",
    "Tags",
    "Structure",
    "StructureDisplayUnit",
)
MAX_LIST_DAYS = 90
TYPES = {"swim", "bike", "run", "x-train", "mtb", "strength", "xc-ski", "rowing", "walk", "other"}


@dataclass
class Fault:
    method: str
    path: str  # a regular expression matched against the path
    kind: str  # status | reset_before | reset_after | slow | expire_tokens
    status: int = 500
    body: str = '{"Message": "internal error"}'
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1


@dataclass
class Athlete:
    id: int
    premium: bool = True
    timezone: str = "UTC"


class FakeTrainingPeaks:
    def __init__(
        self,
        *,
        today: dt.date,
        client_id: str = "test-client",
        client_secret: str = "test-secret",
        access_ttl: float = 3600,
        latency: float = 0.0,
        rate_limit: float | None = None,
        slow_hold: float = 5.0,
        coach_app: bool = True,
    ) -> None:
        self.today = today
        self.coach_app = coach_app
        self.client_id, self.client_secret = client_id, client_secret
        self.access_ttl = access_ttl
        self.latency = latency
        self.rate_limit = rate_limit
        self.slow_hold = slow_hold
        self.athletes: dict[int, Athlete] = {}
        self.workouts: dict[int, dict[str, Any]] = {}
        self.refresh_tokens: set[str] = set()
        self.access_tokens: dict[str, float] = {}
        self.codes: dict[str, str] = {}
        self.faults: list[Fault] = []
        self.log: list[tuple[str, str, int]] = []  # (method, path, status) of every answered request
        self.on_request: Callable[[str, str], None] | None = None
        self._ids = itertools.count(1_000_001)
        self._lock = threading.RLock()
        self._release = threading.Event()
        self._recent: list[float] = []
        self._server: ThreadingHTTPServer | None = None

    # --- set-up ----------------------------------------------------------------

    def add_athlete(self, athlete_id: int, *, premium: bool = True, timezone: str = "UTC") -> None:
        self.athletes[athlete_id] = Athlete(athlete_id, premium, timezone)

    # --- what athletes and coaches do in TrainingPeaks' calendar --------------------

    def move(self, ident: int, day: str) -> None:
        """Dragged to another day."""
        with self._lock:
            self.workouts[ident]["WorkoutDay"] = f"{day}T00:00:00"

    def edit(self, ident: int, description: str) -> None:
        """The coach rewrites the description (the marker line, if kept, stays at its end)."""
        with self._lock:
            self.workouts[ident]["Description"] = description

    def remove(self, ident: int) -> None:
        """Deleted in the calendar."""
        with self._lock:
            del self.workouts[ident]

    def complete(self, ident: int, hours: float, metres: float) -> None:
        """The athlete did a planned workout: its actual time (hours) and distance (metres)."""
        with self._lock:
            self.workouts[ident] |= {"TotalTime": hours, "Distance": metres}

    def log_workout(self, athlete_id: int, day: str, kind: str, hours: float, metres: float) -> int:
        """A workout the athlete's watch uploaded, never planned: completed, with actual values."""
        with self._lock:
            ident = next(self._ids)
            self.workouts[ident] = {k: None for k in FIELDS} | {
                "Id": ident,
                "AthleteId": athlete_id,
                "WorkoutDay": f"{day}T00:00:00",
                "WorkoutType": kind,
                "Title": f"{kind} (uploaded)",
                "TotalTime": hours,
                "Distance": metres,
            }
            return ident

    def issue_refresh_token(self) -> str:
        token = "rt-" + secrets.token_urlsafe(16)
        self.refresh_tokens.add(token)
        return token

    def fault(self, method: str, path: str, kind: str, **kwargs: Any) -> None:
        self.faults.append(Fault(method, path, kind, **kwargs))

    def start(self) -> str:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                # Headers and body go out in separate writes: without this, Nagle's algorithm
                # and delayed ACKs add 40 ms to every answer on loopback.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                fake._handle(self, "GET")

            def do_POST(self) -> None:
                fake._handle(self, "POST")

            def do_PUT(self) -> None:
                fake._handle(self, "PUT")

            def do_DELETE(self) -> None:
                fake._handle(self, "DELETE")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self.url

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        self._release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    # --- what tests look at ----------------------------------------------------------

    def planned(self, athlete_id: int) -> list[dict[str, Any]]:
        with self._lock:
            return sorted(
                (w for w in self.workouts.values() if w["AthleteId"] == athlete_id),
                key=lambda w: (w["WorkoutDay"], w["Id"]),
            )

    def writes(self) -> int:
        return sum(
            1 for m, p, s in self.log if m in ("POST", "PUT", "DELETE") and p.startswith("/v2/") and s < 300
        )

    def count(self, method: str, prefix: str = "/v2/") -> int:
        return sum(1 for m, p, _ in self.log if m == method and p.startswith(prefix))

    # --- the server --------------------------------------------------------------------

    def _handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length) if length else b""
        path = urlparse(h.path).path
        if self.on_request is not None:
            self.on_request(method, path)
        if self.latency:
            time.sleep(self.latency)
        fault = self._take_fault(method, path)
        if fault is not None and fault.kind == "expire_tokens":
            with self._lock:
                self.access_tokens.clear()
            fault = None
        if fault is not None and fault.kind == "reset_before":
            self._reset(h)
            return
        if fault is not None and fault.kind == "status":
            self._send(h, method, path, fault.status, fault.body.encode(), fault.content_type, fault.headers)
            return
        if self.rate_limit and path.startswith("/v2/") and self._over_rate():
            self._send(h, method, path, 429, b'{"Message": "slow down"}', headers={"Retry-After": "1"})
            return
        status, body, headers = self._route(h, method, path, raw)
        if fault is not None and fault.kind == "reset_after":
            self._reset(h)  # the write is committed; the answer is lost
            return
        if fault is not None and fault.kind == "slow":
            self._release.wait(self.slow_hold)  # committed; answers long after the client gave up
        data = json.dumps(body).encode() if body is not None else b""
        self._send(h, method, path, status, data, headers=headers)

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for f in self.faults:
                if f.method == method and re.fullmatch(f.path, path):
                    f.times -= 1
                    if f.times <= 0:
                        self.faults.remove(f)
                    return f
        return None

    def _over_rate(self) -> bool:
        assert self.rate_limit is not None
        with self._lock:
            now = time.monotonic()
            self._recent = [t for t in self._recent if now - t < 1.0]
            if len(self._recent) >= self.rate_limit:
                return True
            self._recent.append(now)
            return False

    def _reset(self, h: BaseHTTPRequestHandler) -> None:
        h.close_connection = True
        with contextlib.suppress(OSError):
            h.connection.shutdown(2)

    def _send(
        self,
        h: BaseHTTPRequestHandler,
        method: str,
        path: str,
        status: int,
        data: bytes,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
    ) -> None:
        with self._lock:
            self.log.append((method, path, status))
        h.send_response(status)
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        if data:
            h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        if data:
            h.wfile.write(data)

    def _route(
        self, h: BaseHTTPRequestHandler, method: str, path: str, raw: bytes
    ) -> tuple[int, Any, dict[str, str]]:
        if path == "/OAuth/Authorize" and method == "GET":
            return self._authorize(h)
        if path == "/oauth/token" and method == "POST":
            return self._token(h, raw)
        if not self._authorized(h):
            return 401, {"Message": "Authorization has been denied for this request."}, {}
        with self._lock:
            if path == "/v2/workouts/plan" and method == "POST":
                return self._create(raw)
            m = re.fullmatch(r"/v2/workouts/plan/(\d+)", path)
            if m and method == "PUT":
                return self._update(int(m.group(1)), raw)
            if m and method == "DELETE":
                return self._delete(int(m.group(1)))
            m = re.fullmatch(r"/v2/workouts/(\d+)/(\d{4}-\d{2}-\d{2})/(\d{4}-\d{2}-\d{2})", path)
            if m and method == "GET":
                query = {k.lower(): v[0] for k, v in parse_qs(urlparse(h.path).query).items()}
                with_description = query.get("includedescription", "").lower() == "true"
                return self._list(int(m.group(1)), m.group(2), m.group(3), with_description)
            if path == "/v1/coach/athletes" and method == "GET":
                return (
                    200,
                    [
                        {
                            "Id": a.id,
                            "TimeZone": a.timezone,
                            "IsPremium": a.premium,
                            "PreferredUnits": "Metric",
                        }
                        for a in self.athletes.values()
                    ],
                    {},
                )
        return 404, {"Message": "No HTTP resource was found"}, {}

    # OAuth

    def _authorize(self, h: BaseHTTPRequestHandler) -> tuple[int, Any, dict[str, str]]:
        q = {k: v[0] for k, v in parse_qs(urlparse(h.path).query).items()}
        if (
            q.get("client_id") != self.client_id
            or q.get("response_type") != "code"
            or "redirect_uri" not in q
        ):
            return 400, {"error": "invalid_request"}, {}
        code = "code-" + secrets.token_urlsafe(8)
        self.codes[code] = q["redirect_uri"]
        location = q["redirect_uri"] + "?" + urlencode({"code": code, "state": q.get("state", "")})
        return 302, None, {"Location": location}

    def _token(self, h: BaseHTTPRequestHandler, raw: bytes) -> tuple[int, Any, dict[str, str]]:
        if not (h.headers.get("Content-Type") or "").startswith("application/x-www-form-urlencoded"):
            return 400, {"error": "invalid_request", "error_description": "form-encoded body required"}, {}
        expected = "Basic " + base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if h.headers.get("Authorization") != expected:
            return 401, {"error": "invalid_client"}, {}
        form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        with self._lock:
            if form.get("grant_type") == "refresh_token":
                if form.get("refresh_token") not in self.refresh_tokens:
                    return 400, {"error": "invalid_grant"}, {}
                self.refresh_tokens.discard(form["refresh_token"])  # refresh tokens rotate
            elif form.get("grant_type") == "authorization_code":
                if self.codes.pop(form.get("code", ""), None) != form.get("redirect_uri"):
                    return 400, {"error": "invalid_grant"}, {}
            else:
                return 400, {"error": "unsupported_grant_type"}, {}
            access = "at-" + secrets.token_urlsafe(16)
            self.access_tokens[access] = time.time() + self.access_ttl
            refresh = self.issue_refresh_token()
        return (
            200,
            {
                "access_token": access,
                "refresh_token": refresh,
                "expires_in": int(self.access_ttl),
                "token_type": "bearer",
                "scope": "workouts:plan workouts:read",
            },
            {},
        )

    def _authorized(self, h: BaseHTTPRequestHandler) -> bool:
        header = h.headers.get("Authorization") or ""
        token = header.removeprefix("Bearer ")
        with self._lock:
            return header.startswith("Bearer ") and self.access_tokens.get(token, 0) > time.time()

    # Workouts

    def _check(self, body: Any) -> tuple[int, Any] | None:
        if not isinstance(body, dict):
            return 400, ["The request is invalid."]
        for key in ("AthleteId", "WorkoutDay", "WorkoutType"):
            if body.get(key) in (None, ""):
                return 400, [f"{key} is required."]
        if body["WorkoutType"] not in TYPES:
            return 400, [f"WorkoutType {body['WorkoutType']} is not valid."]
        athlete = self.athletes.get(int(body["AthleteId"]))
        if athlete is None:
            return 404, {"Message": "Athlete not found"}
        try:
            day = dt.date.fromisoformat(str(body["WorkoutDay"])[:10])
        except ValueError:
            return 400, ["WorkoutDay is not a date."]
        if day < self.today - dt.timedelta(days=7) or day > self.today + dt.timedelta(days=365):
            return 400, {"Message": "WorkoutDay is outside the allowed range"}
        if day > self.today and not athlete.premium and not self.coach_app:
            return 403, {"Message": "Basic athletes cannot have future workouts planned"}
        start = body.get("StartTimePlanned")
        if start is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?", str(start)):
            return 400, {"Message": "StartTimePlanned is a local date and time, without a time zone"}
        structure = body.get("Structure")
        if structure is not None:
            if not isinstance(structure, str):
                return 400, {"Message": "Structure must be a string"}
            problem = _structure_problem(json.loads(structure), body["WorkoutType"])
            if problem:
                return 400, {"Message": problem}
        return None

    def _stored(self, body: dict[str, Any], ident: int) -> dict[str, Any]:
        workout = {k: body.get(k) for k in FIELDS}  # full replace: what is missing becomes null
        if not self.athletes[int(body["AthleteId"])].premium:
            workout["Tags"] = None  # a Basic athlete's tags are ignored on write
        workout["Id"] = ident
        return workout

    def _create(self, raw: bytes) -> tuple[int, Any, dict[str, str]]:
        body = json.loads(raw or b"null")
        bad = self._check(body)
        if bad:
            return bad[0], bad[1], {}
        workout = self._stored(body, next(self._ids))
        self.workouts[workout["Id"]] = workout
        return 200, workout, {}

    def _update(self, ident: int, raw: bytes) -> tuple[int, Any, dict[str, str]]:
        if ident not in self.workouts:
            return 404, {"Message": "Workout not found"}, {}
        if self.workouts[ident].get("TotalTime") or self.workouts[ident].get("Distance"):
            return (
                400,
                {"Message": "A completed workout cannot be changed"},
                {},
            )  # the reference: uncompleted only
        body = json.loads(raw or b"null")
        bad = self._check(body)
        if bad:
            return bad[0], bad[1], {}
        workout = self._stored(body, ident)
        self.workouts[ident] = workout
        return 200, workout, {}

    def _delete(self, ident: int) -> tuple[int, Any, dict[str, str]]:
        if self.workouts.pop(ident, None) is None:
            return 404, {"Message": "Workout not found"}, {}
        return 200, None, {}

    def _list(
        self, athlete: int, start: str, end: str, with_description: bool
    ) -> tuple[int, Any, dict[str, str]]:
        span = (dt.date.fromisoformat(end) - dt.date.fromisoformat(start)).days
        if span >= MAX_LIST_DAYS:
            return 400, {"Message": f"The date range cannot be more than {MAX_LIST_DAYS} days"}, {}
        hidden = {"Structure"} | (set() if with_description else {"Description"})
        found = [
            {k: v for k, v in w.items() if k not in hidden}
            for w in self.workouts.values()
            if w["AthleteId"] == athlete and start <= str(w["WorkoutDay"])[:10] <= end
        ]
        return 200, sorted(found, key=lambda w: (w["WorkoutDay"], w["Id"])), {}


def _units(steps: list[Any]) -> set[str]:
    out: set[str] = set()
    for step in steps:
        if isinstance(step, dict):
            out |= _units(step.get("Steps") or [])
            unit = (step.get("IntensityTarget") or {}).get("Unit")
            if unit:
                out.add(unit)
    return out


def _structure_problem(steps: Any, workout_type: str, depth: int = 0) -> str | None:
    if not isinstance(steps, list) or not steps:
        return "Structure must be a non-empty list of steps"
    # The reference knows a structure as RPE-based or not (planned time and TSS are computed
    # from a structure that is not): one that mixes Rpe with percentages is refused here.
    if depth == 0 and "Rpe" in _units(steps) and len(_units(steps)) > 1:
        return "a structure is RPE-based or not: Rpe steps cannot mix with percentage steps"
    for step in steps:
        if step.get("Type") == "Repetition":
            if depth:
                return "a Repetition may hold Steps only (one level of repetition)"
            length = step.get("Length", {})
            if length.get("Unit") != "Repetition" or not _positive_int(length.get("Value")):
                return "a repetition needs a Repetition length of a positive whole number"
            inner = _structure_problem(step.get("Steps"), workout_type, depth + 1)
            if inner:
                return inner
            continue
        if step.get("Type") != "Step" or step.get("IntensityClass") not in (
            "WarmUp",
            "Active",
            "Rest",
            "CoolDown",
        ):
            return "every step needs Type Step and an IntensityClass"
        length = step.get("Length", {})
        if length.get("Unit") not in ("Second", "Meter") or not _positive_int(length.get("Value")):
            return "a step length is a positive whole number of seconds or metres"
        target = step.get("IntensityTarget", {})
        if target.get("Unit") == "Rpe" and not all(
            isinstance(target[k], int) and not isinstance(target[k], bool)
            for k in ("Value", "MinValue", "MaxValue")
            if k in target
        ):
            return "RPE values must be whole numbers"
        if workout_type == "x-train" and target.get("Unit") == "PercentOfThresholdSpeed":
            return "cross-training has no running threshold speed"
        both = "MinValue" in target and "MaxValue" in target
        if both and abs(target["Value"] - (target["MinValue"] + target["MaxValue"]) / 2) > 0.01:
            return "Value must be the midpoint of MinValue and MaxValue"
    return None


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0

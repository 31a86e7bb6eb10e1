"""The TrainingPeaks wire: hosts, OAuth with rotating refresh tokens, retries, errors.

Every host and path is here, once. Status codes are mapped to exceptions in
exactly one place (:meth:`Transport.request`); no ``httpx`` error reaches a
user. Retries are narrow and bounded: network errors before sending, 429
(honouring ``Retry-After``) and 5xx for requests that are safe to repeat.
A create (POST) whose outcome is unknown — a timeout or reset after it was
sent, or a 5xx — raises :class:`OutcomeUnknown` instead of being repeated.
Tokens and the client secret never appear in messages, logs or exceptions.
"""

from __future__ import annotations

import json
import logging
import math
import os
import random
import re
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import filelock
import httpx
import tenacity

from plansync._version import __version__
from plansync.adapters.base import AdapterError, Counters, OutcomeUnknown, RemoteRejected
from plansync.adapters.http import RateLimiter, retry_after
from plansync.atomic import write_atomic
from plansync.redact import redact, remember

PRODUCTION = ("https://api.trainingpeaks.com", "https://oauth.trainingpeaks.com")
SANDBOX = ("https://api.sandbox.trainingpeaks.com", "https://oauth.sandbox.trainingpeaks.com")
AUTHORIZE_PATH = "/OAuth/Authorize"
TOKEN_PATH = "/oauth/token"
CREATE_PATH = "/v2/workouts/plan"
WORKOUT_PATH = "/v2/workouts/plan/{id}"  # PUT (full replace) and DELETE
LIST_PATH = "/v2/workouts/{athlete}/{start}/{end}?includeDescription=true"  # the marker lives there
LIST_DAYS = 90  # the API refuses longer listings: a window is listed in ranges of at most this many days
ATHLETES_PATH = "/v1/coach/athletes"
log = logging.getLogger("plansync.trainingpeaks")
SCOPES = "workouts:plan workouts:read athlete:profile coach:athletes"
USER_AGENT = f"plansync/{__version__}"
TOKEN_FILE = "trainingpeaks-token.json"

MAX_ATTEMPTS = 6
MAX_RETRY_SECONDS = 120.0
MAX_SINGLE_WAIT = 60.0
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REJECT_STATUSES = frozenset({400, 403, 404, 409, 422})

Sleep = Callable[[float], None]
Clock = Callable[[], float]


class AuthError(AdapterError):
    """TrainingPeaks refused our credentials: the coach must authorize again."""


class Unavailable(AdapterError):
    """TrainingPeaks kept failing after every retry."""


@dataclass(frozen=True)
class Hosts:
    api: str
    oauth: str


def hosts(sandbox: bool = False) -> Hosts:
    api, oauth = SANDBOX if sandbox else PRODUCTION
    return Hosts(_url("PLANSYNC_TP_API_URL", api), _url("PLANSYNC_TP_OAUTH_URL", oauth))


def _url(variable: str, default: str) -> str:
    value = os.environ.get(variable) or default
    parsed = urllib.parse.urlsplit(value)
    if parsed.scheme not in ("https", "http") or not parsed.hostname:
        raise AdapterError(f"{variable}={value!r}: expected an https:// URL")
    return value.rstrip("/")


def timeout_seconds() -> float:
    raw = os.environ.get("PLANSYNC_HTTP_TIMEOUT", "30")
    try:
        value = float(raw)
    except ValueError:
        raise AdapterError(f"PLANSYNC_HTTP_TIMEOUT={raw!r} is not a number of seconds") from None
    if not 0 < value <= 600:  # also refuses nan and inf
        raise AdapterError(f"PLANSYNC_HTTP_TIMEOUT={raw!r}: expected seconds above 0 and at most 600")
    return value


def _private_file(path: Path) -> None:
    """A token file others can read is tightened to 0600, with a warning."""
    try:
        mode = path.stat().st_mode & 0o777
    except OSError:
        return
    if mode & 0o077:
        try:
            os.chmod(path, 0o600)
        except OSError:
            return
        log.warning("%s was readable by others (mode %o); tightened to 600", path, mode)


def _expires_at(data: dict[str, Any]) -> float:
    try:
        value = float(data.get("expires_at", 0))
    except (TypeError, ValueError):
        return 0.0  # unreadable: treat the access token as expired and refresh it
    return value if math.isfinite(value) else 0.0


class TokenStore:
    """The refresh token (and the current access token) in a 0600 file in the state directory."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> dict[str, Any]:
        _private_file(self.path)
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            seed = os.environ.get("PLANSYNC_TP_REFRESH_TOKEN")
            remember(seed)
            return {"refresh_token": seed} if seed else {}
        except (OSError, ValueError):
            raise AdapterError(
                f"{self.path} is unreadable: run `plansync auth trainingpeaks` again"
            ) from None
        if not isinstance(data, dict):
            return {}
        remember(data.get("access_token"), data.get("refresh_token"))
        return data

    def save(self, data: dict[str, Any]) -> None:
        remember(data.get("access_token"), data.get("refresh_token"))
        write_atomic(self.path, json.dumps(data, sort_keys=True).encode(), mode=0o600)


def error_text(response: httpx.Response) -> str:
    """A short, readable reason from any error body: JSON object or list, HTML, or text,
    with any secret a server echoed back taken out."""
    return redact(_error_text(response))


def _error_text(response: httpx.Response) -> str:
    body = response.text.strip()
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if isinstance(data, dict):
        for key in ("Message", "message", "error_description", "error", "detail", "title"):
            if isinstance(data.get(key), str):
                return str(data[key])[:200]
    if isinstance(data, list) and data:
        return "; ".join(str(x.get("Message", x) if isinstance(x, dict) else x) for x in data)[:200]
    text = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S | re.I)
    text = " ".join(re.sub(r"<[^>]+>", " ", text).split())
    return text[:200] or response.reason_phrase


class OAuth:
    """Access tokens for the API, refreshed from a rotating refresh token."""

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        endpoints: Hosts,
        http: httpx.Client,
        store: TokenStore,
        clock: Clock = time.time,
    ) -> None:
        self._client_id = client_id
        self._secret = client_secret
        remember(client_secret)
        self._hosts = endpoints
        self.http = http
        self._store = store
        self._clock = clock
        self._lock = threading.Lock()
        self.requests = 0

    def authorize_url(self, redirect_uri: str, state: str) -> str:
        query = httpx.QueryParams(
            {
                "response_type": "code",
                "client_id": self._client_id,
                "redirect_uri": redirect_uri,
                "scope": SCOPES,
                "state": state,
            }
        )
        return f"{self._hosts.oauth}{AUTHORIZE_PATH}?{query}"

    def exchange_code(self, code: str, redirect_uri: str) -> None:
        self._token_request({"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri})

    def access_token(self, *, force: bool = False, stale: str | None = None) -> str:
        """A valid access token, refreshed when needed. Refreshing holds a lock beside the token
        file, so two plansync processes never spend the same rotating refresh token."""
        with self._lock, filelock.FileLock(f"{self._store.path}.lock", timeout=60):
            data = self._store.load()
            token = data.get("access_token")
            fresh = isinstance(token, str) and _expires_at(data) > self._clock() + 30
            if fresh and not force:
                return str(token)
            if force and stale is not None and token != stale and fresh:
                return str(token)  # another thread refreshed it already
            refresh = data.get("refresh_token")
            if not refresh:
                raise AuthError(
                    "no TrainingPeaks authorization yet: run `plansync auth trainingpeaks` "
                    "(or set PLANSYNC_TP_REFRESH_TOKEN)"
                )
            return self._token_request({"grant_type": "refresh_token", "refresh_token": refresh})

    def _post_token(self, form: dict[str, str]) -> httpx.Response:
        self.requests += 1
        return self.http.post(
            f"{self._hosts.oauth}{TOKEN_PATH}",
            data=form,
            auth=(self._client_id, self._secret),
            headers={"Accept": "application/json", "User-Agent": USER_AGENT},
        )

    def _token_request(self, form: dict[str, str]) -> str:
        lost = False
        try:
            response = self._post_token(form)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise Unavailable(f"TrainingPeaks sign-in could not be reached ({type(exc).__name__})") from None
        except httpx.HTTPError as exc:
            if form.get("grant_type") != "refresh_token":
                raise Unavailable(f"TrainingPeaks sign-in did not answer ({type(exc).__name__})") from None
            # The refresh was sent but its answer lost: the server may have spent the token.
            # Servers commonly accept the same refresh token once more; try exactly once.
            lost = True
            try:
                response = self._post_token(form)
            except httpx.HTTPError as again:
                raise Unavailable(
                    f"TrainingPeaks sign-in did not answer twice ({type(again).__name__}); "
                    "run the command again later"
                ) from None
        if response.status_code != 200:
            reason = error_text(response)
            if response.status_code in (400, 401) and (
                "invalid_grant" in response.text or response.status_code == 401
            ):
                why = (
                    "the answer to a token refresh was lost and TrainingPeaks no longer accepts the "
                    "old refresh token"
                    if lost
                    else f"TrainingPeaks refused the authorization ({reason})"
                )
                raise AuthError(f"{why}: run `plansync auth trainingpeaks` again")
            raise Unavailable(f"TrainingPeaks sign-in failed: HTTP {response.status_code} {reason}")
        try:
            body = response.json()
            access = str(body["access_token"])
        except (ValueError, KeyError, TypeError):
            raise Unavailable("TrainingPeaks sign-in answered without an access token") from None
        stored = {
            "access_token": access,
            "expires_at": self._clock() + float(body.get("expires_in", 300)),
            # Refresh tokens rotate: keep the new one, saved before the access token is used.
            "refresh_token": body.get("refresh_token") or form.get("refresh_token"),
            "scope": body.get("scope"),
        }
        self._store.save(stored)
        return access


class _Retry(Exception):
    def __init__(self, reason: str, wait: float | None = None) -> None:
        self.reason = reason
        self.wait = wait
        super().__init__(reason)


class Transport:
    """Authorised requests to the API with bounded, narrow retries."""

    def __init__(
        self,
        endpoints: Hosts,
        oauth: OAuth,
        http: httpx.Client,
        *,
        sleep: Sleep = time.sleep,
        clock: Clock = time.time,
        limiter: RateLimiter | None = None,
        max_attempts: int = MAX_ATTEMPTS,
        max_retry_seconds: float = MAX_RETRY_SECONDS,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.hosts = endpoints
        self.oauth = oauth
        self._http = http
        self._sleep = sleep
        self._clock = clock
        self._limiter = limiter or RateLimiter(None)
        self._max_attempts = max_attempts
        self._max_retry_seconds = max_retry_seconds
        self._jitter = jitter
        self.counters = Counters()
        self._lock = threading.Lock()

    def _wait(self, state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        backoff = min(MAX_SINGLE_WAIT, 0.5 * 2 ** (state.attempt_number - 1)) * (0.5 + self._jitter())
        if isinstance(exc, _Retry) and exc.wait is not None:
            return float(min(MAX_SINGLE_WAIT, exc.wait))
        return float(backoff)

    def request(self, method: str, path: str, *, body: Any = None, what: str = "") -> httpx.Response:
        """Send one request; ``what`` names it in errors (a workout's title and date)."""
        idempotent = method != "POST"
        refreshed = [False]
        waited = [0.0]
        token = [self.oauth.access_token()]

        def stop(state: tenacity.RetryCallState) -> bool:
            return state.attempt_number >= self._max_attempts or waited[0] >= self._max_retry_seconds

        def before_sleep(state: tenacity.RetryCallState) -> None:
            waited[0] += state.upcoming_sleep
            with self._lock:
                self.counters.retries += 1

        def attempt() -> httpx.Response:
            self._limiter.acquire()
            with self._lock:
                self.counters.requests += 1
            try:
                response = self._http.request(
                    method,
                    f"{self.hosts.api}{path}",
                    json=body,
                    headers={
                        "Authorization": f"Bearer {token[0]}",
                        "Accept": "application/json",
                        "User-Agent": USER_AGENT,
                    },
                )
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                raise _Retry(f"could not connect ({type(exc).__name__})") from None
            except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
                if not idempotent:
                    raise OutcomeUnknown(f"{what}: the answer was lost ({type(exc).__name__})") from None
                raise _Retry(f"no answer ({type(exc).__name__})") from None
            status = response.status_code
            if status == 401 and not refreshed[0]:
                refreshed[0] = True
                token[0] = self.oauth.access_token(force=True, stale=token[0])
                raise _Retry("access token expired", wait=0.0)
            if status == 401:
                raise AuthError(
                    "TrainingPeaks refused the access token twice: run `plansync auth trainingpeaks`"
                )
            if status == 429:
                raise _Retry("rate limited (429)", wait=retry_after(response, self._clock()))
            if status in RETRY_STATUSES or status >= 500:
                if not idempotent:
                    raise OutcomeUnknown(f"{what}: HTTP {status} after sending ({error_text(response)})")
                raise _Retry(f"HTTP {status}", wait=retry_after(response, self._clock()))
            if 200 <= status < 300:
                return response
            reason = error_text(response)
            label = {403: "refused (403; a Basic athlete needs a coach account to plan future workouts)"}
            raise RemoteRejected(
                f"{what}: {label.get(status, f'rejected (HTTP {status})')}: {reason}", status
            )

        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(_Retry),
            stop=stop,
            wait=self._wait,
            sleep=self._sleep,
            before_sleep=before_sleep,
            reraise=True,
        )
        try:
            return retrying(attempt)
        except _Retry as exc:
            raise Unavailable(f"{what or path}: TrainingPeaks kept failing: {exc.reason}") from None

    def close(self) -> None:
        self._http.close()

    def json(self, method: str, path: str, *, body: Any = None, what: str = "") -> Any:
        response = self.request(method, path, body=body, what=what)
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise Unavailable(
                f"{what or path}: TrainingPeaks answered with something that is not JSON"
            ) from None

"""The one HTTP transport every platform adapter uses: retries, waits, timeouts, errors.

A :class:`Transport` sends one request to a platform, described by its
:class:`Wire` (the host, how to authorise, how to renew credentials after a
401, the words for its refusals). One classification for every platform:

- network errors before sending, 429 and 5xx are transient and retried, with
  exponential backoff and jitter, honouring ``Retry-After``;
- a write (POST) whose outcome is unknown (a timeout or reset after it was
  sent, or a 5xx) is never repeated: :class:`OutcomeUnknown`, and the caller
  matches by its marker instead;
- a 401 renews the credentials once (where the platform can), then is an
  :class:`AuthError`; other 4xx are :class:`RemoteRejected`, for that item only;
- every wait counts against one total budget per publish (:class:`RetryBudget`,
  ``PLANSYNC_RETRY_BUDGET`` seconds, 120 by default), shared by every athlete's
  requests in the run: a ``Retry-After`` beyond what is left fails at once, clearly,
  instead of stalling a publish; when the budget or a request's attempts run out,
  :class:`Unavailable`, and once the budget is spent no request waits again.

One timeout setting (``PLANSYNC_HTTP_TIMEOUT``, :func:`timeout_seconds`), one
rate limiter, and secrets taken out of every message (:mod:`plansync.redact`).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import logging
import os
import random
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import tenacity

from plansync._version import __version__
from plansync.adapters.base import (
    AdapterError,
    AuthError,
    Counters,
    OutcomeUnknown,
    RemoteRejected,
    Unavailable,
)
from plansync.redact import redact

Sleep = Callable[[float], None]
Clock = Callable[[], float]
log = logging.getLogger("plansync.http")
USER_AGENT = f"plansync/{__version__}"
MAX_ATTEMPTS = 6
RETRY_BUDGET = 120.0  # seconds of waiting between retries, at most, per publish
MAX_SINGLE_WAIT = 60.0
DEFAULT_TIMEOUT = 30.0


def _seconds(name: str, default: float, low: float, high: float, *, zero: bool) -> float:
    """Seconds from the environment variable ``name`` (``default`` when unset), checked."""
    raw = os.environ.get(name, str(default))
    try:
        value = float(raw)
    except ValueError:
        raise AdapterError(f"{name}={raw!r} is not a number of seconds") from None
    if not (low <= value if zero else low < value) or not value <= high:  # also refuses nan and inf
        lowest = f"from {low:g}" if zero else f"above {low:g} and"
        raise AdapterError(
            f"{name}={raw!r}: expected seconds {lowest} {'to' if zero else 'at most'} {high:g}"
        )
    return value


def timeout_seconds() -> float:
    """Seconds to wait for a platform's answer: ``PLANSYNC_HTTP_TIMEOUT``, else 30."""
    return _seconds("PLANSYNC_HTTP_TIMEOUT", DEFAULT_TIMEOUT, 0, 600, zero=False)


def client(**hooks: Any) -> httpx.Client:
    """Real HTTP for a platform: TLS verification always on, no redirects, the one timeout."""
    return httpx.Client(timeout=timeout_seconds(), verify=True, follow_redirects=False, **hooks)


def retry_budget_seconds() -> float:
    """Seconds a publish may spend waiting to retry: ``PLANSYNC_RETRY_BUDGET``, else 120."""
    return _seconds("PLANSYNC_RETRY_BUDGET", RETRY_BUDGET, 0, 3600, zero=True)


class RetryBudget:
    """The seconds of retry waiting one publish may spend, shared across threads and athletes."""

    def __init__(self, seconds: float | None = None) -> None:
        self.seconds = retry_budget_seconds() if seconds is None else seconds
        self._spent = 0.0
        self._lock = threading.Lock()

    def left(self) -> float:
        with self._lock:
            return self.seconds - self._spent

    def spend(self, wait: float) -> None:
        with self._lock:
            self._spent += wait


class RateLimiter:
    """At most ``rate`` requests a second across threads (a token bucket of one)."""

    def __init__(self, rate: float | None, clock: Clock = time.monotonic, sleep: Sleep = time.sleep) -> None:
        self._interval = 1 / rate if rate else 0.0
        self._clock, self._sleep = clock, sleep
        self._next = 0.0
        self._lock = threading.Lock()

    def acquire(self) -> None:
        if not self._interval:
            return
        with self._lock:
            now = self._clock()
            start = max(now, self._next)
            self._next = start + self._interval
        if start > now:
            self._sleep(start - now)


def retry_after(response: httpx.Response, now: float) -> float | None:
    """Seconds to wait from a Retry-After header: delay-seconds or an HTTP date."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, when.timestamp() - now)


def error_text(response: httpx.Response) -> str:
    """A short, readable reason from any error body (a JSON object or list, HTML, text),
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


@dataclass
class Wire:
    """One platform, as the transport needs it: the per-platform hook."""

    name: str  # for messages: "TrainingPeaks", "intervals.icu"
    base_url: str
    headers: Callable[[], dict[str, str]] = dict  # authorisation for the next attempt
    auth: httpx.Auth | None = None
    renew: Callable[[], None] | None = None  # after a 401: new credentials, then one more try
    refused: str = "check the credentials"  # what to do when the platform refuses them
    auth_statuses: frozenset[int] = frozenset({401})  # answers that mean "not these credentials"
    labels: Mapping[int, str] = field(default_factory=dict)  # status -> how to say a refusal


class _Retry(Exception):
    def __init__(self, reason: str, wait: float | None = None) -> None:
        self.reason, self.wait = reason, wait
        super().__init__(reason)


class Transport:
    """Requests to one platform with bounded, narrow retries (see the module's words)."""

    def __init__(
        self,
        wire: Wire,
        http: httpx.Client | None = None,
        *,
        limiter: RateLimiter | None = None,
        sleep: Sleep = time.sleep,
        clock: Clock = time.time,
        jitter: Callable[[], float] = random.random,
        max_attempts: int = MAX_ATTEMPTS,
        budget: RetryBudget | float | None = None,
        owns_http: bool = True,
    ) -> None:
        self.wire = wire
        self._http = http or client()
        self._owns_http = owns_http or http is None
        self._limiter = limiter or RateLimiter(None)
        self._sleep, self._clock, self._jitter = sleep, clock, jitter
        self._max_attempts = max_attempts
        self.budget = budget if isinstance(budget, RetryBudget) else RetryBudget(budget)
        self.counters = Counters()
        self._lock = threading.Lock()

    def _backoff(self, exc: BaseException | None, attempt: int) -> float:
        if isinstance(exc, _Retry) and exc.wait is not None:
            return float(exc.wait)
        return float(min(MAX_SINGLE_WAIT, 0.5 * 2 ** (attempt - 1)) * (0.5 + self._jitter()))

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        what: str = "",
    ) -> httpx.Response:
        """Send one request; ``what`` names it in errors (a workout's title and date)."""
        renewed = [False]
        waits: dict[int, float] = {}  # attempt -> the wait after it, worked out once
        last: list[str] = []

        def wait(state: tenacity.RetryCallState) -> float:
            if state.attempt_number not in waits:
                exc = state.outcome.exception() if state.outcome else None
                waits[state.attempt_number] = self._backoff(exc, state.attempt_number)
            return waits[state.attempt_number]

        def stop(state: tenacity.RetryCallState) -> bool:
            exc = state.outcome.exception() if state.outcome else None
            if wait(state) > self.budget.left():
                if isinstance(exc, _Retry) and exc.wait is not None:
                    last.append(
                        f"{exc.reason}, asked to wait {exc.wait:.0f} s (more than the retry budget has left)"
                    )
                elif isinstance(exc, _Retry):
                    last.append(
                        f"{exc.reason}; the retry budget of this publish ({self.budget.seconds:.0f} s of waiting, "
                        "PLANSYNC_RETRY_BUDGET) is spent"
                    )
                return True
            return state.attempt_number >= self._max_attempts

        def before_sleep(state: tenacity.RetryCallState) -> None:
            self.budget.spend(wait(state))
            with self._lock:
                self.counters.retries += 1

        def attempt() -> httpx.Response:
            return self._attempt(method, path, params, body, what, renewed)

        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(_Retry),
            stop=stop,
            wait=wait,
            sleep=self._sleep,
            before_sleep=before_sleep,
            reraise=True,
        )
        try:
            return retrying(attempt)
        except _Retry as exc:
            reason = last[0] if last else exc.reason
            raise Unavailable(f"{what or path}: {self.wire.name} kept failing: {reason}") from None

    def _attempt(
        self,
        method: str,
        path: str,
        params: Mapping[str, str] | None,
        body: Any,
        what: str,
        renewed: list[bool],
    ) -> httpx.Response:
        """One try: the answer, or the exception that says what to do next."""
        write = method == "POST"  # a create: repeating one whose answer was lost could duplicate it
        self._limiter.acquire()
        with self._lock:
            self.counters.requests += 1
        try:
            response = self._http.request(
                method,
                f"{self.wire.base_url}{path}",
                params=params,
                json=body,
                headers={"Accept": "application/json", "User-Agent": USER_AGENT, **self.wire.headers()},
                auth=self.wire.auth,
            )
        except httpx.LocalProtocolError:  # nothing was sent: a header HTTP cannot carry
            raise AdapterError(
                f"{self.wire.name}: a key, token or header holds a character a request cannot carry "
                "(a line break?): check the credentials"
            ) from None
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise _Retry(f"could not connect ({type(exc).__name__})") from None
        except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
            if write:
                raise OutcomeUnknown(f"{what}: the answer was lost ({type(exc).__name__})") from None
            raise _Retry(f"no answer ({type(exc).__name__})") from None
        log.debug("%s %s -> %s", method, path, response.status_code)
        return self._answer(response, write, what, renewed)

    def _answer(
        self, response: httpx.Response, write: bool, what: str, renewed: list[bool]
    ) -> httpx.Response:
        status = response.status_code
        if 200 <= status < 300:
            return response
        if status in self.wire.auth_statuses:
            if status == 401 and self.wire.renew is not None and not renewed[0]:
                renewed[0] = True
                self.wire.renew()
                raise _Retry("access token expired", wait=0.0)
            raise AuthError(f"{self.wire.name} refused the credentials (HTTP {status}): {self.wire.refused}")
        if status == 429:
            raise _Retry("rate limited (429)", wait=retry_after(response, self._clock()))
        if status >= 500:
            if write:
                raise OutcomeUnknown(f"{what}: HTTP {status} after sending ({error_text(response)})")
            raise _Retry(f"HTTP {status}", wait=retry_after(response, self._clock()))
        label = self.wire.labels.get(status, f"rejected (HTTP {status})")
        raise RemoteRejected(f"{what}: {label}: {error_text(response)}", status)

    def json(self, method: str, path: str, **request: Any) -> Any:
        """:meth:`request` (the same keywords: ``params``, ``body``, ``what``), its answer as JSON."""
        what = str(request.get("what", ""))
        response = self.request(method, path, **request)
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise Unavailable(
                f"{what or path}: {self.wire.name} answered with something that is not JSON"
            ) from None

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

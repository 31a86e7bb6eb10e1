"""HTTP to intervals.icu: the key, the host, a rate limit and narrow retries.

Authentication is HTTP Basic with the user ``API_KEY`` and the key
(``PLANSYNC_ICU_API_KEY``, or the OS keyring's ``plansync``/``intervals`` entry
when the ``keyring`` package is installed), or a Bearer token for coaching
apps (``PLANSYNC_ICU_ACCESS_TOKEN``). ``PLANSYNC_ICU_API_URL`` overrides the
host (https, or http on loopback for tests). Requests are limited to 10 a
second; 429 waits for ``Retry-After``, 5xx and network errors back off with
jitter. A write whose answer is lost raises :class:`OutcomeUnknown`: the
adapter then lists and matches ``external_id`` instead of sending it again.
"""

from __future__ import annotations

import logging
import os
import random
import threading
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

import httpx
import tenacity

from plansync._version import __version__
from plansync.adapters.base import AdapterError, Counters, OutcomeUnknown, RemoteRejected
from plansync.adapters.http import RateLimiter, retry_after
from plansync.redact import redact, remember

log = logging.getLogger("plansync.intervals")
DEFAULT_URL = "https://intervals.icu"
RATE = 10.0  # requests a second, the platform's documented limit
MAX_ATTEMPTS = 6
MAX_SINGLE_WAIT = 60.0
TIMEOUT = 30.0
USER_AGENT = f"plansync/{__version__}"


class Unavailable(AdapterError):
    """intervals.icu kept failing (after the retries)."""


class _Retry(Exception):
    def __init__(self, reason: str, wait: float | None = None) -> None:
        self.reason = reason
        self.wait = wait
        super().__init__(reason)


def api_url() -> str:
    url = os.environ.get("PLANSYNC_ICU_API_URL") or DEFAULT_URL
    parsed = urllib.parse.urlsplit(url)
    loopback = parsed.hostname in ("127.0.0.1", "localhost", "::1")
    if (
        parsed.scheme not in ("https", "http")
        or not parsed.hostname
        or (parsed.scheme == "http" and not loopback)
    ):
        raise AdapterError(
            f"PLANSYNC_ICU_API_URL={url!r}: expected an https:// URL (http:// only on this machine)"
        )
    return url.rstrip("/")


def credentials() -> httpx.Auth | str:
    """Basic auth with the key, or a Bearer token; never printed, never logged."""
    token = os.environ.get("PLANSYNC_ICU_ACCESS_TOKEN")
    if token:
        remember(token)
        return f"Bearer {token}"
    key = os.environ.get("PLANSYNC_ICU_API_KEY") or _from_keyring()
    if not key:
        raise AdapterError(
            "set PLANSYNC_ICU_API_KEY (intervals.icu › Settings › Developer Settings › API key), "
            "or PLANSYNC_ICU_ACCESS_TOKEN for a coaching app's OAuth token"
        )
    remember(key)
    return httpx.BasicAuth("API_KEY", key)


def _from_keyring() -> str | None:
    try:
        import keyring  # optional: the OS keychain
    except ImportError:
        return None
    try:
        value = keyring.get_password("plansync", "intervals")
    except Exception:  # no usable keyring backend on this machine
        return None
    return str(value) if value else None


class Transport:
    """Authorised requests with a rate limit and bounded, narrow retries."""

    def __init__(
        self,
        base_url: str,
        auth: httpx.Auth | str,
        *,
        http: httpx.Client | None = None,
        limiter: RateLimiter | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        jitter: Callable[[], float] = random.random,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> None:
        self.base_url = base_url
        self._auth = auth
        self._http = http or httpx.Client(timeout=TIMEOUT, verify=True, follow_redirects=False)
        self._limiter = limiter or RateLimiter(RATE)
        self._sleep, self._clock, self._jitter = sleep, clock, jitter
        self._max_attempts = max_attempts
        self.counters = Counters()
        self._lock = threading.Lock()

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        if isinstance(self._auth, str):
            headers["Authorization"] = self._auth
        return headers

    def _wait(self, state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Retry) and exc.wait is not None:
            return float(min(MAX_SINGLE_WAIT, exc.wait))
        return float(min(MAX_SINGLE_WAIT, 0.5 * 2 ** (state.attempt_number - 1)) * (0.5 + self._jitter()))

    def json(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        body: Any = None,
        what: str = "",
    ) -> Any:
        """Send one request; a write (``POST``) whose answer is lost raises OutcomeUnknown."""
        write = method == "POST"

        def attempt() -> Any:
            self._limiter.acquire()
            with self._lock:
                self.counters.requests += 1
            try:
                response = self._http.request(
                    method,
                    f"{self.base_url}{path}",
                    params=params,
                    json=body,
                    headers=self._headers(),
                    auth=self._auth if not isinstance(self._auth, str) else None,
                )
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                raise _Retry(f"could not connect ({type(exc).__name__})") from None
            except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
                if write:
                    raise OutcomeUnknown(f"{what}: the answer was lost ({type(exc).__name__})") from None
                raise _Retry(f"no answer ({type(exc).__name__})") from None
            log.debug("%s %s -> %s", method, path, response.status_code)
            status = response.status_code
            if status == 429:
                raise _Retry("rate limited (429)", wait=retry_after(response, self._clock()))
            if status >= 500:
                if write:
                    raise OutcomeUnknown(f"{what}: HTTP {status} after sending")
                raise _Retry(f"HTTP {status}", wait=retry_after(response, self._clock()))
            if status in (401, 403):
                raise AdapterError(
                    f"intervals.icu refused the credentials (HTTP {status}): check PLANSYNC_ICU_API_KEY "
                    "and that the key may see this athlete"
                )
            if not 200 <= status < 300:
                raise RemoteRejected(
                    f"{what}: rejected (HTTP {status}): {redact(response.text[:300])}", status
                )
            try:
                return response.json() if response.content else None
            except ValueError:
                raise Unavailable(f"{what}: intervals.icu answered with something that is not JSON") from None

        def before_sleep(state: tenacity.RetryCallState) -> None:
            with self._lock:
                self.counters.retries += 1

        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(_Retry),
            stop=tenacity.stop_after_attempt(self._max_attempts),
            wait=self._wait,
            sleep=self._sleep,
            before_sleep=before_sleep,
            reraise=True,
        )
        try:
            return retrying(attempt)
        except _Retry as exc:
            raise Unavailable(f"{what or path}: intervals.icu kept failing: {exc.reason}") from None

    def close(self) -> None:
        self._http.close()

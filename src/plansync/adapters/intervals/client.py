"""HTTP to intervals.icu: the key, the host, a rate limit and narrow retries.

Authentication is HTTP Basic with the user ``API_KEY`` and the key
(``PLANSYNC_ICU_API_KEY``, or the OS keyring's ``plansync``/``intervals`` entry
when the ``keyring`` package is installed), or a Bearer token for coaching
apps (``PLANSYNC_ICU_ACCESS_TOKEN``). ``PLANSYNC_ICU_API_URL`` overrides the
host (https, or http on loopback for tests). Requests go through the one
transport (:mod:`plansync.adapters.http`: its retries, waits, timeout and
errors), limited to 10 a second; a write whose answer is lost raises
``OutcomeUnknown``: the adapter then lists and matches ``external_id``
instead of sending it again.
"""

from __future__ import annotations

import logging
import os
import urllib.parse
from typing import Any

import httpx

from plansync.adapters.base import AdapterError, Unavailable
from plansync.adapters.http import RateLimiter, Transport, Wire
from plansync.redact import remember

log = logging.getLogger("plansync.intervals")
DEFAULT_URL = "https://intervals.icu"
RATE = 10.0  # requests a second, the platform's documented limit


def api_url() -> str:
    url = os.environ.get("PLANSYNC_ICU_API_URL") or DEFAULT_URL
    try:
        parsed = urllib.parse.urlsplit(url)
        host = parsed.hostname
    except ValueError:  # "http://[::1" and the like
        host = None
    loopback = host in ("127.0.0.1", "localhost", "::1")
    if not host or parsed.scheme not in ("https", "http") or (parsed.scheme == "http" and not loopback):
        raise AdapterError(
            f"PLANSYNC_ICU_API_URL={url!r}: expected an https:// URL (http:// only on this machine)"
        )
    return url.rstrip("/")


def credentials() -> httpx.Auth | str:
    """Basic auth with the key, or a Bearer token; never printed, never logged."""
    token = (os.environ.get("PLANSYNC_ICU_ACCESS_TOKEN") or "").strip()  # a pasted token's line break
    if token:
        remember(token)
        return f"Bearer {token}"
    key = (os.environ.get("PLANSYNC_ICU_API_KEY") or "").strip() or _from_keyring()
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


def transport(
    base_url: str,
    auth: httpx.Auth | str,
    *,
    http: httpx.Client | None = None,
    limiter: RateLimiter | None = None,
    **options: Any,
) -> Transport:
    """intervals.icu's transport (:class:`plansync.adapters.http.Transport`): Basic auth with
    the key, or a Bearer token; 10 requests a second unless ``limiter`` says otherwise;
    ``options`` are the transport's (an injected sleep, clock or jitter)."""
    wire = Wire(
        "intervals.icu",
        base_url,
        (lambda: {"Authorization": auth}) if isinstance(auth, str) else dict,
        auth=None if isinstance(auth, str) else auth,
        refused="check PLANSYNC_ICU_API_KEY and that the key may see this athlete",
        auth_statuses=frozenset({401, 403}),
    )
    return Transport(wire, http, limiter=limiter or RateLimiter(RATE), **options)


__all__ = ["RATE", "Transport", "Unavailable", "api_url", "credentials", "transport"]

"""The TrainingPeaks wire: hosts, OAuth with rotating refresh tokens, retries, errors.

Every host and path is here, once. Requests go through the one transport
(:mod:`plansync.adapters.http`: its retries, waits, timeout and error mapping);
this module gives it TrainingPeaks' hook, :func:`transport`: the bearer token,
renewed once after a 401, and the words for a 403. Tokens and the client
secret never appear in messages, logs or exceptions.
"""

from __future__ import annotations

import json
import logging
import math
import os
import threading
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import filelock
import httpx

from plansync._version import __version__
from plansync.adapters.base import AdapterError, AuthError, Unavailable
from plansync.adapters.http import Clock, Transport, Wire, error_text
from plansync.atomic import write_atomic
from plansync.redact import remember

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


@dataclass(frozen=True)
class Hosts:
    api: str
    oauth: str


def hosts(sandbox: bool = False) -> Hosts:
    api, oauth = SANDBOX if sandbox else PRODUCTION
    return Hosts(_url("PLANSYNC_TP_API_URL", api), _url("PLANSYNC_TP_OAUTH_URL", oauth))


def _url(variable: str, default: str) -> str:
    value = os.environ.get(variable) or default
    try:
        parsed = urllib.parse.urlsplit(value)
        host = parsed.hostname
    except ValueError:  # "http://[::1" and the like
        host = None
    if not host or parsed.scheme not in ("https", "http"):
        raise AdapterError(f"{variable}={value!r}: expected an https:// URL")
    return value.rstrip("/")


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
        try:
            with self._lock, filelock.FileLock(f"{self._store.path}.lock", timeout=60, mode=0o600):
                return self._access_token(force, stale)
        except PermissionError:  # a read-only state folder cannot hold the token's lock
            raise AuthError(
                f"cannot lock {self._store.path}: the state folder is read-only; signing in to "
                "TrainingPeaks needs to write the rotating token there (a --dry-run too)"
            ) from None

    def _access_token(self, force: bool, stale: str | None) -> str:
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


class Bearer:
    """The OAuth access token on every request; after a 401 it is renewed once."""

    def __init__(self, oauth: OAuth) -> None:
        self.oauth = oauth
        self._token: str | None = None

    def headers(self) -> dict[str, str]:
        self._token = self.oauth.access_token()
        return {"Authorization": f"Bearer {self._token}"}

    def renew(self) -> None:
        self.oauth.access_token(force=True, stale=self._token)


FORBIDDEN = "refused (403; a Basic athlete needs a coach account to plan future workouts)"


def transport(
    endpoints: Hosts, oauth: OAuth, http: httpx.Client, *, owns_http: bool = True, **options: Any
) -> Transport:
    """The API's transport (:class:`plansync.adapters.http.Transport`) signed in with ``oauth``;
    ``options`` are the transport's (a limiter, an injected sleep, clock or jitter)."""
    bearer = Bearer(oauth)
    wire = Wire(
        "TrainingPeaks",
        endpoints.api,
        bearer.headers,
        renew=bearer.renew,
        refused="run `plansync auth trainingpeaks`",
        labels={403: FORBIDDEN},
    )
    return Transport(wire, http, owns_http=owns_http, **options)


__all__ = [
    "AuthError",
    "Bearer",
    "OAuth",
    "TokenStore",
    "Transport",
    "Unavailable",
    "error_text",
    "hosts",
    "transport",
]

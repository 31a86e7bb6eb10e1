"""The TrainingPeaks wire in isolation, with respx: retries, tokens and errors."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from plansync.adapters.base import OutcomeUnknown, RemoteRejected
from plansync.adapters.http import RateLimiter, retry_after
from plansync.adapters.trainingpeaks.client import (
    AuthError,
    Hosts,
    OAuth,
    TokenStore,
    Transport,
    Unavailable,
    error_text,
)
from plansync.adapters.trainingpeaks.client import transport as tp_transport

API, AUTH = "https://api.test", "https://oauth.test"
SECRET, REFRESH, ACCESS = "s3cret-client", "rt-original", "at-first"


def transport(tmp_path: Path, waits: list[float] | None = None, **kwargs: Any) -> Transport:
    http = httpx.Client()
    store = TokenStore(tmp_path / "token.json")
    store.save({"refresh_token": REFRESH})
    oauth = OAuth("client", SECRET, Hosts(API, AUTH), http, store, clock=lambda: 1000.0)
    sleeps = waits if waits is not None else []
    return tp_transport(
        Hosts(API, AUTH), oauth, http, sleep=sleeps.append, clock=lambda: 1000.0, jitter=lambda: 0.5, **kwargs
    )


def token_route(mock: respx.MockRouter, *tokens: str) -> respx.Route:
    answers = [
        httpx.Response(200, json={"access_token": t, "refresh_token": f"rt-{i}", "expires_in": 300})
        for i, t in enumerate(tokens)
    ]
    return mock.post(f"{AUTH}/oauth/token").mock(side_effect=answers)


@respx.mock
def test_token_request_is_form_encoded_with_basic_auth_and_the_new_refresh_token_is_saved(
    tmp_path: Path,
) -> None:
    route = token_route(respx.mock, ACCESS)
    respx.get(f"{API}/x").mock(return_value=httpx.Response(200, json=[]))
    t = transport(tmp_path)
    t.json("GET", "/x")
    request = route.calls[0].request
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert request.headers["authorization"].startswith("Basic ")
    assert request.content == b"grant_type=refresh_token&refresh_token=rt-original"
    assert json.loads((tmp_path / "token.json").read_text())["refresh_token"] == "rt-0"


@respx.mock
def test_401_refreshes_once_and_repeats(tmp_path: Path) -> None:
    token_route(respx.mock, "at-1", "at-2")
    api = respx.get(f"{API}/x").mock(side_effect=[httpx.Response(401), httpx.Response(200, json={"ok": 1})])
    assert transport(tmp_path).json("GET", "/x") == {"ok": 1}
    assert api.calls[1].request.headers["authorization"] == "Bearer at-2"


@respx.mock
def test_a_second_401_asks_for_authorization(tmp_path: Path) -> None:
    token_route(respx.mock, "at-1", "at-2")
    respx.get(f"{API}/x").mock(return_value=httpx.Response(401))
    with pytest.raises(AuthError, match="plansync auth trainingpeaks"):
        transport(tmp_path).json("GET", "/x")


@respx.mock
def test_invalid_grant_says_to_authorize_again(tmp_path: Path) -> None:
    respx.post(f"{AUTH}/oauth/token").mock(return_value=httpx.Response(400, json={"error": "invalid_grant"}))
    with pytest.raises(AuthError, match="run `plansync auth trainingpeaks` again") as caught:
        transport(tmp_path).json("GET", "/x")
    assert REFRESH not in str(caught.value) and SECRET not in str(caught.value)


@respx.mock
def test_retry_after_as_seconds_and_as_a_date(tmp_path: Path) -> None:
    token_route(respx.mock, ACCESS)
    date = "Thu, 01 Jan 1970 00:16:50 GMT"  # 10 s after the injected clock's 1000
    respx.get(f"{API}/x").mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "3"}),
            httpx.Response(429, headers={"Retry-After": date}),
            httpx.Response(200, json=[]),
        ]
    )
    waits: list[float] = []
    t = transport(tmp_path, waits)
    t.json("GET", "/x")
    assert waits == [3.0, 10.0]
    assert (t.counters.requests, t.counters.retries) == (3, 2)


@respx.mock
def test_network_errors_and_timeouts_on_reads_back_off_exponentially(tmp_path: Path) -> None:
    token_route(respx.mock, ACCESS)
    respx.get(f"{API}/x").mock(
        side_effect=[
            httpx.ConnectError("down"),
            httpx.ReadTimeout("slow"),
            httpx.Response(503),
            httpx.Response(200, json=[]),
        ]
    )
    waits: list[float] = []
    transport(tmp_path, waits).json("GET", "/x")
    assert waits == [0.5, 1.0, 2.0]  # 0.5 · 2^n, jitter fixed at its middle


@respx.mock
def test_retries_are_bounded(tmp_path: Path) -> None:
    token_route(respx.mock, ACCESS)
    respx.get(f"{API}/x").mock(return_value=httpx.Response(503))
    waits: list[float] = []
    with pytest.raises(Unavailable, match="kept failing: HTTP 503"):
        transport(tmp_path, waits, max_attempts=4).json("GET", "/x")
    assert len(waits) == 3


@respx.mock
def test_a_post_whose_answer_is_lost_is_not_repeated(tmp_path: Path) -> None:
    token_route(respx.mock, ACCESS)
    route = respx.post(f"{API}/v2/workouts/plan").mock(side_effect=httpx.ReadTimeout("lost"))
    with pytest.raises(OutcomeUnknown):
        transport(tmp_path).json("POST", "/v2/workouts/plan", body={}, what="2027-01-25 Easy run")
    assert route.call_count == 1


@respx.mock
def test_a_post_refused_before_sending_is_retried(tmp_path: Path) -> None:
    token_route(respx.mock, ACCESS)
    route = respx.post(f"{API}/v2/workouts/plan").mock(
        side_effect=[httpx.ConnectError("refused"), httpx.Response(429), httpx.Response(200, json={"Id": 1})]
    )
    assert transport(tmp_path).json("POST", "/v2/workouts/plan", body={}) == {"Id": 1}
    assert route.call_count == 3


@pytest.mark.parametrize("status", [400, 403, 404, 409])
@respx.mock
def test_client_errors_are_not_retried(tmp_path: Path, status: int) -> None:
    token_route(respx.mock, ACCESS)
    route = respx.put(f"{API}/v2/workouts/plan/9").mock(return_value=httpx.Response(status, json=["Bad day"]))
    with pytest.raises(RemoteRejected) as caught:
        transport(tmp_path).json("PUT", "/v2/workouts/plan/9", body={}, what="2027-01-25 Easy run")
    assert route.call_count == 1 and caught.value.status == status
    assert "2027-01-25 Easy run" in str(caught.value) and "Bad day" in str(caught.value)


def test_error_text_reads_every_kind_of_body() -> None:
    assert error_text(httpx.Response(400, json={"Message": "Nope"})) == "Nope"
    assert error_text(httpx.Response(400, json=["One", {"Message": "Two"}])) == "One; Two"
    html = "<html><script>x()</script><body><h1>Oops</h1> <p>later</p></body></html>"
    assert error_text(httpx.Response(500, text=html)) == "Oops later"


def test_retry_after_parsing() -> None:
    assert retry_after(httpx.Response(429, headers={"Retry-After": "120"}), 0) == 120
    when = dt.datetime(2027, 1, 10, 9, 0, 30, tzinfo=dt.UTC)
    header = when.strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert retry_after(httpx.Response(429, headers={"Retry-After": header}), when.timestamp() - 30) == 30
    assert retry_after(httpx.Response(429, headers={"Retry-After": "soon"}), 0) is None


def test_rate_limiter_spaces_requests_without_real_sleep() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(s: float) -> None:
        slept.append(s)
        now[0] += s

    limiter = RateLimiter(20, clock=lambda: now[0], sleep=sleep)
    for _ in range(5):
        limiter.acquire()
    assert slept == pytest.approx([0.05] * 4)


@respx.mock
def test_tokens_never_reach_exceptions(tmp_path: Path) -> None:
    token_route(respx.mock, "at-very-secret")
    respx.get(f"{API}/x").mock(return_value=httpx.Response(400, text="bad"))
    with pytest.raises(RemoteRejected) as caught:
        transport(tmp_path).json("GET", "/x", what="listing")
    text = str(caught.value) + repr(caught.value.args)
    assert "at-very-secret" not in text and SECRET not in text and "Bearer" not in text


@respx.mock
def test_a_refresh_whose_answer_was_lost_is_tried_once_more_with_the_same_token(tmp_path: Path) -> None:
    ok = httpx.Response(200, json={"access_token": "at-9", "refresh_token": "rt-9", "expires_in": 3600})
    route = respx.post(f"{AUTH}/oauth/token").mock(side_effect=[httpx.ReadTimeout("lost"), ok])
    respx.get(f"{API}/x").mock(return_value=httpx.Response(200, json=[]))
    transport(tmp_path).json("GET", "/x")
    assert [c.request.content for c in route.calls] == [
        b"grant_type=refresh_token&refresh_token=rt-original"
    ] * 2
    assert json.loads((tmp_path / "token.json").read_text())["refresh_token"] == "rt-9"


@respx.mock
def test_a_lost_refresh_the_server_already_spent_asks_for_auth_with_the_reason(tmp_path: Path) -> None:
    spent = httpx.Response(400, json={"error": "invalid_grant"})
    respx.post(f"{AUTH}/oauth/token").mock(side_effect=[httpx.RemoteProtocolError("reset"), spent])
    respx.get(f"{API}/x").mock(return_value=httpx.Response(200, json=[]))
    with pytest.raises(AuthError, match=r"answer to a token refresh was lost.*plansync auth trainingpeaks"):
        transport(tmp_path).json("GET", "/x")


def test_an_expiry_that_is_not_a_number_means_refresh(tmp_path: Path) -> None:
    (tmp_path / "token.json").write_text(
        json.dumps({"access_token": "at-old", "expires_at": "soon", "refresh_token": "rt-original"})
    )
    with respx.mock:
        route = token_route(respx.mock, ACCESS)
        respx.get(f"{API}/x").mock(return_value=httpx.Response(200, json=[]))
        transport(tmp_path).json("GET", "/x")
    assert route.called


def test_a_token_file_others_can_read_is_tightened(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "token.json"
    TokenStore(path).save({"refresh_token": "rt-original"})
    os.chmod(path, 0o644)
    TokenStore(path).load()
    assert path.stat().st_mode & 0o777 == 0o600
    assert "readable by others" in caplog.text


@pytest.mark.parametrize("platform", ["trainingpeaks", "intervals"])
def test_both_platforms_share_one_timeout_one_auth_error_and_one_retry_budget(
    platform: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PLANSYNC_HTTP_TIMEOUT reaches both clients; a refused key is the same AuthError on both;
    a Retry-After beyond the retry budget fails at once instead of stalling a publish."""
    from plansync.adapters.base import AuthError as BaseAuthError
    from plansync.adapters.base import Unavailable as BaseUnavailable
    from plansync.adapters.intervals.client import transport as icu_transport

    monkeypatch.setenv("PLANSYNC_HTTP_TIMEOUT", "7.5")
    base = API if platform == "trainingpeaks" else "https://icu.test"
    with respx.mock:
        token_route(respx.mock, ACCESS, "at-second")
        waits: list[float] = []
        t = (
            transport(tmp_path, waits)
            if platform == "trainingpeaks"
            else icu_transport(base, httpx.BasicAuth("API_KEY", "k"), sleep=waits.append, jitter=lambda: 0.5)
        )
        if platform == "intervals":  # the client the transport made for itself
            assert t._http.timeout.read == 7.5
        respx.get(f"{base}/denied").mock(return_value=httpx.Response(401))
        with pytest.raises(BaseAuthError, match="refused the credentials"):
            t.json("GET", "/denied")
        respx.get(f"{base}/later").mock(return_value=httpx.Response(429, headers={"Retry-After": "3600"}))
        with pytest.raises(BaseUnavailable, match="asked to wait 3600 s"):
            t.json("GET", "/later")
        assert 3600.0 not in waits  # never slept on
    from plansync.adapters.http import client

    assert client().timeout.read == 7.5  # TrainingPeaks' client (the sign-in's and the API's) too


def test_a_token_with_a_line_break_inside_is_a_message_not_a_traceback() -> None:
    import socket

    from plansync.adapters.base import AdapterError
    from plansync.adapters.intervals.client import transport as icu_transport

    with socket.socket() as listening:  # a loopback port that takes the connection
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        port = listening.getsockname()[1]
        t = icu_transport(f"http://127.0.0.1:{port}", "Bearer abc\ndef", sleep=lambda s: None)
        with pytest.raises(AdapterError, match="a line break"):
            t.json("GET", "/x")
        t.close()


@pytest.mark.parametrize("variable", ["PLANSYNC_TP_API_URL", "PLANSYNC_ICU_API_URL"])
def test_a_broken_host_url_is_a_message(variable: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from plansync.adapters.base import AdapterError
    from plansync.adapters.intervals.client import api_url
    from plansync.adapters.trainingpeaks.client import hosts

    monkeypatch.setenv(variable, "http://[::1")
    with pytest.raises(AdapterError, match=variable):
        hosts() if variable.startswith("PLANSYNC_TP") else api_url()


def test_a_read_only_state_folder_is_a_message_when_signing_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As root a read-only folder is still writable, so the lock's refusal is what is simulated."""
    import filelock

    class Refused(filelock.FileLock):
        def __enter__(self) -> Refused:
            raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("plansync.adapters.trainingpeaks.client.filelock.FileLock", Refused)
    store = TokenStore(tmp_path / "token.json")
    oauth = OAuth("client", SECRET, Hosts(API, AUTH), httpx.Client(), store)
    with pytest.raises(AuthError, match="read-only"):
        oauth.access_token()


def test_one_retry_budget_for_the_whole_publish_then_no_more_waiting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every athlete's requests in one publish draw on one budget of retry waiting
    (PLANSYNC_RETRY_BUDGET): a platform that keeps failing costs the publish that much at
    most, then each request fails at once, saying the budget is spent."""
    from plansync.adapters.base import AdapterContext
    from plansync.adapters.base import Unavailable as BaseUnavailable
    from plansync.adapters.http import RetryBudget
    from plansync.adapters.intervals.adapter import IntervalsAdapter
    from plansync.adapters.intervals.client import transport as icu_transport

    base, waits = "https://icu.test", list[float]()
    budget = RetryBudget(10.0)
    athletes = [
        icu_transport(
            base, httpx.BasicAuth("API_KEY", "k"), sleep=waits.append, jitter=lambda: 0.5, budget=budget
        )
        for _ in range(3)
    ]
    with respx.mock:
        route = respx.get(f"{base}/busy").mock(return_value=httpx.Response(503))
        for t in athletes:
            with pytest.raises(BaseUnavailable, match="kept failing"):
                t.json("GET", "/busy")
        assert sum(waits) <= 10.0 and budget.left() <= 0.5  # the budget, not 3 × 120 s
        with pytest.raises(BaseUnavailable):
            athletes[1].json("GET", "/busy")  # the last half second
        assert budget.left() == 0 and sum(waits) == 10.0
        before, slept = route.call_count, len(waits)
        with pytest.raises(BaseUnavailable, match=r"retry budget of this publish \(10 s"):
            athletes[0].json("GET", "/busy")
        assert route.call_count == before + 1 and len(waits) == slept  # one try, no more waiting
    monkeypatch.setenv("PLANSYNC_ICU_API_KEY", "k")
    monkeypatch.setenv("PLANSYNC_RETRY_BUDGET", "30")
    batch = IntervalsAdapter.batch(AdapterContext(tmp_path))
    first, second = batch(), batch()
    assert isinstance(first, IntervalsAdapter) and isinstance(second, IntervalsAdapter)
    assert first.transport.budget is second.transport.budget and first.transport.budget.seconds == 30
    batch.close()
    monkeypatch.setenv("PLANSYNC_RETRY_BUDGET", "soon")
    from plansync.adapters.base import AdapterError

    with pytest.raises(AdapterError, match="PLANSYNC_RETRY_BUDGET='soon' is not a number"):
        RetryBudget()

"""`plansync auth trainingpeaks`: the authorization-code flow with a loopback redirect.

A one-shot HTTP listener on 127.0.0.1 receives the redirect; the ``state``
parameter is checked; the code is exchanged for tokens, which the OAuth
client saves (0600) in the state directory.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlparse

from plansync.adapters.trainingpeaks.client import AuthError, OAuth

DONE_PAGE = b"<!doctype html><title>plansync</title><p>plansync is authorized. You can close this tab.</p>"


def authorize(
    oauth: OAuth, open_url: Callable[[str], object], *, port: int = 0, timeout: float = 300.0
) -> None:
    state = secrets.token_urlsafe(16)
    result: dict[str, str] = {}
    arrived = threading.Event()

    class Callback(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            query = parse_qs(urlparse(self.path).query)
            if urlparse(self.path).path != "/callback":
                self.send_error(404)
                return
            result.update({k: v[0] for k, v in query.items() if v})
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(DONE_PAGE)
            arrived.set()

        def log_message(self, *args: object) -> None:  # keep codes out of the terminal
            pass

    server = HTTPServer(("127.0.0.1", port), Callback)
    redirect_uri = f"http://127.0.0.1:{server.server_address[1]}/callback"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        open_url(oauth.authorize_url(redirect_uri, state))
        if not arrived.wait(timeout):
            raise AuthError("no answer from TrainingPeaks in time; run `plansync auth trainingpeaks` again")
    finally:
        server.shutdown()
        server.server_close()
    if result.get("state") != state:
        raise AuthError("the answer did not come from our request (state mismatch); try again")
    if "code" not in result:
        raise AuthError(
            f"TrainingPeaks did not authorize plansync: {result.get('error', 'no code returned')}"
        )
    oauth.exchange_code(result["code"], redirect_uri)

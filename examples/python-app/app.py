"""A small app that connects GitHub through WorkOS Pipes with the official
Python SDK (workos 10.6.0), the Python twin of examples/node-app:

    GET  /connect/<provider>?user_id=  -> 302 to the WorkOS authorize URL
    GET  /pipes/return                 -> where WorkOS sends the browser back
    POST /webhooks/workos              -> verifies WorkOS-Signature on the RAW body
    GET  /profile/<provider>?user_id=  -> fresh token from WorkOS, then GitHub GET /user

Configuration (environment, or the mapping given to create_app):
    PORT                   port for `python app.py` (default 3000)
    APP_BASE_URL           the app's public base URL (default http://127.0.0.1:PORT)
    WORKOS_API_KEY         sk_...
    WORKOS_BASE_URL        where the WorkOS API is (default https://api.workos.com)
    WORKOS_CLIENT_ID       client_... (optional: a Pipes-only app needs none)
    WORKOS_WEBHOOK_SECRET  the webhook endpoint's signing secret
    GITHUB_API_URL         GitHub's API (default https://api.github.com)
    APP_MISTAKE            empty for the correct app, else one mistake (below)

APP_MISTAKE switches on one classic mistake at a time, so the harness can show
it catches each with the diagnosis that names it (examples/ci.sh runs them all):

    cache_token          keeps each user's token and reuses it
    401_as_5xx           turns a provider 401 into a 502
    no_reconnect         turns not_installed / needs_reauthorization into a 502
    no_reauthorize       reconnects without connection_intent "reauthorize"
    retry_forever        retries a failing provider call until it succeeds
    return_to_missing    sends no return_to
    return_to_elsewhere  sends a return_to on another host
    reserialized_body    verifies json.dumps(json.loads(body)), not the raw body
    wide_tolerance       verifies with an enormous tolerance
    unsigned_accepted    accepts every webhook without verifying it
    replay_accepted      handles every delivery, even an event id it has handled
    ignore_retry_after   retries a rate-limited provider call at once
    ignore_workos_429    retries WorkOS's 429 at once, then answers 502
"""

from __future__ import annotations

import html
import json
import math
import os
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Mapping, Optional

from flask import Flask, Response, jsonify, redirect, request
from workos import WorkOSClient

MISTAKES = (
    "cache_token",
    "401_as_5xx",
    "no_reconnect",
    "no_reauthorize",
    "retry_forever",
    "return_to_missing",
    "return_to_elsewhere",
    "reserialized_body",
    "wide_tolerance",
    "unsigned_accepted",
    "replay_accepted",
    "ignore_retry_after",
    "ignore_workos_429",
)

PROVIDERS = {
    "github": {
        "name": "GitHub",
        "api_env": "GITHUB_API_URL",
        "api_default": "https://api.github.com",
        "whoami": "/user",
    },
}

# How long a single provider call may take, and how long retry_forever keeps going
# (a real "forever" would outlive the test run).
HTTP_TIMEOUT = 10
RETRY_FOREVER_LIMIT = 60


def _mistake(env: Mapping[str, str]) -> str:
    m = (env.get("APP_MISTAKE") or "").strip()
    if m and m not in MISTAKES:
        raise ValueError(
            f"unknown APP_MISTAKE {m!r}: expected one of {', '.join(MISTAKES)} or empty"
        )
    return m


def _status(exc: Exception) -> Optional[int]:
    return getattr(exc, "status_code", None)


def _call(url: str, token: str) -> tuple[int, bytes, Optional[str]]:
    req = urllib.request.Request(
        url,
        headers={
            "Authorization": f"Bearer {token}",
            "Accept": "application/vnd.github+json",
            "User-Agent": "pipes-harness-example-python-app",
        },
    )
    try:
        with urllib.request.urlopen(req, timeout=HTTP_TIMEOUT) as resp:
            return resp.status, resp.read(), resp.headers.get("Retry-After")
    except urllib.error.HTTPError as e:
        return e.code, e.read(), e.headers.get("Retry-After")


def create_app(env: Optional[Mapping[str, str]] = None) -> Flask:
    env = dict(os.environ if env is None else env)
    mistake = _mistake(env)
    port = int(env.get("PORT") or 3000)
    base_url = (env.get("APP_BASE_URL") or f"http://127.0.0.1:{port}").rstrip("/")
    secret = env.get("WORKOS_WEBHOOK_SECRET") or ""
    workos = WorkOSClient(
        api_key=env.get("WORKOS_API_KEY"),
        client_id=env.get("WORKOS_CLIENT_ID") or None,
        base_url=env.get("WORKOS_BASE_URL") or None,
        # Answers, not the SDK's own retry backoff.
        max_retries=0,
        request_timeout=10,
    )
    handled: set[str] = set()  # event ids; a real app keeps them in its database
    kept: dict[str, object] = {}  # only the cache_token mistake uses this
    lock = threading.Lock()

    app = Flask(__name__)

    def fetch_token(provider: str, user_id: str):
        key = f"{provider}:{user_id}"
        if mistake == "cache_token" and key in kept:
            return kept[key]
        attempt = 0
        while True:
            try:
                token = workos.pipes.get_access_token(provider, user_id=user_id)
            except Exception as e:  # noqa: BLE001 (the SDK's errors share no base we need)
                if mistake == "ignore_workos_429" and _status(e) == 429 and attempt < 5:
                    attempt += 1
                    continue
                raise
            if mistake == "cache_token" and token.active:
                kept[key] = token
            return token

    @app.get("/health")
    def health():
        return jsonify(status="ok", mistake=mistake)

    @app.get("/connect/<provider>")
    def connect(provider: str):
        p = PROVIDERS.get(provider)
        if p is None:
            return jsonify(error="unknown_provider"), 404
        user_id = request.args.get("user_id")
        if not user_id:
            # A visitor without a session: show the connect button.
            return (
                f"<!DOCTYPE html><html><body><h1>Connect {p['name']}</h1>"
                f'<form action="/connect/{provider}"><input name="user_id">'
                f"<button>Connect {p['name']}</button></form></body></html>"
            )
        body = {"user_id": user_id, "return_to": f"{base_url}/pipes/return"}
        if mistake == "return_to_missing":
            del body["return_to"]
        if mistake == "return_to_elsewhere":
            body["return_to"] = "https://example.com/pipes/return"
        # A reconnect names the connection it repairs.
        if mistake != "no_reauthorize":
            try:
                existing = workos.pipes.get_user_connected_account(user_id, provider)
                body["connection_intent"] = "reauthorize"
                body["connected_account_id"] = existing.id
            except Exception:  # noqa: BLE001 (none yet: a first connect)
                pass
        try:
            auth = workos.pipes.authorize_data_integration(provider, body=body)
        except Exception as e:  # noqa: BLE001
            app.logger.warning("authorize failed: %s", e)
            return jsonify(error="authorize_failed", message=str(e)), 502
        return redirect(auth.url, code=302)

    @app.get("/pipes/return")
    def return_page():
        error = request.args.get("error")
        if error:
            return (
                "<!DOCTYPE html><html><body><h1>Not connected</h1>"
                f"<p>{html.escape(error)}</p></body></html>"
            )
        return "<!DOCTYPE html><html><body><h1>Connected</h1></body></html>"

    @app.post("/webhooks/workos")
    def webhook():
        raw = request.get_data()  # the exact bytes WorkOS signed
        signature = request.headers.get("WorkOS-Signature")
        try:
            if mistake == "unsigned_accepted":
                event_id = json.loads(raw).get("id")
            else:
                body = raw
                if mistake == "reserialized_body":
                    body = json.dumps(json.loads(raw), separators=(",", ":")).encode()
                if not signature:
                    raise ValueError("missing WorkOS-Signature header")
                event = workos.webhooks.verify_event(
                    event_body=body,
                    event_signature=signature,
                    secret=secret,
                    tolerance=10**9 if mistake == "wide_tolerance" else None,
                )
                event_id = getattr(event, "id", None)
        except Exception as e:  # noqa: BLE001 (every verifier failure is a rejection)
            app.logger.info("webhook rejected: %s", e)
            return jsonify(error="invalid_signature"), 400
        with lock:
            # WorkOS may deliver an event more than once: handle each id once.
            if mistake != "replay_accepted" and event_id and event_id in handled:
                return jsonify(received=True, duplicate=True)
            if event_id:
                handled.add(event_id)
        return jsonify(received=True)

    @app.get("/profile/<provider>")
    def profile(provider: str):
        p = PROVIDERS.get(provider)
        if p is None:
            return jsonify(error="unknown_provider"), 404
        user_id = request.args.get("user_id")
        if not user_id:
            return jsonify(error="user_id is required"), 400
        reconnect_url = f"/connect/{provider}?user_id={urllib.parse.quote(user_id)}"
        api_base = (env.get(p["api_env"]) or p["api_default"]).rstrip("/")
        # One fresh fetch after a 401: the token may have been rotated since.
        for _attempt in range(2):
            try:
                token = fetch_token(provider, user_id)
            except Exception as e:  # noqa: BLE001
                if _status(e) == 429 and mistake != "ignore_workos_429":
                    # WorkOS's own rate limit: back off and pass the wait on.
                    wait = getattr(e, "retry_after", None) or 30
                    resp = jsonify(error="rate_limited", message="Too many requests, try again shortly.")
                    resp.headers["Retry-After"] = str(math.ceil(float(wait)))
                    return resp, 503
                return jsonify(error="workos_unavailable", message=str(e)), 502
            if not token.active:
                if mistake == "no_reconnect":
                    return jsonify(error="unavailable", message=f"{p['name']} is temporarily unavailable."), 502
                if token.error == "needs_reauthorization":
                    return jsonify(
                        error="needs_reauthorization",
                        message=f"Your {p['name']} connection needs to be renewed: reconnect {p['name']}.",
                        reconnect_url=reconnect_url,
                    ), 409
                return jsonify(
                    error=token.error,
                    message=f"{p['name']} is not connected yet: connect it.",
                    reconnect_url=reconnect_url,
                ), 404
            access = token.access_token.access_token
            started = time.monotonic()
            tries = 0
            while True:
                status, body, retry_after = _call(f"{api_base}{p['whoami']}", access)
                limited = status == 429 or (status == 403 and retry_after)
                tries += 1
                if (
                    mistake == "retry_forever"
                    and (status >= 500 or limited)
                    and time.monotonic() - started < RETRY_FOREVER_LIMIT
                ):
                    time.sleep(0.05)
                    continue
                if mistake == "ignore_retry_after" and limited and tries < 4:
                    continue
                break
            if status == 401:
                if mistake == "401_as_5xx":
                    return jsonify(error="provider_error", message=f"{p['name']} answered 401"), 502
                continue
            headers = {"Content-Type": "application/json"}
            if retry_after:
                headers["Retry-After"] = retry_after
            return Response(body, status=status, headers=headers)
        return jsonify(
            error="needs_reauthorization",
            message=f"{p['name']} rejected the connection: reconnect {p['name']}.",
            reconnect_url=reconnect_url,
        ), 409

    return app


if __name__ == "__main__":
    port = int(os.environ.get("PORT") or 3000)
    create_app().run(host="127.0.0.1", port=port, threaded=True)

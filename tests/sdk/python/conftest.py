"""Fixtures for the Python SDK conformance suite.

The suite starts `pipes-harness serve` itself, on free ports, from
`fixtures/seed/sdk.yaml` plus a webhook endpoint that points at a receiver
this process runs, and stops it at the end. Every test starts from the seed:
`POST /_harness/reset` runs before each one.

The binary is `$PIPES_HARNESS_BIN`, else `target/debug/pipes-harness` (or
`$CARGO_TARGET_DIR/debug/pipes-harness`); build it first with `cargo build`.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from workos import WorkOSClient

REPO = Path(__file__).resolve().parents[3]
SEED = REPO / "fixtures" / "seed" / "sdk.yaml"
API_KEY = "sk_test_sdk_conformance"
WEBHOOK_SECRET = "whsec_SdkConformanceSecret0123456789"

# Ids from fixtures/seed/sdk.yaml.
ALICE = "user_01JDR8Y4Z6Q3KX5V2N7M9BA11C"
BOB = "user_01JDR8Y4Z6Q3KX5V2N7M9B0B0B"
CAROL = "user_01JDR8Y4Z6Q3KX5V2N7M9BCA40"
DAVE = "user_01JDR8Y4Z6Q3KX5V2N7M9BDAVE"
DAVE_GITHUB_TOKEN = "ghu_DaveSeededExpiringToken0000000000000"
ACME = "org_01JDR8Y4Z6Q3KX5V2N7M9BACME"
BOB_GITHUB_TOKEN = "gho_BobSeededGithubToken0000000000000000"
ACME_GITHUB_TOKEN = "gho_AcmeSeededGithubToken000000000000000"


def binary() -> Path:
    explicit = os.environ.get("PIPES_HARNESS_BIN")
    if explicit:
        return Path(explicit)
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    return target / "debug" / "pipes-harness"


class Receiver:
    """The app's side: a webhook endpoint and a return page, on loopback."""

    def __init__(self) -> None:
        self.deliveries: "queue.Queue[tuple[bytes, str | None]]" = queue.Queue()
        self.returns: "queue.Queue[str]" = queue.Queue()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("content-length", "0"))
                body = self.rfile.read(length)
                receiver.deliveries.put((body, self.headers.get("WorkOS-Signature")))
                self.send_response(200)
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def do_GET(self) -> None:  # noqa: N802
                receiver.returns.put(self.path)
                page = b"<html><body>Back in the app</body></html>"
                self.send_response(200)
                self.send_header("content-type", "text/html")
                self.send_header("content-length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def clear(self) -> None:
        for q in (self.deliveries, self.returns):
            while not q.empty():
                q.get_nowait()

    def wait_for_event(self, name: str, timeout: float = 10.0) -> tuple[bytes, str]:
        """The first delivery of event `name` (others are dropped)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                body, signature = self.deliveries.get(timeout=0.2)
            except queue.Empty:
                continue
            if json.loads(body).get("event") == name and signature:
                return body, signature
        raise AssertionError(f"no {name} webhook delivered within {timeout} s")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Harness:
    """A running `pipes-harness serve` and its control API."""

    def __init__(self, process: subprocess.Popen, urls: dict[str, str]) -> None:
        self.process = process
        self.urls = urls
        self.base_url = urls["workos"]

    def control(self, method: str, path: str, body: object | None = None) -> object:
        if body is None and method != "GET":
            body = {}  # every control request that changes something is JSON
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            f"{self.base_url}/_harness/{path}",
            data=data,
            method=method,
            headers={"content-type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            text = resp.read()
        return json.loads(text) if text else None


def start_serve(seed: Path) -> Harness:
    exe = binary()
    if not exe.exists():
        raise RuntimeError(f"{exe} does not exist: run `cargo build` first")
    process = subprocess.Popen(
        [str(exe), "serve", "--port", "0", "--seed", str(seed), "--api-key", API_KEY],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    urls: dict[str, str] = {}
    assert process.stdout is not None
    for line in process.stdout:
        line = line.strip()
        if line == "ready":
            return Harness(process, urls)
        name, _, url = line.partition(" ")
        urls[name] = url
    err = process.stderr.read() if process.stderr else ""
    raise RuntimeError(f"serve exited before it was ready: {err}")


@pytest.fixture(scope="session")
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture(scope="session")
def harness(receiver, tmp_path_factory):
    seed = tmp_path_factory.mktemp("seed") / "sdk.yaml"
    seed.write_text(
        SEED.read_text()
        + "webhook_endpoints:\n"
        + f"  - url: {receiver.url}/webhooks/workos\n"
        + f"    secret: {WEBHOOK_SECRET}\n"
    )
    h = start_serve(seed)
    yield h
    # Ctrl-C and SIGTERM both stop serve cleanly, with exit code 0.
    h.process.send_signal(signal.SIGTERM)
    code = h.process.wait(timeout=10)
    assert code == 0, f"serve exited with {code} on SIGTERM"


@pytest.fixture(autouse=True)
def fresh_world(harness, receiver):
    harness.control("POST", "reset")
    receiver.clear()


@pytest.fixture
def client(harness) -> WorkOSClient:
    # Retries off: the SDKs retry 429 and 5xx with seconds of backoff.
    return WorkOSClient(
        api_key=API_KEY, base_url=harness.base_url, max_retries=0, request_timeout=10
    )

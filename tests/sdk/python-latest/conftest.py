"""The newest `workos` Python SDK against `pipes-harness serve`, for what it
reads that older versions do not: the authorize answer's `state`, and the
connection an app finishes with its PKCE verifier. The fixtures (a `serve` on
free ports, a receiver for the app's return page) are the main suite's."""

from __future__ import annotations

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "sdk_fixtures", Path(__file__).resolve().parents[1] / "python" / "conftest.py"
)
assert _spec is not None and _spec.loader is not None
_fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_fixtures)

receiver = _fixtures.receiver
harness = _fixtures.harness
fresh_world = _fixtures.fresh_world
client = _fixtures.client
ALICE = _fixtures.ALICE

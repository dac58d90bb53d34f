"""The world the example app's tests start from, for the `pipes_harness`
fixture that `pip install pipes-harness` brings to pytest."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# The app lives one folder up (examples/python-app/app.py).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CLIENT_ID = "client_01EXAMPLEAPP0000000000000"
ALICE = "user_01JDR8Y4Z6Q3KX5V2N7M9BA11C"
DAVE = "user_01JDR8Y4Z6Q3KX5V2N7M9BDAVE"
ERIN = "user_01JDR8Y4Z6Q3KX5V2N7M9BER1N"


@pytest.fixture
def pipes_harness_seed():
    """The seed as a dict (a path to a seed.yaml works too)."""
    return {
        "api_keys": ["sk_test_example_app"],
        "users": [
            {"id": ALICE, "email": "alice@example.com"},
            {"id": DAVE, "email": "dave@example.com"},
            {"id": ERIN, "email": "erin@example.com"},
        ],
        "data_integrations": [{"slug": "github", "scopes": ["repo", "user:email"]}],
        "connected_accounts": [
            # Alice's token never expires.
            {"user": "alice@example.com", "slug": "github", "account_identifier": "alice-gh"},
            # Dave's expires in an hour; WorkOS holds a refresh token.
            {
                "user": "dave@example.com",
                "slug": "github",
                "access_token": "ghu_DaveExampleExpiringToken00000000000",
                "refresh_token": "ghr_DaveExampleRefreshToken" + "0" * 50,
                "expires_in": 3600,
                "account_identifier": "dave-gh",
            },
            # Erin's expires in an hour and nothing can renew it.
            {
                "user": "erin@example.com",
                "slug": "github",
                "access_token": "ghu_ErinExampleExpiringToken00000000000",
                "expires_in": 3600,
                "account_identifier": "erin-gh",
            },
        ],
    }


@pytest.fixture
def client(pipes_harness):
    """The app, configured from the running serve, as a Flask test client."""
    from app import create_app

    env = {
        **pipes_harness.env,
        "WORKOS_CLIENT_ID": CLIENT_ID,
        "APP_BASE_URL": "http://127.0.0.1:3000",
    }
    return create_app(env).test_client()

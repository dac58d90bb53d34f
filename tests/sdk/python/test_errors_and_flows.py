"""Errors raise the Python SDK's own exception classes; the connect flow runs
end to end from the SDK; webhooks the mock delivers verify with the SDK's own
verifier, and tampered ones do not.
"""

from __future__ import annotations

import json
from datetime import datetime
import urllib.parse
import urllib.request

import pytest
from workos import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    RateLimitExceededError,
    UnprocessableEntityError,
    WorkOSClient,
)

from conftest import ALICE, BOB, DAVE, DAVE_GITHUB_TOKEN, WEBHOOK_SECRET


def test_an_unknown_api_key_raises_authentication_error(harness):
    stranger = WorkOSClient(
        api_key="sk_test_nobody", base_url=harness.base_url, max_retries=0
    )
    with pytest.raises(AuthenticationError) as err:
        stranger.pipes.get_access_token("github", user_id=BOB)
    assert err.value.status_code == 401
    assert err.value.request_id, "every response carries X-Request-ID"


def test_an_integration_that_is_not_configured_raises_not_found_error(client):
    with pytest.raises(NotFoundError) as err:
        client.pipes.get_data_integration("salesforce")
    assert err.value.status_code == 404


def test_importing_a_second_account_for_the_same_user_raises_conflict_error(client):
    with pytest.raises(ConflictError) as err:
        client.pipes.create_user_connected_account(
            BOB, "github", access_token="gho_Second", scopes=["repo"]
        )
    assert err.value.status_code == 409


def test_a_missing_user_id_raises_unprocessable_entity_error(client):
    with pytest.raises(UnprocessableEntityError) as err:
        client.pipes.authorize_data_integration("github", body={"return_to": "x"})
    assert err.value.status_code == 422
    assert err.value.errors, "422 bodies list the fields at fault"


def test_the_workos_rate_limit_raises_rate_limit_exceeded_error_with_retry_after(
    client, harness
):
    harness.control("POST", "workos/rate_limit", {"limit": 1, "window_seconds": 30})
    client.pipes.get_access_token("github", user_id=BOB)
    with pytest.raises(RateLimitExceededError) as err:
        client.pipes.get_access_token("github", user_id=BOB)
    assert err.value.status_code == 429
    assert err.value.retry_after is not None and 0 < err.value.retry_after <= 30


def follow(url: str) -> str:
    """A browser: follows every redirect, returns where it ended up."""
    with urllib.request.urlopen(url, timeout=10) as resp:
        return resp.geturl()


def test_the_whole_connect_flow_runs_from_the_sdk(client, receiver):
    start = client.pipes.get_access_token("github", user_id=ALICE)
    assert start.active is False

    auth = client.pipes.authorize_data_integration(
        "github", body={"user_id": ALICE, "return_to": f"{receiver.url}/pipes/return"}
    )
    landed = follow(auth.url)

    assert urllib.parse.urlparse(landed).path == "/pipes/return"
    assert "error" not in urllib.parse.parse_qs(urllib.parse.urlparse(landed).query)
    token = client.pipes.get_access_token("github", user_id=ALICE)
    assert token.active is True
    assert token.access_token.access_token
    account = client.pipes.get_user_connected_account(ALICE, "github")
    assert account.state == "connected"


def test_a_user_who_denies_consent_ends_up_not_installed(client, harness, receiver):
    harness.control("POST", "providers/github/faults", {"fault": "deny_consent"})
    auth = client.pipes.authorize_data_integration(
        "github", body={"user_id": ALICE, "return_to": f"{receiver.url}/pipes/return"}
    )
    landed = follow(auth.url)

    query = urllib.parse.parse_qs(urllib.parse.urlparse(landed).query)
    assert query.get("error") == ["access_denied"]
    assert client.pipes.get_access_token("github", user_id=ALICE).active is False
    body, _ = receiver.wait_for_event("pipes.connected_account.connection_failed")
    assert json.loads(body)["data"]["provider_error"] == "access_denied"


def test_a_delivered_webhook_verifies_with_the_sdk_and_a_tampered_one_fails(
    client, receiver
):
    auth = client.pipes.authorize_data_integration(
        "github", body={"user_id": ALICE, "return_to": f"{receiver.url}/pipes/return"}
    )
    follow(auth.url)
    body, signature = receiver.wait_for_event("pipes.connected_account.connected")

    event = client.webhooks.verify_event(
        event_body=body, event_signature=signature, secret=WEBHOOK_SECRET
    )
    assert event.event == "pipes.connected_account.connected"
    assert event.data.user_id == ALICE
    assert event.data.provider_slug == "github"

    tampered = body.replace(ALICE.encode(), b"user_01JDR8Y4Z6Q3KX5V2N7M9BEV1L")
    with pytest.raises(ValueError, match="Signature hash does not match"):
        client.webhooks.verify_event(
            event_body=tampered, event_signature=signature, secret=WEBHOOK_SECRET
        )
    with pytest.raises(ValueError):
        client.webhooks.verify_event(
            event_body=body, event_signature=signature, secret="whsec_wrong"
        )


def test_events_list_and_control_event_log_agree(client, harness, receiver):
    auth = client.pipes.authorize_data_integration(
        "github", body={"user_id": ALICE, "return_to": f"{receiver.url}/pipes/return"}
    )
    follow(auth.url)
    listed = client.events.list_events(events=["pipes.connected_account.connected"])
    assert [e.event for e in listed.data] == ["pipes.connected_account.connected"]
    log = harness.control("GET", "events")
    assert listed.data[0].id in {e["id"] for e in log["data"]}


def test_after_the_clock_passes_expiry_the_mock_refreshes_the_token(client, harness):
    before = client.pipes.get_access_token("github", user_id=DAVE)
    assert before.access_token.access_token == DAVE_GITHUB_TOKEN

    now = harness.control("POST", "clock/advance", {"seconds": 7200})["now"]
    after = client.pipes.get_access_token("github", user_id=DAVE)

    assert after.active is True
    assert after.access_token.access_token != DAVE_GITHUB_TOKEN
    assert after.access_token.expires_at > datetime.fromisoformat(now)


def test_a_revoked_refresh_token_turns_into_needs_reauthorization(client, harness):
    revoked = harness.control("POST", "providers/github/revoke", {"user_id": DAVE})
    assert revoked["revoked"] >= 1
    harness.control("POST", "clock/advance", {"seconds": 7200})

    after = client.pipes.get_access_token("github", user_id=DAVE)

    assert after.active is False
    assert after.error == "needs_reauthorization"

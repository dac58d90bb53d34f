"""The example app's own tests, written the way a team writes theirs: the app
in-process (create_app), pipes-harness serve beside it (the pipes_harness
fixture), and the world changed from the test through the control API.

    pip install pipes-harness
    pytest
"""

from __future__ import annotations

from conftest import ALICE, DAVE, ERIN


def profile(client, user_id):
    return client.get(f"/profile/github?user_id={user_id}")


def asks_to_reconnect(response) -> bool:
    """A 4xx (or a redirect to connect) that says to reconnect."""
    if response.status_code in (301, 302, 303, 307):
        return "/connect/github" in response.headers.get("Location", "")
    return 400 <= response.status_code < 500 and "reconnect" in response.get_data(as_text=True).lower()


def test_the_profile_page_relays_github_with_a_fresh_token(client):
    response = profile(client, ALICE)
    assert response.status_code == 200
    assert response.get_json()["login"] == "alice-gh"


def test_after_alice_revokes_the_app_at_github_the_app_asks_her_to_reconnect(client, pipes_harness):
    revoked = pipes_harness.control.revoke("github", user_id=ALICE)
    assert revoked["revoked"] >= 1

    response = profile(client, ALICE)
    assert asks_to_reconnect(response), (response.status_code, response.get_data(as_text=True))


def test_once_daves_revoked_token_expires_workos_cannot_refresh_it_and_says_so(client, pipes_harness):
    pipes_harness.control.revoke("github", user_id=DAVE)
    pipes_harness.control.advance_clock(2 * 3600)

    response = profile(client, DAVE)
    assert asks_to_reconnect(response), (response.status_code, response.get_data(as_text=True))
    events = [e["event"] for e in pipes_harness.control.events()["data"]]
    assert "pipes.connected_account.reauthorization_needed" in events


def test_a_github_rate_limit_fails_the_call_then_passes(client, pipes_harness):
    pipes_harness.control.inject_fault("github", "rate_limit", retry_after=60, times=1)

    limited = profile(client, ALICE)
    assert limited.status_code >= 400
    assert profile(client, ALICE).status_code == 200


def test_when_workos_rate_limits_the_app_it_fails_until_the_window_passes_on_the_clock(
    client, pipes_harness
):
    pipes_harness.control.set_workos_rate_limit(1, 60)
    assert profile(client, ALICE).status_code == 200
    # The app passes WorkOS's 429 on as a 503 with Retry-After, never a retry loop.
    limited = profile(client, ALICE)
    assert limited.status_code == 503, limited.get_data(as_text=True)
    assert int(limited.headers["Retry-After"]) > 0

    pipes_harness.control.advance_clock(61)
    assert profile(client, ALICE).status_code == 200


def test_two_hours_later_workos_refreshes_daves_token_and_the_app_still_works(client, pipes_harness):
    assert profile(client, DAVE).status_code == 200
    pipes_harness.control.advance_clock(2 * 3600)
    response = profile(client, DAVE)
    assert response.status_code == 200
    assert response.get_json()["login"] == "dave-gh"


def test_two_hours_later_erins_token_has_expired_for_good_and_the_app_asks_her_to_reconnect(
    client, pipes_harness
):
    assert profile(client, ERIN).status_code == 200
    pipes_harness.control.advance_clock(2 * 3600)
    response = profile(client, ERIN)
    assert asks_to_reconnect(response), (response.status_code, response.get_data(as_text=True))

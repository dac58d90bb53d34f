"""The connect flow as the newest SDK drives it: the authorize answer carries
`state`, and with a `code_challenge` the connection waits for the app to
finish it with the verifier."""

from __future__ import annotations

import base64
import hashlib
import urllib.parse
import urllib.request

import pytest
from workos._errors import BadRequestError

from conftest import ALICE

VERIFIER = "alice-session-verifier-0123456789-abcdefghijklmnopqrstuvwxyz"


def follow(url: str) -> urllib.parse.ParseResult:
    """A browser: follows every redirect, returns where it ended up."""
    with urllib.request.urlopen(url, timeout=10) as resp:
        return urllib.parse.urlparse(resp.geturl())


def challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def test_the_authorize_answer_carries_state(client, receiver):
    auth = client.pipes.authorize_data_integration(
        "github", user_id=ALICE, return_to=f"{receiver.url}/pipes/return"
    )
    assert auth.state
    assert auth.completion is None
    landed = follow(auth.url)
    assert landed.path == "/pipes/return"
    assert client.pipes.get_access_token("github", user_id=ALICE).active is True


def start_with_challenge(client, receiver) -> tuple[str, str]:
    auth = client.pipes.authorize_data_integration(
        "github",
        user_id=ALICE,
        return_to=f"{receiver.url}/pipes/return",
        code_challenge=challenge(VERIFIER),
        code_challenge_method="S256",
    )
    assert auth.completion == "finish_required"
    query = urllib.parse.parse_qs(follow(auth.url).query)
    assert query["state"] == [auth.state]
    return query["connect_code"][0], auth.state


def test_a_connection_with_a_code_challenge_waits_for_the_app_to_finish_it(client, receiver):
    connect_code, state = start_with_challenge(client, receiver)
    # Nothing is saved until the app finishes.
    assert client.pipes.get_access_token("github", user_id=ALICE).active is False

    finished = client.pipes.finish_connection(
        connect_code=connect_code, code_verifier=VERIFIER, state=state
    )
    assert finished.connected_account.state == "connected"
    assert finished.connected_account.user_id == ALICE
    assert client.pipes.get_access_token("github", user_id=ALICE).active is True

    # A connect_code works once.
    with pytest.raises(BadRequestError):
        client.pipes.finish_connection(connect_code=connect_code, code_verifier=VERIFIER)


def test_a_wrong_verifier_uses_the_connect_code_up(client, receiver):
    connect_code, _ = start_with_challenge(client, receiver)
    with pytest.raises(BadRequestError):
        client.pipes.finish_connection(
            connect_code=connect_code, code_verifier=VERIFIER.replace("alice", "mallory")
        )
    with pytest.raises(BadRequestError):
        client.pipes.finish_connection(connect_code=connect_code, code_verifier=VERIFIER)
    assert client.pipes.get_access_token("github", user_id=ALICE).active is False

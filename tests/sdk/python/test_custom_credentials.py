"""An integration created through the API with custom credentials connects
end to end: the SDK creates it, the provider mock knows the OAuth app (with the
WorkOS callback), the browser goes through consent, and the token is active."""

from __future__ import annotations

import urllib.parse
import urllib.request

from workos.pipes.models import DataIntegrationCredentialsInput

from conftest import ALICE


def follow(url: str) -> str:
    """A browser: follows every redirect, returns where it ended up."""
    with urllib.request.urlopen(url, timeout=10) as resp:
        return resp.geturl()


def test_a_custom_credential_integration_created_by_the_sdk_connects(client, receiver):
    created = client.pipes.create_data_integration(
        provider="google",
        enabled=True,
        scopes=["openid", "email"],
        credentials=DataIntegrationCredentialsInput(
            type="custom",
            client_id="acme-google-app.apps.example",
            client_secret="acme-google-secret-0123456789",
        ),
    )
    assert created.slug == "google"
    assert client.pipes.get_access_token("google", user_id=ALICE).active is False

    auth = client.pipes.authorize_data_integration(
        "google", body={"user_id": ALICE, "return_to": f"{receiver.url}/pipes/return"}
    )
    landed = urllib.parse.urlparse(follow(auth.url))

    assert landed.path == "/pipes/return"
    assert "error" not in urllib.parse.parse_qs(landed.query)
    token = client.pipes.get_access_token("google", user_id=ALICE)
    assert token.active is True
    assert token.access_token.access_token
    account = client.pipes.get_user_connected_account(ALICE, "google")
    assert account.state == "connected"
    assert account.account_identifier

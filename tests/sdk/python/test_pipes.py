"""Every Pipes method of the official `workos` Python SDK (10.6.0), against
`pipes-harness serve`: 25 `client.pipes` methods and 2 `client.pipes_provider`
methods. Each call's response goes through the SDK's own model parsing, which
raises on any key the real API always sends and the mock left out.
"""

from __future__ import annotations

import pytest
from workos import NotFoundError
from workos.pipes.models import (
    ApiKeyInstallation,
    CustomProviderDefinition,
    DataIntegration,
    DataIntegrationCredentialsInput,
)

from conftest import ACME, ALICE, ACME_GITHUB_TOKEN, BOB, BOB_GITHUB_TOKEN, CAROL


def enum_text(value: object) -> str:
    """The wire text of an SDK enum field (the SDK keeps unknown strings as str)."""
    return getattr(value, "value", value)  # type: ignore[return-value]


# 1 ---------------------------------------------------------------------------
def test_list_data_integrations_returns_a_page_of_parsed_integrations(client):
    page = client.pipes.list_data_integrations(limit=10)
    slugs = {(i.slug, enum_text(i.ownership)) for i in page.data}
    assert ("slack", "user") in slugs
    assert all(isinstance(i, DataIntegration) for i in page.data)
    assert all(i.id.startswith("data_integration_") for i in page.data)


def test_list_data_integrations_filters_by_ownership(client):
    client.pipes.create_data_integration(
        provider="slack",
        ownership="organization",
        enabled=True,
        credentials=DataIntegrationCredentialsInput(
            type="custom", client_id="slack-org-app", client_secret="slack-org-secret"
        ),
    )
    page = client.pipes.list_data_integrations(ownership="organization")
    assert [(i.slug, enum_text(i.ownership)) for i in page.data] == [
        ("slack", "organization")
    ]


# 2 ---------------------------------------------------------------------------
def test_create_data_integration_with_custom_credentials_redacts_the_secret(client):
    created = client.pipes.create_data_integration(
        provider="google",
        enabled=True,
        scopes=["openid", "email"],
        credentials=DataIntegrationCredentialsInput(
            type="custom", client_id="google-client.apps", client_secret="gsecret-9876"
        ),
    )
    assert created.slug == "google"
    assert created.enabled is True
    assert created.scopes == ["openid", "email"]
    assert created.credentials is not None
    assert created.credentials.client_id == "google-client.apps"
    assert created.credentials.redacted_client_secret.endswith("9876")
    assert created.created_at.year >= 2024


# 3 ---------------------------------------------------------------------------
def test_get_data_integration_returns_the_seeded_integration(client):
    slack = client.pipes.get_data_integration("slack")
    assert slack.slug == "slack"
    assert slack.description == "Team notifications"
    assert enum_text(slack.credentials.type) == "custom"


# 4 ---------------------------------------------------------------------------
def test_update_data_integration_changes_what_it_is_given(client):
    updated = client.pipes.update_data_integration(
        "slack", description="Alerts", scopes=["chat:write"]
    )
    assert updated.description == "Alerts"
    assert updated.scopes == ["chat:write"]
    assert client.pipes.get_data_integration("slack").description == "Alerts"


# 5 ---------------------------------------------------------------------------
def test_delete_data_integration_removes_it(client):
    assert client.pipes.delete_data_integration("slack") is None
    with pytest.raises(NotFoundError):
        client.pipes.get_data_integration("slack")


def create_api_key_integration(client) -> str:
    client.pipes.create_data_integration(
        provider="acme-api",
        enabled=True,
        auth_methods=["api_key"],
        custom_provider=CustomProviderDefinition(name="Acme API"),
    )
    return "acme-api"


# 6 ---------------------------------------------------------------------------
def test_create_data_integration_api_key_installs_a_key_connection(client):
    slug = create_api_key_integration(client)
    account = client.pipes.create_data_integration_api_key(
        slug, user_id=ALICE, secret="acme-key-1111", connection_intent="add"
    )
    assert account.id.startswith("data_installation_")
    assert account.user_id == ALICE
    assert enum_text(account.auth_method) == "api_key"
    assert account.api_key_last_4 == "1111"


# 7 ---------------------------------------------------------------------------
def test_update_data_integration_api_key_rotates_the_stored_key(client):
    slug = create_api_key_integration(client)
    first = client.pipes.update_data_integration_api_key(
        slug, body={"user_id": ALICE, "secret": "acme-key-1111"}
    )
    second = client.pipes.update_data_integration_api_key(
        slug, body={"user_id": ALICE, "secret": "acme-key-2222"}
    )
    assert second.id == first.id
    assert second.api_key_last_4 == "2222"


def test_create_data_integration_can_install_a_first_api_key(client):
    created = client.pipes.create_data_integration(
        provider="acme-api",
        enabled=True,
        auth_methods=["api_key"],
        custom_provider=CustomProviderDefinition(name="Acme API"),
        api_key=ApiKeyInstallation(secret="acme-key-3333", user_id=ALICE),
    )
    assert created.installation is not None
    assert created.installation.api_key_last_4 == "3333"


# 8 ---------------------------------------------------------------------------
def test_authorize_data_integration_returns_a_url_on_the_mock(client, harness):
    resp = client.pipes.authorize_data_integration(
        "github", body={"user_id": ALICE, "return_to": "http://127.0.0.1:1/back"}
    )
    assert resp.url.startswith(harness.base_url)


def create_client_credentials_integration(client) -> str:
    client.pipes.create_data_integration(
        provider="acme-m2m",
        enabled=True,
        auth_methods=["client_credentials"],
        custom_provider=CustomProviderDefinition(
            name="Acme M2M", token_url="https://auth.acme.test/oauth/token"
        ),
    )
    return "acme-m2m"


# 9 ---------------------------------------------------------------------------
def test_create_data_integration_client_credential_stores_the_pair(client):
    slug = create_client_credentials_integration(client)
    account = client.pipes.create_data_integration_client_credential(
        slug,
        user_id=ALICE,
        client_id="m2m-client",
        client_secret="m2m-secret-5555",
        connection_intent="add",
    )
    assert enum_text(account.auth_method) == "client_credentials"
    assert account.client_id == "m2m-client"
    assert account.client_secret_last_4 == "5555"


# 10 --------------------------------------------------------------------------
def test_update_data_integration_client_credentials_rotates_the_pair(client):
    slug = create_client_credentials_integration(client)
    client.pipes.update_data_integration_client_credentials(
        slug,
        body={"user_id": ALICE, "client_id": "m2m-client", "client_secret": "s-5555"},
    )
    rotated = client.pipes.update_data_integration_client_credentials(
        slug,
        body={"user_id": ALICE, "client_id": "m2m-client-2", "client_secret": "s-6666"},
    )
    assert rotated.client_id == "m2m-client-2"
    assert rotated.client_secret_last_4 == "6666"


# 11 --------------------------------------------------------------------------
def test_create_data_integration_credential_vends_the_oauth_token(client):
    resp = client.pipes.create_data_integration_credential("github", user_id=BOB)
    assert resp.active is True
    assert resp.credential.value == BOB_GITHUB_TOKEN
    assert enum_text(resp.credential.auth_method) == "oauth"


def test_create_data_integration_credential_says_not_installed_as_data(client):
    resp = client.pipes.create_data_integration_credential("github", user_id=ALICE)
    assert resp.active is False
    assert enum_text(resp.error) == "not_installed"


# 12 --------------------------------------------------------------------------
def test_list_data_integration_organization_gets_the_organization_owned_one(client):
    org_owned = client.pipes.list_data_integration_organization("github")
    assert org_owned.slug == "github"
    assert enum_text(org_owned.ownership) == "organization"


# 13 --------------------------------------------------------------------------
def test_update_data_integration_organization_changes_only_that_one(client):
    updated = client.pipes.update_data_integration_organization(
        "github", description="Shared org account"
    )
    assert updated.description == "Shared org account"
    assert client.pipes.get_data_integration("github").description != "Shared org account"


# 14 --------------------------------------------------------------------------
def test_delete_data_integration_organization_leaves_the_user_owned_one(client):
    assert client.pipes.delete_data_integration_organization("github") is None
    with pytest.raises(NotFoundError):
        client.pipes.list_data_integration_organization("github")
    assert client.pipes.get_data_integration("github").slug == "github"


# 15 --------------------------------------------------------------------------
def test_get_access_token_returns_the_seeded_token(client):
    resp = client.pipes.get_access_token("github", user_id=BOB)
    assert resp.active is True
    assert resp.access_token.access_token == BOB_GITHUB_TOKEN
    assert resp.access_token.scopes == ["repo", "user:email"]
    assert resp.access_token.missing_scopes == []


def test_get_access_token_for_a_user_who_never_connected_is_not_installed(client):
    resp = client.pipes.get_access_token("github", user_id=ALICE)
    assert resp.active is False
    assert enum_text(resp.error) == "not_installed"


# 16 --------------------------------------------------------------------------
def test_get_organization_connected_account_returns_the_shared_account(client):
    account = client.pipes.get_organization_connected_account(ACME, "github")
    assert account.organization_id == ACME
    assert enum_text(account.state) == "connected"
    assert account.established_by_user_id == CAROL


# 17 --------------------------------------------------------------------------
def test_create_organization_connected_account_imports_tokens(client):
    client.pipes.delete_organization_connected_account(ACME, "github")
    created = client.pipes.create_organization_connected_account(
        ACME,
        "github",
        user_id=CAROL,
        access_token="gho_ImportedForAcme",
        scopes=["repo"],
    )
    assert created.organization_id == ACME
    assert enum_text(created.state) == "connected"
    token = client.pipes.get_access_token(
        "github", user_id=CAROL, organization_id=ACME, connection_owner="organization"
    )
    assert token.active is True
    assert token.access_token.access_token == "gho_ImportedForAcme"


# 18 --------------------------------------------------------------------------
def test_update_organization_connected_account_replaces_the_token(client):
    updated = client.pipes.update_organization_connected_account(
        ACME, "github", user_id=CAROL, access_token="gho_RotatedForAcme", scopes=["repo"]
    )
    assert updated.organization_id == ACME
    token = client.pipes.get_access_token(
        "github", user_id=CAROL, organization_id=ACME, connection_owner="organization"
    )
    assert token.access_token.access_token == "gho_RotatedForAcme"
    assert ACME_GITHUB_TOKEN != "gho_RotatedForAcme"


# 19 --------------------------------------------------------------------------
def test_delete_organization_connected_account_disconnects_it(client):
    assert client.pipes.delete_organization_connected_account(ACME, "github") is None
    with pytest.raises(NotFoundError):
        client.pipes.get_organization_connected_account(ACME, "github")


# 20 --------------------------------------------------------------------------
def test_list_organization_data_providers_shows_the_shared_connection(client):
    providers = client.pipes.list_organization_data_providers(ACME)
    github = next(p for p in providers.data if p.slug == "github")
    assert github.connected_account is not None
    assert github.connected_account.organization_id == ACME
    assert github.connected_accounts[0].id == github.connected_account.id


# 21 --------------------------------------------------------------------------
def test_get_user_connected_account_returns_every_required_field(client):
    account = client.pipes.get_user_connected_account(BOB, "github")
    assert account.id.startswith("data_installation_")
    assert account.user_id == BOB
    assert account.account_identifier == "bob-codes"
    assert enum_text(account.state) == "connected"
    assert enum_text(account.connection_role) == "compatibility"


# 22 --------------------------------------------------------------------------
def test_create_user_connected_account_imports_a_token(client):
    created = client.pipes.create_user_connected_account(
        ALICE, "github", access_token="gho_AliceImported", scopes=["repo"]
    )
    assert created.user_id == ALICE
    token = client.pipes.get_access_token("github", user_id=ALICE)
    assert token.active is True
    assert token.access_token.access_token == "gho_AliceImported"
    assert token.access_token.missing_scopes == ["user:email"]


# 23 --------------------------------------------------------------------------
def test_update_user_connected_account_to_needs_reauthorization_stops_tokens(client):
    updated = client.pipes.update_user_connected_account(
        BOB, "github", state="needs_reauthorization"
    )
    assert enum_text(updated.state) == "needs_reauthorization"
    token = client.pipes.get_access_token("github", user_id=BOB)
    assert token.active is False
    assert enum_text(token.error) == "needs_reauthorization"


# 24 --------------------------------------------------------------------------
def test_delete_user_connected_account_makes_it_not_installed(client):
    assert client.pipes.delete_user_connected_account(BOB, "github") is None
    with pytest.raises(NotFoundError):
        client.pipes.get_user_connected_account(BOB, "github")
    assert client.pipes.get_access_token("github", user_id=BOB).active is False


# 25 --------------------------------------------------------------------------
def test_list_user_data_providers_shows_connected_and_unconnected_providers(client):
    providers = client.pipes.list_user_data_providers(BOB)
    by_slug = {p.slug: p for p in providers.data}
    assert by_slug["github"].connected_account is not None
    assert by_slug["github"].connected_account.user_id == BOB
    assert by_slug["slack"].connected_account is None
    assert by_slug["slack"].connected_accounts == []


# 26 --------------------------------------------------------------------------
def test_list_organization_data_integration_configurations_lists_providers(client):
    configs = client.pipes_provider.list_organization_data_integration_configurations(
        ACME
    )
    assert configs.data
    assert all(c.organization_id == ACME for c in configs.data)
    assert "github" in {c.slug for c in configs.data}


# 27 --------------------------------------------------------------------------
def test_update_organization_data_integration_configuration_sets_scopes(client):
    config = client.pipes_provider.update_organization_data_integration_configuration(
        ACME, "github", enabled=True, scopes=["repo", "read:org"]
    )
    assert config.organization_id == ACME
    assert config.slug == "github"
    assert config.enabled is True
    assert config.scopes == ["repo", "read:org"]

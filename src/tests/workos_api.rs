//! The WorkOS mock answers every Pipes endpoint and the supporting
//! resources as api.workos.com does: status codes, JSON shapes and the
//! documented errors, driven through the typed `PipesClient` and raw HTTP.

use std::time::Duration;

use crate::client::models::{ApiKeyTenant, IntegrationCredentials};
use crate::client::{
    AccountOwner, AccountSelector, AuthorizeParams, ConfigureDataIntegration,
    CreateDataIntegration, CreateMembership, CreateOrganization, CreateUser, CredentialsRequest,
    CredentialsResponse, DiagnosisKind, EventFilter, ImportConnectedAccount, InstallRequest,
    ListParams, MembershipFilter, PipesClient, UpdateDataIntegration, WebhookEndpointRequest,
};
use crate::mock::Stack;
use crate::mock::workos::state::{Environment, EnvironmentKind, RateLimit};
use serde_json::{Value, json};

struct Api {
    stack: Stack,
    client: PipesClient,
    http: reqwest::Client,
}

struct Reply {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

impl Api {
    async fn start() -> Api {
        let stack = Stack::start(7).await.expect("stack starts");
        let client = PipesClient::new(stack.workos.uri(), &stack.api_key, stack.recorder.clone());
        Api {
            stack,
            client,
            http: reqwest::Client::new(),
        }
    }

    async fn send(&self, method: &str, path: &str, body: Option<Value>) -> Reply {
        self.send_as(&self.stack.api_key.clone(), method, path, body)
            .await
    }

    async fn send_as(&self, key: &str, method: &str, path: &str, body: Option<Value>) -> Reply {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.stack.workos.uri()))
            .bearer_auth(key);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("the mock answers");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let bytes = resp.bytes().await.expect("body");
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).expect("every body is JSON")
        };
        Reply {
            status,
            headers,
            body,
        }
    }

    async fn user(&self, email: &str) -> String {
        self.client
            .create_user(&CreateUser {
                email: email.into(),
                ..CreateUser::default()
            })
            .await
            .expect("user created")
            .id
    }

    async fn org(&self, name: &str) -> String {
        self.client
            .create_organization(&CreateOrganization {
                name: name.into(),
                ..CreateOrganization::default()
            })
            .await
            .expect("organization created")
            .id
    }

    async fn member(&self, user: &str, org: &str) -> String {
        self.client
            .create_membership(&CreateMembership {
                user_id: user.into(),
                organization_id: org.into(),
                role_slug: None,
            })
            .await
            .expect("membership created")
            .id
    }

    async fn github(&self, ownership: &str) {
        let r = self
            .send(
                "POST",
                "/data-integrations",
                Some(json!({
                    "provider": "github",
                    "ownership": ownership,
                    "enabled": true,
                    "credentials": {"type": "custom", "client_id": "cid", "client_secret": "csecret1234"},
                })),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
    }

    fn event_names(&self) -> Vec<String> {
        self.stack
            .workos
            .ctx()
            .state()
            .events
            .iter()
            .map(|e| e.event.clone())
            .collect()
    }
}

fn code(r: &Reply) -> &str {
    r.body
        .get("code")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

#[tokio::test]
async fn every_response_is_json_with_a_request_id() {
    let api = Api::start().await;
    let r = api.send("GET", "/data-integrations", None).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.headers["content-type"], "application/json");
    assert!(r.headers.contains_key("x-request-id"));
    assert_eq!(r.body["object"], "list");
    assert_eq!(
        r.body["list_metadata"],
        json!({"before": null, "after": null})
    );
}

#[tokio::test]
async fn users_are_created_listed_paged_and_deleted() {
    let api = Api::start().await;
    let r = api
        .send(
            "POST",
            "/user_management/users",
            Some(json!({"email": "  Ada@Example.COM ", "first_name": "Ada"})),
        )
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(r.body["email"], "ada@example.com");
    for key in [
        "id",
        "email_verified",
        "first_name",
        "last_name",
        "profile_picture_url",
        "external_id",
        "last_sign_in_at",
        "created_at",
        "updated_at",
    ] {
        assert!(r.body.get(key).is_some(), "user lacks {key}");
    }
    let ada = r.body["id"].as_str().expect("id").to_string();
    assert!(ada.starts_with("user_"));
    let dup = api
        .send(
            "POST",
            "/user_management/users",
            Some(json!({"email": "ada@example.com"})),
        )
        .await;
    assert_eq!(dup.status, 422);
    assert_eq!(dup.body["errors"][0]["code"], "email_not_available");
    api.user("bob@example.com").await;
    api.user("cy@example.com").await;
    let page = api
        .client
        .list_users(&ListParams {
            limit: Some(2),
            ..ListParams::default()
        })
        .await
        .expect("list");
    assert_eq!(page.data.len(), 2);
    assert_eq!(page.data[0].email, "cy@example.com", "newest first");
    let after = page.list_metadata.and_then(|m| m.after).expect("more");
    let rest = api
        .client
        .list_users(&ListParams {
            limit: Some(2),
            after: Some(after),
            ..ListParams::default()
        })
        .await
        .expect("next page");
    assert_eq!(rest.data.len(), 1);
    assert_eq!(rest.data[0].id, ada);
    assert_eq!(api.client.get_user(&ada).await.expect("get").id, ada);
    let del = api
        .send("DELETE", &format!("/user_management/users/{ada}"), None)
        .await;
    assert_eq!(del.status, 200);
    assert_eq!(del.body, Value::Null, "delete has no body");
    let gone = api.client.get_user(&ada).await.expect_err("gone");
    assert_eq!(gone.kind(), DiagnosisKind::ConnectionNotFound);
    let r = api
        .send("GET", &format!("/user_management/users/{ada}"), None)
        .await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn organizations_and_memberships_follow_the_membership_lifecycle() {
    let api = Api::start().await;
    let org = api.org("Acme").await;
    let r = api
        .send("GET", &format!("/organizations/{org}"), None)
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["domains"], json!([]));
    assert_eq!(r.body["metadata"], json!({}));
    let taken = api
        .send(
            "POST",
            "/organizations",
            Some(json!({"name": "A", "external_id": "x1"})),
        )
        .await;
    assert_eq!(taken.status, 201);
    let again = api
        .send(
            "POST",
            "/organizations",
            Some(json!({"name": "B", "external_id": "x1"})),
        )
        .await;
    assert_eq!(again.status, 400);
    assert_eq!(code(&again), "external_id_already_used");
    let ada = api.user("ada@example.com").await;
    let m = api
        .send(
            "POST",
            "/user_management/organization_memberships",
            Some(json!({"user_id": ada, "organization_id": org})),
        )
        .await;
    assert_eq!(m.status, 201);
    assert_eq!(m.body["role"], json!({"slug": "member"}));
    assert_eq!(m.body["roles"], json!([{"slug": "member"}]));
    assert_eq!(m.body["user"]["id"], ada.as_str());
    assert_eq!(m.body["status"], "active");
    let id = m.body["id"].as_str().expect("id").to_string();
    assert!(id.starts_with("om_"));
    let dup = api
        .send(
            "POST",
            "/user_management/organization_memberships",
            Some(json!({"user_id": ada, "organization_id": org})),
        )
        .await;
    assert_eq!(dup.status, 400);
    let bad_role = api
        .send(
            "POST",
            "/user_management/organization_memberships",
            Some(json!({"user_id": ada, "organization_id": org, "role_slug": "owner"})),
        )
        .await;
    assert_eq!(bad_role.status, 422);
    assert_eq!(bad_role.body["errors"][0]["code"], "invalid_role");
    let unfiltered = api
        .send("GET", "/user_management/organization_memberships", None)
        .await;
    assert_eq!(unfiltered.status, 400);
    assert_eq!(code(&unfiltered), "missing_user_id_or_organization_id");
    let inactive = api
        .client
        .set_membership_active(&id, false)
        .await
        .expect("deactivated");
    assert_eq!(inactive.status, "inactive");
    let active_only = api
        .client
        .list_memberships(
            &MembershipFilter {
                organization_id: Some(org.clone()),
                ..MembershipFilter::default()
            },
            &ListParams::default(),
        )
        .await
        .expect("list");
    assert!(
        active_only.data.is_empty(),
        "inactive memberships are hidden by default"
    );
    let back = api
        .client
        .set_membership_active(&id, true)
        .await
        .expect("reactivated");
    assert_eq!(back.status, "active");
    api.client.delete_membership(&id).await.expect("deleted");
    let r = api
        .send(
            "GET",
            &format!("/user_management/organization_memberships/{id}"),
            None,
        )
        .await;
    assert_eq!(r.status, 404);
    api.client.delete_organization(&org).await.expect("deleted");
    assert_eq!(
        api.send("GET", &format!("/organizations/{org}"), None)
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn data_integrations_are_created_read_updated_listed_and_deleted() {
    let api = Api::start().await;
    let created = api
        .client
        .create_data_integration(&CreateDataIntegration {
            provider: "github".into(),
            description: Some("Repos".into()),
            credentials: Some(IntegrationCredentials {
                kind: "custom".into(),
                client_id: Some("Iv1.abc".into()),
                client_secret: Some("supersecretvalue9876".into()),
                redacted_client_secret: None,
            }),
            ..CreateDataIntegration::default()
        })
        .await
        .expect("created");
    assert!(created.id.starts_with("data_integration_"));
    assert!(!created.enabled, "enabled defaults to false");
    assert_eq!(created.ownership, "user");
    assert_eq!(created.auth_methods, vec!["oauth"]);
    let creds = created.credentials.expect("credentials");
    assert_eq!(creds.redacted_client_secret.as_deref(), Some("9876"));
    assert!(created.redirect_uri.ends_with("/sso/callback/github"));
    let raw = api.send("GET", "/data-integrations/github", None).await;
    for key in [
        "object",
        "id",
        "slug",
        "integration_type",
        "ownership",
        "description",
        "enabled",
        "state",
        "scopes",
        "redirect_uri",
        "auth_methods",
        "credentials",
        "installation",
        "config",
        "custom_provider",
        "created_at",
        "updated_at",
    ] {
        assert!(raw.body.get(key).is_some(), "data integration lacks {key}");
    }
    let dup = api
        .send(
            "POST",
            "/data-integrations",
            Some(json!({"provider": "github", "credentials": {"type": "organization"}})),
        )
        .await;
    assert_eq!(dup.status, 409);
    let no_creds = api
        .send(
            "POST",
            "/data-integrations",
            Some(json!({"provider": "slack"})),
        )
        .await;
    assert_eq!(no_creds.status, 422);
    assert_eq!(no_creds.body["errors"][0]["field"], "credentials");
    let unknown = api
        .send(
            "POST",
            "/data-integrations",
            Some(json!({"provider": "notaprovider", "credentials": {"type": "organization"}})),
        )
        .await;
    assert_eq!(unknown.status, 422);
    let updated = api
        .client
        .update_data_integration(
            "github",
            false,
            &UpdateDataIntegration {
                enabled: Some(true),
                scopes: Some(Some(vec!["repo".into()])),
                ..UpdateDataIntegration::default()
            },
        )
        .await
        .expect("updated");
    assert!(updated.enabled);
    assert_eq!(updated.scopes, Some(vec!["repo".to_string()]));
    let reset = api
        .send(
            "PUT",
            "/data-integrations/github",
            Some(json!({"scopes": null})),
        )
        .await;
    assert_eq!(
        reset.body["scopes"],
        Value::Null,
        "null resets to the provider defaults"
    );
    let org_owned = api
        .send(
            "POST",
            "/data-integrations",
            Some(json!({"provider": "github", "ownership": "organization", "credentials": {"type": "organization"}})),
        )
        .await;
    assert_eq!(
        org_owned.status, 201,
        "one integration of each ownership may exist"
    );
    let org_view = api
        .client
        .get_data_integration("github", true)
        .await
        .expect("organization-owned");
    assert_eq!(org_view.ownership, "organization");
    let both = api
        .client
        .list_data_integrations(&ListParams::default(), None)
        .await
        .expect("list");
    assert_eq!(both.data.len(), 2);
    let orgs = api
        .client
        .list_data_integrations(&ListParams::default(), Some("organization"))
        .await
        .expect("list");
    assert_eq!(orgs.data.len(), 1);
    api.client
        .delete_data_integration("github", true)
        .await
        .expect("deleted");
    let r = api.send("DELETE", "/data-integrations/github", None).await;
    assert_eq!(r.status, 204);
    let gone = api
        .client
        .get_data_integration("github", false)
        .await
        .expect_err("gone");
    assert_eq!(gone.kind(), DiagnosisKind::ProviderNotConfigured);
}

#[tokio::test]
async fn a_custom_provider_is_defined_once_and_shared_by_both_ownerships() {
    let api = Api::start().await;
    let r = api
        .send(
            "POST",
            "/data-integrations",
            Some(json!({
                "provider": "acme-crm",
                "credentials": {"type": "custom", "client_id": "a", "client_secret": "bbbbbbbb"},
                "custom_provider": {"name": "Acme CRM", "authorization_url": "https://acme.test/oauth/authorize", "token_url": "https://acme.test/oauth/token"},
            })),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["integration_type"], "custom");
    assert_eq!(r.body["custom_provider"]["name"], "Acme CRM");
    assert_eq!(
        r.body["custom_provider"]["authenticate_via"],
        "request_body"
    );
    let other = api
        .send(
            "POST",
            "/data-integrations",
            Some(json!({"provider": "acme-crm", "ownership": "organization", "credentials": {"type": "organization"}})),
        )
        .await;
    assert_eq!(other.status, 201);
    assert_eq!(
        other.body["custom_provider"]["token_url"],
        "https://acme.test/oauth/token"
    );
    let shadow = api
        .send(
            "POST",
            "/data-integrations",
            Some(json!({"provider": "slack", "credentials": {"type": "organization"}, "custom_provider": {"name": "Fake"}})),
        )
        .await;
    assert_eq!(
        shadow.status, 422,
        "a custom provider cannot shadow a built-in one"
    );
}

#[tokio::test]
async fn an_imported_connection_hands_out_its_token_until_it_is_deleted() {
    let api = Api::start().await;
    api.github("user").await;
    let ada = api.user("ada@example.com").await;
    let owner = AccountOwner::User(&ada);
    let account = api
        .client
        .import_connected_account(
            &owner,
            "github",
            None,
            &ImportConnectedAccount {
                access_token: Some("gho_imported_token_1".into()),
                scopes: Some(vec!["repo".into()]),
                ..ImportConnectedAccount::default()
            },
        )
        .await
        .expect("imported");
    assert!(account.id.starts_with("data_installation_"));
    assert_eq!(account.state, "connected");
    assert_eq!(account.connection_role, "compatibility");
    let token = api
        .send(
            "POST",
            "/data-integrations/github/token",
            Some(json!({"user_id": ada})),
        )
        .await;
    assert_eq!(token.status, 200);
    assert_eq!(
        token.body,
        json!({"active": true, "access_token": {"object": "access_token", "access_token": "gho_imported_token_1", "expires_at": null, "scopes": ["repo"], "missing_scopes": ["user:email"]}}),
        "github asks for its default scopes; the imported token has only repo"
    );
    let creds = api
        .client
        .get_credentials(
            "github",
            &CredentialsRequest {
                user_id: ada.clone(),
                ..CredentialsRequest::default()
            },
        )
        .await
        .expect("credentials");
    match creds {
        CredentialsResponse::Active { credential, .. } => {
            assert_eq!(credential.auth_method, "oauth");
            assert_eq!(credential.value, "gho_imported_token_1");
        }
        other => panic!("expected an active credential, got {other:?}"),
    }
    let again = api
        .send(
            "POST",
            &format!("/user_management/users/{ada}/connected_accounts/github"),
            Some(json!({"access_token": "x2"})),
        )
        .await;
    assert_eq!(again.status, 409);
    let add = api
        .send(
            "POST",
            &format!("/user_management/users/{ada}/connected_accounts/github"),
            Some(json!({"access_token": "x2", "connection_intent": "add"})),
        )
        .await;
    assert_eq!(add.status, 404);
    assert_eq!(code(&add), "multiple_connections_unavailable");
    let updated = api
        .client
        .update_connected_account(
            &owner,
            "github",
            &AccountSelector::default(),
            &ImportConnectedAccount {
                state: Some("needs_reauthorization".into()),
                ..ImportConnectedAccount::default()
            },
        )
        .await
        .expect("updated");
    assert_eq!(updated.state, "needs_reauthorization");
    let token = api
        .send(
            "POST",
            "/data-integrations/github/token",
            Some(json!({"user_id": ada})),
        )
        .await;
    assert_eq!(
        token.body,
        json!({"active": false, "error": "needs_reauthorization"})
    );
    api.client
        .delete_connected_account(&owner, "github", &AccountSelector::default())
        .await
        .expect("deleted");
    let token = api
        .send(
            "POST",
            "/data-integrations/github/token",
            Some(json!({"user_id": ada})),
        )
        .await;
    assert_eq!(
        token.body,
        json!({"active": false, "error": "not_installed"})
    );
    let missing = api
        .client
        .get_user_connected_account(&ada, "github")
        .await
        .expect_err("gone");
    assert_eq!(missing.kind(), DiagnosisKind::ConnectionNotFound);
    assert_eq!(
        api.event_names(),
        vec![
            "pipes.connected_account.connected",
            "pipes.connected_account.reauthorization_needed",
            "pipes.connected_account.disconnected",
        ]
    );
    let events = api
        .client
        .list_events(&EventFilter {
            events: vec!["pipes.connected_account.disconnected".into()],
            ..EventFilter::default()
        })
        .await
        .expect("events");
    assert_eq!(events.data.len(), 1);
    assert_eq!(events.data[0].data["state"], "disconnected");
    assert!(events.data[0].id.starts_with("event_"));
}

#[tokio::test]
async fn a_refused_refresh_needs_reauthorization_and_says_so_in_an_event() {
    let api = Api::start().await;
    api.github("user").await;
    let ada = api.user("ada@example.com").await;
    let r = api
        .send(
            "POST",
            &format!("/user_management/users/{ada}/connected_accounts/github"),
            Some(json!({
                "access_token": "gho_old",
                "refresh_token": "ghr_unknown_to_github",
                "expires_at": "2025-01-01T00:00:30.000Z",
            })),
        )
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(r.body["state"], "connected");
    let token = api
        .send(
            "POST",
            "/data-integrations/github/token",
            Some(json!({"user_id": ada})),
        )
        .await;
    assert_eq!(token.status, 200);
    assert_eq!(
        token.body,
        json!({"active": false, "error": "needs_reauthorization"})
    );
    let account = api
        .client
        .get_user_connected_account(&ada, "github")
        .await
        .expect("account");
    assert_eq!(account.state, "needs_reauthorization");
    assert_eq!(
        api.event_names().last().map(String::as_str),
        Some("pipes.connected_account.reauthorization_needed")
    );
    let refreshes = api
        .stack
        .recorder
        .entries()
        .into_iter()
        .filter(|e| matches!(e, crate::transcript::Entry::Exchange(x) if x.from == "workos"))
        .count();
    assert_eq!(
        refreshes, 1,
        "WorkOS tried the provider's token endpoint once"
    );
}

#[tokio::test]
async fn an_expired_token_without_a_refresh_token_is_imported_as_needing_reauthorization() {
    let api = Api::start().await;
    api.github("user").await;
    let ada = api.user("ada@example.com").await;
    let r = api
        .send(
            "POST",
            &format!("/user_management/users/{ada}/connected_accounts/github"),
            Some(json!({"access_token": "gho_old", "expires_at": "2024-12-31T00:00:00Z"})),
        )
        .await;
    assert_eq!(r.body["state"], "needs_reauthorization");
    let nothing = api
        .send(
            "POST",
            &format!("/user_management/users/{ada}/connected_accounts/github"),
            Some(json!({"scopes": ["repo"]})),
        )
        .await;
    assert_eq!(nothing.status, 422, "neither a token nor a state");
}

#[tokio::test]
async fn organization_connections_belong_to_active_members_only() {
    let api = Api::start().await;
    api.github("organization").await;
    let ada = api.user("ada@example.com").await;
    let org = api.org("Acme").await;
    let path = format!("/organizations/{org}/connected_accounts/github");
    let outsider = api
        .send(
            "POST",
            &path,
            Some(json!({"user_id": ada, "access_token": "gho_org"})),
        )
        .await;
    assert_eq!(outsider.status, 403);
    assert_eq!(code(&outsider), "organization_membership_required");
    let membership = api.member(&ada, &org).await;
    let r = api
        .send(
            "POST",
            &path,
            Some(json!({"user_id": ada, "access_token": "gho_org"})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["user_id"], Value::Null);
    assert_eq!(r.body["organization_id"], org.as_str());
    assert_eq!(r.body["established_by_user_id"], ada.as_str());
    let token = api
        .send(
            "POST",
            "/data-integrations/github/token",
            Some(
                json!({"user_id": ada, "organization_id": org, "connection_owner": "organization"}),
            ),
        )
        .await;
    assert_eq!(token.body["active"], true);
    let no_org = api
        .send(
            "POST",
            "/data-integrations/github/token",
            Some(json!({"user_id": ada, "connection_owner": "organization"})),
        )
        .await;
    assert_eq!(no_org.status, 422);
    let providers = api
        .client
        .list_data_providers(&AccountOwner::Organization(&org), None, false)
        .await
        .expect("providers");
    assert_eq!(providers.data.len(), 1);
    assert_eq!(providers.data[0].connection_owner, "organization");
    assert!(providers.data[0].connected_account.is_some());
    api.client
        .set_membership_active(&membership, false)
        .await
        .expect("deactivated");
    let account = api
        .client
        .get_connected_account(
            &AccountOwner::Organization(&org),
            "github",
            &AccountSelector::default(),
        )
        .await
        .expect("account");
    assert_eq!(account.state, "needs_reauthorization");
    assert_eq!(
        account.state_reason.as_deref(),
        Some("establishing_member_membership_ended")
    );
}

#[tokio::test]
async fn api_key_connections_are_added_once_rotated_and_vended_as_credentials() {
    let api = Api::start().await;
    let ada = api.user("ada@example.com").await;
    let created = api
        .client
        .create_data_integration(&CreateDataIntegration {
            provider: "salesforce".into(),
            enabled: Some(true),
            auth_methods: Some(vec!["api_key".into()]),
            api_key: Some(ApiKeyTenant {
                secret: "sf_key_first_0001".into(),
                user_id: ada.clone(),
                organization_id: None,
            }),
            ..CreateDataIntegration::default()
        })
        .await
        .expect("created");
    let installation = created.installation.expect("installation echoed");
    assert_eq!(installation.api_key_last_4.as_deref(), Some("0001"));
    assert_eq!(created.redirect_uri, "");
    let bob = api.user("bob@example.com").await;
    let no_intent = api
        .send(
            "POST",
            "/data-integrations/salesforce/api-key",
            Some(json!({"user_id": bob, "secret": "k"})),
        )
        .await;
    assert_eq!(no_intent.status, 422);
    let request = InstallRequest {
        user_id: bob.clone(),
        secret: Some("sf_key_bob_0002".into()),
        connection_intent: Some("add".into()),
        ..InstallRequest::default()
    };
    let added = api
        .client
        .install_api_key("salesforce", true, &request)
        .await
        .expect("added");
    assert_eq!(added.auth_method.as_deref(), Some("api_key"));
    assert_eq!(added.api_key_last_4.as_deref(), Some("0002"));
    let twice = api
        .client
        .install_api_key("salesforce", true, &request)
        .await
        .expect_err("second add");
    assert_eq!(twice.kind(), DiagnosisKind::MultipleConnectionsUnavailable);
    let rotated = api
        .client
        .install_api_key(
            "salesforce",
            false,
            &InstallRequest {
                user_id: bob.clone(),
                secret: Some("sf_key_bob_0003".into()),
                ..InstallRequest::default()
            },
        )
        .await
        .expect("rotated");
    assert_eq!(rotated.id, added.id);
    assert_eq!(rotated.api_key_last_4.as_deref(), Some("0003"));
    let creds = api
        .send(
            "POST",
            "/data-integrations/salesforce/credentials",
            Some(json!({"user_id": bob})),
        )
        .await;
    assert_eq!(
        creds.body,
        json!({"active": true, "credential": {"object": "credential", "auth_method": "api_key", "value": "sf_key_bob_0003", "config": {}}})
    );
    let token = api
        .send(
            "POST",
            "/data-integrations/salesforce/token",
            Some(json!({"user_id": bob})),
        )
        .await;
    assert_eq!(token.status, 400);
    assert_eq!(code(&token), "auth_method_not_supported");
    let oauth_only = api
        .send(
            "POST",
            "/data-integrations/salesforce/client-credentials",
            Some(json!({"user_id": bob, "client_id": "a", "client_secret": "b", "connection_intent": "add"})),
        )
        .await;
    assert_eq!(oauth_only.status, 400);
}

#[tokio::test]
async fn several_connections_need_a_choice_under_the_plural_contract() {
    let api = Api::start().await;
    api.github("user").await;
    let env = api.stack.sandbox.clone();
    if let Some(e) = api.stack.workos.ctx().state().environments.get_mut(&env) {
        e.multiple_connections = true;
    }
    let ada = api.user("ada@example.com").await;
    let path = format!("/user_management/users/{ada}/connected_accounts/github");
    let first = api
        .send("POST", &path, Some(json!({"access_token": "gho_one"})))
        .await;
    let second = api
        .send(
            "POST",
            &path,
            Some(json!({"access_token": "gho_two", "connection_intent": "add", "account_display_name": "Work"})),
        )
        .await;
    assert_eq!(second.status, 201);
    assert_eq!(second.body["connection_role"], "standard");
    let plural = api
        .send(
            "POST",
            "/data-integrations/github/token",
            Some(json!({"user_id": ada, "supports_multiple_connections": true})),
        )
        .await;
    assert_eq!(plural.status, 409);
    assert_eq!(code(&plural), "account_selection_required");
    let chosen = api
        .send(
            "POST",
            "/data-integrations/github/token",
            Some(json!({"user_id": ada, "supports_multiple_connections": true, "connected_account_id": second.body["id"]})),
        )
        .await;
    assert_eq!(chosen.body["access_token"]["access_token"], "gho_two");
    let legacy = api
        .send(
            "POST",
            "/data-integrations/github/token",
            Some(json!({"user_id": ada})),
        )
        .await;
    assert_eq!(legacy.body["access_token"]["access_token"], "gho_one");
    let err = api
        .client
        .get_user_connected_account_with(
            &ada,
            "github",
            &AccountSelector {
                supports_multiple_connections: true,
                ..AccountSelector::default()
            },
        )
        .await
        .expect_err("ambiguous");
    assert_eq!(err.kind(), DiagnosisKind::AccountSelectionRequired);
    let providers = api
        .client
        .list_data_providers(&AccountOwner::User(&ada), None, true)
        .await
        .expect("providers");
    assert_eq!(providers.data[0].connected_accounts.len(), 2);
    assert_eq!(
        providers.data[0]
            .connected_account
            .as_ref()
            .map(|a| a.id.clone()),
        first.body["id"].as_str().map(str::to_string)
    );
}

#[tokio::test]
async fn authorize_refuses_what_cannot_connect() {
    let api = Api::start().await;
    let ada = api.user("ada@example.com").await;
    let r = api
        .send(
            "POST",
            "/data-integrations/github/authorize",
            Some(json!({"user_id": ada})),
        )
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(code(&r), "data_integration_not_found");
    api.send(
        "POST",
        "/data-integrations",
        Some(json!({"provider": "github", "credentials": {"type": "custom", "client_id": "a", "client_secret": "bbbbbb"}})),
    )
    .await;
    let disabled = api
        .send(
            "POST",
            "/data-integrations/github/authorize",
            Some(json!({"user_id": ada})),
        )
        .await;
    assert_eq!(disabled.status, 403);
    assert_eq!(code(&disabled), "data_integration_disabled");
    api.send(
        "PUT",
        "/data-integrations/github",
        Some(json!({"enabled": true})),
    )
    .await;
    let nobody = api
        .send(
            "POST",
            "/data-integrations/github/authorize",
            Some(json!({"user_id": "user_01NOBODY"})),
        )
        .await;
    assert_eq!(nobody.status, 404);
    let no_id = api
        .send(
            "POST",
            "/data-integrations/github/authorize",
            Some(json!({"user_id": ada, "connection_intent": "reauthorize"})),
        )
        .await;
    assert_eq!(no_id.status, 422);
    let relative = api
        .send(
            "POST",
            "/data-integrations/github/authorize",
            Some(json!({"user_id": ada, "return_to": "/back"})),
        )
        .await;
    assert_eq!(relative.status, 422);
    let url = api
        .client
        .authorize_with(
            "github",
            &AuthorizeParams {
                user_id: ada.clone(),
                return_to: Some("http://localhost/cb".into()),
                ..AuthorizeParams::default()
            },
        )
        .await
        .expect("url");
    assert!(url.url.contains("/authorize-redirect"));
}

#[tokio::test]
async fn production_refuses_shared_credentials_everywhere() {
    let api = Api::start().await;
    let prod_key = "sk_live_production_key_123";
    let prod = "environment_prod".to_string();
    {
        let ctx = api.stack.workos.ctx();
        let mut st = ctx.state();
        st.add_environment(Environment::new(
            &prod,
            EnvironmentKind::Production,
            vec![prod_key.to_string()],
        ));
        let integration = crate::mock::workos::state::Integration::builtin(
            "data_integration_prod",
            &prod,
            crate::provider::ProviderKind::Github,
            0,
        );
        st.add_integration(integration);
        st.add_user(crate::mock::workos::state::User {
            id: "user_prod".into(),
            env: prod.clone(),
            email: "p@example.com".into(),
            ..Default::default()
        });
    }
    for path in [
        "/data-integrations/github/authorize",
        "/data-integrations/github/token",
        "/data-integrations/github/credentials",
    ] {
        let r = api
            .send_as(
                prod_key,
                "POST",
                path,
                Some(json!({"user_id": "user_prod"})),
            )
            .await;
        assert_eq!(r.status, 403, "{path}");
        assert_eq!(code(&r), "shared_credentials_not_allowed", "{path}");
    }
    let sandbox_key_elsewhere = api
        .send_as(prod_key, "GET", "/data-integrations/github", None)
        .await;
    assert_eq!(
        sandbox_key_elsewhere.status, 200,
        "each environment sees its own integrations"
    );
}

#[tokio::test]
async fn organizations_configure_their_own_credentials_and_scopes() {
    let api = Api::start().await;
    let org = api.org("Acme").await;
    api.send(
        "POST",
        "/data-integrations",
        Some(json!({"provider": "slack", "ownership": "organization", "enabled": true, "credentials": {"type": "organization"}})),
    )
    .await;
    api.github("user").await;
    let list = api
        .client
        .list_data_integration_configurations(&org)
        .await
        .expect("list");
    assert_eq!(list.data.len(), 2);
    let half = api
        .send(
            "PUT",
            &format!("/organizations/{org}/data_integration_configurations/slack"),
            Some(json!({"client_id": "only-the-id"})),
        )
        .await;
    assert_eq!(half.status, 422);
    let wrong = api
        .send(
            "PUT",
            &format!("/organizations/{org}/data_integration_configurations/github"),
            Some(json!({"client_id": "a", "client_secret": "b"})),
        )
        .await;
    assert_eq!(
        wrong.status, 422,
        "github uses custom credentials, not the organization's"
    );
    let cfg = api
        .client
        .configure_data_integration(
            &org,
            "slack",
            &ConfigureDataIntegration {
                scopes: Some(Some(vec!["chat:write".into()])),
                client_id: Some("org-client".into()),
                client_secret: Some("org-secret-4321".into()),
                ..ConfigureDataIntegration::default()
            },
        )
        .await
        .expect("configured");
    assert_eq!(cfg.scopes, Some(vec!["chat:write".to_string()]));
    let creds = cfg.credentials.expect("credentials");
    assert_eq!(creds["client_secret_last_four"], "4321");
    assert_eq!(creds["credentials_type"], "organization");
    let unknown = api
        .send(
            "PUT",
            &format!("/organizations/{org}/data_integration_configurations/notion"),
            Some(json!({"enabled": true})),
        )
        .await;
    assert_eq!(unknown.status, 404);
}

#[tokio::test]
async fn webhook_endpoints_are_managed_and_receive_signed_events() {
    let api = Api::start().await;
    let url = api.stack.app.webhook_url();
    let endpoint = api
        .client
        .create_webhook_endpoint(&WebhookEndpointRequest {
            endpoint_url: Some(url.clone()),
            events: Some(vec!["pipes.connected_account.connected".into()]),
            status: None,
        })
        .await
        .expect("created");
    assert!(endpoint.id.starts_with("we_"));
    assert!(endpoint.secret.starts_with("whsec_"));
    assert_eq!(endpoint.secret.len(), "whsec_".len() + 25);
    let dup = api
        .send(
            "POST",
            "/webhook_endpoints",
            Some(json!({"endpoint_url": url, "events": ["user.created"]})),
        )
        .await;
    assert_eq!(dup.status, 409);
    assert_eq!(code(&dup), "duplicate_endpoint");
    let plain_http = api
        .send(
            "POST",
            "/webhook_endpoints",
            Some(json!({"endpoint_url": "http://example.com/hooks", "events": ["user.created"]})),
        )
        .await;
    assert_eq!(plain_http.status, 422);
    assert_eq!(code(&plain_http), "invalid_url");
    let unknown = api
        .send(
            "POST",
            "/webhook_endpoints",
            Some(json!({"endpoint_url": "https://example.com/hooks", "events": ["pipe.connection.activated"]})),
        )
        .await;
    assert_eq!(unknown.status, 422);
    assert_eq!(unknown.body["errors"][0]["code"], "unknown_event_type");
    api.github("user").await;
    let ada = api.user("ada@example.com").await;
    api.send(
        "POST",
        &format!("/user_management/users/{ada}/connected_accounts/github"),
        Some(json!({"access_token": "gho_hooked"})),
    )
    .await;
    let deliveries = api.stack.app.deliveries();
    assert_eq!(deliveries.len(), 1, "delivered before the import answered");
    let d = &deliveries[0];
    let header = d.signature.clone().expect("signed");
    assert!(
        header.starts_with("t=") && header.contains(", v1="),
        "{header}"
    );
    crate::client::webhooks::verify(
        Some(&header),
        &d.body,
        &endpoint.secret,
        api.stack.clock.now_ms(),
        Duration::from_secs(180),
    )
    .expect("the signature verifies with the endpoint secret");
    let event: Value = serde_json::from_slice(&d.body).expect("JSON event");
    assert_eq!(event["object"], "event");
    assert_eq!(event["event"], "pipes.connected_account.connected");
    assert_eq!(event["data"]["provider_slug"], "github");
    let disabled = api
        .client
        .update_webhook_endpoint(
            &endpoint.id,
            &WebhookEndpointRequest {
                status: Some("disabled".into()),
                ..WebhookEndpointRequest::default()
            },
        )
        .await
        .expect("patched");
    assert_eq!(disabled.status, "disabled");
    let listed = api
        .client
        .list_webhook_endpoints(&ListParams::default())
        .await
        .expect("list");
    assert_eq!(listed.data.len(), 1);
    assert_eq!(
        listed.data[0].secret, endpoint.secret,
        "the secret is in every response"
    );
    api.client
        .delete_webhook_endpoint(&endpoint.id)
        .await
        .expect("deleted");
    let again = api
        .send(
            "DELETE",
            &format!("/webhook_endpoints/{}", endpoint.id),
            None,
        )
        .await;
    assert_eq!(again.status, 404);
    assert_eq!(code(&again), "entity_not_found");
}

#[tokio::test]
async fn a_failing_webhook_endpoint_is_retried_with_backoff_on_the_virtual_clock() {
    let api = Api::start().await;
    let dead = "http://127.0.0.1:9/hooks";
    api.send(
        "POST",
        "/webhook_endpoints",
        Some(json!({"endpoint_url": dead, "events": ["pipes.connected_account.connected"]})),
    )
    .await;
    api.github("user").await;
    let ada = api.user("ada@example.com").await;
    api.send(
        "POST",
        &format!("/user_management/users/{ada}/connected_accounts/github"),
        Some(json!({"access_token": "gho_x"})),
    )
    .await;
    let attempts = || {
        api.stack
            .workos
            .ctx()
            .state()
            .deliveries
            .front()
            .map(|d| (d.attempts, d.status))
    };
    use crate::mock::workos::state::DeliveryStatus;
    assert_eq!(attempts(), Some((1, DeliveryStatus::Pending)));
    assert_eq!(api.stack.workos.deliver_pending().await, 0, "not due yet");
    api.stack.clock.advance(Duration::from_secs(30));
    assert_eq!(api.stack.workos.deliver_pending().await, 1);
    assert_eq!(attempts(), Some((2, DeliveryStatus::Pending)));
    api.stack.clock.advance(Duration::from_secs(3600));
    for _ in 0..10 {
        api.stack.workos.deliver_pending().await;
        api.stack.clock.advance(Duration::from_secs(3600));
    }
    assert_eq!(
        attempts(),
        Some((6, DeliveryStatus::Failed)),
        "six attempts, then it gives up"
    );
}

#[tokio::test]
async fn events_are_listed_oldest_first_with_an_after_cursor() {
    let api = Api::start().await;
    api.github("user").await;
    for email in ["a@example.com", "b@example.com", "c@example.com"] {
        let u = api.user(email).await;
        api.send(
            "POST",
            &format!("/user_management/users/{u}/connected_accounts/github"),
            Some(json!({"access_token": format!("tok_{email}")})),
        )
        .await;
    }
    let first = api
        .send(
            "GET",
            "/events?events=pipes.connected_account.connected&limit=2",
            None,
        )
        .await;
    assert_eq!(first.status, 200);
    assert_eq!(first.body["data"].as_array().map(Vec::len), Some(2));
    let after = first.body["list_metadata"]["after"]
        .as_str()
        .expect("cursor")
        .to_string();
    assert!(
        first.body["list_metadata"].get("before").is_none(),
        "events have only after"
    );
    let rest = api
        .send("GET", &format!("/events?after={after}"), None)
        .await;
    assert_eq!(rest.body["data"].as_array().map(Vec::len), Some(1));
    assert_eq!(rest.body["list_metadata"]["after"], Value::Null);
    let bad = api.send("GET", "/events?range_start=yesterday", None).await;
    assert_eq!(bad.status, 422);
    let unknown_org = api
        .send("GET", "/events?organization_id=org_01NOPE", None)
        .await;
    assert_eq!(unknown_org.status, 400);
}

#[tokio::test]
async fn the_rate_limit_answers_429_with_retry_after_until_the_window_passes() {
    let api = Api::start().await;
    api.stack.workos.ctx().state().rate_limit = Some(RateLimit {
        limit: 2,
        window_ms: 60_000,
    });
    assert_eq!(
        api.send("GET", "/data-integrations", None).await.status,
        200
    );
    assert_eq!(
        api.send("GET", "/data-integrations", None).await.status,
        200
    );
    let limited = api.send("GET", "/data-integrations", None).await;
    assert_eq!(limited.status, 429);
    assert_eq!(limited.headers["retry-after"], "60");
    assert_eq!(code(&limited), "rate_limit_exceeded");
    let err = api
        .client
        .list_data_integrations(&ListParams::default(), None)
        .await
        .expect_err("limited");
    assert_eq!(err.kind(), DiagnosisKind::RateLimited);
    api.stack.clock.advance(Duration::from_secs(60));
    assert_eq!(
        api.send("GET", "/data-integrations", None).await.status,
        200
    );
}

#[tokio::test]
async fn errors_map_to_the_diagnoses_a_user_can_act_on() {
    let api = Api::start().await;
    let bad_key = api.client.with_api_key("sk_test_wrong");
    let err = bad_key
        .list_data_integrations(&ListParams::default(), None)
        .await
        .expect_err("401");
    assert_eq!(err.kind(), DiagnosisKind::InvalidApiKey);
    let err = api
        .client
        .get_access_token_with(
            "github",
            &CredentialsRequest {
                user_id: "user_01X".into(),
                ..CredentialsRequest::default()
            },
        )
        .await
        .expect_err("404");
    assert_eq!(err.kind(), DiagnosisKind::ProviderNotConfigured);
    let resp = api
        .client
        .raw(reqwest::Method::GET, "/pipes/connections", None)
        .await
        .expect("answer");
    let err = crate::client::workos_error("/pipes/connections", &resp);
    assert_eq!(err.kind(), DiagnosisKind::SdkVersionMismatch);
    let err = api
        .client
        .create_user(&CreateUser::default())
        .await
        .expect_err("422");
    assert_eq!(err.kind(), DiagnosisKind::InvalidRequest);
}

#[tokio::test]
async fn a_repeated_idempotency_key_gets_the_first_answer_instead_of_a_conflict() {
    let api = Api::start().await;
    api.github("user").await;
    let ada = api.user("ada@example.com").await;
    let url = format!(
        "{}/user_management/users/{ada}/connected_accounts/github",
        api.stack.workos.uri()
    );
    let post = || {
        api.http
            .post(&url)
            .bearer_auth(&api.stack.api_key)
            .header("idempotency-key", "5f0c6c3e-import-1")
            .json(&json!({"access_token": "gho_once"}))
            .send()
    };
    let first = post().await.expect("first");
    assert_eq!(first.status(), 201);
    let first_body: Value = first.json().await.expect("json");
    let second = post().await.expect("second");
    assert_eq!(second.status(), 201, "replayed, not a 409");
    assert_eq!(second.json::<Value>().await.expect("json"), first_body);
    assert_eq!(api.event_names().len(), 1, "the import ran once");
    let fresh_key = api
        .http
        .post(&url)
        .bearer_auth(&api.stack.api_key)
        .header("idempotency-key", "another-key")
        .json(&json!({"access_token": "gho_once"}))
        .send()
        .await
        .expect("third");
    assert_eq!(fresh_key.status(), 409);
}

#[tokio::test]
async fn an_organization_can_switch_an_integration_off_for_itself() {
    let api = Api::start().await;
    api.github("user").await;
    let ada = api.user("ada@example.com").await;
    let org = api.org("Acme").await;
    api.send(
        "PUT",
        &format!("/organizations/{org}/data_integration_configurations/github"),
        Some(json!({"enabled": false})),
    )
    .await;
    let scoped = api
        .send(
            "POST",
            "/data-integrations/github/authorize",
            Some(json!({"user_id": ada, "organization_id": org})),
        )
        .await;
    assert_eq!(scoped.status, 403);
    assert_eq!(code(&scoped), "data_integration_disabled");
    let unscoped = api
        .send(
            "POST",
            "/data-integrations/github/authorize",
            Some(json!({"user_id": ada})),
        )
        .await;
    assert_eq!(unscoped.status, 200, "other users are not affected");
}

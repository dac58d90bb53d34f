//! The connect flow as a browser walks it against the WorkOS mock: the
//! connected account it leaves, the `pipes.connected_account.*` events it
//! emits, and their signed delivery to the app's webhook endpoint.

use std::time::Duration;

use crate::client::{Browser, PipesClient};
use crate::mock::Stack;
use crate::mock::workos::state::{Integration, Ownership};
use crate::provider::ProviderKind;
use crate::transcript::Entry;
use serde_json::{Value, json};

struct Flow {
    stack: Stack,
    client: PipesClient,
}

impl Flow {
    async fn start(ownership: Ownership) -> Flow {
        let stack = Stack::start(21).await.expect("stack starts");
        {
            let ctx = stack.workos.ctx();
            let mut st = ctx.state();
            let mut github = Integration::builtin(
                "data_integration_01GITHUB",
                &stack.sandbox,
                ProviderKind::Github,
                stack.clock.now_ms(),
            );
            github.ownership = ownership;
            st.add_integration(github);
        }
        let client = PipesClient::new(stack.workos.uri(), &stack.api_key, stack.recorder.clone());
        Flow { stack, client }
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        let resp = self
            .client
            .raw(reqwest::Method::POST, path, Some(&body))
            .await
            .expect("answer");
        assert!(
            (200..300).contains(&resp.status),
            "{path}: {} {}",
            resp.status,
            resp.text()
        );
        resp.json().expect("json")
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        let resp = self
            .client
            .raw(reqwest::Method::GET, path, None)
            .await
            .expect("answer");
        (resp.status, resp.json().unwrap_or(Value::Null))
    }

    fn browser(&self, login: &str) -> Browser {
        let github = self.stack.provider(ProviderKind::Github);
        github.add_account(login);
        let mut known: Vec<String> = self.stack.providers.values().map(|p| p.uri()).collect();
        known.push(self.stack.workos.uri().to_string());
        known.push(self.stack.app.uri().to_string());
        let mut b = Browser::new(self.client.http().clone(), known);
        b.set_cookie(&github.uri(), &format!("github_login={login}"));
        b
    }

    fn events(&self) -> Vec<(String, Value)> {
        self.stack
            .workos
            .ctx()
            .state()
            .events
            .iter()
            .map(|e| (e.event.clone(), e.data.clone()))
            .collect()
    }
}

#[tokio::test]
async fn connecting_in_a_browser_creates_the_account_and_delivers_a_signed_event() {
    let flow = Flow::start(Ownership::User).await;
    let hook = flow
        .post(
            "/webhook_endpoints",
            json!({"endpoint_url": flow.stack.app.webhook_url(), "events": ["pipes.connected_account.connected"]}),
        )
        .await;
    let secret = hook["secret"].as_str().expect("secret").to_string();
    let ada = flow
        .post(
            "/user_management/users",
            json!({"email": "ada@example.com"}),
        )
        .await["id"]
        .as_str()
        .expect("id")
        .to_string();
    let url = flow
        .post(
            "/data-integrations/github/authorize",
            json!({"user_id": ada, "return_to": flow.stack.app.return_url()}),
        )
        .await["url"]
        .as_str()
        .expect("url")
        .to_string();
    let visit = flow.browser("ada-codes").visit(&url).await.expect("visit");
    assert!(
        visit.final_url.starts_with(&flow.stack.app.return_url()),
        "{}",
        visit.final_url
    );
    let token = flow
        .post("/data-integrations/github/token", json!({"user_id": ada}))
        .await;
    assert_eq!(token["active"], true);
    assert_eq!(
        flow.events()
            .iter()
            .map(|(n, _)| n.as_str())
            .collect::<Vec<_>>(),
        vec!["pipes.connected_account.connected"]
    );
    let deliveries = flow.stack.app.deliveries();
    assert_eq!(deliveries.len(), 1);
    crate::client::webhooks::verify(
        deliveries[0].signature.as_deref(),
        &deliveries[0].body,
        &secret,
        flow.stack.clock.now_ms(),
        Duration::from_secs(180),
    )
    .expect("verifies");
    let delivered_by_workos = flow.stack.recorder.entries().iter().any(|e| {
        matches!(e, Entry::Exchange(x) if x.from == "workos" && x.url.ends_with("/webhooks/workos"))
    });
    assert!(
        delivered_by_workos,
        "the delivery is in the transcript as a workos exchange"
    );
    let rendered = format!("{:?}", flow.stack.recorder.redactor());
    assert!(
        rendered.contains(&secret),
        "the webhook secret is registered for redaction"
    );
}

#[tokio::test]
async fn a_user_who_denies_consent_leaves_a_connection_failed_event() {
    let flow = Flow::start(Ownership::User).await;
    let ada = flow
        .post(
            "/user_management/users",
            json!({"email": "ada@example.com"}),
        )
        .await["id"]
        .as_str()
        .expect("id")
        .to_string();
    flow.stack
        .provider(ProviderKind::Github)
        .engine()
        .user_denies = true;
    let url = flow
        .post(
            "/data-integrations/github/authorize",
            json!({"user_id": ada, "return_to": flow.stack.app.return_url()}),
        )
        .await["url"]
        .as_str()
        .expect("url")
        .to_string();
    let visit = flow.browser("ada-codes").visit(&url).await.expect("visit");
    assert!(
        visit.final_url.contains("error=access_denied"),
        "{}",
        visit.final_url
    );
    let events = flow.events();
    assert_eq!(events.len(), 1);
    let (name, data) = &events[0];
    assert_eq!(name, "pipes.connected_account.connection_failed");
    assert_eq!(data["object"], "connection_failed");
    assert_eq!(data["provider_error"], "access_denied");
    assert_eq!(data["user_id"], ada.as_str());
    assert!(data.get("id").is_none(), "failure data has no id");
    let token = flow
        .post("/data-integrations/github/token", json!({"user_id": ada}))
        .await;
    assert_eq!(token, json!({"active": false, "error": "not_installed"}));
}

#[tokio::test]
async fn a_member_connects_the_organization_and_every_member_gets_the_token() {
    let flow = Flow::start(Ownership::Organization).await;
    let ada = flow
        .post(
            "/user_management/users",
            json!({"email": "ada@example.com"}),
        )
        .await["id"]
        .as_str()
        .expect("id")
        .to_string();
    let bob = flow
        .post(
            "/user_management/users",
            json!({"email": "bob@example.com"}),
        )
        .await["id"]
        .as_str()
        .expect("id")
        .to_string();
    let org = flow.post("/organizations", json!({"name": "Acme"})).await["id"]
        .as_str()
        .expect("id")
        .to_string();
    for user in [&ada, &bob] {
        flow.post(
            "/user_management/organization_memberships",
            json!({"user_id": user, "organization_id": org}),
        )
        .await;
    }
    let url = flow
        .post(
            "/data-integrations/github/authorize",
            json!({"user_id": ada, "organization_id": org, "connection_owner": "organization"}),
        )
        .await["url"]
        .as_str()
        .expect("url")
        .to_string();
    let visit = flow.browser("acme-bot").visit(&url).await.expect("visit");
    assert_eq!(
        visit.response.as_ref().map(|r| r.status),
        Some(200),
        "no return_to: WorkOS shows its own page"
    );
    let (status, account) = flow
        .get(&format!("/organizations/{org}/connected_accounts/github"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(account["user_id"], Value::Null);
    assert_eq!(account["organization_id"], org.as_str());
    assert_eq!(account["established_by_user_id"], ada.as_str());
    let token = flow
        .post(
            "/data-integrations/github/token",
            json!({"user_id": bob, "organization_id": org, "connection_owner": "organization"}),
        )
        .await;
    assert_eq!(
        token["active"], true,
        "another member gets the shared connection's token"
    );
}

#[tokio::test]
async fn reauthorizing_one_connection_replaces_its_token_in_place() {
    let flow = Flow::start(Ownership::User).await;
    let ada = flow
        .post(
            "/user_management/users",
            json!({"email": "ada@example.com"}),
        )
        .await["id"]
        .as_str()
        .expect("id")
        .to_string();
    let imported = flow
        .post(
            &format!("/user_management/users/{ada}/connected_accounts/github"),
            json!({"access_token": "gho_stale", "state": "needs_reauthorization"}),
        )
        .await;
    let id = imported["id"].as_str().expect("id").to_string();
    let url = flow
        .post(
            "/data-integrations/github/authorize",
            json!({"user_id": ada, "connection_intent": "reauthorize", "connected_account_id": id}),
        )
        .await["url"]
        .as_str()
        .expect("url")
        .to_string();
    flow.browser("ada-codes").visit(&url).await.expect("visit");
    let (_, account) = flow
        .get(&format!(
            "/user_management/users/{ada}/connected_accounts/github"
        ))
        .await;
    assert_eq!(account["id"], id.as_str(), "the same connection");
    assert_eq!(account["state"], "connected");
    let token = flow
        .post("/data-integrations/github/token", json!({"user_id": ada}))
        .await;
    assert_ne!(token["access_token"]["access_token"], "gho_stale");
}

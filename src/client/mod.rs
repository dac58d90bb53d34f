//! The Pipes client: typed calls to the WorkOS Pipes API, provider calls that
//! fetch a fresh token first, the connect flow as a browser walks it, and
//! webhook verification. Every failure is a [`PipesError`] carrying a
//! [`Diagnosis`]: what went wrong, why, and what to do.

pub mod browser;
pub mod connect;
pub mod custom_provider;
pub mod error;
pub mod models;
pub mod provider_call;
pub mod webhooks;

use serde::Serialize;
use serde::de::DeserializeOwned;

pub use crate::diagnosis::{Diagnosis, DiagnosisKind};
pub use browser::Browser;
pub use error::PipesError;
pub use models::{
    AccessToken, AccessTokenResponse, AccountSelector, AuthorizeParams, AuthorizeRequest,
    AuthorizeUrl, ConfigureDataIntegration, ConnectedAccount, CreateDataIntegration,
    CreateMembership, CreateOrganization, CreateUser, Credential, CredentialsRequest,
    CredentialsResponse, DataIntegration, DataIntegrationConfiguration, DataProvider, Event,
    EventFilter, FinishConnection, FinishedConnection, ImportConnectedAccount, InstallRequest,
    List, ListParams, Membership, MembershipFilter, Organization, TokenRequest,
    UpdateDataIntegration, User, WebhookEndpoint, WebhookEndpointRequest,
};

use crate::transcript::{HttpClient, HttpResponse, Recorder};

/// The default WorkOS API base URL.
pub const DEFAULT_BASE_URL: &str = "https://api.workos.com";

/// A client of the WorkOS Pipes API.
#[derive(Debug, Clone)]
pub struct PipesClient {
    http: HttpClient,
    base_url: String,
    api_key: String,
}

impl PipesClient {
    /// A client for `base_url` with `api_key`, recording into `recorder` as `app`.
    pub fn new(base_url: &str, api_key: &str, recorder: Recorder) -> Self {
        PipesClient {
            http: HttpClient::new("app", recorder),
            base_url: base_url.trim_end_matches('/').to_string(),
            api_key: api_key.to_string(),
        }
    }

    /// A client configured from `WORKOS_BASE_URL` (default api.workos.com) and `WORKOS_API_KEY`.
    pub fn from_env(recorder: Recorder) -> Self {
        let base =
            std::env::var("WORKOS_BASE_URL").unwrap_or_else(|_| DEFAULT_BASE_URL.to_string());
        let key = std::env::var("WORKOS_API_KEY").unwrap_or_default();
        Self::new(&base, &key, recorder)
    }

    /// The same client with another API key.
    pub fn with_api_key(&self, api_key: &str) -> Self {
        PipesClient {
            api_key: api_key.to_string(),
            ..self.clone()
        }
    }

    /// The same client recording as another actor: `harness` for the
    /// harness's own set-up and checks, which transcripts keep apart from
    /// the app's traffic.
    pub fn as_actor(&self, actor: &str) -> Self {
        PipesClient {
            http: self.http.as_actor(actor),
            ..self.clone()
        }
    }

    /// The recording HTTP client, for provider calls made on the app's behalf.
    pub fn http(&self) -> &HttpClient {
        &self.http
    }

    /// The base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Sends a raw request to WorkOS; any status comes back as a response.
    pub async fn raw(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<HttpResponse, PipesError> {
        let url = format!("{}{path}", self.base_url);
        let mut req = self.http.request(method, &url);
        if !self.api_key.is_empty() {
            req = req.bearer_auth(&self.api_key);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        self.http
            .send(req)
            .await
            .map_err(|message| PipesError::Transport {
                diagnosis: Diagnosis::new(
                    DiagnosisKind::ProviderUnavailable,
                    format!("WorkOS at {url} did not answer: {message}"),
                ),
                url,
                message,
            })
    }

    async fn call<B: Serialize, T: DeserializeOwned>(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&B>,
        what: &'static str,
    ) -> Result<T, PipesError> {
        let value = body
            .map(serde_json::to_value)
            .transpose()
            .map_err(|e| PipesError::Decode {
                what,
                message: e.to_string(),
                diagnosis: Diagnosis::new(
                    DiagnosisKind::InvalidRequest,
                    format!("the {what} request cannot be encoded: {e}"),
                ),
            })?;
        let resp = self.raw(method, path, value.as_ref()).await?;
        if !(200..300).contains(&resp.status) {
            return Err(workos_error(path, &resp));
        }
        serde_json::from_slice(&resp.body).map_err(|e| PipesError::Decode {
            what,
            message: e.to_string(),
            diagnosis: Diagnosis::new(
                DiagnosisKind::MalformedResponse,
                format!("WorkOS answered {path} with a body that is not a {what}: {e}"),
            ),
        })
    }

    async fn call_empty(&self, method: reqwest::Method, path: &str) -> Result<(), PipesError> {
        let resp = self.raw(method, path, None).await?;
        if !(200..300).contains(&resp.status) {
            return Err(workos_error(path, &resp));
        }
        Ok(())
    }

    async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        what: &'static str,
    ) -> Result<T, PipesError> {
        self.call::<(), T>(reqwest::Method::GET, path, None, what)
            .await
    }

    /// `POST /data-integrations/{slug}/authorize`.
    pub async fn authorize(
        &self,
        slug: &str,
        request: &AuthorizeRequest,
    ) -> Result<AuthorizeUrl, PipesError> {
        self.authorize_with(slug, &AuthorizeParams::from(request))
            .await
    }

    /// `POST /data-integrations/{slug}/authorize` with every option.
    pub async fn authorize_with(
        &self,
        slug: &str,
        request: &AuthorizeParams,
    ) -> Result<AuthorizeUrl, PipesError> {
        self.call(
            reqwest::Method::POST,
            &path(&["data-integrations", slug, "authorize"], &[]),
            Some(request),
            "authorize URL",
        )
        .await
    }

    /// `POST /data-integrations/finish`: saves a connection started with a
    /// `code_challenge`, once the browser brought back its `connect_code`.
    pub async fn finish_connection(
        &self,
        request: &FinishConnection,
    ) -> Result<FinishedConnection, PipesError> {
        self.call(
            reqwest::Method::POST,
            &path(&["data-integrations", "finish"], &[]),
            Some(request),
            "finished connection",
        )
        .await
    }

    /// `POST /data-integrations/{slug}/token`.
    pub async fn get_access_token(
        &self,
        slug: &str,
        request: &TokenRequest,
    ) -> Result<AccessTokenResponse, PipesError> {
        self.get_access_token_with(slug, &CredentialsRequest::from(request))
            .await
    }

    /// `POST /data-integrations/{slug}/token` with every option.
    pub async fn get_access_token_with(
        &self,
        slug: &str,
        request: &CredentialsRequest,
    ) -> Result<AccessTokenResponse, PipesError> {
        self.call(
            reqwest::Method::POST,
            &path(&["data-integrations", slug, "token"], &[]),
            Some(request),
            "access token",
        )
        .await
    }

    /// A usable token, or an error saying why there is none.
    pub async fn fresh_token(
        &self,
        slug: &str,
        request: &TokenRequest,
    ) -> Result<AccessToken, PipesError> {
        self.fresh_token_with(slug, &CredentialsRequest::from(request))
            .await
    }

    /// A usable token for a request with every option (an organization's
    /// shared connection, one connection among several), or an error
    /// saying why there is none.
    pub async fn fresh_token_with(
        &self,
        slug: &str,
        request: &CredentialsRequest,
    ) -> Result<AccessToken, PipesError> {
        match self.get_access_token_with(slug, request).await? {
            AccessTokenResponse::Active { access_token, .. } => Ok(access_token),
            AccessTokenResponse::Inactive { error, .. } => {
                let (kind, detail) = match error.as_str() {
                    "needs_reauthorization" => (
                        DiagnosisKind::NeedsReauthorization,
                        format!(
                            "WorkOS answered active:false, error:needs_reauthorization for user {} on {slug}",
                            request.user_id
                        ),
                    ),
                    _ => (
                        DiagnosisKind::ConnectionNotFound,
                        format!(
                            "WorkOS answered active:false, error:{error} for user {} on {slug}: this user has no {slug} connection in this environment",
                            request.user_id
                        ),
                    ),
                };
                Err(PipesError::NoToken {
                    error,
                    diagnosis: Diagnosis::new(kind, detail),
                })
            }
        }
    }

    /// `GET /user_management/users/{user_id}/connected_accounts/{slug}`.
    pub async fn get_user_connected_account(
        &self,
        user_id: &str,
        slug: &str,
    ) -> Result<ConnectedAccount, PipesError> {
        self.get_user_connected_account_with(user_id, slug, &AccountSelector::default())
            .await
    }
}

/// The rest of the Pipes API (reference section B) and the supporting
/// resources a test sets its world up with (section J).
impl PipesClient {
    /// `GET /data-integrations` (paginated; `ownership` filters).
    pub async fn list_data_integrations(
        &self,
        page: &ListParams,
        ownership: Option<&str>,
    ) -> Result<List<DataIntegration>, PipesError> {
        let mut q = page.pairs();
        if let Some(o) = ownership {
            q.push(("ownership".into(), o.into()));
        }
        self.get(&path(&["data-integrations"], &q), "data integration list")
            .await
    }

    /// `POST /data-integrations`.
    pub async fn create_data_integration(
        &self,
        request: &CreateDataIntegration,
    ) -> Result<DataIntegration, PipesError> {
        self.call(
            reqwest::Method::POST,
            "/data-integrations",
            Some(request),
            "data integration",
        )
        .await
    }

    fn integration_path(slug: &str, organization_owned: bool) -> String {
        if organization_owned {
            path(&["data-integrations", slug, "organization"], &[])
        } else {
            path(&["data-integrations", slug], &[])
        }
    }

    /// `GET /data-integrations/{slug}` (or `/organization` for the organization-owned one).
    pub async fn get_data_integration(
        &self,
        slug: &str,
        organization_owned: bool,
    ) -> Result<DataIntegration, PipesError> {
        self.get(
            &Self::integration_path(slug, organization_owned),
            "data integration",
        )
        .await
    }

    /// `PUT /data-integrations/{slug}` (or `/organization`).
    pub async fn update_data_integration(
        &self,
        slug: &str,
        organization_owned: bool,
        request: &UpdateDataIntegration,
    ) -> Result<DataIntegration, PipesError> {
        self.call(
            reqwest::Method::PUT,
            &Self::integration_path(slug, organization_owned),
            Some(request),
            "data integration",
        )
        .await
    }

    /// `DELETE /data-integrations/{slug}` (or `/organization`).
    pub async fn delete_data_integration(
        &self,
        slug: &str,
        organization_owned: bool,
    ) -> Result<(), PipesError> {
        self.call_empty(
            reqwest::Method::DELETE,
            &Self::integration_path(slug, organization_owned),
        )
        .await
    }

    /// `POST` (`create: true`) or `PUT` `/data-integrations/{slug}/api-key`.
    pub async fn install_api_key(
        &self,
        slug: &str,
        create: bool,
        request: &InstallRequest,
    ) -> Result<ConnectedAccount, PipesError> {
        self.install(slug, "api-key", create, request).await
    }

    /// `POST` (`create: true`) or `PUT` `/data-integrations/{slug}/client-credentials`.
    pub async fn install_client_credentials(
        &self,
        slug: &str,
        create: bool,
        request: &InstallRequest,
    ) -> Result<ConnectedAccount, PipesError> {
        self.install(slug, "client-credentials", create, request)
            .await
    }

    /// The two installs differ only in the last path segment.
    async fn install(
        &self,
        slug: &str,
        kind: &str,
        create: bool,
        request: &InstallRequest,
    ) -> Result<ConnectedAccount, PipesError> {
        let method = if create {
            reqwest::Method::POST
        } else {
            reqwest::Method::PUT
        };
        self.call(
            method,
            &path(&["data-integrations", slug, kind], &[]),
            Some(request),
            "connected account",
        )
        .await
    }

    /// `POST /data-integrations/{slug}/credentials`.
    pub async fn get_credentials(
        &self,
        slug: &str,
        request: &CredentialsRequest,
    ) -> Result<CredentialsResponse, PipesError> {
        self.call(
            reqwest::Method::POST,
            &path(&["data-integrations", slug, "credentials"], &[]),
            Some(request),
            "credentials",
        )
        .await
    }

    fn account_path(owner: &AccountOwner<'_>, slug: &str, q: &[(String, String)]) -> String {
        match owner {
            AccountOwner::User(u) => path(
                &["user_management", "users", u, "connected_accounts", slug],
                q,
            ),
            AccountOwner::Organization(o) => {
                path(&["organizations", o, "connected_accounts", slug], q)
            }
        }
    }

    /// `GET /user_management/users/{user_id}/connected_accounts/{slug}` with a selector.
    pub async fn get_user_connected_account_with(
        &self,
        user_id: &str,
        slug: &str,
        selector: &AccountSelector,
    ) -> Result<ConnectedAccount, PipesError> {
        self.get_connected_account(&AccountOwner::User(user_id), slug, selector)
            .await
    }

    /// `GET` a user's or organization's connected account.
    pub async fn get_connected_account(
        &self,
        owner: &AccountOwner<'_>,
        slug: &str,
        selector: &AccountSelector,
    ) -> Result<ConnectedAccount, PipesError> {
        self.get(
            &Self::account_path(owner, slug, &selector.pairs()),
            "connected account",
        )
        .await
    }

    /// `POST` (import) a user's or organization's connected account.
    /// `organization_id` scopes a user connection (query string, as the SDKs send it).
    pub async fn import_connected_account(
        &self,
        owner: &AccountOwner<'_>,
        slug: &str,
        organization_id: Option<&str>,
        request: &ImportConnectedAccount,
    ) -> Result<ConnectedAccount, PipesError> {
        let q: Vec<(String, String)> = organization_id
            .map(|o| vec![("organization_id".to_string(), o.to_string())])
            .unwrap_or_default();
        self.call(
            reqwest::Method::POST,
            &Self::account_path(owner, slug, &q),
            Some(request),
            "connected account",
        )
        .await
    }

    /// `PUT` a user's or organization's connected account.
    pub async fn update_connected_account(
        &self,
        owner: &AccountOwner<'_>,
        slug: &str,
        selector: &AccountSelector,
        request: &ImportConnectedAccount,
    ) -> Result<ConnectedAccount, PipesError> {
        self.call(
            reqwest::Method::PUT,
            &Self::account_path(owner, slug, &selector.pairs()),
            Some(request),
            "connected account",
        )
        .await
    }

    /// `DELETE` a user's or organization's connected account.
    pub async fn delete_connected_account(
        &self,
        owner: &AccountOwner<'_>,
        slug: &str,
        selector: &AccountSelector,
    ) -> Result<(), PipesError> {
        self.call_empty(
            reqwest::Method::DELETE,
            &Self::account_path(owner, slug, &selector.pairs()),
        )
        .await
    }

    /// `GET /user_management/users/{user_id}/data_providers` or
    /// `GET /organizations/{organization_id}/data_providers`.
    pub async fn list_data_providers(
        &self,
        owner: &AccountOwner<'_>,
        organization_id: Option<&str>,
        supports_multiple_connections: bool,
    ) -> Result<List<DataProvider>, PipesError> {
        let mut q = Vec::new();
        if let Some(o) = organization_id {
            q.push(("organization_id".to_string(), o.to_string()));
        }
        if supports_multiple_connections {
            q.push((
                "supports_multiple_connections".to_string(),
                "true".to_string(),
            ));
        }
        let p = match owner {
            AccountOwner::User(u) => path(&["user_management", "users", u, "data_providers"], &q),
            AccountOwner::Organization(o) => path(&["organizations", o, "data_providers"], &q),
        };
        self.get(&p, "data provider list").await
    }

    /// `GET /organizations/{organization_id}/data_integration_configurations`.
    pub async fn list_data_integration_configurations(
        &self,
        organization_id: &str,
    ) -> Result<List<DataIntegrationConfiguration>, PipesError> {
        self.get(
            &path(
                &[
                    "organizations",
                    organization_id,
                    "data_integration_configurations",
                ],
                &[],
            ),
            "configuration list",
        )
        .await
    }

    /// `PUT /organizations/{organization_id}/data_integration_configurations/{slug}`.
    pub async fn configure_data_integration(
        &self,
        organization_id: &str,
        slug: &str,
        request: &ConfigureDataIntegration,
    ) -> Result<DataIntegrationConfiguration, PipesError> {
        self.call(
            reqwest::Method::PUT,
            &path(
                &[
                    "organizations",
                    organization_id,
                    "data_integration_configurations",
                    slug,
                ],
                &[],
            ),
            Some(request),
            "configuration",
        )
        .await
    }

    /// `POST /user_management/users`.
    pub async fn create_user(&self, request: &CreateUser) -> Result<User, PipesError> {
        self.call(
            reqwest::Method::POST,
            "/user_management/users",
            Some(request),
            "user",
        )
        .await
    }

    /// `GET /user_management/users/{id}`.
    pub async fn get_user(&self, id: &str) -> Result<User, PipesError> {
        self.get(&path(&["user_management", "users", id], &[]), "user")
            .await
    }

    /// `GET /user_management/users`.
    pub async fn list_users(&self, page: &ListParams) -> Result<List<User>, PipesError> {
        self.get(
            &path(&["user_management", "users"], &page.pairs()),
            "user list",
        )
        .await
    }

    /// `DELETE /user_management/users/{id}`.
    pub async fn delete_user(&self, id: &str) -> Result<(), PipesError> {
        self.call_empty(
            reqwest::Method::DELETE,
            &path(&["user_management", "users", id], &[]),
        )
        .await
    }

    /// `POST /organizations`.
    pub async fn create_organization(
        &self,
        request: &CreateOrganization,
    ) -> Result<Organization, PipesError> {
        self.call(
            reqwest::Method::POST,
            "/organizations",
            Some(request),
            "organization",
        )
        .await
    }

    /// `GET /organizations/{id}`.
    pub async fn get_organization(&self, id: &str) -> Result<Organization, PipesError> {
        self.get(&path(&["organizations", id], &[]), "organization")
            .await
    }

    /// `GET /organizations`.
    pub async fn list_organizations(
        &self,
        page: &ListParams,
    ) -> Result<List<Organization>, PipesError> {
        self.get(
            &path(&["organizations"], &page.pairs()),
            "organization list",
        )
        .await
    }

    /// `DELETE /organizations/{id}`.
    pub async fn delete_organization(&self, id: &str) -> Result<(), PipesError> {
        self.call_empty(reqwest::Method::DELETE, &path(&["organizations", id], &[]))
            .await
    }

    /// `POST /user_management/organization_memberships`.
    pub async fn create_membership(
        &self,
        request: &CreateMembership,
    ) -> Result<Membership, PipesError> {
        self.call(
            reqwest::Method::POST,
            "/user_management/organization_memberships",
            Some(request),
            "organization membership",
        )
        .await
    }

    /// `GET /user_management/organization_memberships`.
    pub async fn list_memberships(
        &self,
        filter: &MembershipFilter,
        page: &ListParams,
    ) -> Result<List<Membership>, PipesError> {
        let mut q = page.pairs();
        for (k, v) in [
            ("user_id", &filter.user_id),
            ("organization_id", &filter.organization_id),
            ("statuses", &filter.statuses),
        ] {
            if let Some(v) = v {
                q.push((k.to_string(), v.clone()));
            }
        }
        self.get(
            &path(&["user_management", "organization_memberships"], &q),
            "membership list",
        )
        .await
    }

    /// `GET /user_management/organization_memberships/{id}`.
    pub async fn get_membership(&self, id: &str) -> Result<Membership, PipesError> {
        self.get(
            &path(&["user_management", "organization_memberships", id], &[]),
            "organization membership",
        )
        .await
    }

    /// `PUT .../organization_memberships/{id}/deactivate` or `/reactivate`.
    pub async fn set_membership_active(
        &self,
        id: &str,
        active: bool,
    ) -> Result<Membership, PipesError> {
        let action = if active { "reactivate" } else { "deactivate" };
        self.call::<(), _>(
            reqwest::Method::PUT,
            &path(
                &["user_management", "organization_memberships", id, action],
                &[],
            ),
            None,
            "organization membership",
        )
        .await
    }

    /// `DELETE /user_management/organization_memberships/{id}`.
    pub async fn delete_membership(&self, id: &str) -> Result<(), PipesError> {
        self.call_empty(
            reqwest::Method::DELETE,
            &path(&["user_management", "organization_memberships", id], &[]),
        )
        .await
    }

    /// `GET /webhook_endpoints`.
    pub async fn list_webhook_endpoints(
        &self,
        page: &ListParams,
    ) -> Result<List<WebhookEndpoint>, PipesError> {
        self.get(
            &path(&["webhook_endpoints"], &page.pairs()),
            "webhook endpoint list",
        )
        .await
    }

    /// `POST /webhook_endpoints`.
    pub async fn create_webhook_endpoint(
        &self,
        request: &WebhookEndpointRequest,
    ) -> Result<WebhookEndpoint, PipesError> {
        self.call(
            reqwest::Method::POST,
            "/webhook_endpoints",
            Some(request),
            "webhook endpoint",
        )
        .await
    }

    /// `PATCH /webhook_endpoints/{id}`.
    pub async fn update_webhook_endpoint(
        &self,
        id: &str,
        request: &WebhookEndpointRequest,
    ) -> Result<WebhookEndpoint, PipesError> {
        self.call(
            reqwest::Method::PATCH,
            &path(&["webhook_endpoints", id], &[]),
            Some(request),
            "webhook endpoint",
        )
        .await
    }

    /// `DELETE /webhook_endpoints/{id}`.
    pub async fn delete_webhook_endpoint(&self, id: &str) -> Result<(), PipesError> {
        self.call_empty(
            reqwest::Method::DELETE,
            &path(&["webhook_endpoints", id], &[]),
        )
        .await
    }

    /// `GET /events`.
    pub async fn list_events(&self, filter: &EventFilter) -> Result<List<Event>, PipesError> {
        let mut q = vec![("events".to_string(), filter.events.join(","))];
        if let Some(l) = filter.limit {
            q.push(("limit".into(), l.to_string()));
        }
        for (k, v) in [
            ("after", &filter.after),
            ("organization_id", &filter.organization_id),
            ("range_start", &filter.range_start),
            ("range_end", &filter.range_end),
        ] {
            if let Some(v) = v {
                q.push((k.to_string(), v.clone()));
            }
        }
        self.get(&path(&["events"], &q), "event list").await
    }
}

/// Whose connected account a call addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountOwner<'a> {
    /// `/user_management/users/{user_id}/...`.
    User(&'a str),
    /// `/organizations/{organization_id}/...`.
    Organization(&'a str),
}

/// A path of percent-encoded segments (as both SDKs encode them) with a query.
pub fn path(segments: &[&str], query: &[(String, String)]) -> String {
    let mut url = match url::Url::parse("http://workos.invalid/") {
        Ok(u) => u,
        Err(_) => return String::from("/"),
    };
    if let Ok(mut p) = url.path_segments_mut() {
        p.clear();
        for s in segments {
            p.push(s);
        }
    }
    if !query.is_empty() {
        url.query_pairs_mut().extend_pairs(query.iter());
    }
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    }
}

/// Turns a WorkOS error response into a diagnosis.
pub fn workos_error(path: &str, resp: &HttpResponse) -> PipesError {
    let body = resp.json().unwrap_or(serde_json::Value::Null);
    let code = body
        .get("code")
        .and_then(|v| v.as_str())
        .map(str::to_string);
    let message = body
        .get("message")
        .and_then(|v| v.as_str())
        .map(str::to_string)
        .unwrap_or_else(|| resp.text());
    let quoted = format!("WorkOS answered HTTP {} to {path}: {message}", resp.status);
    let kind = match (resp.status, code.as_deref()) {
        (401, _) => DiagnosisKind::InvalidApiKey,
        // A route or method WorkOS does not have: the code calls an API
        // version or SDK method that does not exist.
        (404, Some("not_found")) | (405, _) => DiagnosisKind::SdkVersionMismatch,
        (404, Some("multiple_connections_unavailable")) => {
            DiagnosisKind::MultipleConnectionsUnavailable
        }
        (404, Some("data_integration_not_found")) => DiagnosisKind::ProviderNotConfigured,
        (404, _) if message.contains("Data integration") => DiagnosisKind::ProviderNotConfigured,
        (
            400 | 403,
            Some(
                "shared_credentials_not_allowed"
                | "data_integration_disabled"
                | "organization_credentials_missing"
                | "credentials_missing"
                | "custom_provider_incomplete",
            ),
        ) => DiagnosisKind::ProviderNotConfigured,
        (404, _) => DiagnosisKind::ConnectionNotFound,
        (409, Some("account_selection_required")) => DiagnosisKind::AccountSelectionRequired,
        (403, Some("organization_membership_required")) => {
            DiagnosisKind::OrganizationMembershipRequired
        }
        (400, Some("invalid_connect_code" | "invalid_code_verifier")) => {
            DiagnosisKind::CodeExpiredOrReused
        }
        (429, _) => DiagnosisKind::RateLimited,
        (s, _) if s >= 500 => DiagnosisKind::ProviderUnavailable,
        _ => DiagnosisKind::InvalidRequest,
    };
    PipesError::WorkOs {
        status: resp.status,
        code,
        request_id: resp.header("x-request-id").map(str::to_string),
        diagnosis: Diagnosis::new(kind, quoted),
    }
}

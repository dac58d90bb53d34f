//! The Pipes client: typed calls to the WorkOS Pipes API, provider calls that
//! fetch a fresh token first, the connect flow as a browser walks it, and
//! webhook verification. Every failure is a [`PipesError`] carrying a
//! [`Diagnosis`]: what went wrong, why, and what to do.

pub mod browser;
pub mod classify;
pub mod connect;
pub mod diagnosis;
pub mod error;
pub mod models;
pub mod provider_call;
pub mod webhooks;

use serde::Serialize;
use serde::de::DeserializeOwned;

pub use browser::Browser;
pub use diagnosis::{Diagnosis, DiagnosisKind};
pub use error::PipesError;
pub use models::{
    AccessToken, AccessTokenResponse, AuthorizeRequest, AuthorizeUrl, ConnectedAccount,
    TokenRequest,
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

    /// `POST /data-integrations/{slug}/authorize`.
    pub async fn authorize(
        &self,
        slug: &str,
        request: &AuthorizeRequest,
    ) -> Result<AuthorizeUrl, PipesError> {
        self.call(
            reqwest::Method::POST,
            &format!("/data-integrations/{slug}/authorize"),
            Some(request),
            "authorize URL",
        )
        .await
    }

    /// `POST /data-integrations/{slug}/token`.
    pub async fn get_access_token(
        &self,
        slug: &str,
        request: &TokenRequest,
    ) -> Result<AccessTokenResponse, PipesError> {
        self.call(
            reqwest::Method::POST,
            &format!("/data-integrations/{slug}/token"),
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
        match self.get_access_token(slug, request).await? {
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
        self.call::<(), _>(
            reqwest::Method::GET,
            &format!("/user_management/users/{user_id}/connected_accounts/{slug}"),
            None,
            "connected account",
        )
        .await
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
        (404, Some("not_found")) => DiagnosisKind::SdkVersionMismatch,
        (404, Some("multiple_connections_unavailable")) => {
            DiagnosisKind::MultipleConnectionsUnavailable
        }
        (404, _) if message.contains("Data integration") => DiagnosisKind::ProviderNotConfigured,
        (403, Some("shared_credentials_not_allowed")) => DiagnosisKind::ProviderNotConfigured,
        (404, _) => DiagnosisKind::ConnectionNotFound,
        (409, Some("account_selection_required")) => DiagnosisKind::AccountSelectionRequired,
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

//! Where the app under test lives and which WorkOS it talks to.
//!
//! App-facing features drive an app over HTTP, so all they need to know is
//! its base URL and the paths of three endpoints, given as templates:
//!
//! - connect: `/connect/{provider}?user_id={user_id}` answers 302 (or 200
//!   with a link) to the WorkOS authorize URL for that user;
//! - webhook: `/webhooks/workos` receives signed WorkOS events;
//! - profile: `/profile/{provider}?user_id={user_id}` fetches a fresh token
//!   and calls the provider on the user's behalf.
//!
//! `{provider}` becomes the slug (`github`) and `{user_id}` the WorkOS user
//! id, percent-encoded. A query pair whose value is exactly `{user_id}` is
//! left out when there is no user (the doctor opens the connect page as a
//! visitor who has not signed in).
//!
//! The target comes from the environment, so the same feature files run
//! unchanged against the built-in reference app (`cargo test`) and against a
//! team's app next to `pipes-harness serve` (see the README, "Test your own
//! app"). Variables:
//!
//! | variable | meaning | default |
//! |---|---|---|
//! | `PIPES_HARNESS_APP_URL` | the app's base URL; unset = the reference app | |
//! | `PIPES_HARNESS_APP_CONNECT_PATH` | connect endpoint template | `/connect/{provider}?user_id={user_id}` |
//! | `PIPES_HARNESS_APP_WEBHOOK_PATH` | webhook endpoint path | `/webhooks/workos` |
//! | `PIPES_HARNESS_APP_PROFILE_PATH` | provider-call endpoint template | `/profile/{provider}?user_id={user_id}` |
//! | `PIPES_HARNESS_WORKOS_URL` | the `serve` instance the app uses | required with an app URL |
//! | `PIPES_HARNESS_API_KEY` | an API key of that instance | `sk_test_default` |
//! | `PIPES_HARNESS_WEBHOOK_SECRET` | the app's webhook signing secret | required with an app URL |
//! | `PIPES_HARNESS_GITHUB_URL` (`_SLACK_`, `_GOOGLE_`, `_SALESFORCE_`) | provider mock base URLs, as `serve` prints them | needed by the connect and revocation features |

use std::collections::BTreeMap;

use crate::provider::ProviderKind;

/// Default connect endpoint template.
pub const DEFAULT_CONNECT_PATH: &str = "/connect/{provider}?user_id={user_id}";
/// Default webhook endpoint path.
pub const DEFAULT_WEBHOOK_PATH: &str = "/webhooks/workos";
/// Default provider-call endpoint template.
pub const DEFAULT_PROFILE_PATH: &str = "/profile/{provider}?user_id={user_id}";
/// The API key `pipes-harness serve` accepts when given none.
pub const DEFAULT_SERVE_API_KEY: &str = "sk_test_default";

/// Environment variable naming the app's base URL.
pub const ENV_APP_URL: &str = "PIPES_HARNESS_APP_URL";
/// Environment variable naming the connect endpoint template.
pub const ENV_CONNECT_PATH: &str = "PIPES_HARNESS_APP_CONNECT_PATH";
/// Environment variable naming the webhook endpoint path.
pub const ENV_WEBHOOK_PATH: &str = "PIPES_HARNESS_APP_WEBHOOK_PATH";
/// Environment variable naming the provider-call endpoint template.
pub const ENV_PROFILE_PATH: &str = "PIPES_HARNESS_APP_PROFILE_PATH";
/// Environment variable naming the `serve` base URL.
pub const ENV_WORKOS_URL: &str = "PIPES_HARNESS_WORKOS_URL";
/// Environment variable holding an API key of that `serve`.
pub const ENV_API_KEY: &str = "PIPES_HARNESS_API_KEY";
/// Environment variable holding the app's webhook signing secret.
pub const ENV_WEBHOOK_SECRET: &str = "PIPES_HARNESS_WEBHOOK_SECRET";

/// The app's base URL and endpoint templates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppEndpoints {
    base: String,
    connect_path: String,
    webhook_path: String,
    profile_path: String,
}

impl AppEndpoints {
    /// Checks and keeps the base URL and templates.
    pub fn new(
        base: &str,
        connect_path: &str,
        webhook_path: &str,
        profile_path: &str,
    ) -> Result<Self, String> {
        let parsed = url::Url::parse(base).map_err(|e| {
            format!("the app URL {base:?} is not a URL ({e}): expected e.g. http://127.0.0.1:3000")
        })?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
            return Err(format!(
                "the app URL {base:?} must be an http:// or https:// URL with a host, e.g. http://127.0.0.1:3000"
            ));
        }
        for (what, path) in [
            ("connect path", connect_path),
            ("webhook path", webhook_path),
            ("profile path", profile_path),
        ] {
            if !path.starts_with('/') {
                return Err(format!(
                    "the app's {what} {path:?} must start with '/', e.g. {}",
                    match what {
                        "connect path" => DEFAULT_CONNECT_PATH,
                        "webhook path" => DEFAULT_WEBHOOK_PATH,
                        _ => DEFAULT_PROFILE_PATH,
                    }
                ));
            }
        }
        Ok(AppEndpoints {
            base: base.trim_end_matches('/').to_string(),
            connect_path: connect_path.to_string(),
            webhook_path: webhook_path.to_string(),
            profile_path: profile_path.to_string(),
        })
    }

    /// The same paths with the defaults.
    pub fn with_defaults(base: &str) -> Result<Self, String> {
        Self::new(
            base,
            DEFAULT_CONNECT_PATH,
            DEFAULT_WEBHOOK_PATH,
            DEFAULT_PROFILE_PATH,
        )
    }

    /// Base URL without a trailing slash.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The connect endpoint for `provider`, for `user_id` or for a visitor.
    pub fn connect_url(&self, provider: ProviderKind, user_id: Option<&str>) -> String {
        format!(
            "{}{}",
            self.base,
            fill(&self.connect_path, provider, user_id)
        )
    }

    /// The webhook endpoint.
    pub fn webhook_url(&self) -> String {
        format!("{}{}", self.base, self.webhook_path)
    }

    /// The provider-call endpoint for `provider` and `user_id`.
    pub fn profile_url(&self, provider: ProviderKind, user_id: &str) -> String {
        format!(
            "{}{}",
            self.base,
            fill(&self.profile_path, provider, Some(user_id))
        )
    }

    /// The connect path template, for messages.
    pub fn connect_template(&self) -> &str {
        &self.connect_path
    }

    /// The webhook path, for messages.
    pub fn webhook_template(&self) -> &str {
        &self.webhook_path
    }

    /// The profile path template, for messages.
    pub fn profile_template(&self) -> &str {
        &self.profile_path
    }
}

/// Fills `{provider}` and `{user_id}` in a path template.
pub fn fill(template: &str, provider: ProviderKind, user_id: Option<&str>) -> String {
    let (path, query) = match template.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (template, None),
    };
    let encode = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let fill_one = |text: &str| {
        let mut out = text.replace("{provider}", provider.slug());
        if let Some(id) = user_id {
            out = out.replace("{user_id}", &encode(id));
        }
        out
    };
    let mut out = fill_one(path);
    if let Some(q) = query {
        let pairs: Vec<String> = q
            .split('&')
            .filter(|pair| user_id.is_some() || !pair.ends_with("={user_id}"))
            .map(fill_one)
            .collect();
        if !pairs.is_empty() {
            out.push('?');
            out.push_str(&pairs.join("&"));
        }
    }
    out
}

/// An app next to a running `pipes-harness serve`, as the environment describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalTarget {
    /// The app.
    pub app: AppEndpoints,
    /// The `serve` base URL.
    pub workos_url: String,
    /// An API key `serve` accepts (the app's, normally).
    pub api_key: String,
    /// The secret the app verifies webhooks with.
    pub webhook_secret: String,
    /// Provider mock base URLs, as `serve` printed them.
    pub providers: BTreeMap<ProviderKind, String>,
}

/// Reads the external target from `vars`; `Ok(None)` when no app URL is set.
pub fn from_vars(vars: &BTreeMap<String, String>) -> Result<Option<ExternalTarget>, String> {
    let get = |k: &str| vars.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let Some(app_url) = get(ENV_APP_URL) else {
        return Ok(None);
    };
    let app = AppEndpoints::new(
        app_url,
        get(ENV_CONNECT_PATH).unwrap_or(DEFAULT_CONNECT_PATH),
        get(ENV_WEBHOOK_PATH).unwrap_or(DEFAULT_WEBHOOK_PATH),
        get(ENV_PROFILE_PATH).unwrap_or(DEFAULT_PROFILE_PATH),
    )?;
    let workos_url = get(ENV_WORKOS_URL).ok_or_else(|| {
        format!(
            "{ENV_APP_URL} is set but {ENV_WORKOS_URL} is not: set it to the base URL of the \
             `pipes-harness serve` your app talks to, e.g. http://127.0.0.1:4100"
        )
    })?;
    url::Url::parse(workos_url)
        .map_err(|e| format!("{ENV_WORKOS_URL}={workos_url:?} is not a URL: {e}"))?;
    let webhook_secret = get(ENV_WEBHOOK_SECRET).ok_or_else(|| {
        format!(
            "{ENV_APP_URL} is set but {ENV_WEBHOOK_SECRET} is not: set it to the signing secret \
             your app verifies webhooks with (the `secret` of its webhook endpoint in the seed file)"
        )
    })?;
    let api_key = get(ENV_API_KEY).unwrap_or(DEFAULT_SERVE_API_KEY);
    if !api_key.starts_with("sk_") {
        return Err(format!(
            "{ENV_API_KEY} must be a WorkOS API key starting with sk_, got one starting with {:?}",
            api_key.chars().take(3).collect::<String>()
        ));
    }
    let mut providers = BTreeMap::new();
    for kind in ProviderKind::ALL {
        let var = provider_var(kind);
        if let Some(u) = get(&var) {
            url::Url::parse(u).map_err(|e| format!("{var}={u:?} is not a URL: {e}"))?;
            providers.insert(kind, u.trim_end_matches('/').to_string());
        }
    }
    Ok(Some(ExternalTarget {
        app,
        workos_url: workos_url.trim_end_matches('/').to_string(),
        api_key: api_key.to_string(),
        webhook_secret: webhook_secret.to_string(),
        providers,
    }))
}

/// `PIPES_HARNESS_GITHUB_URL` and so on.
pub fn provider_var(kind: ProviderKind) -> String {
    format!("PIPES_HARNESS_{}_URL", kind.slug().to_ascii_uppercase())
}

/// The process environment as a map (non-UTF-8 variables are skipped).
pub fn process_vars() -> BTreeMap<String, String> {
    std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .collect()
}

/// Whether an app's error page relays WorkOS's answer that the provider has
/// no integration (`data_integration_not_found`): the app is fine, the
/// WorkOS it talks to does not have the integration configured.
pub fn relays_missing_integration(body: &str) -> bool {
    let lower = body.to_ascii_lowercase();
    lower.contains("data_integration_not_found")
        || lower.contains("data integration not found")
        || lower.contains("integration not configured")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect()
    }

    #[test]
    fn templates_fill_provider_and_encoded_user() {
        let e = AppEndpoints::with_defaults("http://127.0.0.1:3000/").unwrap();
        assert_eq!(
            e.connect_url(ProviderKind::Github, Some("user_01 x")),
            "http://127.0.0.1:3000/connect/github?user_id=user_01+x"
        );
        assert_eq!(
            e.profile_url(ProviderKind::Slack, "user_1"),
            "http://127.0.0.1:3000/profile/slack?user_id=user_1"
        );
        assert_eq!(e.webhook_url(), "http://127.0.0.1:3000/webhooks/workos");
    }

    #[test]
    fn a_visitor_gets_the_connect_page_without_the_user_pair() {
        let e = AppEndpoints::new(
            "http://a.test",
            "/c/{provider}?user_id={user_id}&x=1",
            "/w",
            "/p",
        )
        .unwrap();
        assert_eq!(
            e.connect_url(ProviderKind::Github, None),
            "http://a.test/c/github?x=1"
        );
        let only = AppEndpoints::with_defaults("http://a.test").unwrap();
        assert_eq!(
            only.connect_url(ProviderKind::Github, None),
            "http://a.test/connect/github"
        );
    }

    #[test]
    fn bad_urls_and_paths_are_refused_with_an_example() {
        assert!(
            AppEndpoints::with_defaults("localhost:3000")
                .unwrap_err()
                .contains("http://")
        );
        assert!(
            AppEndpoints::new("http://a.test", "connect", "/w", "/p")
                .unwrap_err()
                .contains("must start with '/'")
        );
    }

    #[test]
    fn no_app_url_means_the_reference_app() {
        assert_eq!(from_vars(&vars(&[])).unwrap(), None);
    }

    #[test]
    fn an_app_url_needs_the_workos_url_and_the_webhook_secret() {
        let err = from_vars(&vars(&[(ENV_APP_URL, "http://127.0.0.1:3000")])).unwrap_err();
        assert!(err.contains(ENV_WORKOS_URL), "{err}");
        let err = from_vars(&vars(&[
            (ENV_APP_URL, "http://127.0.0.1:3000"),
            (ENV_WORKOS_URL, "http://127.0.0.1:4100"),
        ]))
        .unwrap_err();
        assert!(err.contains(ENV_WEBHOOK_SECRET), "{err}");
    }

    #[test]
    fn a_complete_environment_describes_the_target() {
        let t = from_vars(&vars(&[
            (ENV_APP_URL, "http://127.0.0.1:3000"),
            (ENV_WORKOS_URL, "http://127.0.0.1:4100/"),
            (ENV_WEBHOOK_SECRET, "whsec_x"),
            (ENV_WEBHOOK_PATH, "/hooks"),
            ("PIPES_HARNESS_GITHUB_URL", "http://127.0.0.1:4101"),
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(t.workos_url, "http://127.0.0.1:4100");
        assert_eq!(t.api_key, DEFAULT_SERVE_API_KEY);
        assert_eq!(t.app.webhook_url(), "http://127.0.0.1:3000/hooks");
        assert_eq!(
            t.providers.get(&ProviderKind::Github).map(String::as_str),
            Some("http://127.0.0.1:4101")
        );
    }

    #[test]
    fn an_api_key_without_sk_is_refused() {
        let err = from_vars(&vars(&[
            (ENV_APP_URL, "http://127.0.0.1:3000"),
            (ENV_WORKOS_URL, "http://127.0.0.1:4100"),
            (ENV_WEBHOOK_SECRET, "whsec_x"),
            (ENV_API_KEY, "pk_live_1"),
        ]))
        .unwrap_err();
        assert!(err.contains("sk_"), "{err}");
    }

    #[test]
    fn an_app_relaying_a_missing_integration_is_told_apart_from_a_missing_route() {
        assert!(relays_missing_integration(
            r#"{"error":"not_found","code":"data_integration_not_found"}"#
        ));
        assert!(relays_missing_integration(
            "WorkOS said: Data integration not found for the given provider slug: 'github'"
        ));
        assert!(!relays_missing_integration("<h1>404 Not Found</h1>"));
    }
}

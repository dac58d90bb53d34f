//! Faults put on a provider mock: [`Fault::apply`] and
//! [`Fault::apply_scoped`], the wiremock mocks a wire fault mounts (their
//! matchers and the responder that answers in the provider's format), the
//! state changes a state fault makes, and the transcript notes saying so.
//!
//! Separate from `vocabulary` because this is the only part that touches a
//! running mock; what a fault is and whether it is valid is decided there.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use wiremock::{Match, Mock, Request, Respond, ResponseTemplate};

use super::{Fault, FaultError, Target};
use crate::common::ids::IdGen;
use crate::providers::FaultAnswers;
use crate::providers::engine::oauth::{Countdown, OAuthEngine};
use crate::providers::engine::{ClassMatcher, ProviderMock, RouteClass, Shared, wire};
use crate::transcript::Recorder;

/// Priority of fault mocks: above the defaults ([`crate::providers::engine::DEFAULT_PRIORITY`]).
pub const FAULT_PRIORITY: u8 = 5;

impl Target {
    fn class(self) -> RouteClass {
        match self {
            Target::Api => RouteClass::Api,
            Target::Token => RouteClass::Token,
        }
    }

    fn words(self) -> &'static str {
        match self {
            Target::Api => "API calls",
            Target::Token => "token requests",
        }
    }
}

impl Fault {
    /// Applies the fault to `provider`, for the next `times` calls (or
    /// until cleared when `None`), and notes it in the transcript.
    pub async fn apply(
        &self,
        provider: &ProviderMock,
        times: Option<u64>,
    ) -> Result<(), FaultError> {
        let kind = provider.kind;
        if times.is_some() && !self.counts_calls() {
            return Err(FaultError::TimesNotApplicable(self.name()));
        }
        self.check(kind)?;
        let shared = provider.shared();
        // Consent and code faults count authorize flows, the others calls.
        let unit = match self {
            Fault::DenyConsent | Fault::CodeReused | Fault::CodeExpired { .. } => "authorization",
            _ => "call",
        };
        let how_long = match times {
            None => "until cleared".to_string(),
            Some(1) => format!("for the next {unit}"),
            Some(n) => format!("for the next {n} {unit}s"),
        };
        let note = match self {
            Fault::RevokeTokens { .. }
            | Fault::RevokeRefreshTokens { .. }
            | Fault::ExpireTokens { .. }
            | Fault::RedirectMismatch { .. }
            | Fault::RedirectMismatchPage
            | Fault::InvalidScope { .. }
            | Fault::InvalidClient => self.change_state(shared),
            Fault::DenyConsent => {
                shared.engine().deny_consent = Countdown::times(times);
                format!("the user denies consent on the authorize page {how_long}")
            }
            Fault::CodeReused => {
                shared.engine().reuse_codes = Countdown::times(times);
                format!("authorization codes are already redeemed when exchanged, {how_long}")
            }
            Fault::CodeExpired { delay_ms } => {
                let ttl = crate::providers::engine::oauth::code_ttl_ms(kind);
                let delay = delay_ms
                    .map(|d| i64::try_from(d).unwrap_or(i64::MAX))
                    .unwrap_or(ttl + 60_000);
                let mut engine = shared.engine();
                engine.slow_consent = Countdown::times(times);
                engine.return_delay_ms = delay;
                format!(
                    "the browser takes {} to bring the code back (codes live {}), {how_long}",
                    crate::common::duration::spoken(Duration::from_millis(
                        u64::try_from(delay).unwrap_or(0)
                    )),
                    crate::common::duration::spoken(Duration::from_millis(
                        u64::try_from(ttl).unwrap_or(0)
                    ))
                )
            }
            _ => {
                self.mount(provider, times).await;
                format!("{} {how_long}", self.describe_wire())
            }
        };
        shared
            .recorder
            .note(kind.slug(), format!("fault {}: {note}", self.name()));
        Ok(())
    }

    fn change_state(&self, shared: &Shared) -> String {
        let now = shared.clock.now_ms();
        self.change_engine(&mut shared.engine(), now, &shared.ids, &shared.recorder)
    }

    /// Makes a state fault's change to `engine` (any provider's OAuth state,
    /// a custom provider's too) and says what it did; nothing for a wire fault.
    pub fn change_engine(
        &self,
        engine: &mut OAuthEngine,
        now: i64,
        ids: &IdGen,
        recorder: &Recorder,
    ) -> String {
        let who = |user: &Option<String>| {
            user.clone()
                .map(|u| format!("{u}'s"))
                .unwrap_or_else(|| "every user's".to_string())
        };
        match self {
            Fault::RevokeTokens { user } => {
                let n = match user {
                    Some(u) => engine.revoke_all(u),
                    None => engine.revoke_everyone(),
                };
                format!("revoked {n} of {} tokens", who(user))
            }
            Fault::RevokeRefreshTokens { user } => {
                let n = engine.revoke_refresh_tokens(user.as_deref());
                format!("revoked {n} of {} refresh tokens", who(user))
            }
            Fault::ExpireTokens { user } => {
                let n = engine.expire_tokens(user.as_deref(), now);
                format!("{n} of {} access tokens expired", who(user))
            }
            Fault::RedirectMismatch { callback } => {
                let to = callback
                    .clone()
                    .unwrap_or_else(|| "https://example.com/oauth/callback".to_string());
                for app in engine.apps.values_mut() {
                    app.redirect_uris = vec![to.clone()];
                }
                format!("every OAuth app now has only {to} registered as its callback")
            }
            Fault::RedirectMismatchPage => {
                engine.mismatch_page = true;
                "an unregistered redirect_uri shows the warning page instead of redirecting".into()
            }
            Fault::InvalidScope { scope } => {
                engine.forbidden_scopes.push(scope.clone());
                format!("apps may no longer request the scope {scope}")
            }
            Fault::InvalidClient => {
                let fresh: Vec<(String, String)> = engine
                    .apps
                    .keys()
                    .map(|id| (id.clone(), ids.secret("rotated_secret_", 32)))
                    .collect();
                for (id, secret) in &fresh {
                    recorder.secret("client_secret", secret);
                    if let Some(app) = engine.apps.get_mut(id) {
                        app.client_secret = secret.clone();
                    }
                }
                format!(
                    "the client secret of {} app(s) was regenerated; the old one is refused",
                    fresh.len()
                )
            }
            _ => String::new(),
        }
    }

    fn describe_wire(&self) -> String {
        match self {
            Fault::RateLimit {
                retry_after, on, ..
            } => match retry_after {
                Some(s) => format!("{} are rate limited (retry after {s} s)", on.words()),
                None => format!("{} are rate limited", on.words()),
            },
            Fault::SecondaryRateLimit { retry_after } => match retry_after {
                Some(s) => format!("API calls hit the secondary rate limit (retry-after {s})"),
                None => "API calls hit the secondary rate limit (no retry-after)".into(),
            },
            Fault::ServerError { status, on } => {
                format!("{} answer HTTP {}", on.words(), status.unwrap_or(503))
            }
            Fault::Latency { ms, real, on } => format!(
                "{} answer {} late ({})",
                on.words(),
                crate::common::duration::spoken(Duration::from_millis(*ms)),
                if *real { "real time" } else { "virtual time" }
            ),
            Fault::MalformedBody { on } => {
                format!("{} answer HTTP 200 with a truncated body", on.words())
            }
            Fault::InsufficientScope { .. } => "API calls are refused for a missing scope".into(),
            Fault::InvalidGrantOnRefresh => "refresh grants are refused".into(),
            _ => String::new(),
        }
    }

    async fn mount(&self, provider: &ProviderMock, times: Option<u64>) {
        self.wire_mock(provider, times, None)
            .mount(&provider.server)
            .await;
    }

    /// The wiremock mock that answers with this (wire) fault; with `active`,
    /// only while that flag is up.
    fn wire_mock(
        &self,
        provider: &ProviderMock,
        times: Option<u64>,
        active: Option<Arc<AtomicBool>>,
    ) -> Mock {
        let shared = provider.shared();
        let target = match self {
            Fault::ServerError { on, .. }
            | Fault::RateLimit { on, .. }
            | Fault::Latency { on, .. }
            | Fault::MalformedBody { on } => *on,
            Fault::InvalidGrantOnRefresh => Target::Token,
            _ => Target::Api,
        };
        let mut mock = Mock::given(ClassMatcher::new(shared, &[target.class()]));
        if matches!(self, Fault::InvalidGrantOnRefresh) {
            mock = mock.and(GrantTypeIs("refresh_token"));
        }
        if let Some(flag) = active {
            mock = mock.and(While(flag));
        }
        let mut mock = mock
            .respond_with(FaultResponder {
                shared: Arc::clone(shared),
                fault: self.clone(),
                target,
            })
            .with_priority(FAULT_PRIORITY)
            .named(format!("fault {}", self.name()));
        if let Some(n) = times {
            mock = mock.up_to_n_times(n);
        }
        mock
    }

    /// Applies the fault until the returned `ScopedFault` drops. Faults
    /// that change the provider's state once (revocations, a changed
    /// callback URL) cannot be undone and are refused.
    pub async fn apply_scoped(&self, provider: &ProviderMock) -> Result<ScopedFault, FaultError> {
        if !self.counts_calls() {
            return Err(FaultError::NotScopable(self.name()));
        }
        self.check(provider.kind)?;
        let undo = match self {
            Fault::DenyConsent => Undo::Switch(Arc::clone(provider.shared()), Switch::DenyConsent),
            Fault::CodeReused => Undo::Switch(Arc::clone(provider.shared()), Switch::ReuseCodes),
            Fault::CodeExpired { .. } => {
                Undo::Switch(Arc::clone(provider.shared()), Switch::SlowConsent)
            }
            _ => {
                // Not wiremock's `mount_as_scoped`: wiremock sorts its mocks
                // by priority in place, so a guard's index can point at
                // another mock by the time it drops. A flag the fault's
                // matcher reads is undone by a plain store.
                let flag = Arc::new(AtomicBool::new(true));
                self.wire_mock(provider, None, Some(Arc::clone(&flag)))
                    .mount(&provider.server)
                    .await;
                provider.shared().recorder.note(
                    provider.kind.slug(),
                    format!(
                        "fault {}: {} while the test holds it",
                        self.name(),
                        self.describe_wire()
                    ),
                );
                return Ok(ScopedFault {
                    _undo: Undo::Flag(flag),
                });
            }
        };
        self.apply(provider, None).await?;
        Ok(ScopedFault { _undo: undo })
    }
}

/// A fault applied until this value drops (see [`Fault::apply_scoped`]).
#[derive(Debug)]
pub struct ScopedFault {
    _undo: Undo,
}

/// How a scoped fault is undone.
enum Undo {
    /// The fault's mock matches while this flag is up.
    Flag(Arc<AtomicBool>),
    /// An engine switch turned off on drop.
    Switch(Arc<Shared>, Switch),
}

impl fmt::Debug for Undo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Undo::Flag(_) => f.write_str("Undo::Flag"),
            Undo::Switch(shared, switch) => {
                write!(f, "Undo::Switch({:?}, {switch:?})", shared.kind)
            }
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Switch {
    DenyConsent,
    ReuseCodes,
    SlowConsent,
}

impl Drop for Undo {
    fn drop(&mut self) {
        match self {
            Undo::Flag(flag) => flag.store(false, Ordering::SeqCst),
            Undo::Switch(shared, switch) => {
                let mut engine = shared.engine();
                match switch {
                    Switch::DenyConsent => engine.deny_consent = Countdown::Off,
                    Switch::ReuseCodes => engine.reuse_codes = Countdown::Off,
                    Switch::SlowConsent => engine.slow_consent = Countdown::Off,
                }
            }
        }
    }
}

/// Matches while its flag is up (a scoped fault).
struct While(Arc<AtomicBool>);

impl Match for While {
    fn matches(&self, _: &Request) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Matches token requests whose `grant_type` is the given one.
struct GrantTypeIs(&'static str);

impl Match for GrantTypeIs {
    fn matches(&self, request: &Request) -> bool {
        wire::form(request).get("grant_type").map(String::as_str) == Some(self.0)
    }
}

/// Answers for a wire fault, in the provider's format.
struct FaultResponder {
    shared: Arc<Shared>,
    fault: Fault,
    target: Target,
}

impl Respond for FaultResponder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let shared = &*self.shared;
        match &self.fault {
            Fault::RateLimit {
                retry_after,
                status,
                ..
            } => (answers(shared).rate_limited)(shared, request, *retry_after, *status),
            Fault::SecondaryRateLimit { retry_after } => {
                match answers(shared).secondary_rate_limit {
                    Some(answer) => answer(shared, request, *retry_after),
                    None => shared.dispatch(request),
                }
            }
            Fault::ServerError { status, .. } => {
                (answers(shared).server_error)(status.unwrap_or(503))
            }
            Fault::Latency { ms, real, .. } => {
                let delay = Duration::from_millis(*ms);
                if *real {
                    shared.dispatch(request).set_delay(delay)
                } else {
                    shared.clock.advance(delay);
                    shared.recorder.note(
                        shared.kind.slug(),
                        format!(
                            "answered {} {} after {} (virtual time)",
                            request.method,
                            request.url.path(),
                            crate::common::duration::human(delay)
                        ),
                    );
                    shared.dispatch(request)
                }
            }
            Fault::MalformedBody { .. } => malformed(shared, self.target),
            Fault::InsufficientScope { needed } => {
                let granted = shared
                    .token_of(request)
                    .map(|t| t.scopes)
                    .unwrap_or_default();
                (answers(shared).insufficient_scope)(shared, request, needed.as_deref(), &granted)
            }
            Fault::InvalidGrantOnRefresh => (answers(shared).refresh_refused)(request),
            // State faults never mount a responder.
            _ => shared.dispatch(request),
        }
    }
}

/// The fault answers of the provider `shared` impersonates.
fn answers(shared: &Shared) -> &'static FaultAnswers {
    &crate::providers::spec(shared.kind).faults
}

/// A cut-off answer: a token answer anywhere, or the provider's own API body.
fn malformed(shared: &Shared, target: Target) -> ResponseTemplate {
    let (body, content_type) = match target {
        Target::Token => ("{\"access_token\":\"", "application/json; charset=utf-8"),
        _ => answers(shared).malformed_api_body,
    };
    ResponseTemplate::new(200).set_body_raw(body.as_bytes().to_vec(), content_type)
}

#[cfg(test)]
pub(crate) mod tests {
    use serde_json::json;

    use super::*;
    use crate::provider::ProviderKind;
    use crate::providers::engine::testing;

    pub(crate) async fn call(mock: &ProviderMock, path: &str, token: &str) -> reqwest::Response {
        testing::get(mock, path, token).await
    }

    #[tokio::test]
    async fn a_rate_limit_for_two_calls_then_recovers() {
        let mock = testing::start(ProviderKind::Slack, false).await;
        let (token, _) = testing::tokens(&mock, "channels:read").await;
        Fault::RateLimit {
            retry_after: Some(2),
            status: None,
            on: Target::Api,
        }
        .apply(&mock, Some(2))
        .await
        .expect("applies");
        for _ in 0..2 {
            let resp = call(&mock, "/api/auth.test", &token).await;
            assert_eq!(resp.status(), 429);
            assert_eq!(testing::header(&resp, "retry-after").as_deref(), Some("2"));
            assert_eq!(
                testing::json(resp).await,
                json!({"ok": false, "error": "ratelimited"})
            );
        }
        assert_eq!(call(&mock, "/api/auth.test", &token).await.status(), 200);
    }

    #[tokio::test]
    async fn wire_faults_compose_in_the_order_they_were_applied() {
        let mock = testing::start(ProviderKind::Google, true).await;
        let (token, _) = testing::tokens(&mock, "openid").await;
        Fault::RateLimit {
            retry_after: Some(1),
            status: None,
            on: Target::Api,
        }
        .apply(&mock, Some(1))
        .await
        .expect("applies");
        Fault::ServerError {
            status: Some(502),
            on: Target::Api,
        }
        .apply(&mock, Some(1))
        .await
        .expect("applies");
        let statuses: Vec<u16> = {
            let mut v = Vec::new();
            for _ in 0..3 {
                v.push(call(&mock, "/v1/userinfo", &token).await.status().as_u16());
            }
            v
        };
        assert_eq!(statuses, vec![429, 502, 200]);
    }

    #[tokio::test]
    async fn api_faults_leave_the_oauth_endpoints_alone() {
        let mock = testing::start(ProviderKind::Github, false).await;
        Fault::ServerError {
            status: None,
            on: Target::Api,
        }
        .apply(&mock, None)
        .await
        .expect("applies");
        let (token, _) = testing::tokens(&mock, "repo").await;
        assert_eq!(call(&mock, "/user", &token).await.status(), 503);
    }

    #[tokio::test]
    async fn virtual_latency_moves_the_clock_and_still_gives_the_real_answer() {
        let mock = testing::start(ProviderKind::Github, false).await;
        let (token, _) = testing::tokens(&mock, "repo").await;
        let before = mock.shared().clock.now_ms();
        Fault::Latency {
            ms: 30_000,
            real: false,
            on: Target::Api,
        }
        .apply(&mock, Some(1))
        .await
        .expect("applies");
        // The virtual clock moved by the latency; the answer itself carries
        // no real delay (the real-time branch is the only one that sets one),
        // so nothing here reads the wall clock.
        let resp = call(&mock, "/user", &token).await;
        assert_eq!(resp.status(), 200);
        assert_eq!(testing::json(resp).await["login"], "alice");
        assert_eq!(mock.shared().clock.now_ms() - before, 30_000);
    }

    #[tokio::test]
    async fn a_refused_refresh_speaks_the_providers_refresh_error() {
        let mock = testing::start(ProviderKind::Google, true).await;
        let (_, rt) = testing::tokens(&mock, "openid").await;
        Fault::InvalidGrantOnRefresh
            .apply(&mock, Some(1))
            .await
            .expect("applies");
        let rt = rt.expect("offline");
        let refused = testing::refresh(&mock, &rt).await;
        assert_eq!(refused.status(), 400);
        assert_eq!(testing::json(refused).await["error"], "invalid_grant");
        assert_eq!(testing::refresh(&mock, &rt).await.status(), 200);
    }

    #[tokio::test]
    async fn state_faults_refuse_times_and_unsupported_ones_say_why() {
        let mock = testing::start(ProviderKind::Salesforce, true).await;
        assert_eq!(
            Fault::RevokeTokens { user: None }
                .apply(&mock, Some(2))
                .await,
            Err(FaultError::TimesNotApplicable("revoke_tokens"))
        );
        let e = Fault::SecondaryRateLimit { retry_after: None }
            .apply(&mock, None)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("only GitHub"), "{e}");
        let e = Fault::RateLimit {
            retry_after: Some(3),
            status: None,
            on: Target::Api,
        }
        .apply(&mock, None)
        .await
        .unwrap_err();
        assert!(e.to_string().contains("no retry time"), "{e}");
    }

    #[tokio::test]
    async fn a_rate_limit_on_the_token_endpoint_leaves_api_calls_alone() {
        let mock = testing::start(ProviderKind::Google, true).await;
        let (token, rt) = testing::tokens(&mock, "openid").await;
        let fault: Fault = "rate_limit on=token".parse().expect("parses");
        fault.apply(&mock, Some(1)).await.expect("applies");
        assert_eq!(call(&mock, "/v1/userinfo", &token).await.status(), 200);
        let rt = rt.expect("offline");
        assert_eq!(testing::refresh(&mock, &rt).await.status(), 403);
        assert_eq!(testing::refresh(&mock, &rt).await.status(), 200);
    }

    #[tokio::test]
    async fn clearing_faults_allows_a_forbidden_scope_again() {
        let mock = testing::start(ProviderKind::Github, false).await;
        Fault::InvalidScope {
            scope: "repo".into(),
        }
        .apply(&mock, None)
        .await
        .expect("applies");
        let client_id = mock.engine().apps.keys().next().cloned().expect("an app");
        let wanted = vec!["repo".to_string()];
        assert_eq!(mock.engine().refused_scopes(&client_id, &wanted), wanted);
        mock.clear_faults().await;
        assert!(mock.engine().refused_scopes(&client_id, &wanted).is_empty());
    }

    #[tokio::test]
    async fn clearing_faults_restores_the_defaults() {
        let mock = testing::start(ProviderKind::Slack, false).await;
        let (token, _) = testing::tokens(&mock, "chat:write").await;
        Fault::ServerError {
            status: Some(500),
            on: Target::Api,
        }
        .apply(&mock, None)
        .await
        .expect("applies");
        Fault::DenyConsent
            .apply(&mock, None)
            .await
            .expect("applies");
        assert_eq!(call(&mock, "/api/auth.test", &token).await.status(), 500);
        mock.clear_faults().await;
        assert_eq!(call(&mock, "/api/auth.test", &token).await.status(), 200);
        assert_eq!(mock.engine().deny_consent, Countdown::Off);
    }
}

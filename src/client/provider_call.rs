//! Calling a provider on a user's behalf: fetch a fresh token from Pipes,
//! call the provider, classify the answer.
//!
//! Tokens are never cached: every attempt asks WorkOS first, which is what
//! keeps a revoked or refreshed token from being reused. A token the provider
//! refuses triggers exactly one more fetch-and-call. Rate limits back off
//! exponentially with jitter, honouring `Retry-After` and `x-ratelimit-reset`,
//! for a bounded number of attempts; delays go through a [`Sleeper`] so a
//! scenario records them instead of waiting.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use super::PipesClient;
use super::classify::{self, ApiOutcome, ResponseView};
use super::diagnosis::DiagnosisKind;
use super::error::PipesError;
use super::models::TokenRequest;
use crate::mock::clock::Clock;
use crate::provider::ProviderKind;
use crate::transcript::HttpResponse;

/// Waits between attempts.
pub trait Sleeper: Send + Sync + std::fmt::Debug {
    /// Waits `delay`.
    fn sleep(&self, delay: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>>;
}

/// Really waits (tokio).
#[derive(Debug, Default, Clone)]
pub struct RealSleeper;

impl Sleeper for RealSleeper {
    fn sleep(&self, delay: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        Box::pin(tokio::time::sleep(delay))
    }
}

/// Advances the virtual clock instead of waiting, and remembers each delay.
#[derive(Debug, Clone)]
pub struct VirtualSleeper {
    clock: Clock,
    slept: Arc<Mutex<Vec<Duration>>>,
}

impl VirtualSleeper {
    /// A sleeper over `clock`.
    pub fn new(clock: Clock) -> Self {
        VirtualSleeper {
            clock,
            slept: Arc::default(),
        }
    }

    /// The delays so far.
    pub fn delays(&self) -> Vec<Duration> {
        self.slept
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Sleeper for VirtualSleeper {
    fn sleep(&self, delay: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        self.clock.advance(delay);
        self.slept
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(delay);
        Box::pin(std::future::ready(()))
    }
}

/// How hard to try.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// First backoff delay when the provider gives no hint.
    pub base_delay: Duration,
    /// Longest single delay.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(60),
        }
    }
}

/// A provider API request.
#[derive(Debug, Clone)]
pub struct ProviderRequest {
    /// Which provider.
    pub provider: ProviderKind,
    /// Provider base URL.
    pub base_url: String,
    /// Method.
    pub method: reqwest::Method,
    /// Path and query.
    pub path: String,
    /// Whose token.
    pub token: TokenRequest,
}

/// Makes provider calls with fresh tokens.
#[derive(Debug, Clone)]
pub struct ProviderCaller {
    client: PipesClient,
    sleeper: Arc<dyn Sleeper>,
    clock: Clock,
    policy: RetryPolicy,
    jitter_seed: Arc<Mutex<u64>>,
}

impl ProviderCaller {
    /// A caller using `client` for tokens, `sleeper` for waiting, `clock` for reset headers.
    pub fn new(
        client: PipesClient,
        sleeper: Arc<dyn Sleeper>,
        clock: Clock,
        policy: RetryPolicy,
    ) -> Self {
        ProviderCaller {
            client,
            sleeper,
            clock,
            policy,
            jitter_seed: Arc::new(Mutex::new(0x9E37_79B9_7F4A_7C15)),
        }
    }

    /// Fetch a fresh token, call, classify; retry rate limits and one refused token.
    pub async fn call(&self, req: &ProviderRequest) -> Result<HttpResponse, PipesError> {
        let slug = req.provider.slug();
        let mut refetched = false;
        let mut attempt = 1;
        loop {
            let token = self.client.fresh_token(slug, &req.token).await?;
            let url = format!("{}{}", req.base_url, req.path);
            let mut builder = self
                .client
                .http()
                .request(req.method.clone(), &url)
                .bearer_auth(&token.access_token)
                .header("accept", "application/json");
            if req.provider == ProviderKind::Github {
                builder = builder
                    .header("user-agent", "pipes-harness")
                    .header("x-github-api-version", "2022-11-28");
            }
            let resp = self.client.http().send(builder).await.map_err(|message| {
                PipesError::Transport {
                    diagnosis: super::Diagnosis::new(
                        DiagnosisKind::ProviderUnavailable,
                        format!(
                            "{} at {url} did not answer: {message}",
                            req.provider.display_name()
                        ),
                    ),
                    url: url.clone(),
                    message,
                }
            })?;
            let view = ResponseView {
                status: resp.status,
                headers: &resp.headers,
                body: &resp.body,
            };
            let outcome =
                classify::classify_api_response(req.provider, &view, self.clock.now_secs());
            let recorder = self.client.http().recorder().clone();
            match outcome {
                ApiOutcome::Ok => return Ok(resp),
                ApiOutcome::Failed(d)
                    if !refetched
                        && matches!(
                            d.kind,
                            DiagnosisKind::TokenRevoked | DiagnosisKind::TokenExpired
                        ) =>
                {
                    refetched = true;
                    recorder.note(
                        "app",
                        format!(
                            "{} refused the token ({}); fetching a fresh one from WorkOS once",
                            req.provider.display_name(),
                            d.kind
                        ),
                    );
                }
                ApiOutcome::Failed(d) => {
                    return Err(PipesError::Provider {
                        provider: req.provider,
                        status: resp.status,
                        diagnosis: d,
                    });
                }
                ApiOutcome::RateLimited {
                    mut diagnosis,
                    hint,
                } => {
                    if attempt >= self.policy.max_attempts {
                        diagnosis.detail =
                            format!("{} Gave up after {attempt} attempts.", diagnosis.detail);
                        return Err(PipesError::Provider {
                            provider: req.provider,
                            status: resp.status,
                            diagnosis,
                        });
                    }
                    let (delay, why) = match hint {
                        Some(h) => (
                            h.delay.min(self.policy.max_delay),
                            format!("honouring {}", h.reason),
                        ),
                        None => {
                            let d = self.backoff(attempt);
                            (
                                d,
                                format!(
                                    "no retry hint: exponential backoff with jitter, attempt {attempt}"
                                ),
                            )
                        }
                    };
                    recorder.note(
                        "app",
                        format!(
                            "rate limited by {}: waited {} before retrying ({why})",
                            req.provider.display_name(),
                            human(delay)
                        ),
                    );
                    self.sleeper.sleep(delay).await;
                    attempt += 1;
                }
                ApiOutcome::Unavailable(mut diagnosis) => {
                    if attempt >= self.policy.max_attempts {
                        diagnosis.detail =
                            format!("{} Gave up after {attempt} attempts.", diagnosis.detail);
                        return Err(PipesError::Provider {
                            provider: req.provider,
                            status: resp.status,
                            diagnosis,
                        });
                    }
                    let delay = self.backoff(attempt);
                    recorder.note("app", format!("{} answered HTTP {}: waited {} before retrying (exponential backoff with jitter, attempt {attempt})", req.provider.display_name(), resp.status, human(delay)));
                    self.sleeper.sleep(delay).await;
                    attempt += 1;
                }
            }
        }
    }

    /// `base * 2^(attempt-1)`, capped, times a jitter factor in [0.5, 1.5)
    /// from a deterministic sequence, so transcripts stay stable.
    fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .policy
            .base_delay
            .saturating_mul(1u32 << (attempt - 1).min(16));
        let capped = exp.min(self.policy.max_delay);
        let mut seed = self
            .jitter_seed
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        let factor = 0.5 + (*seed % 1000) as f64 / 1000.0;
        Duration::from_millis((capped.as_millis() as f64 * factor) as u64)
    }
}

/// `2 s`, `1.25 s`, `350 ms`.
pub fn human(d: Duration) -> String {
    let ms = d.as_millis();
    if ms.is_multiple_of(1000) {
        format!("{} s", ms / 1000)
    } else if ms >= 1000 {
        format!("{:.2} s", d.as_secs_f64())
    } else {
        format!("{ms} ms")
    }
}

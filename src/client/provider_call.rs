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
use super::error::PipesError;
use super::models::TokenRequest;
use crate::common::clock::Clock;
use crate::common::duration::human;
use crate::diagnosis::{Diagnosis, DiagnosisKind};
use crate::provider::ProviderKind;
use crate::providers::classify::{self, ApiOutcome, ResponseView};
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
    /// An answer slower than this counts as a timeout and is retried. It is
    /// measured on the clock the caller was given, so a latency fault on the
    /// virtual clock times out without anyone waiting.
    pub timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(60),
            timeout: Duration::from_secs(10),
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

    /// Fetch a fresh token, call, classify; retry rate limits, 5xx and
    /// timeouts with backoff, and a refused token once with a fresh one.
    pub async fn call(&self, req: &ProviderRequest) -> Result<HttpResponse, PipesError> {
        self.call_with_body(req, None).await
    }

    /// [`Self::call`] with a request body: JSON text goes as
    /// `application/json`, anything else as `application/x-www-form-urlencoded`
    /// (what Slack's Web API and OAuth-style endpoints read).
    pub async fn call_with_body(
        &self,
        req: &ProviderRequest,
        body: Option<&str>,
    ) -> Result<HttpResponse, PipesError> {
        let name = req.provider.display_name();
        let recorder = self.client.http().recorder().clone();
        let mut refused_token: Option<String> = None;
        let mut attempt = 1;
        loop {
            let token = match self
                .client
                .fresh_token(req.provider.slug(), &req.token)
                .await
            {
                Ok(token) => token,
                // WorkOS could not refresh because the provider is down for
                // now: the grant is alive, so wait and ask again.
                Err(PipesError::WorkOs { status, .. })
                    if (status >= 500 || status == 429) && attempt < self.policy.max_attempts =>
                {
                    let delay = self.backoff(attempt);
                    recorder.note(
                        "app",
                        format!(
                            "WorkOS answered the token request with HTTP {status}: waited {} before asking again (exponential backoff with jitter, attempt {attempt})",
                            human(delay)
                        ),
                    );
                    self.sleeper.sleep(delay).await;
                    attempt += 1;
                    continue;
                }
                Err(e) => return Err(e),
            };
            let same_token = refused_token.as_deref() == Some(token.access_token.as_str());
            if same_token {
                recorder.note(
                    "app",
                    format!("WorkOS handed out the same {name} token that was just refused"),
                );
            }
            let started = self.clock.now_ms();
            let resp = self.send(req, &token.access_token, body).await?;
            let took = Duration::from_millis(
                u64::try_from(self.clock.now_ms().saturating_sub(started)).unwrap_or(0),
            );
            let outcome = if took > self.policy.timeout {
                recorder.note(
                    "app",
                    format!(
                        "{name} took {} to answer, longer than the {} timeout: treated as a timeout",
                        human(took),
                        human(self.policy.timeout)
                    ),
                );
                ApiOutcome::Unavailable(Diagnosis::new(
                    DiagnosisKind::ProviderUnavailable,
                    format!(
                        "{name} took {} to answer {} {} (timeout {})",
                        human(took),
                        req.method,
                        req.path,
                        human(self.policy.timeout)
                    ),
                ))
            } else {
                let view = ResponseView {
                    status: resp.status,
                    headers: &resp.headers,
                    body: &resp.body,
                };
                classify::classify_api_response(req.provider, &view, self.clock.now_secs())
            };
            let give_up = |mut diagnosis: Diagnosis, attempt: u32| {
                diagnosis.detail = sentence(
                    &diagnosis.detail,
                    &format!("Gave up after {attempt} attempts."),
                );
                PipesError::Provider {
                    provider: req.provider,
                    status: resp.status,
                    diagnosis,
                }
            };
            match outcome {
                ApiOutcome::Ok => return Ok(resp),
                ApiOutcome::Failed(d) if is_token_refusal(&d) && refused_token.is_none() => {
                    refused_token = Some(token.access_token.clone());
                    recorder.note(
                        "app",
                        format!(
                            "{name} refused the token ({}); fetching a fresh one from WorkOS once",
                            d.kind
                        ),
                    );
                }
                ApiOutcome::Failed(mut d) => {
                    if is_token_refusal(&d) {
                        let why = if same_token {
                            format!(
                                "WorkOS handed out the same token again after {name} refused it, so WorkOS has not noticed that the token is dead."
                            )
                        } else {
                            format!(
                                "This was the second token in a row {name} refused: the first came from WorkOS before the call, the second right after the refusal."
                            )
                        };
                        d.detail = sentence(&d.detail, &why);
                    }
                    return Err(PipesError::Provider {
                        provider: req.provider,
                        status: resp.status,
                        diagnosis: d,
                    });
                }
                ApiOutcome::RateLimited { diagnosis, hint } => {
                    if attempt >= self.policy.max_attempts {
                        return Err(give_up(diagnosis, attempt));
                    }
                    let (delay, why) = match hint {
                        Some(h) if h.delay > self.policy.max_delay => (
                            self.policy.max_delay,
                            format!(
                                "{} asks for {}, capped at the {} maximum",
                                h.reason,
                                human(h.delay),
                                human(self.policy.max_delay)
                            ),
                        ),
                        Some(h) => (h.delay, format!("honouring {}", h.reason)),
                        None => (
                            self.backoff(attempt),
                            format!(
                                "no retry hint: exponential backoff with jitter, attempt {attempt}"
                            ),
                        ),
                    };
                    recorder.note(
                        "app",
                        format!(
                            "rate limited by {name}: waited {} before retrying ({why})",
                            human(delay)
                        ),
                    );
                    self.sleeper.sleep(delay).await;
                    attempt += 1;
                }
                ApiOutcome::Unavailable(diagnosis) => {
                    if attempt >= self.policy.max_attempts {
                        return Err(give_up(diagnosis, attempt));
                    }
                    let delay = self.backoff(attempt);
                    let what = if took > self.policy.timeout {
                        "timed out".to_string()
                    } else {
                        format!("answered HTTP {}", resp.status)
                    };
                    recorder.note(
                        "app",
                        format!(
                            "{name} {what}: waited {} before retrying (exponential backoff with jitter, attempt {attempt})",
                            human(delay)
                        ),
                    );
                    self.sleeper.sleep(delay).await;
                    attempt += 1;
                }
            }
        }
    }

    async fn send(
        &self,
        req: &ProviderRequest,
        token: &str,
        body: Option<&str>,
    ) -> Result<HttpResponse, PipesError> {
        let url = format!("{}{}", req.base_url, req.path);
        let mut builder = self
            .client
            .http()
            .request(req.method.clone(), &url)
            .bearer_auth(token)
            .header("accept", "application/json");
        if let Some(body) = body {
            let json = serde_json::from_str::<serde_json::Value>(body).is_ok();
            builder = builder
                .header(
                    "content-type",
                    if json {
                        "application/json"
                    } else {
                        "application/x-www-form-urlencoded"
                    },
                )
                .body(body.to_string());
        }
        for (name, value) in crate::providers::spec(req.provider).api_headers {
            builder = builder.header(*name, *value);
        }
        self.client
            .http()
            .send(builder)
            .await
            .map_err(|message| PipesError::Transport {
                diagnosis: Diagnosis::new(
                    DiagnosisKind::ProviderUnavailable,
                    format!(
                        "{} at {url} did not answer: {message}",
                        req.provider.display_name()
                    ),
                ),
                url: url.clone(),
                message,
            })
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

/// `first` and `then` as two sentences.
fn sentence(first: &str, then: &str) -> String {
    let first = first.trim_end();
    if first.ends_with(['.', '!', '?']) {
        format!("{first} {then}")
    } else {
        format!("{first}. {then}")
    }
}

/// The provider refused the token itself (revoked, expired), as opposed
/// to refusing what it was asked.
fn is_token_refusal(d: &Diagnosis) -> bool {
    matches!(
        d.kind,
        DiagnosisKind::TokenRevoked | DiagnosisKind::TokenExpired
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::Recorder;

    fn caller(policy: RetryPolicy) -> (ProviderCaller, VirtualSleeper) {
        let clock = Clock::scenario();
        let sleeper = VirtualSleeper::new(clock.clone());
        let client = PipesClient::new("http://127.0.0.1:9", "sk_test", Recorder::new());
        (
            ProviderCaller::new(client, Arc::new(sleeper.clone()), clock, policy),
            sleeper,
        )
    }

    #[test]
    fn backoff_doubles_per_attempt_within_fifty_percent_jitter() {
        let (c, _) = caller(RetryPolicy::default());
        let mut previous = Vec::new();
        for attempt in 1..=5u32 {
            let nominal = Duration::from_secs(1 << (attempt - 1));
            let d = c.backoff(attempt);
            assert!(
                d >= nominal.mul_f64(0.5) && d < nominal.mul_f64(1.5),
                "attempt {attempt}: {d:?}"
            );
            previous.push(d);
        }
        assert!(
            previous.windows(2).any(|w| w[0] * 2 != w[1]),
            "no jitter: {previous:?}"
        );
    }

    #[test]
    fn backoff_never_exceeds_the_cap_plus_jitter() {
        let (c, _) = caller(RetryPolicy {
            max_delay: Duration::from_secs(5),
            ..RetryPolicy::default()
        });
        for attempt in 1..40 {
            assert!(c.backoff(attempt) < Duration::from_millis(7_500));
        }
    }

    #[test]
    fn the_jitter_sequence_is_the_same_for_every_caller() {
        let (a, _) = caller(RetryPolicy::default());
        let (b, _) = caller(RetryPolicy::default());
        let xs: Vec<Duration> = (1..6).map(|n| a.backoff(n)).collect();
        let ys: Vec<Duration> = (1..6).map(|n| b.backoff(n)).collect();
        assert_eq!(xs, ys);
    }

    // Paused tokio time: a real sleep would move tokio's clock forward, so
    // "no real sleep" is checked without reading the wall clock.
    #[tokio::test(start_paused = true)]
    async fn the_virtual_sleeper_moves_the_clock_and_remembers_each_delay() {
        let clock = Clock::scenario();
        let sleeper = VirtualSleeper::new(clock.clone());
        let before = clock.now_ms();
        let started = tokio::time::Instant::now();
        sleeper.sleep(Duration::from_secs(60)).await;
        sleeper.sleep(Duration::from_millis(1_500)).await;
        assert_eq!(clock.now_ms() - before, 61_500);
        assert_eq!(
            sleeper.delays(),
            vec![Duration::from_secs(60), Duration::from_millis(1_500)]
        );
        assert_eq!(started.elapsed(), Duration::ZERO, "no real sleep");
    }

    #[test]
    fn details_get_a_full_stop_before_the_next_sentence() {
        assert_eq!(sentence("GitHub said no", "Then"), "GitHub said no. Then");
        assert_eq!(sentence("It failed.", "Then"), "It failed. Then");
    }
}

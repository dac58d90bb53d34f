//! The recording HTTP client every actor of a stack uses.
//!
//! Redirects are never followed automatically: the browser follows them
//! itself so that each hop of the connect flow appears in the transcript.

use std::time::Duration;

use reqwest::header::HeaderMap;

use super::{Exchange, Recorder};

/// Request headers kept in transcripts; the rest is noise (`content-length`, `host`).
const REQUEST_HEADERS: &[&str] = &[
    "authorization",
    "content-type",
    "accept",
    "cookie",
    "workos-signature",
    "idempotency-key",
];

/// Response headers kept in transcripts (a provider adds its own with
/// [`Recorder::keep_response_headers`](super::Recorder::keep_response_headers)).
const RESPONSE_HEADERS: &[&str] = &[
    "content-type",
    "location",
    "retry-after",
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "x-ratelimit-used",
    "x-ratelimit-resource",
    "x-oauth-scopes",
    "x-accepted-oauth-scopes",
    "www-authenticate",
    "x-request-id",
];

/// A fully read response.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// All headers, names lowercase.
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as UTF-8 text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body parsed as JSON.
    pub fn json(&self) -> Result<serde_json::Value, serde_json::Error> {
        serde_json::from_slice(&self.body)
    }
}

/// A reqwest client that records every exchange under an actor's name.
#[derive(Debug, Clone)]
pub struct HttpClient {
    client: reqwest::Client,
    recorder: Recorder,
    actor: String,
}

/// How long a request on loopback may take before it counts as hung.
///
/// Only a guard against a hang, never a verdict: timeouts a scenario asserts
/// run on the virtual clock. A loaded 2-core machine running 64 stacks at
/// once can take seconds to answer a loopback request, so this is minutes.
pub const HANG_GUARD: Duration = Duration::from_secs(300);

/// Builds the reqwest client all actors share the settings of.
pub fn reqwest_client(timeout: Duration) -> reqwest::Client {
    // Installing the provider twice is harmless; the second call just fails.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .pool_max_idle_per_host(4)
        .build()
        .unwrap_or_else(|_| reqwest::Client::new())
}

impl HttpClient {
    /// A client recording as `actor`.
    pub fn new(actor: &str, recorder: Recorder) -> Self {
        HttpClient {
            client: reqwest_client(HANG_GUARD),
            recorder,
            actor: actor.to_string(),
        }
    }

    /// The same client and recorder, recording as another actor.
    pub fn as_actor(&self, actor: &str) -> Self {
        HttpClient {
            client: self.client.clone(),
            recorder: self.recorder.clone(),
            actor: actor.to_string(),
        }
    }

    /// The recorder this client writes to.
    pub fn recorder(&self) -> &Recorder {
        &self.recorder
    }

    /// Starts a request.
    pub fn request(&self, method: reqwest::Method, url: &str) -> reqwest::RequestBuilder {
        self.client.request(method, url)
    }

    /// Sends a request, reads the whole response and records both.
    pub async fn send(&self, builder: reqwest::RequestBuilder) -> Result<HttpResponse, String> {
        self.send_judged(builder, None).await
    }

    /// Sends a request that must be answered within `limit` of `clock`'s
    /// (virtual) time. An answer that comes later counts as none: it is
    /// recorded and returned as a timeout, as a caller that gave up waiting
    /// would see it. Nobody waits in real time; only the clock, moved by
    /// whoever answers slowly, decides.
    pub async fn send_within(
        &self,
        builder: reqwest::RequestBuilder,
        clock: &crate::common::clock::Clock,
        limit: Duration,
    ) -> Result<HttpResponse, String> {
        self.send_judged(builder, Some((clock, limit))).await
    }

    async fn send_judged(
        &self,
        builder: reqwest::RequestBuilder,
        deadline: Option<(&crate::common::clock::Clock, Duration)>,
    ) -> Result<HttpResponse, String> {
        let sent_ms = deadline.map(|(clock, _)| clock.now_ms());
        let request = builder
            .build()
            .map_err(|e| format!("invalid request: {e}"))?;
        let method = request.method().to_string();
        let url = request.url().to_string();
        let request_headers = pick(request.headers(), REQUEST_HEADERS);
        let request_body = request
            .body()
            .and_then(|b| b.as_bytes())
            .map(|b| String::from_utf8_lossy(b).into_owned());
        let mut exchange = Exchange {
            from: self.actor.clone(),
            method,
            url,
            request_headers,
            request_body,
            status: None,
            response_headers: Vec::new(),
            response_body: None,
            error: None,
        };
        let started = self.recorder.begin();
        // On a real-time clock (`serve`) the limit is real too: a receiver
        // that never answers must not hold the caller longer than that.
        let response = match deadline {
            Some((clock, limit)) if clock.is_realtime() => {
                tokio::time::timeout(limit, self.client.execute(request))
                    .await
                    .ok()
            }
            _ => Some(self.client.execute(request).await),
        };
        let result = match response {
            None => Err(format!(
                "no answer within {}: timed out",
                crate::common::duration::human(deadline.map(|(_, l)| l).unwrap_or_default())
            )),
            Some(Ok(resp)) => {
                let status = resp.status().as_u16();
                let headers: Vec<(String, String)> = resp
                    .headers()
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.as_str().to_string(),
                            String::from_utf8_lossy(v.as_bytes()).into_owned(),
                        )
                    })
                    .collect();
                match resp.bytes().await {
                    Ok(body) => Ok(HttpResponse {
                        status,
                        headers,
                        body: body.to_vec(),
                    }),
                    Err(e) => Err(format!("reading the response body failed: {e}")),
                }
            }
            Some(Err(e)) => Err(describe_transport_error(&e)),
        };
        let result = match (result, deadline, sent_ms) {
            (Ok(_), Some((clock, limit)), Some(sent))
                if clock.now_ms().saturating_sub(sent)
                    >= i64::try_from(limit.as_millis()).unwrap_or(i64::MAX) =>
            {
                Err(format!(
                    "no answer within {} (virtual time): timed out",
                    crate::common::duration::human(limit)
                ))
            }
            (other, _, _) => other,
        };
        match &result {
            Ok(resp) => {
                exchange.status = Some(resp.status);
                let extra = self.recorder.kept_headers();
                exchange.response_headers = resp
                    .headers
                    .iter()
                    .filter(|(k, _)| {
                        RESPONSE_HEADERS.contains(&k.as_str()) || extra.contains(&k.as_str())
                    })
                    .cloned()
                    .collect();
                if !resp.body.is_empty() {
                    exchange.response_body = Some(resp.text());
                }
            }
            Err(e) => exchange.error = Some(e.clone()),
        }
        self.recorder.exchange_since(started, exchange);
        result
    }
}

fn pick(headers: &HeaderMap, keep: &[&str]) -> Vec<(String, String)> {
    keep.iter()
        .filter_map(|name| {
            headers.get(*name).map(|v| {
                (
                    (*name).to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
        })
        .collect()
}

fn describe_transport_error(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "the request timed out".to_string()
    } else if e.is_connect() {
        "the connection was refused: is the server running?".to_string()
    } else {
        format!("the request failed: {e}")
    }
}

//! Transcripts: what went over the wire in one scenario.
//!
//! Every HTTP exchange in a stack goes through a [`HttpClient`] that appends
//! it to the scenario's [`Recorder`]: the app's calls to WorkOS and to
//! providers, the browser's hops through the connect flow, and what WorkOS did
//! on the side (code exchange, refresh, webhook deliveries). Notes record
//! decisions that are not HTTP, such as a retry delay the client chose.
//!
//! Nothing is redacted while recording; redaction happens once, when a
//! transcript is rendered, so every output format goes through the same
//! [`redact::Redactor`] and none can forget it.

pub mod http;
pub mod redact;
pub mod yaml;

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

pub use http::{HttpClient, HttpResponse};
pub use redact::Redactor;

/// One request and its response.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// Who sent it: `app`, `browser`, `workos`.
    pub from: String,
    /// Request method.
    pub method: String,
    /// Full request URL (hosts are named at render time).
    pub url: String,
    /// The request headers worth reading, in order.
    pub request_headers: Vec<(String, String)>,
    /// Request body as text, if any.
    pub request_body: Option<String>,
    /// Response status, or `None` when no response came (connection refused).
    pub status: Option<u16>,
    /// The response headers worth reading, in order.
    pub response_headers: Vec<(String, String)>,
    /// Response body as text (lossy UTF-8), if any.
    pub response_body: Option<String>,
    /// Transport error text when no response came.
    pub error: Option<String>,
}

/// An entry of a transcript.
#[derive(Debug, Clone)]
pub enum Entry {
    /// An HTTP exchange.
    Exchange(Exchange),
    /// Something an actor decided that did not go over the wire.
    Note {
        /// Who decided it.
        actor: String,
        /// What and why, e.g. `waited 2 s before retrying (Retry-After: 2)`.
        text: String,
    },
}

/// The shared, append-only log of one stack, plus what must be redacted.
#[derive(Debug, Clone, Default)]
pub struct Recorder {
    inner: Arc<Mutex<Inner>>,
}

#[derive(Debug, Default)]
struct Inner {
    entries: Vec<Entry>,
    redactor: Redactor,
}

impl Recorder {
    /// An empty recorder.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Appends an exchange.
    pub fn exchange(&self, exchange: Exchange) {
        self.lock().entries.push(Entry::Exchange(exchange));
    }

    /// Appends a note.
    pub fn note(&self, actor: &str, text: impl Into<String>) {
        self.lock().entries.push(Entry::Note {
            actor: actor.to_string(),
            text: text.into(),
        });
    }

    /// Marks `value` as a secret of `kind` (`access_token`, `api_key`, ...).
    pub fn secret(&self, kind: &str, value: &str) {
        self.lock().redactor.secret(kind, value);
    }

    /// Names a base URL (`http://127.0.0.1:41234`) as a stable host (`workos.test`).
    pub fn host(&self, base_url: &str, name: &str) {
        self.lock().redactor.host(base_url, name);
    }

    /// A copy of the entries so far.
    pub fn entries(&self) -> Vec<Entry> {
        self.lock().entries.clone()
    }

    /// A copy of the redaction rules so far.
    pub fn redactor(&self) -> Redactor {
        self.lock().redactor.clone()
    }

    /// Exchanges sent to URLs starting with `base`, in order.
    pub fn exchanges_to(&self, base: &str) -> Vec<Exchange> {
        self.lock()
            .entries
            .iter()
            .filter_map(|e| match e {
                Entry::Exchange(x) if x.url.starts_with(base) => Some(x.clone()),
                _ => None,
            })
            .collect()
    }
}

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
//!
//! Entries are kept in the order they completed (what the YAML snapshot
//! shows). Each also carries a [`Span`] of logical ticks, taken when the
//! request started and when it completed, so a renderer can show nesting: the
//! code exchange WorkOS makes with GitHub happens *inside* the browser's
//! request to the WorkOS callback, and the sequence diagram says so.

pub mod http;
pub mod markdown;
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

/// When an entry started and completed, in logical ticks of its recorder.
///
/// Ticks only order entries relative to each other; they are not time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Span {
    /// Taken when the request was about to be sent (or the note written).
    pub start: u64,
    /// Taken when the response was read (or the note written).
    pub end: u64,
}

/// The shared, append-only log of one stack, plus what must be redacted.
#[derive(Debug, Clone, Default)]
pub struct Recorder {
    inner: Arc<Mutex<Inner>>,
}

#[derive(Debug, Default)]
struct Inner {
    entries: Vec<Entry>,
    spans: Vec<Span>,
    ticks: u64,
    redactor: Redactor,
    /// `Some(0)`: keep nothing (a long-running server with no transcript);
    /// `Some(n)`: keep the last `n` entries; `None`: keep everything.
    capacity: Option<usize>,
    /// Response headers kept in exchanges besides the common ones.
    kept_headers: Vec<&'static str>,
}

impl Inner {
    fn tick(&mut self) -> u64 {
        self.ticks += 1;
        self.ticks
    }

    fn push(&mut self, start: Option<u64>, entry: Entry) {
        let end = self.tick();
        if let Some(cap) = self.capacity {
            if cap == 0 {
                return;
            }
            if self.entries.len() >= cap {
                // Drop the oldest quarter at once: amortized constant time.
                let drop = (cap / 4).max(1).min(self.entries.len());
                self.entries.drain(..drop);
                self.spans.drain(..drop);
            }
        }
        self.entries.push(entry);
        self.spans.push(Span {
            start: start.unwrap_or(end),
            end,
        });
    }
}

impl Recorder {
    /// An empty recorder.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Appends an exchange that started and completed just now.
    pub fn exchange(&self, exchange: Exchange) {
        self.lock().push(None, Entry::Exchange(exchange));
    }

    /// Takes the tick at which a request starts; pass it to
    /// [`Recorder::exchange_since`] once the response is read.
    pub fn begin(&self) -> u64 {
        self.lock().tick()
    }

    /// Appends an exchange whose request started at tick `started`.
    pub fn exchange_since(&self, started: u64, exchange: Exchange) {
        self.lock().push(Some(started), Entry::Exchange(exchange));
    }

    /// Appends a note.
    pub fn note(&self, actor: &str, text: impl Into<String>) {
        self.lock().push(
            None,
            Entry::Note {
                actor: actor.to_string(),
                text: text.into(),
            },
        );
    }

    /// Keeps these response headers (lower case) in the exchanges recorded
    /// from now on, besides the common ones (content type, location, rate
    /// limits, scopes, request id): a provider's own headers worth reading.
    pub fn keep_response_headers(&self, names: impl IntoIterator<Item = &'static str>) {
        let mut inner = self.lock();
        for name in names {
            if !inner.kept_headers.contains(&name) {
                inner.kept_headers.push(name);
            }
        }
    }

    /// The response headers kept besides the common ones.
    pub(crate) fn kept_headers(&self) -> Vec<&'static str> {
        self.lock().kept_headers.clone()
    }

    /// A recorder that keeps nothing: no entries, no secrets (there is no
    /// transcript to redact). For `serve`, which runs for hours.
    pub fn discarding() -> Self {
        let r = Self::default();
        r.lock().capacity = Some(0);
        r
    }

    /// Marks `value` as a secret of `kind` (`access_token`, `api_key`, ...).
    pub fn secret(&self, kind: &str, value: &str) {
        let mut inner = self.lock();
        if inner.capacity == Some(0) {
            return;
        }
        inner.redactor.secret(kind, value);
    }

    /// Names a base URL (`http://127.0.0.1:41234`) as a stable host (`workos.test`).
    pub fn host(&self, base_url: &str, name: &str) {
        self.lock().redactor.host(base_url, name);
    }

    /// A copy of the entries so far.
    pub fn entries(&self) -> Vec<Entry> {
        self.lock().entries.clone()
    }

    /// A copy of the entries so far, each with its span, in completion order.
    pub fn timeline(&self) -> Vec<(Span, Entry)> {
        let inner = self.lock();
        inner
            .spans
            .iter()
            .copied()
            .zip(inner.entries.iter().cloned())
            .collect()
    }

    /// `text` redacted with this recorder's secrets, placeholders numbered as
    /// in the scenario's transcript (for failure messages and reports).
    pub fn redact(&self, text: &str) -> String {
        let redactor = self.redactor();
        let mut session = redactor.session();
        let _ = yaml::to_value_in(&yaml::Header::default(), self, &redactor, &mut session);
        session.redact(text)
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
                Entry::Exchange(x) if redact::under(&x.url, base) => Some(x.clone()),
                _ => None,
            })
            .collect()
    }
}

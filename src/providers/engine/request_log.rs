//! What an app really sent a provider: the last [`CAPACITY`] requests each
//! provider mock received, whatever answered them (a default route or a
//! fault). Scenarios read it to check which token the app used; `serve`
//! exposes it as `GET /_harness/providers/{slug}/requests`.
//!
//! Bearer tokens are kept as a SHA-256 fingerprint, never in clear: the log
//! ends up in transcripts and control API answers.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};

use serde::Serialize;
use sha2::{Digest, Sha256};
use wiremock::{Match, Request};

use super::Shared;
use crate::common::clock::Clock;

/// Requests kept per provider; older ones are dropped.
pub const CAPACITY: usize = 512;

/// One request as the provider saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoggedRequest {
    /// Position since the mock started (1-based), so a reader can ask for
    /// "everything after n" even once old entries are dropped.
    pub seq: u64,
    /// Mock time it arrived, ms since the epoch.
    pub at_ms: i64,
    /// HTTP method.
    pub method: String,
    /// Path, without the query.
    pub path: String,
    /// The query string, if any (form values of OAuth requests are in the body, not here).
    pub query: Option<String>,
    /// SHA-256 (hex) of the bearer token in `Authorization`, if any.
    pub token_sha256: Option<String>,
    /// The provider account the token was issued to, when the provider knows the token.
    pub login: Option<String>,
}

/// The bounded log of one provider mock.
#[derive(Debug, Default)]
pub struct RequestLog {
    inner: Mutex<(u64, VecDeque<LoggedRequest>)>,
}

/// SHA-256 hex of a token, as the log keeps it.
pub fn fingerprint(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The token of an `Authorization: Bearer ...` (or `token ...`) header.
pub fn bearer(header: &str) -> Option<&str> {
    let (scheme, value) = header.trim().split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("token"))
        .then(|| value.trim())
        .filter(|v| !v.is_empty())
}

impl RequestLog {
    /// Appends one request, dropping the oldest beyond [`CAPACITY`].
    pub fn push(
        &self,
        at_ms: i64,
        method: &str,
        path: &str,
        query: Option<&str>,
        auth: Option<&str>,
        login: Option<String>,
    ) {
        let mut g = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        g.0 += 1;
        let entry = LoggedRequest {
            seq: g.0,
            at_ms,
            method: method.to_string(),
            path: path.to_string(),
            query: query.map(str::to_string),
            token_sha256: auth.and_then(bearer).map(fingerprint),
            login,
        };
        if g.1.len() == CAPACITY {
            g.1.pop_front();
        }
        g.1.push_back(entry);
    }

    /// Every kept request, oldest first.
    pub fn all(&self) -> Vec<LoggedRequest> {
        let g = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        g.1.iter().cloned().collect()
    }

    /// Requests after `seq`, oldest first.
    pub fn since(&self, seq: u64) -> Vec<LoggedRequest> {
        let g = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        g.1.iter().filter(|r| r.seq > seq).cloned().collect()
    }

    /// The `seq` of the newest request (0 before any).
    pub fn last_seq(&self) -> u64 {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner).0
    }

    /// Forgets every request (numbering goes on).
    pub fn clear(&self) {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .1
            .clear();
    }
}

/// Fills in the account each logged token was issued to, from the
/// provider's tokens (revoked ones included).
pub fn with_logins(requests: Vec<LoggedRequest>, shared: &Shared) -> Vec<LoggedRequest> {
    if requests.iter().all(|r| r.token_sha256.is_none()) {
        return requests;
    }
    let owners: std::collections::HashMap<String, String> = shared
        .engine()
        .tokens
        .iter()
        .map(|(token, t)| (fingerprint(token), t.login.clone()))
        .collect();
    requests
        .into_iter()
        .map(|mut r| {
            if r.login.is_none() {
                r.login = r.token_sha256.as_ref().and_then(|f| owners.get(f).cloned());
            }
            r
        })
        .collect()
}

/// A matcher that never matches and records every request it is asked
/// about: mounted first, it sees each request before anything answers it.
pub struct Tap {
    /// Where to write (only the log: a pooled mock server may keep its
    /// mocks for a while after the stack is gone).
    pub log: Arc<RequestLog>,
    /// Whose time.
    pub clock: Clock,
}

impl Match for Tap {
    fn matches(&self, request: &Request) -> bool {
        let auth = request
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok());
        // No lock on the provider's state here: this runs for every request,
        // inside the mock server's dispatch. Whose token it was is looked up
        // when the log is read ([`with_logins`]).
        self.log.push(
            self.clock.now_ms(),
            request.method.as_str(),
            request.url.path(),
            request.url.query(),
            auth,
            None,
        );
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_is_bounded_and_numbered() {
        let log = RequestLog::default();
        for i in 0..(CAPACITY + 3) {
            log.push(i as i64, "GET", "/user", None, Some("Bearer t"), None);
        }
        let all = log.all();
        assert_eq!(all.len(), CAPACITY);
        assert_eq!(all[0].seq, 4);
        assert_eq!(log.last_seq(), (CAPACITY + 3) as u64);
        assert_eq!(log.since(log.last_seq() - 1).len(), 1);
    }

    #[test]
    fn tokens_are_fingerprinted_never_kept() {
        let log = RequestLog::default();
        log.push(
            0,
            "GET",
            "/user",
            Some("a=1"),
            Some("token gho_secret"),
            None,
        );
        let r = &log.all()[0];
        assert_eq!(
            r.token_sha256.as_deref(),
            Some(fingerprint("gho_secret").as_str())
        );
        assert!(!format!("{r:?}").contains("gho_secret"));
        assert_eq!(bearer("Basic abc"), None);
    }
}

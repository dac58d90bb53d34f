//! Cross-site protection of the control API. `serve` runs on a developer's
//! machine next to a browser, and the control API can reset the world, move
//! the clock and inject faults, so a request reaches it only when:
//!
//! - its `Host` names the server by `localhost`, an IP address or the exact
//!   `--host` value, with the server's port: a DNS name an attacker controls
//!   (DNS rebinding) is refused;
//! - its `Origin`, when it has one, is the server's own origin (same rule),
//!   so a script on any other page (another port included) is refused;
//! - a `POST` or `DELETE`, or any request with a body, says
//!   `Content-Type: application/json`, which a cross-site form or a
//!   "simple" `fetch` cannot send without a preflight this server never
//!   approves;
//! - with `--control-token`, it carries `Authorization: Bearer <token>`.
//!
//! Refusals are JSON like every other control answer: 403 for a foreign
//! host or origin, 401 for a missing or wrong token, 415 for a body that is
//! not JSON.

use std::net::IpAddr;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

use crate::mock::workos::ApiError;

/// What the guard accepts.
#[derive(Debug, Clone)]
pub struct Guard {
    /// The `--host` value, accepted as a name besides `localhost` and IP addresses.
    pub host: String,
    /// The WorkOS mock's port (the control API's).
    pub port: u16,
    /// `--control-token`, when set.
    pub token: Option<String>,
}

impl Guard {
    /// Whether `authority` (`host[:port]`) names this server.
    fn is_own(&self, authority: &str) -> bool {
        let Ok(authority) = authority.parse::<axum::http::uri::Authority>() else {
            return false;
        };
        let port_ok = match authority.port_u16() {
            Some(p) => p == self.port,
            None => self.port == 80,
        };
        let name = authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']');
        let name_ok = name.eq_ignore_ascii_case("localhost")
            || name.parse::<IpAddr>().is_ok()
            || name.eq_ignore_ascii_case(self.host.trim_start_matches('[').trim_end_matches(']'));
        port_ok && name_ok
    }

    /// Checks one request; `Err` is the answer to give instead.
    pub fn check(&self, req: &Request) -> Result<(), ApiError> {
        let headers = req.headers();
        let host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .or_else(|| req.uri().authority().map(|a| a.to_string()));
        match host {
            Some(h) if self.is_own(&h) => {}
            Some(h) => {
                return Err(ApiError::forbidden(
                    "foreign_host",
                    format!(
                        "The control API answers only requests addressed to this server (localhost, an IP address or `{}` on port {}); got Host `{h}`.",
                        self.host, self.port
                    ),
                ));
            }
            None => {
                return Err(ApiError::forbidden(
                    "foreign_host",
                    "The control API needs a Host header naming this server.",
                ));
            }
        }
        if let Some(origin) = headers.get(header::ORIGIN) {
            let text = origin.to_str().unwrap_or_default();
            let own = text
                .strip_prefix("http://")
                .is_some_and(|authority| !authority.contains('/') && self.is_own(authority));
            if !own {
                return Err(ApiError::forbidden(
                    "cross_site_request",
                    format!(
                        "The control API refuses requests from web pages of another origin; got Origin `{text}`."
                    ),
                ));
            }
        }
        if let Some(token) = &self.token {
            let given = headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split_once(' '))
                .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
                .map(|(_, t)| t.trim());
            let ok = given.is_some_and(|g| bool::from(g.as_bytes().ct_eq(token.as_bytes())));
            if !ok {
                return Err(ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "control_token_required",
                    "This server was started with --control-token: send `Authorization: Bearer <token>` with every control request.",
                ));
            }
        }
        let has_body = headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|n| n.trim() != "0")
            || headers.contains_key(header::TRANSFER_ENCODING);
        if has_body || matches!(*req.method(), Method::POST | Method::DELETE | Method::PUT) {
            let json = headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(';').next())
                .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"));
            if !json {
                return Err(ApiError::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "json_required",
                    "Control requests that change something must say `Content-Type: application/json` (send `{}` when there is nothing to say).",
                ));
            }
        }
        Ok(())
    }
}

/// The middleware: refuses what [`Guard::check`] refuses.
pub async fn layer(State(guard): State<Arc<Guard>>, req: Request, next: Next) -> Response {
    match guard.check(&req) {
        Ok(()) => next.run(req).await,
        Err(e) => e.into_response(),
    }
}

/// Whether `host` (the `--host` value) keeps the servers on this machine.
pub fn is_loopback(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    h.eq_ignore_ascii_case("localhost") || h.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;

    fn guard(token: Option<&str>) -> Guard {
        Guard {
            host: "127.0.0.1".into(),
            port: 4100,
            token: token.map(str::to_string),
        }
    }

    fn req(method: &str, headers: &[(&str, &str)]) -> Request {
        let mut b = axum::http::Request::builder()
            .method(method)
            .uri("/_harness/reset");
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(Body::empty()).expect("request")
    }

    #[test]
    fn own_hosts_pass_and_foreign_names_are_refused() {
        let g = guard(None);
        for ok in [
            "127.0.0.1:4100",
            "localhost:4100",
            "[::1]:4100",
            "10.0.0.2:4100",
        ] {
            assert!(g.check(&req("GET", &[("host", ok)])).is_ok(), "{ok}");
        }
        for bad in [
            "evil.example:4100",
            "127.0.0.1:4101",
            "localhost",
            "rebind.me:4100",
        ] {
            let e = g.check(&req("GET", &[("host", bad)])).expect_err(bad);
            assert_eq!(e.status, StatusCode::FORBIDDEN, "{bad}");
        }
    }

    #[test]
    fn only_the_own_origin_passes() {
        let g = guard(None);
        let host = ("host", "127.0.0.1:4100");
        let json = ("content-type", "application/json");
        assert!(
            g.check(&req(
                "POST",
                &[host, json, ("origin", "http://127.0.0.1:4100")]
            ))
            .is_ok()
        );
        for bad in [
            "http://evil.example",
            "http://127.0.0.1:3000",
            "null",
            "https://127.0.0.1:4100",
        ] {
            let e = g
                .check(&req("POST", &[host, json, ("origin", bad)]))
                .expect_err(bad);
            assert_eq!(e.status, StatusCode::FORBIDDEN, "{bad}");
        }
    }

    #[test]
    fn changes_need_json_and_the_token_when_one_is_set() {
        let host = ("host", "localhost:4100");
        let g = guard(None);
        let e = g
            .check(&req("POST", &[host, ("content-type", "text/plain")]))
            .expect_err("text/plain");
        assert_eq!(e.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert!(g.check(&req("POST", &[host])).is_err());
        assert!(
            g.check(&req(
                "POST",
                &[host, ("content-type", "application/json; charset=utf-8")]
            ))
            .is_ok()
        );
        let g = guard(Some("s3cret"));
        let json = ("content-type", "application/json");
        let e = g.check(&req("GET", &[host])).expect_err("no token");
        assert_eq!(e.status, StatusCode::UNAUTHORIZED);
        assert!(
            g.check(&req("GET", &[host, ("authorization", "Bearer wrong")]))
                .is_err()
        );
        assert!(
            g.check(&req(
                "POST",
                &[host, json, ("authorization", "Bearer s3cret")]
            ))
            .is_ok()
        );
    }

    #[test]
    fn a_host_with_another_port_or_name_is_not_this_server() {
        let g = Guard {
            host: "127.0.0.1".into(),
            port: 4100,
            token: None,
        };
        assert!(g.is_own("127.0.0.1:4100"));
        assert!(g.is_own("localhost:4100"));
        assert!(g.is_own("[::1]:4100"));
        assert!(!g.is_own("127.0.0.1:4101"));
        assert!(!g.is_own("evil.example:4100"));
        assert!(!g.is_own("127.0.0.1:notaport"));
    }

    #[test]
    fn loopback_hosts_are_recognised() {
        for h in ["127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.2"] {
            assert!(is_loopback(h), "{h}");
        }
        for h in ["0.0.0.0", "::", "192.168.1.2", "example.com"] {
            assert!(!is_loopback(h), "{h}");
        }
    }
}

use std::fmt;

use http::{HeaderMap, Method};
use http_body_util::BodyExt;
use serde::de::DeserializeOwned;
use url::Url;

pub const BODY_PRINT_LIMIT: usize = 10_000;

/// Specifies limitations on printing request bodies when logging requests. For some mock servers
/// the bodies may be too large to reasonably print and it may be desirable to limit them.
#[derive(Debug, Copy, Clone)]
pub enum BodyPrintLimit {
    /// Maximum length of a body to print in bytes.
    Limited(usize),
    /// There is no limit to the size of a body that may be printed.
    Unlimited,
}

/// An incoming request to an instance of [`MockServer`].
///
/// Each matcher gets an immutable reference to a `Request` instance in the [`matches`] method
/// defined in the [`Match`] trait.
///
/// [`MockServer`]: crate::MockServer
/// [`matches`]: crate::Match::matches
/// [`Match`]: crate::Match
///
/// ### Implementation notes:
/// We can't use `http_types::Request` directly in our `Match::matches` signature:
/// it requires having mutable access to the request to extract the body (which gets
/// consumed when read!).
/// It would also require `matches` to be async, which is cumbersome due to the lack of async traits.
///
/// We introduce our `Request` type to perform this extraction once when the request
/// arrives in the mock serve, store the result and pass an immutable reference to it
/// to all our matchers.
#[derive(Debug, Clone)]
pub struct Request {
    pub url: Url,
    pub method: Method,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Request {
    pub fn body_json<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(&self.body)
    }

    /// Reads a request, its body at most [`MAX_BODY_BYTES`] long. A body
    /// that is too large or badly framed (truncated, malformed chunks) is
    /// answered with a 413 or 400 instead.
    pub(crate) async fn from_hyper(
        request: hyper::Request<hyper::body::Incoming>,
    ) -> Result<Request, hyper::Response<http_body_util::Full<hyper::body::Bytes>>> {
        let (parts, body) = request.into_parts();
        let url = match parts.uri.authority() {
            Some(_) => parts.uri.to_string(),
            None => format!("http://localhost{}", parts.uri),
        }
        .parse()
        .map_err(|_| refusal(400, "the request target is not a valid URL"))?;

        let declared = parts
            .headers
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
            return Err(refusal(413, TOO_LARGE));
        }
        let body = match http_body_util::Limited::new(body, MAX_BODY_BYTES)
            .collect()
            .await
        {
            Ok(collected) => collected.to_bytes(),
            Err(e) if e.is::<http_body_util::LengthLimitError>() => {
                return Err(refusal(413, TOO_LARGE));
            }
            Err(_) => {
                return Err(refusal(
                    400,
                    "the request body is badly framed (truncated, or malformed chunked encoding)",
                ));
            }
        };

        Ok(Self {
            url,
            method: parts.method,
            headers: parts.headers,
            body: body.to_vec(),
        })
    }

    pub(crate) fn print_with_limit(
        &self,
        mut buffer: impl fmt::Write,
        body_print_limit: BodyPrintLimit,
    ) -> fmt::Result {
        writeln!(buffer, "{} {}", self.method, self.url)?;
        for name in self.headers.keys() {
            let values = self
                .headers
                .get_all(name)
                .iter()
                .map(|value| String::from_utf8_lossy(value.as_bytes()))
                .collect::<Vec<_>>();
            let values = values.join(",");
            writeln!(buffer, "{}: {}", name, values)?;
        }

        match body_print_limit {
            BodyPrintLimit::Limited(limit) if self.body.len() > limit => {
                let mut written = false;
                for end_byte in limit..(limit + 4).max(self.body.len()) {
                    if let Ok(truncated) = std::str::from_utf8(&self.body[..end_byte]) {
                        written = true;
                        writeln!(buffer, "{}", truncated)?;
                        if end_byte < self.body.len() {
                            writeln!(
                                buffer,
                                "We truncated the body because it was too large: {} bytes (limit: {} bytes)",
                                self.body.len(),
                                limit
                            )?;
                            writeln!(
                                buffer,
                                "Increase this limit by setting `WIREMOCK_BODY_PRINT_LIMIT`, or calling `MockServerBuilder::body_print_limit` when building your MockServer instance"
                            )?;
                        }
                        break;
                    }
                }
                if !written {
                    writeln!(
                        buffer,
                        "Body is likely binary (invalid utf-8) size is {} bytes",
                        self.body.len()
                    )
                } else {
                    Ok(())
                }
            }
            _ => {
                if let Ok(body) = std::str::from_utf8(&self.body) {
                    writeln!(buffer, "{}", body)
                } else {
                    writeln!(
                        buffer,
                        "Body is likely binary (invalid utf-8) size is {} bytes",
                        self.body.len()
                    )
                }
            }
        }
    }
}

/// The largest request body a mock server reads (1 MiB); larger ones are
/// answered with 413.
pub const MAX_BODY_BYTES: usize = 1 << 20;

const TOO_LARGE: &str = "the request body is larger than 1 MiB";

/// A JSON error answer for a request the server could not read.
fn refusal(status: u16, message: &str) -> hyper::Response<http_body_util::Full<hyper::body::Bytes>> {
    let body = serde_json::json!({ "error": "bad_request", "message": message }).to_string();
    hyper::Response::builder()
        .status(status)
        .header(http::header::CONTENT_TYPE, "application/json")
        .header(http::header::CONNECTION, "close")
        .body(http_body_util::Full::new(hyper::body::Bytes::from(body)))
        .unwrap_or_default()
}

//! The user's browser: follows redirects one hop at a time so each hop of the
//! connect flow lands in the transcript, carries the provider sign-in cookie,
//! and never leaves the stack: a redirect to any other host is where the
//! browser stops, which is exactly what a user sees when a provider sends
//! them to a callback URL nobody registered.

use crate::transcript::{HttpClient, HttpResponse};

/// The most redirects a connect flow takes; more means a loop.
const MAX_HOPS: usize = 12;

/// Where a visit ended.
#[derive(Debug, Clone)]
pub struct Visit {
    /// Every URL the browser requested, in order.
    pub hops: Vec<String>,
    /// The last URL: a page it loaded, or the foreign URL it was sent to.
    pub final_url: String,
    /// The last response, unless the browser stopped at a foreign URL.
    pub response: Option<HttpResponse>,
    /// The browser was redirected outside the stack and stopped there.
    pub left_stack: bool,
}

/// A browser signed in to providers as one person.
#[derive(Debug, Clone)]
pub struct Browser {
    http: HttpClient,
    known: Vec<String>,
    cookies: Vec<(String, String)>,
}

impl Browser {
    /// A browser that may visit the given base URLs.
    pub fn new(http: HttpClient, known_bases: Vec<String>) -> Self {
        Browser {
            http: http.as_actor("browser"),
            known: known_bases,
            cookies: Vec::new(),
        }
    }

    /// Sends `cookie` (e.g. `github_login=alice`) to URLs under `base`,
    /// replacing a cookie of the same name there, as a browser does when
    /// someone signs in to another account.
    pub fn set_cookie(&mut self, base: &str, cookie: &str) {
        let name = |c: &str| c.split('=').next().unwrap_or_default().trim().to_string();
        let new_name = name(cookie);
        self.cookies
            .retain(|(b, c)| !(b == base && name(c) == new_name));
        self.cookies.push((base.to_string(), cookie.to_string()));
    }

    /// Opens `url` and follows redirects while they stay inside the stack.
    pub async fn visit(&self, url: &str) -> Result<Visit, String> {
        let mut current = url.to_string();
        let mut hops = Vec::new();
        for _ in 0..MAX_HOPS {
            if !self.known.iter().any(|b| current.starts_with(b.as_str())) {
                return Ok(Visit {
                    hops,
                    final_url: current,
                    response: None,
                    left_stack: true,
                });
            }
            hops.push(current.clone());
            let mut req = self.http.request(reqwest::Method::GET, &current);
            let cookies: Vec<&str> = self
                .cookies
                .iter()
                .filter(|(b, _)| current.starts_with(b.as_str()))
                .map(|(_, c)| c.as_str())
                .collect();
            if !cookies.is_empty() {
                req = req.header("cookie", cookies.join("; "));
            }
            let resp = self.http.send(req).await?;
            let location = resp.header("location").map(str::to_string);
            match location {
                Some(next) if (300..400).contains(&resp.status) => {
                    current = resolve(&current, &next);
                }
                _ => {
                    return Ok(Visit {
                        hops,
                        final_url: current,
                        response: Some(resp),
                        left_stack: false,
                    });
                }
            }
        }
        Err(format!(
            "more than {MAX_HOPS} redirects starting at {url}: a redirect loop"
        ))
    }
}

fn resolve(base: &str, location: &str) -> String {
    url::Url::parse(base)
        .and_then(|b| b.join(location))
        .map(|u| u.to_string())
        .unwrap_or_else(|_| location.to_string())
}

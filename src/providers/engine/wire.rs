//! Small helpers the provider modules share for reading requests and writing
//! responses.

use std::collections::HashMap;

use wiremock::{Request, ResponseTemplate};

/// Query parameters of a request (last value wins).
pub fn query(req: &Request) -> HashMap<String, String> {
    req.url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// Form (or JSON object) parameters of a request body.
pub fn form(req: &Request) -> HashMap<String, String> {
    let is_json = header(req, "content-type").is_some_and(|c| c.contains("json"));
    if is_json && let Ok(serde_json::Value::Object(m)) = serde_json::from_slice(&req.body) {
        {
            return m
                .into_iter()
                .map(|(k, v)| {
                    (
                        k,
                        v.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| v.to_string()),
                    )
                })
                .collect();
        }
    }
    url::form_urlencoded::parse(&req.body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// A request header as text.
pub fn header<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.headers.get(name).and_then(|v| v.to_str().ok())
}

/// The bearer token (`Authorization: Bearer x` or GitHub's `token x`).
pub fn bearer(req: &Request) -> Option<String> {
    let value = header(req, "authorization")?;
    let (scheme, token) = value.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("token"))
        .then(|| token.trim().to_string())
}

/// The login the browser is signed in to the provider as (cookie `<slug>_login`).
pub fn cookie_login(req: &Request, slug: &str) -> Option<String> {
    let cookies = header(req, "cookie")?;
    let wanted = format!("{slug}_login");
    cookies.split(';').find_map(|c| {
        let (k, v) = c.trim().split_once('=')?;
        (k == wanted).then(|| v.to_string())
    })
}

/// Client credentials from HTTP Basic auth, if sent that way.
pub fn basic_auth(req: &Request) -> Option<(String, String)> {
    use base64::Engine as _;
    let value = header(req, "authorization")?;
    let encoded = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((id.to_string(), secret.to_string()))
}

/// A JSON response with an exact content type.
pub fn json(status: u16, body: &serde_json::Value, content_type: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.to_string().into_bytes(), content_type)
}

/// A redirect.
pub fn redirect(location: &str) -> ResponseTemplate {
    ResponseTemplate::new(302).insert_header("location", location)
}

/// `base?k=v&...` with each value percent-encoded.
pub fn with_query(base: &str, params: &[(&str, &str)]) -> String {
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        ser.append_pair(k, v);
    }
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}{}", ser.finish())
}

/// Splits a scope parameter on the separator a provider uses (and tolerates the other).
pub fn split_scopes(text: &str) -> Vec<String> {
    text.split([' ', ','])
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// `base` with `params` appended, each value percent-encoded.
pub fn url_with(base: &str, params: &[(&str, String)]) -> String {
    let borrowed: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
    with_query(base, &borrowed)
}

/// `params` plus `state` when the request carried one: every provider
/// echoes `state` on the redirect, errors included.
pub fn with_state(
    mut params: Vec<(&'static str, String)>,
    state: Option<&str>,
) -> Vec<(&'static str, String)> {
    if let Some(s) = state {
        params.push(("state", s.to_string()));
    }
    params
}

/// A minimal HTML page, for the provider pages that stop a flow.
pub fn page(status: u16, title: &str, message: &str) -> ResponseTemplate {
    let escape = |t: &str| html_escape::encode_text(t).into_owned();
    let html = format!(
        "<!DOCTYPE html><html><head><title>{}</title></head><body><h1>{}</h1><p>{}</p></body></html>",
        escape(title),
        escape(title),
        escape(message)
    );
    ResponseTemplate::new(status).set_body_raw(html.into_bytes(), "text/html; charset=utf-8")
}

/// A form-encoded body.
pub fn form_body(status: u16, fields: &[(&str, String)], content_type: &str) -> ResponseTemplate {
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        ser.append_pair(k, v);
    }
    ResponseTemplate::new(status).set_body_raw(ser.finish().into_bytes(), content_type)
}

/// A stable id of `len` uppercase letters and digits derived from `seed`
/// (FNV-1a, no randomness): ids that must agree across calls and need not
/// consume the seeded generator, such as Slack's `U…` user ids.
pub fn derived_id(prefix: &str, seed: &str, len: usize) -> String {
    const ALPHABET: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in seed.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    let mut out = String::with_capacity(prefix.len() + len);
    out.push_str(prefix);
    for _ in 0..len {
        out.push(ALPHABET[(hash % 36) as usize] as char);
        hash = hash.wrapping_mul(0x0100_0000_01b3) ^ (hash >> 29);
    }
    out
}

/// The bearer token, or a `token` field of a form body (Slack accepts both).
pub fn bearer_or_form_token(req: &Request) -> Option<String> {
    bearer(req).or_else(|| {
        let is_form = header(req, "content-type")
            .is_some_and(|c| c.contains("application/x-www-form-urlencoded"));
        is_form
            .then(|| form(req).get("token").cloned())
            .flatten()
            .filter(|t| !t.is_empty())
    })
}

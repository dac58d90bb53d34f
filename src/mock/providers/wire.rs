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

//! Redaction: secrets out, stable placeholders in.
//!
//! The stack registers every secret it hands out (API keys, client secrets,
//! codes, access and refresh tokens, PKCE verifiers, webhook secrets) the
//! moment it creates it, so redaction does not depend on guessing what a
//! secret looks like. Webhook signatures are computed, not handed out, so
//! they are found by shape (`v1=<hex>`). Each distinct secret gets a
//! placeholder numbered in order of first appearance (`<access_token_1>`), so
//! a reader can follow one token through a transcript without seeing it.
//!
//! A secret travels percent-encoded inside URLs and forms (`a+b/c` becomes
//! `a%2Bb%2Fc`), so each is matched in its encoded forms too, all mapping to
//! the one placeholder of the plain value.
//!
//! As a safety net for anything a mock computes or forgets to register (a
//! Salesforce token response's HMAC `signature`, say), the values of fields
//! that only ever hold secrets ([`SECRET_FIELDS`]) are replaced too, in JSON
//! (`"access_token": "..."`) and in queries and forms (`access_token=...`).

use std::collections::{HashMap, HashSet};

/// Fields whose value is a secret wherever it appears, registered or not;
/// the field name is the placeholder's kind.
pub const SECRET_FIELDS: &[&str] = &[
    "access_token",
    "refresh_token",
    "id_token",
    "client_secret",
    "code_verifier",
    "signature",
];

/// Parameters of a query or form whose value is a secret wherever it
/// appears: authorization codes. Only there, since `code` in a JSON body is
/// an error code.
pub const SECRET_PARAMETERS: &[&str] = &["code", "connect_code"];

/// One text to look for: a secret as written, or one of its encodings.
#[derive(Debug, Clone)]
struct Pattern {
    /// The text as it appears in a transcript.
    text: String,
    /// The secret it stands for (placeholders are numbered per secret).
    value: String,
    /// `access_token`, `api_key`, ...
    kind: String,
}

/// The redaction rules of one stack.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    patterns: Vec<Pattern>,
    /// Texts already in `patterns`: registering stays O(1) even when a
    /// `serve` seed hands out 100,000 tokens.
    known: HashSet<String>,
    hosts: Vec<(String, String)>,
}

/// Whether `c`, right after a base URL, continues its last part: a port
/// (`:4000` in `:40001`) or a path segment (`/acme` in `/acme-crm`), so
/// the text there is another base that merely starts the same way.
fn continues(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

/// Whether `url` is `base` or below it: `base` followed by nothing, `/`,
/// `?` or another character that ends its last part, never by one that
/// continues it (`http://h/acme-crm/token` is not below `http://h/acme`).
pub fn under(url: &str, base: &str) -> bool {
    url.strip_prefix(base).is_some_and(|rest| {
        !(base.chars().next_back().is_some_and(continues)
            && rest.chars().next().is_some_and(continues))
    })
}

/// `text` with every occurrence of `base` that ends where its last part
/// ends replaced by `name` (see [`under`]).
fn rename_base(text: &str, base: &str, name: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(base) {
        let end = at + base.len();
        out.push_str(&rest[..at]);
        out.push_str(if under(&rest[at..], base) { name } else { base });
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

impl Redactor {
    /// Registers a secret. Empty or very short values are ignored: replacing
    /// them would mangle ordinary text.
    pub fn secret(&mut self, kind: &str, value: &str) {
        if value.len() < 6 || self.known.contains(value) {
            return;
        }
        let form = url::form_urlencoded::byte_serialize(value.as_bytes()).collect::<String>();
        // Form encoding writes a space as `+`; URL paths and most query
        // builders write `%20`.
        let percent = form.replace('+', "%20");
        for text in [value.to_string(), form, percent] {
            if self.known.insert(text.clone()) {
                self.patterns.push(Pattern {
                    text,
                    value: value.to_string(),
                    kind: kind.to_string(),
                });
            }
        }
    }

    /// Every registered secret as `(kind, value)`, in a stable order.
    ///
    /// For checks that no output leaks one; never print these.
    pub fn secrets(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = self
            .patterns
            .iter()
            .filter(|p| p.text == p.value)
            .map(|p| (p.kind.clone(), p.value.clone()))
            .collect();
        out.sort();
        out
    }

    /// Registers a base URL and the stable name it is shown as.
    pub fn host(&mut self, base_url: &str, name: &str) {
        let base = base_url.trim_end_matches('/').to_string();
        if !self.hosts.iter().any(|(b, _)| *b == base) {
            let shown = format!("http://{name}");
            // Also the percent-encoded form, as it appears in redirect_uri= parameters.
            let enc =
                |t: &str| url::form_urlencoded::byte_serialize(t.as_bytes()).collect::<String>();
            self.hosts.push((enc(&base), enc(&shown)));
            self.hosts.push((base, shown));
        }
    }

    /// The stable name of the host of `url`, if it is one of the stack's.
    pub fn host_name(&self, url: &str) -> Option<String> {
        self.hosts
            .iter()
            .find(|(base, _)| base.contains("://") && under(url, base))
            .map(|(_, name)| name.trim_start_matches("http://").to_string())
    }

    /// Starts numbering placeholders for one rendered document.
    pub fn session(&self) -> Session<'_> {
        // One automaton over every registered text, built once per document:
        // a single pass finds them all, leftmost first and, where two start
        // at the same place, the longest (a secret that contains another is
        // replaced whole).
        let matcher = aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .build(self.patterns.iter().map(|p| p.text.as_str()))
            .ok();
        Session {
            rules: self,
            matcher,
            assigned: HashMap::new(),
            counters: HashMap::new(),
        }
    }
}

/// Placeholder numbering for one rendered document.
#[derive(Debug)]
pub struct Session<'a> {
    rules: &'a Redactor,
    /// Finds every registered text in one pass; `None` only if the patterns
    /// could not be compiled (billions of states), and then nothing is shown.
    matcher: Option<aho_corasick::AhoCorasick>,
    assigned: HashMap<String, String>,
    counters: HashMap<String, usize>,
}

impl Session<'_> {
    /// Redacts `text`: stack hosts renamed, secrets and signatures replaced.
    pub fn redact(&mut self, text: &str) -> String {
        let mut out = text.to_string();
        for (base, name) in &self.rules.hosts {
            if out.contains(base.as_str()) {
                out = rename_base(&out, base, name);
            }
        }
        // Find every occurrence, then replace left to right so numbering
        // follows reading order.
        let mut hits: Vec<(usize, usize, String, String)> = Vec::new();
        let Some(matcher) = &self.matcher else {
            // Never show what could not be checked for secrets.
            return "<withheld: too many secrets registered to redact>".to_string();
        };
        for m in matcher.find_iter(&out) {
            let p = &self.rules.patterns[m.pattern().as_usize()];
            hits.push((m.start(), m.end(), p.value.clone(), p.kind.clone()));
        }
        hits.extend(signature_hits(&out, &hits));
        let fields = field_hits(&out, &hits);
        hits.extend(fields);
        hits.sort_by_key(|h| h.0);
        let mut result = String::with_capacity(out.len());
        let mut cursor = 0;
        for (start, end, value, kind) in hits {
            result.push_str(&out[cursor..start]);
            result.push_str(&self.placeholder(&value, &kind));
            cursor = end;
        }
        result.push_str(&out[cursor..]);
        result
    }

    /// Redacts the `value` of a decoded form or query field named `key`: as
    /// [`Session::redact`], and the whole value when the field is one of
    /// [`SECRET_FIELDS`] and nothing registered covered it.
    pub fn redact_field(&mut self, key: &str, value: &str) -> String {
        let redacted = self.redact(value);
        if (SECRET_FIELDS.contains(&key) || SECRET_PARAMETERS.contains(&key))
            && redacted == value
            && value.len() >= 6
            && !value.starts_with('<')
        {
            return self.placeholder(value, key);
        }
        redacted
    }

    fn placeholder(&mut self, value: &str, kind: &str) -> String {
        if let Some(p) = self.assigned.get(value) {
            return p.clone();
        }
        let n = self.counters.entry(kind.to_string()).or_insert(0);
        *n += 1;
        let p = format!("<{kind}_{n}>");
        self.assigned.insert(value.to_string(), p.clone());
        p
    }
}

/// Values of [`SECRET_FIELDS`] in JSON or in a query or form, not already
/// covered by a hit. Placeholders (`<...>`) and short values are left alone.
fn field_hits(
    text: &str,
    taken: &[(usize, usize, String, String)],
) -> Vec<(usize, usize, String, String)> {
    let mut found: Vec<(usize, usize, String, String)> = Vec::new();
    let bytes = text.as_bytes();
    for field in SECRET_FIELDS {
        // JSON: "field" : "value"
        let quoted = format!("\"{field}\"");
        for (at, _) in text.match_indices(quoted.as_str()) {
            let mut i = at + quoted.len();
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            if bytes.get(i) != Some(&b':') {
                continue;
            }
            i += 1;
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            if bytes.get(i) != Some(&b'"') {
                continue;
            }
            let start = i + 1;
            let mut end = start;
            while end < bytes.len() && bytes[end] != b'"' {
                end += if bytes[end] == b'\\' { 2 } else { 1 };
            }
            found.push((
                start,
                end.min(bytes.len()),
                String::new(),
                (*field).to_string(),
            ));
        }
    }
    for field in SECRET_FIELDS.iter().chain(SECRET_PARAMETERS) {
        // Query or form: field=value, the field at the start or after ? & or a space.
        let assigned = format!("{field}=");
        for (at, _) in text.match_indices(assigned.as_str()) {
            let boundary = at == 0 || matches!(bytes[at - 1], b'?' | b'&' | b' ' | b'\n');
            if !boundary {
                continue;
            }
            let start = at + assigned.len();
            let len = text[start..]
                .bytes()
                .take_while(|b| {
                    !matches!(b, b'&' | b'#' | b'"' | b'\'' | b',' | b';')
                        && !b.is_ascii_whitespace()
                })
                .count();
            found.push((start, start + len, String::new(), (*field).to_string()));
        }
    }
    found
        .into_iter()
        .filter(|(start, end, _, _)| {
            let value = &text[*start..*end];
            value.len() >= 6 && !value.starts_with('<')
        })
        .filter(|(start, end, _, _)| taken.iter().all(|(s, e, _, _)| *end <= *s || *start >= *e))
        .fold(
            Vec::new(),
            |mut kept: Vec<(usize, usize, String, String)>, (start, end, _, kind)| {
                if kept.iter().all(|(s, e, _, _)| end <= *s || start >= *e) {
                    kept.push((start, end, text[start..end].to_string(), kind));
                }
                kept
            },
        )
}

/// `v1=<hex>` values in a signature header, not already covered by a hit.
fn signature_hits(
    text: &str,
    taken: &[(usize, usize, String, String)],
) -> Vec<(usize, usize, String, String)> {
    let mut found = Vec::new();
    for (at, _) in text.match_indices("v1=") {
        let start = at + 3;
        let len = text[start..]
            .bytes()
            .take_while(u8::is_ascii_hexdigit)
            .count();
        let end = start + len;
        if len >= 16 && taken.iter().all(|(s, e, _, _)| end <= *s || start >= *e) {
            found.push((
                start,
                end,
                text[start..end].to_string(),
                "signature".to_string(),
            ));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_secret_keeps_the_same_placeholder() {
        let mut r = Redactor::default();
        r.secret("access_token", "gho_abcdef123");
        r.secret("access_token", "gho_zzzzzz999");
        let mut s = r.session();
        assert_eq!(
            s.redact("a gho_zzzzzz999 b gho_abcdef123"),
            "a <access_token_1> b <access_token_2>"
        );
        assert_eq!(s.redact("gho_abcdef123"), "<access_token_2>");
    }

    #[test]
    fn hosts_are_renamed_and_signatures_hidden() {
        let mut r = Redactor::default();
        r.host("http://127.0.0.1:4000", "workos.test");
        let mut s = r.session();
        let out = s.redact("http://127.0.0.1:4000/x t=1, v1=0123456789abcdef0123456789abcdef");
        assert_eq!(out, "http://workos.test/x t=1, v1=<signature_1>");
    }

    #[test]
    fn a_base_that_starts_another_renames_only_its_own_urls() {
        let mut r = Redactor::default();
        // Registered in this order, as the custom providers are made.
        r.host("http://127.0.0.1:4105/acme", "acme.test");
        r.host("http://127.0.0.1:4105/acme-crm", "acme-crm.test");
        r.host("http://127.0.0.1:4000", "workos.test");
        r.host("http://127.0.0.1:40001", "github.test");
        let mut s = r.session();
        assert_eq!(
            s.redact(
                "http://127.0.0.1:4105/acme-crm/token http://127.0.0.1:4105/acme/token?x=1 http://127.0.0.1:4105/acme"
            ),
            "http://acme-crm.test/token http://acme.test/token?x=1 http://acme.test"
        );
        assert_eq!(
            s.redact("redirect_uri=http%3A%2F%2F127.0.0.1%3A4105%2Facme-crm%2Fcb"),
            "redirect_uri=http%3A%2F%2Facme-crm.test%2Fcb"
        );
        assert_eq!(
            s.redact("http://127.0.0.1:40001/user http://127.0.0.1:4000/x."),
            "http://github.test/user http://workos.test/x."
        );
        assert_eq!(
            r.host_name("http://127.0.0.1:4105/acme-crm/token")
                .as_deref(),
            Some("acme-crm.test")
        );
        assert_eq!(
            r.host_name("http://127.0.0.1:40001/user").as_deref(),
            Some("github.test")
        );
    }

    #[test]
    fn a_percent_encoded_secret_gets_the_placeholder_of_its_plain_value() {
        let mut r = Redactor::default();
        r.secret("client_secret", "ab+cd/ef=");
        let mut s = r.session();
        assert_eq!(
            s.redact("client_secret=ab%2Bcd%2Fef%3D&x=ab+cd/ef="),
            "client_secret=<client_secret_1>&x=<client_secret_1>"
        );
    }

    #[test]
    fn unregistered_values_of_secret_fields_are_replaced_in_json_queries_and_forms() {
        let r = Redactor::default();
        let mut s = r.session();
        assert_eq!(
            s.redact(r#"{"id":"x","signature" : "H0Ps+Qp9a/V=","scope":"api"}"#),
            r#"{"id":"x","signature" : "<signature_1>","scope":"api"}"#
        );
        assert_eq!(
            s.redact("/cb?access_token=abcdef123&state=xyz"),
            "/cb?access_token=<access_token_1>&state=xyz"
        );
        assert_eq!(
            s.redact_field("refresh_token", "r-123456"),
            "<refresh_token_1>"
        );
        assert_eq!(s.redact_field("state", "r-123456"), "r-123456");
        assert_eq!(s.redact_field("code", "df8d8387c912"), "<code_1>");
        assert_eq!(
            s.redact("/pipes/return?code=df8d8387c912&connect_code=Zx81kQ0aP2"),
            "/pipes/return?code=<code_1>&connect_code=<connect_code_1>"
        );
        assert_eq!(
            s.redact(r#"{"code":"invalid_connect_code"}"#),
            r#"{"code":"invalid_connect_code"}"#,
            "an error code in JSON is not a secret"
        );
        assert_eq!(
            s.redact(r#"{"x_signature":"short"}"#),
            r#"{"x_signature":"short"}"#
        );
    }

    #[test]
    fn a_registered_secret_in_a_secret_field_keeps_its_own_placeholder() {
        let mut r = Redactor::default();
        r.secret("access_token", "gho_abcdef123");
        let mut s = r.session();
        assert_eq!(
            s.redact(r#"{"access_token":"gho_abcdef123"}"#),
            r#"{"access_token":"<access_token_1>"}"#
        );
        assert_eq!(
            s.redact_field("access_token", "gho_abcdef123"),
            "<access_token_1>"
        );
    }

    #[test]
    fn secrets_lists_each_plain_value_once() {
        let mut r = Redactor::default();
        r.secret("api_key", "sk_test_a b");
        r.secret("api_key", "sk_test_a b");
        assert_eq!(
            r.secrets(),
            vec![("api_key".to_string(), "sk_test_a b".to_string())]
        );
    }

    #[test]
    fn a_secret_containing_another_is_replaced_whole() {
        let mut r = Redactor::default();
        r.secret("code", "abcdef");
        r.secret("access_token", "xx_abcdef_yy");
        assert_eq!(r.session().redact("xx_abcdef_yy"), "<access_token_1>");
    }
}

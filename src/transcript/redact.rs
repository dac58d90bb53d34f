//! Redaction: secrets out, stable placeholders in.
//!
//! The stack registers every secret it hands out (API keys, client secrets,
//! codes, access and refresh tokens, webhook secrets) the moment it creates
//! it, so redaction does not depend on guessing what a secret looks like.
//! Webhook signatures are computed, not handed out, so they are found by
//! shape (`v1=<hex>`). Each distinct secret gets a placeholder numbered in
//! order of first appearance (`<access_token_1>`), so a reader can follow one
//! token through a transcript without seeing it.

use std::collections::HashMap;

/// The redaction rules of one stack.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    secrets: Vec<(String, String)>,
    hosts: Vec<(String, String)>,
}

impl Redactor {
    /// Registers a secret. Empty or very short values are ignored: replacing
    /// them would mangle ordinary text.
    pub fn secret(&mut self, kind: &str, value: &str) {
        if value.len() < 6 || self.secrets.iter().any(|(v, _)| v == value) {
            return;
        }
        self.secrets.push((value.to_string(), kind.to_string()));
        // Longest first, so a secret that contains another is replaced whole.
        self.secrets
            .sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
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
            .find(|(base, _)| url.starts_with(base.as_str()) && base.contains("://"))
            .map(|(_, name)| name.trim_start_matches("http://").to_string())
    }

    /// Starts numbering placeholders for one rendered document.
    pub fn session(&self) -> Session<'_> {
        Session {
            rules: self,
            assigned: HashMap::new(),
            counters: HashMap::new(),
        }
    }
}

/// Placeholder numbering for one rendered document.
#[derive(Debug)]
pub struct Session<'a> {
    rules: &'a Redactor,
    assigned: HashMap<String, String>,
    counters: HashMap<String, usize>,
}

impl Session<'_> {
    /// Redacts `text`: stack hosts renamed, secrets and signatures replaced.
    pub fn redact(&mut self, text: &str) -> String {
        let mut out = text.to_string();
        for (base, name) in &self.rules.hosts {
            if out.contains(base.as_str()) {
                out = out.replace(base.as_str(), name);
            }
        }
        // Find every occurrence, then replace left to right so numbering
        // follows reading order.
        let mut hits: Vec<(usize, usize, String, String)> = Vec::new();
        for (value, kind) in &self.rules.secrets {
            for (at, _) in out.match_indices(value.as_str()) {
                let end = at + value.len();
                if hits.iter().all(|(s, e, _, _)| end <= *s || at >= *e) {
                    hits.push((at, end, value.clone(), kind.clone()));
                }
            }
        }
        hits.extend(signature_hits(&out, &hits));
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
    fn a_secret_containing_another_is_replaced_whole() {
        let mut r = Redactor::default();
        r.secret("code", "abcdef");
        r.secret("access_token", "xx_abcdef_yy");
        assert_eq!(r.session().redact("xx_abcdef_yy"), "<access_token_1>");
    }
}

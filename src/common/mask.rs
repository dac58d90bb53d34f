//! Secrets as they may be printed: a known prefix and the last four
//! characters, never more (`sk_test_****1234`).

/// Prefixes that say what a secret is without giving any of it away.
const KNOWN_PREFIXES: &[&str] = &["sk_test_", "sk_live_", "sk_", "whsec_", "client_"];

/// `secret` with everything but a known prefix and, when at least twelve
/// characters follow it, the last four starred.
pub fn mask(secret: &str) -> String {
    let prefix = KNOWN_PREFIXES
        .iter()
        .find(|p| secret.starts_with(*p))
        .copied()
        .unwrap_or("");
    let rest: Vec<char> = secret[prefix.len()..].chars().collect();
    if rest.len() < 12 {
        return format!("{prefix}****");
    }
    let tail: String = rest[rest.len() - 4..].iter().collect();
    format!("{prefix}****{tail}")
}

#[cfg(test)]
mod tests {
    use super::mask;

    #[test]
    fn only_a_known_prefix_and_the_last_four_characters_show() {
        assert_eq!(mask("sk_test_default"), "sk_test_****");
        assert_eq!(mask("sk_test_abcdefghijklmnop1234"), "sk_test_****1234");
        assert_eq!(mask("whsec_abcdefghijkl"), "whsec_****ijkl");
        assert_eq!(mask("sk_4f8a9c2e77_xyzxyzxyz99"), "sk_****yz99");
        assert_eq!(mask("plain"), "****");
    }
}

//! Small text helpers used across layers.

/// `alice` → `Alice`: the first character in upper case, the rest as is.
pub fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::capitalize;

    #[test]
    fn only_the_first_character_changes() {
        assert_eq!(capitalize("alice"), "Alice");
        assert_eq!(capitalize("o'brien-x"), "O'brien-x");
        assert_eq!(capitalize(""), "");
    }
}

//! "Did you mean": the closest known word to a misspelt one, for error
//! messages about step text, provider names, diagnoses and fault parameters.

/// The candidate closest to `word`, when it is close enough to be a likely
/// typo (Jaro-Winkler similarity of at least 0.8, case-insensitive).
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let wanted = word.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&wanted, &c.to_lowercase()), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// ` (did you mean `x`?)` when a candidate is close, else nothing: ready to
/// drop into a message after the unknown word.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    closest(word, candidates)
        .map(|c| format!(" (did you mean `{c}`?)"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typo_finds_the_word_and_nonsense_finds_nothing() {
        let params = ["retry_after", "status", "on"];
        assert_eq!(closest("retry_afer", params), Some("retry_after"));
        assert_eq!(closest("gremlins", params), None);
        assert_eq!(
            did_you_mean("gihtub", ["github", "slack", "google", "salesforce"]),
            " (did you mean `github`?)"
        );
    }
}

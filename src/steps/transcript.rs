//! Rendering a scenario's transcript and naming its snapshot.

use super::PipesWorld;
use crate::transcript::yaml::{self, Header};

/// `features/connect/github.feature` + scenario → `connect-github__alice-connects-github-...`.
pub fn snapshot_name(feature_path: &str, scenario: &str) -> String {
    let rel = feature_path
        .replace('\\', "/")
        .split("features/")
        .last()
        .unwrap_or(feature_path)
        .trim_end_matches(".feature")
        .to_string();
    format!("{}__{}", slug(&rel), slug(scenario))
}

fn slug(text: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
            dash = false;
        } else if !dash && !out.is_empty() {
            out.push('-');
            dash = true;
        }
    }
    out.trim_end_matches('-').to_string()
}

impl PipesWorld {
    /// The scenario's transcript as YAML, redacted.
    pub fn transcript_yaml(&self, feature_path: &str, scenario: &str) -> String {
        let header = Header {
            feature: feature_path.replace('\\', "/"),
            scenario: scenario.to_string(),
            diagnosis: self.last_error.as_ref().map(|e| e.diagnosis().render()),
        };
        yaml::render(&header, &self.stack.recorder)
    }
}

#[cfg(test)]
mod tests {
    use super::snapshot_name;

    #[test]
    fn snapshot_names_follow_feature_and_scenario() {
        assert_eq!(
            snapshot_name(
                "/x/features/connect/github.feature",
                "Alice connects GitHub, then reads"
            ),
            "connect-github__alice-connects-github-then-reads"
        );
    }
}

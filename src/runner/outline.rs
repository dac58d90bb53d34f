//! Names for the rows of a Scenario Outline, taken from their example values
//! so they stay put when lines move.
//!
//! A row is reported (console, JUnit, cucumber JSON), filed (snapshot, docs
//! page) and selected by its name. Naming it by its line meant that adding a
//! line above renamed every page below, broke links to them and reset CI's
//! test history. A row's name is the outline's name with the row's values
//! put in (`The github callback URL differs by a trailing slash`); when two
//! rows of one outline would get the same name, each adds the values its name
//! does not show yet, in brackets.

use std::collections::BTreeMap;

use cucumber::gherkin;

/// Renames the expanded rows of every outline among `scenarios` (cucumber's
/// expansion keeps the outline's span on each row, which groups them).
pub(crate) fn name_rows(scenarios: &mut [gherkin::Scenario]) {
    let mut outlines: BTreeMap<(usize, usize), Vec<usize>> = BTreeMap::new();
    for (i, s) in scenarios.iter().enumerate() {
        if !s.examples.is_empty() {
            outlines
                .entry((s.span.start, s.span.end))
                .or_default()
                .push(i);
        }
    }
    for rows in outlines.values() {
        let names: Vec<String> = rows.iter().map(|&i| scenarios[i].name.clone()).collect();
        let mut renamed: Vec<String> = rows
            .iter()
            .zip(&names)
            .map(|(&i, name)| {
                if names.iter().filter(|n| *n == name).count() == 1 {
                    return name.clone();
                }
                let unseen: Vec<&str> = row_values(&scenarios[i])
                    .into_iter()
                    .filter(|v| !v.is_empty() && !name.contains(v))
                    .collect();
                if unseen.is_empty() {
                    name.clone()
                } else {
                    format!("{name} ({})", unseen.join(", "))
                }
            })
            .collect();
        // Rows that repeat each other's values exactly: number them, in order.
        let snapshot = renamed.clone();
        for (k, name) in renamed.iter_mut().enumerate() {
            if snapshot.iter().filter(|n| *n == name).count() > 1 {
                let nth = snapshot[..=k].iter().filter(|n| *n == name).count();
                *name = format!("{name} (row {nth})");
            }
        }
        for (&i, name) in rows.iter().zip(renamed) {
            scenarios[i].name = name;
        }
    }
}

/// The values of an expanded row: cucumber keeps its examples table as the
/// header and that one row.
fn row_values(s: &gherkin::Scenario) -> Vec<&str> {
    s.examples
        .first()
        .and_then(|e| e.table.as_ref())
        .and_then(|t| t.rows.get(1))
        .map(|r| r.iter().map(|v| v.trim()).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use cucumber::gherkin::{self, GherkinEnv};

    fn names(text: &str) -> Vec<String> {
        let f = gherkin::Feature::parse(text, GherkinEnv::default()).expect("valid gherkin");
        let mut f = cucumber::feature::Ext::expand_examples(f).expect("expands");
        super::name_rows(&mut f.scenarios);
        f.scenarios.into_iter().map(|s| s.name).collect()
    }

    const OUTLINE: &str = "Feature: F
  Scenario Outline: <who> connects <provider>
    Given <who> signs in to <provider> as \"<login>\"

    Examples:
      | who   | provider | login |
      | alice | github   | a1    |
      | alice | slack    | a2    |
      | bob   | slack    | b1    |
      | bob   | slack    | b2    |
";

    #[test]
    fn rows_are_named_by_their_values_not_their_lines() {
        assert_eq!(
            names(OUTLINE),
            vec![
                "alice connects github",
                "alice connects slack",
                "bob connects slack (b1)",
                "bob connects slack (b2)",
            ]
        );
    }

    #[test]
    fn a_line_added_above_renames_no_row() {
        let moved = OUTLINE.replace("Feature: F\n", "Feature: F\n  A description.\n\n");
        assert_eq!(names(&moved), names(OUTLINE));
    }

    #[test]
    fn identical_rows_are_numbered() {
        let twice = OUTLINE.replace(
            "| bob   | slack    | b2    |",
            "| bob   | slack    | b1    |",
        );
        assert_eq!(
            names(&twice)[2..],
            [
                "bob connects slack (b1) (row 1)",
                "bob connects slack (b1) (row 2)"
            ]
        );
    }
}

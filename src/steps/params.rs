//! Custom cucumber parameter types: `{provider}`, `{diagnosis}`, `{scopes}`, `{duration}`.

use std::str::FromStr;

use cucumber::Parameter;

use crate::client::DiagnosisKind;
use crate::provider::ProviderKind;

/// `github`, `slack`, `google` or `salesforce`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Parameter)]
#[param(name = "provider", regex = "github|slack|google|salesforce")]
pub struct ProviderArg(pub ProviderKind);

impl FromStr for ProviderArg {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse()
            .map(ProviderArg)
            .map_err(|e: crate::provider::UnknownProvider| e.to_string())
    }
}

/// A diagnosis kind name such as `redirect_uri_mismatch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Parameter)]
#[param(name = "diagnosis", regex = "[a-z_]+")]
pub struct Kind(pub DiagnosisKind);

impl FromStr for Kind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse()
            .map(Kind)
            .map_err(|e: crate::diagnosis::UnknownDiagnosis| e.to_string())
    }
}

/// A quoted, comma- or space-separated scope list: `"repo, user:email"`.
#[derive(Debug, Clone, PartialEq, Eq, Parameter)]
#[param(name = "scopes", regex = r#""([^"]*)""#)]
pub struct ScopeList(pub Vec<String>);

impl FromStr for ScopeList {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let inner = s.trim_matches('"');
        Ok(ScopeList(
            inner
                .split([',', ' '])
                .filter(|x| !x.is_empty())
                .map(str::to_string)
                .collect(),
        ))
    }
}

/// A span of time: `2 seconds`, `10 minutes`, `9 hours`, `1 day`, `2 weeks`,
/// `250 milliseconds`, `1.5 hours`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Parameter)]
#[param(
    name = "duration",
    regex = r"\d+(?:\.\d+)? (?:milliseconds?|seconds?|minutes?|hours?|days?|weeks?)"
)]
pub struct Span(pub std::time::Duration);

impl FromStr for Span {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || {
            format!(
                "{s:?} is not a duration: expected a number and a unit, e.g. 2 seconds, 10 minutes, 1.5 hours, 1 day, 2 weeks"
            )
        };
        let (n, unit) = s.trim().split_once(' ').ok_or_else(bad)?;
        let ms_per: u64 = match unit.trim_end_matches('s') {
            "millisecond" => 1,
            "second" => 1_000,
            "minute" => 60_000,
            "hour" => 3_600_000,
            "day" => 86_400_000,
            "week" => 7 * 86_400_000,
            _ => return Err(bad()),
        };
        // Whole and decimal parts apart, so 1.5 hours is exact and a huge
        // number is an error rather than a wrapped one.
        let (whole, frac) = n.split_once('.').unwrap_or((n, ""));
        let whole: u64 = whole.parse().map_err(|_| bad())?;
        if !frac.bytes().all(|b| b.is_ascii_digit()) || frac.len() > 9 {
            return Err(bad());
        }
        let frac_ms = if frac.is_empty() {
            0
        } else {
            let digits: u64 = frac.parse().map_err(|_| bad())?;
            let scale = 10u64.pow(u32::try_from(frac.len()).map_err(|_| bad())?);
            u64::try_from(u128::from(digits) * u128::from(ms_per) / u128::from(scale))
                .map_err(|_| bad())?
        };
        whole
            .checked_mul(ms_per)
            .and_then(|ms| ms.checked_add(frac_ms))
            .map(|ms| Span(std::time::Duration::from_millis(ms)))
            .ok_or_else(bad)
    }
}

#[cfg(test)]
mod duration_tests {
    use super::Span;
    use crate::provider::ProviderKind;
    use std::time::Duration;

    #[test]
    fn the_provider_parameter_takes_every_provider_and_the_vocabulary_says_so() {
        let regex = "github|slack|google|salesforce";
        assert!(
            s_contains_attr(regex),
            "the {{provider}} regex is the one this test checks"
        );
        assert_eq!(regex, ProviderKind::slugs("|"));
        let said = crate::steps::vocabulary::PARAMETERS
            .iter()
            .find(|(p, _)| *p == "{provider}")
            .map(|(_, what)| *what);
        assert_eq!(said, Some(ProviderKind::slugs_in_words().as_str()));
    }

    /// The `{provider}` attribute of this file holds `regex`.
    fn s_contains_attr(regex: &str) -> bool {
        include_str!("params.rs").contains(&format!("regex = \"{regex}\""))
    }

    #[test]
    fn durations_read_as_a_number_and_a_unit() {
        assert_eq!("2 seconds".parse(), Ok(Span(Duration::from_secs(2))));
        assert_eq!("1 second".parse(), Ok(Span(Duration::from_secs(1))));
        assert_eq!("9 hours".parse(), Ok(Span(Duration::from_secs(9 * 3600))));
        assert_eq!("10 minutes".parse(), Ok(Span(Duration::from_secs(600))));
        assert_eq!("1 day".parse(), Ok(Span(Duration::from_secs(86_400))));
        assert_eq!(
            "250 milliseconds".parse(),
            Ok(Span(Duration::from_millis(250)))
        );
        assert!(
            "soon"
                .parse::<Span>()
                .unwrap_err()
                .contains("expected a number and a unit")
        );
        assert!("3 fortnights".parse::<Span>().is_err());
        assert_eq!(
            "2 weeks".parse(),
            Ok(Span(Duration::from_secs(14 * 86_400)))
        );
        assert_eq!("1.5 hours".parse(), Ok(Span(Duration::from_secs(5_400))));
        assert_eq!("0.25 seconds".parse(), Ok(Span(Duration::from_millis(250))));
        assert!("99999999999999999999 weeks".parse::<Span>().is_err());
    }
}

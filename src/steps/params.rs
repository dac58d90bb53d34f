//! Custom cucumber parameter types: `{provider}`, `{diagnosis}`, `{scopes}`.

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
            .map_err(|e: crate::client::diagnosis::UnknownDiagnosis| e.to_string())
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

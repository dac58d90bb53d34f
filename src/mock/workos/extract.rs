//! Request extractors that answer bad input the way WorkOS does: a JSON error
//! with a status and a `message`, never axum's plain-text rejections.
//!
//! - [`JsonBody`]: the body as a JSON object. Bodies over [`MAX_BODY_BYTES`]
//!   get 413, a non-JSON `Content-Type` with a body gets 400, unparsable JSON
//!   (invalid UTF-8 and truncated bodies included) gets 400
//!   `invalid_request_body`, a JSON value that is not an object gets 400. An
//!   empty body reads as `{}`, so missing required fields get the usual 422.
//! - [`QueryParams`]: the raw query string, decoded leniently (it never
//!   fails); typed reads answer 422 naming the parameter.
//! - [`PathParams`]: path segments; a segment that is not valid
//!   percent-encoded UTF-8 gets 404, like any unknown resource.
//!
//! Field readers on [`Fields`] answer 422 with `errors: [{field, code}]`:
//! `required` for a missing field, `invalid` for a wrong JSON type or value.

use std::collections::BTreeMap;

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::errors::ApiError;
use super::state::Ownership;

/// The largest request body the mock reads: 1 MiB.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// 413 for a body over the limit.
pub fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "request_entity_too_large",
        format!("The request body is larger than {MAX_BODY_BYTES} bytes."),
    )
}

/// A JSON object body.
#[derive(Debug, Clone, Default)]
pub struct JsonBody(pub Fields);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        if declared.is_some_and(|n| n > MAX_BODY_BYTES) {
            return Err(too_large());
        }
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).to_ascii_lowercase());
        let bytes = axum::body::to_bytes(req.into_body(), MAX_BODY_BYTES)
            .await
            .map_err(|_| too_large())?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(JsonBody(Fields::default()));
        }
        if let Some(ct) = content_type
            && !ct.contains("json")
        {
            return Err(ApiError::bad_request(
                "invalid_content_type",
                format!("Content-Type must be application/json, got '{ct}'."),
            ));
        }
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(m)) => Ok(JsonBody(Fields(m))),
            Ok(_) => Err(ApiError::bad_json("the body must be a JSON object")),
            Err(e) => Err(ApiError::bad_json(&e.to_string())),
        }
    }
}

/// A JSON object's fields, with typed readers that answer 422.
#[derive(Debug, Clone, Default)]
pub struct Fields(pub Map<String, Value>);

/// A field that may be absent, explicitly `null`, or set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Patch<T> {
    /// Not in the body: keep the current value.
    Absent,
    /// `null`: clear it (or reset to the default).
    Null,
    /// A new value.
    Set(T),
}

impl<T> Patch<T> {
    /// Applies the patch to `slot`.
    pub fn apply(self, slot: &mut Option<T>) {
        match self {
            Patch::Absent => {}
            Patch::Null => *slot = None,
            Patch::Set(v) => *slot = Some(v),
        }
    }

    /// Whether the field was in the body.
    pub fn is_present(&self) -> bool {
        !matches!(self, Patch::Absent)
    }
}

impl Fields {
    /// Whether `field` is present (even as `null`).
    pub fn has(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }

    /// A required non-empty string.
    pub fn req_str(&self, field: &str) -> Result<String, ApiError> {
        match self.0.get(field) {
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
            Some(Value::String(_)) | None | Some(Value::Null) => {
                Err(ApiError::unprocessable(&[(field, "required")]))
            }
            Some(_) => Err(ApiError::unprocessable(&[(field, "invalid")])),
        }
    }

    /// An optional string (`null` = absent).
    pub fn opt_str(&self, field: &str) -> Result<Option<String>, ApiError> {
        match self.patch_str(field)? {
            Patch::Set(s) => Ok(Some(s)),
            _ => Ok(None),
        }
    }

    /// A string that may be absent, `null` or set.
    pub fn patch_str(&self, field: &str) -> Result<Patch<String>, ApiError> {
        match self.0.get(field) {
            None => Ok(Patch::Absent),
            Some(Value::Null) => Ok(Patch::Null),
            Some(Value::String(s)) => Ok(Patch::Set(s.clone())),
            Some(_) => Err(ApiError::unprocessable(&[(field, "invalid")])),
        }
    }

    /// An optional boolean (`null` = absent).
    pub fn opt_bool(&self, field: &str) -> Result<Option<bool>, ApiError> {
        match self.0.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(ApiError::unprocessable(&[(field, "invalid")])),
        }
    }

    /// A list of strings that may be absent, `null` or set.
    pub fn patch_str_list(&self, field: &str) -> Result<Patch<Vec<String>>, ApiError> {
        match self.0.get(field) {
            None => Ok(Patch::Absent),
            Some(Value::Null) => Ok(Patch::Null),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| v.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
                .map(Patch::Set)
                .ok_or_else(|| ApiError::unprocessable(&[(field, "invalid")])),
            Some(_) => Err(ApiError::unprocessable(&[(field, "invalid")])),
        }
    }

    /// An optional list of strings (`null` = absent).
    pub fn opt_str_list(&self, field: &str) -> Result<Option<Vec<String>>, ApiError> {
        match self.patch_str_list(field)? {
            Patch::Set(v) => Ok(Some(v)),
            _ => Ok(None),
        }
    }

    /// An optional `{string: string}` map (`null` = absent).
    pub fn opt_str_map(&self, field: &str) -> Result<Option<BTreeMap<String, String>>, ApiError> {
        match self.0.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(m)) => m
                .iter()
                .map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                .collect::<Option<BTreeMap<_, _>>>()
                .map(Some)
                .ok_or_else(|| ApiError::unprocessable(&[(field, "invalid")])),
            Some(_) => Err(ApiError::unprocessable(&[(field, "invalid")])),
        }
    }

    /// An optional nested object (`null` = absent).
    pub fn opt_object(&self, field: &str) -> Result<Option<Fields>, ApiError> {
        match self.0.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(m)) => Ok(Some(Fields(m.clone()))),
            Some(_) => Err(ApiError::unprocessable(&[(field, "invalid")])),
        }
    }

    /// An optional string that must be one of `allowed`.
    pub fn opt_enum(&self, field: &str, allowed: &[&str]) -> Result<Option<String>, ApiError> {
        match self.opt_str(field)? {
            Some(v) if allowed.contains(&v.as_str()) => Ok(Some(v)),
            Some(v) => Err(ApiError::invalid_field(
                field,
                "invalid",
                format!("{field} must be one of {}; got '{v}'.", allowed.join(", ")),
            )),
            None => Ok(None),
        }
    }

    /// `connection_owner` (`user` | `organization`).
    pub fn connection_owner(&self) -> Result<Option<Ownership>, ApiError> {
        Ok(self
            .opt_enum("connection_owner", &["user", "organization"])?
            .and_then(|s| Ownership::parse(&s)))
    }

    /// An optional ISO-8601 timestamp, as epoch milliseconds.
    pub fn opt_time(&self, field: &str) -> Result<Option<i64>, ApiError> {
        match self.opt_str(field)? {
            Some(s) => crate::common::clock::parse_iso8601(&s)
                .map(Some)
                .ok_or_else(|| {
                    ApiError::invalid_field(
                        field,
                        "invalid",
                        format!("{field} must be an ISO-8601 timestamp; got '{s}'."),
                    )
                }),
            None => Ok(None),
        }
    }
}

/// The query string, decoded leniently.
#[derive(Debug, Clone, Default)]
pub struct QueryParams(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for QueryParams {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let pairs = parts
            .uri
            .query()
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        Ok(QueryParams(pairs))
    }
}

impl QueryParams {
    /// The first value of `name`; empty values count as absent (Node drops them).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }

    /// A boolean parameter: `true` or `false`.
    pub fn bool(&self, name: &str) -> Result<bool, ApiError> {
        match self.get(name) {
            None => Ok(false),
            Some("true") => Ok(true),
            Some("false") => Ok(false),
            Some(other) => Err(ApiError::invalid_field(
                name,
                "invalid",
                format!("{name} must be true or false; got '{other}'."),
            )),
        }
    }

    /// A parameter that must be one of `allowed`.
    pub fn one_of(&self, name: &str, allowed: &[&str]) -> Result<Option<String>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(v) if allowed.contains(&v) => Ok(Some(v.to_string())),
            Some(v) => Err(ApiError::invalid_field(
                name,
                "invalid",
                format!("{name} must be one of {}; got '{v}'.", allowed.join(", ")),
            )),
        }
    }
}

/// Path parameters; a segment axum cannot decode is an unknown resource (404).
#[derive(Debug, Clone)]
pub struct PathParams<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for PathParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| PathParams(p.0))
            .map_err(|_| ApiError::not_found("Not Found: the path has a segment that is not valid"))
    }
}

/// Whether `slug` can name a data integration: lowercase letters, digits,
/// `-` and `_`, at most 64 characters. Anything else (`..`, `/`, `%00`) can
/// never exist, so callers answer 404 without looking further.
pub fn valid_slug(slug: &str) -> bool {
    crate::provider::is_slug(slug)
}

/// Whether `id` looks like a WorkOS id (`<prefix>_` and alphanumerics).
pub fn valid_id(id: &str, prefix: &str) -> bool {
    id.strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix('_'))
        .is_some_and(|rest| {
            !rest.is_empty() && rest.len() <= 64 && rest.bytes().all(|b| b.is_ascii_alphanumeric())
        })
}

//! Salesforce as it behaves on the wire, after its public API documentation.
//!
//! - Authorize needs `response_type=code`; scopes are space-separated
//!   (`api` for REST, `refresh_token` for a refresh token, `id`/`openid`).
//!   An unregistered redirect URI stops on a Salesforce page with
//!   `error=redirect_uri_mismatch`; a denial goes back to the callback.
//! - The token endpoint answers JSON (or form-encoded with
//!   `format=urlencoded`), errors with HTTP 400. A grant carries
//!   `instance_url`, the identity URL `id`, `issued_at` (epoch ms as a
//!   string) and an HMAC `signature`, and **no `expires_in`**: the session
//!   simply times out after two idle hours.
//! - Refresh returns the same shape without a refresh token, unless the
//!   connected app rotates refresh tokens.
//! - The REST API answers errors as a JSON **array** of
//!   `{message, errorCode}`: 401 `INVALID_SESSION_ID` for a dead session or
//!   a token without the `api` scope, 403 `REQUEST_LIMIT_EXCEEDED` for the
//!   daily limit; every answer carries `Sforce-Limit-Info`.
//!
//! Choices where the reference is silent ([U]): an unknown client id also
//! stops on the page (`invalid_client_id`); a refused scope redirects with
//! `error=invalid_scope`; an unknown or reused code is "invalid
//! authorization code"; the revocation endpoint answers 200 with an empty
//! body and 400 `invalid_token` for a token it does not know; a refresh
//! token is issued only with the `refresh_token` (or `offline_access`) scope.

use fake::Fake;
use fake::faker::company::en::{CompanyName, Industry};
use fake::faker::name::en::{FirstName, LastName};
use hmac::{KeyInit, Mac};
use serde_json::{Value, json};
use wiremock::{Request, ResponseTemplate};

use crate::providers::engine::flow::{self, AuthorizeOutcome, AuthorizeRequest, TokenRequest};
use crate::providers::engine::oauth::{GrantError, Issued, Token};
use crate::providers::engine::wire::{self, bearer, page, redirect, url_with, with_state};
use crate::providers::engine::{Account, RouteClass, RouteEntry, Shared};

const JSON: &str = "application/json;charset=UTF-8";
/// The org's daily API allocation, as `Sforce-Limit-Info` reports it.
pub const DAILY_API_LIMIT: u64 = 100_000;
/// The org every mock user belongs to.
pub const ORG_ID: &str = "00D5g000004S0zXEAS";
const API_VERSIONS: std::ops::RangeInclusive<u32> = 20..=66;
const STAGES: [&str; 5] = [
    "Prospecting",
    "Qualification",
    "Proposal/Price Quote",
    "Negotiation/Review",
    "Closed Won",
];

/// salesforce's default routes, in the order they are mounted.
pub const ROUTES: &[RouteEntry] = {
    use RouteClass::*;
    &[
        RouteEntry::new(Authorize, "GET", "/services/oauth2/authorize", authorize),
        RouteEntry::new(Token, "POST", "/services/oauth2/token", token),
        RouteEntry::new(Revoke, "POST", "/services/oauth2/revoke", revoke),
        RouteEntry::new(Revoke, "GET", "/services/oauth2/revoke", revoke),
        RouteEntry::new(Api, "GET", "/services/data/*/query", query),
        RouteEntry::new(Api, "GET", "/services/data/*/sobjects", sobjects),
        RouteEntry::new(Api, "GET", "/id/*/*", identity),
        RouteEntry::new(Api, "GET", "/services/oauth2/userinfo", userinfo),
    ]
};

/// Salesforce's answer for a path the mock does not serve.
pub fn not_found(_path: &str) -> ResponseTemplate {
    wire::json(
        404,
        &json!([{
            "errorCode": "NOT_FOUND",
            "message": "The requested resource does not exist",
        }]),
        "application/json",
    )
}

fn authorize(shared: &Shared, req: &Request) -> ResponseTemplate {
    let (request, q) = AuthorizeRequest::read(shared, req);
    let state = request.state.as_deref();
    let stop = |code: &str, description: &str| {
        let text = format!(
            "error={code}&error_description={}",
            description.replace(' ', "%20")
        );
        page(400, "Remote Access Authorization Error", &text)
    };
    let to = |base: &str, code: &str, description: &str| {
        redirect(&url_with(
            base,
            &with_state(
                vec![
                    ("error", code.to_string()),
                    ("error_description", description.to_string()),
                ],
                state,
            ),
        ))
    };
    match flow::authorize(shared, &request, false) {
        AuthorizeOutcome::UnknownClient => stop("invalid_client_id", "client identifier invalid"),
        AuthorizeOutcome::RedirectMismatch { .. } => stop(
            "redirect_uri_mismatch",
            "redirect_uri must match configuration",
        ),
        _ if q.get("response_type").map(String::as_str) != Some("code") => {
            stop("unsupported_response_type", "response type not supported")
        }
        AuthorizeOutcome::InvalidScope { redirect_uri, .. } => to(
            &redirect_uri,
            "invalid_scope",
            "the requested scope is not allowed",
        ),
        AuthorizeOutcome::InvalidRequest {
            redirect_uri,
            message,
        } => to(&redirect_uri, "invalid_request", &message),
        AuthorizeOutcome::Denied { redirect_uri } => to(
            &redirect_uri,
            "access_denied",
            "end-user denied authorization",
        ),
        AuthorizeOutcome::Code { redirect_uri, code } => redirect(&url_with(
            &redirect_uri,
            &with_state(vec![("code", code)], state),
        )),
    }
}

/// `{error, error_description}`, HTTP 400.
pub fn oauth_error(error: &str, description: &str) -> ResponseTemplate {
    wire::json(
        400,
        &json!({"error": error, "error_description": description}),
        JSON,
    )
}

/// The token endpoint's answer to an engine refusal.
pub fn grant_error(e: GrantError) -> ResponseTemplate {
    match e {
        GrantError::UnknownClient => oauth_error("invalid_client_id", "client identifier invalid"),
        GrantError::BadSecret => oauth_error("invalid_client", "invalid client credentials"),
        GrantError::UnknownCode | GrantError::CodeUsed => {
            oauth_error("invalid_grant", "invalid authorization code")
        }
        GrantError::CodeExpired => oauth_error("invalid_grant", "authorization code expired"),
        GrantError::RedirectMismatch => {
            oauth_error("invalid_grant", "redirect uri does not match configuration")
        }
        GrantError::BadVerifier => oauth_error("invalid_request", "invalid code verifier"),
        GrantError::MissingVerifier => oauth_error("invalid_grant", "invalid code verifier"),
        GrantError::BadRefreshToken => oauth_error("invalid_grant", "expired access/refresh token"),
        GrantError::UnsupportedGrantType => {
            oauth_error("unsupported_grant_type", "grant type not supported")
        }
    }
}

fn user_id(account: &Account) -> String {
    wire::derived_id("005", &account.login, 15)
}

fn token(shared: &Shared, req: &Request) -> ResponseTemplate {
    let t = TokenRequest::read(req);
    let urlencoded = t.fields.get("format").map(String::as_str) == Some("urlencoded")
        || wire::header(req, "accept")
            .is_some_and(|a| a.contains("application/x-www-form-urlencoded"));
    let issued = match flow::run_token(shared, &t, false).1 {
        Ok(issued) => issued,
        Err(e) => return grant_error(e),
    };
    let fields = grant_fields(shared, &issued);
    if urlencoded {
        let text: Vec<(&str, String)> = fields
            .iter()
            .map(|(k, v)| (*k, v.as_str().map(str::to_string).unwrap_or_default()))
            .collect();
        return wire::form_body(200, &text, "application/x-www-form-urlencoded");
    }
    let mut m = serde_json::Map::new();
    for (k, v) in fields {
        m.insert(k.to_string(), v);
    }
    wire::json(200, &Value::Object(m), JSON)
}

fn grant_fields(shared: &Shared, issued: &Issued) -> Vec<(&'static str, Value)> {
    let instance = shared.base_url();
    let account = shared.engine().accounts.get(&issued.login).cloned();
    let id_url = format!(
        "{instance}/id/{ORG_ID}/{}",
        account.as_ref().map(user_id).unwrap_or_default()
    );
    let issued_at = issued.issued_ms.to_string();
    let mut fields = vec![("access_token", json!(issued.access_token))];
    // The refresh token needs the `refresh_token` (or `offline_access`) scope.
    let wants_refresh = issued
        .scopes
        .iter()
        .any(|s| s == "refresh_token" || s == "offline_access");
    if let (Some(rt), true) = (&issued.refresh_token, wants_refresh) {
        fields.push(("refresh_token", json!(rt)));
    }
    // HMAC-SHA256 of id + issued_at keyed with the consumer secret, as
    // Salesforce signs it so clients can check the identity URL.
    let secret = shared
        .engine()
        .apps
        .get(&issued.client_id)
        .map(|a| a.client_secret.clone())
        .unwrap_or_default();
    let signature = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes())
        .map(|mut mac| {
            mac.update(format!("{id_url}{issued_at}").as_bytes());
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
        })
        .unwrap_or_default();
    fields.push(("signature", json!(signature)));
    fields.push(("scope", json!(issued.scopes.join(" "))));
    fields.push(("instance_url", json!(instance)));
    fields.push(("id", json!(id_url)));
    fields.push(("token_type", json!("Bearer")));
    fields.push(("issued_at", json!(issued_at)));
    fields
}

fn revoke(shared: &Shared, req: &Request) -> ResponseTemplate {
    let token = wire::form(req)
        .get("token")
        .cloned()
        .or_else(|| wire::query(req).get("token").cloned());
    if token.is_some_and(|t| shared.engine().revoke_token(&t)) {
        ResponseTemplate::new(200)
    } else {
        oauth_error("invalid_token", "invalid token")
    }
}

/// A REST error: `[{"message", "errorCode"}]`.
pub fn rest_error(status: u16, code: &str, message: &str) -> ResponseTemplate {
    wire::json(
        status,
        &json!([{"message": message, "errorCode": code}]),
        JSON,
    )
}

/// `Sforce-Limit-Info` for the org's `used`-th call today.
pub fn limit_info(used: u64) -> String {
    format!("api-usage={used}/{DAILY_API_LIMIT}")
}

/// Authenticates a REST call: 401 `INVALID_SESSION_ID` for a dead session,
/// and for a live one without the `api` scope.
fn rest_call(
    shared: &Shared,
    req: &Request,
    body: impl FnOnce(&Shared, &Request, &str, &Account, &Token) -> ResponseTemplate,
) -> ResponseTemplate {
    let segments: Vec<&str> = req.url.path().split('/').collect();
    let version = segments.get(3).copied().unwrap_or_default();
    let known = version
        .strip_prefix('v')
        .and_then(|v| v.strip_suffix(".0"))
        .and_then(|v| v.parse::<u32>().ok())
        .is_some_and(|v| API_VERSIONS.contains(&v));
    if !known {
        return rest_error(404, "NOT_FOUND", "The requested resource does not exist");
    }
    let token = bearer(req);
    let (_, auth) = flow::authenticate(shared, token.as_deref());
    let used = org_calls(shared);
    let resp = match auth {
        Ok((account, t)) if t.scopes.iter().any(|s| s == "api" || s == "full") => {
            body(shared, req, version, &account, &t)
        }
        Ok(_) => rest_error(
            401,
            "INVALID_SESSION_ID",
            "This session is not valid for use with the REST API",
        ),
        Err(_) => rest_error(401, "INVALID_SESSION_ID", "Session expired or invalid")
            .insert_header("www-authenticate", "Token"),
    };
    resp.insert_header("sforce-limit-info", limit_info(used).as_str())
}

/// Calls the org made today (all tokens).
fn org_calls(shared: &Shared) -> u64 {
    shared.engine().calls.values().sum()
}

struct SObject {
    name: &'static str,
    label: &'static str,
    plural: &'static str,
    prefix: &'static str,
    fields: &'static [&'static str],
}

const SOBJECTS: &[SObject] = &[
    SObject {
        name: "Account",
        label: "Account",
        plural: "Accounts",
        prefix: "001",
        fields: &[
            "Id",
            "Name",
            "Industry",
            "Type",
            "BillingCountry",
            "CreatedDate",
        ],
    },
    SObject {
        name: "Contact",
        label: "Contact",
        plural: "Contacts",
        prefix: "003",
        fields: &[
            "Id",
            "FirstName",
            "LastName",
            "Name",
            "Email",
            "AccountId",
            "CreatedDate",
        ],
    },
    SObject {
        name: "Opportunity",
        label: "Opportunity",
        plural: "Opportunities",
        prefix: "006",
        fields: &[
            "Id",
            "Name",
            "StageName",
            "Amount",
            "CloseDate",
            "AccountId",
            "CreatedDate",
        ],
    },
    SObject {
        name: "User",
        label: "User",
        plural: "Users",
        prefix: "005",
        fields: &["Id", "Name", "Username", "Email", "IsActive", "CreatedDate"],
    },
];

fn sobjects(shared: &Shared, req: &Request) -> ResponseTemplate {
    rest_call(shared, req, |_, _, version, _, _| {
        let list: Vec<Value> = SOBJECTS
            .iter()
            .map(|o| {
                let base = format!("/services/data/{version}/sobjects/{}", o.name);
                json!({
                    "activateable": false,
                    "createable": o.name != "User",
                    "custom": false,
                    "customSetting": false,
                    "deletable": o.name != "User",
                    "keyPrefix": o.prefix,
                    "label": o.label,
                    "labelPlural": o.plural,
                    "layoutable": true,
                    "mergeable": o.name != "Opportunity",
                    "name": o.name,
                    "queryable": true,
                    "retrieveable": true,
                    "searchable": true,
                    "triggerable": true,
                    "undeletable": true,
                    "updateable": true,
                    "urls": {
                        "sobject": base,
                        "describe": format!("{base}/describe"),
                        "rowTemplate": format!("{base}/{{ID}}"),
                    },
                })
            })
            .collect();
        wire::json(
            200,
            &json!({"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": list}),
            JSON,
        )
    })
}

/// The org's records of `object`: generated once from the seeded RNG.
fn records(shared: &Shared, object: &SObject, account: &Account) -> Vec<Value> {
    let now = shared.clock.now_ms();
    let value = flow::cached(shared, &format!("salesforce.{}", object.name), |s| {
        let created = crate::common::clock::iso8601(now - 90 * 86_400_000).replace('Z', "+0000");
        let mut rows = Vec::new();
        let count = if object.name == "User" { 1 } else { 5 };
        for i in 0..count {
            let id = s.ids.secret(object.prefix, 15);
            let account_id = format!("001{}", wire::derived_id("", &format!("acct{i}"), 15));
            let row = match object.name {
                "Account" => {
                    let name: String = s.ids.with_rng(|r| CompanyName().fake_with_rng(r));
                    let industry: String = s.ids.with_rng(|r| Industry().fake_with_rng(r));
                    json!({"Id": id, "Name": name, "Industry": industry, "Type": "Customer - Direct", "BillingCountry": "United States", "CreatedDate": created})
                }
                "Contact" => {
                    let first: String = s.ids.with_rng(|r| FirstName().fake_with_rng(r));
                    let last: String = s.ids.with_rng(|r| LastName().fake_with_rng(r));
                    let email = format!(
                        "{}.{}@example.com",
                        first.to_lowercase(),
                        last.to_lowercase()
                    );
                    json!({"Id": id, "FirstName": first, "LastName": last, "Name": format!("{first} {last}"), "Email": email, "AccountId": account_id, "CreatedDate": created})
                }
                "Opportunity" => {
                    let name: String = s.ids.with_rng(|r| CompanyName().fake_with_rng(r));
                    let amount = s.ids.number(5..500) * 1000;
                    let close =
                        crate::common::clock::iso8601(now + (i as i64 + 1) * 30 * 86_400_000);
                    json!({"Id": id, "Name": format!("{name} renewal"), "StageName": STAGES[i % STAGES.len()], "Amount": amount as f64, "CloseDate": &close[..10], "AccountId": account_id, "CreatedDate": created})
                }
                _ => {
                    json!({"Id": user_id(account), "Name": account.name, "Username": account.email, "Email": account.email, "IsActive": true, "CreatedDate": created})
                }
            };
            rows.push(row);
        }
        Value::Array(rows)
    });
    value.as_array().cloned().unwrap_or_default()
}

/// A SOQL statement the mock understands: `SELECT f, … FROM Object [WHERE …] [LIMIT n]`.
struct Soql {
    fields: Vec<String>,
    object: String,
    limit: Option<usize>,
}

fn parse_soql(q: &str) -> Result<Soql, (&'static str, String)> {
    let malformed = |detail: String| ("MALFORMED_QUERY", detail);
    let words: Vec<&str> = q.split_whitespace().collect();
    let upper: Vec<String> = words.iter().map(|w| w.to_ascii_uppercase()).collect();
    if upper.first().map(String::as_str) != Some("SELECT") {
        return Err(malformed(format!(
            "unexpected token: {}",
            words.first().copied().unwrap_or("<EOF>")
        )));
    }
    let from = upper
        .iter()
        .position(|w| w == "FROM")
        .ok_or_else(|| malformed("unexpected token: <EOF>".to_string()))?;
    let fields: Vec<String> = words[1..from]
        .join(" ")
        .split(',')
        .map(|f| f.trim().to_string())
        .filter(|f| !f.is_empty())
        .collect();
    if fields.is_empty() {
        return Err(malformed("unexpected token: FROM".to_string()));
    }
    let object = words
        .get(from + 1)
        .map(|o| o.to_string())
        .ok_or_else(|| malformed("unexpected token: <EOF>".to_string()))?;
    let limit = match upper.iter().position(|w| w == "LIMIT") {
        Some(i) => Some(
            words
                .get(i + 1)
                .and_then(|n| n.parse::<usize>().ok())
                .ok_or_else(|| malformed("expecting a number after LIMIT".to_string()))?,
        ),
        None => None,
    };
    Ok(Soql {
        fields,
        object,
        limit,
    })
}

fn query(shared: &Shared, req: &Request) -> ResponseTemplate {
    rest_call(shared, req, |shared, req, version, account, _| {
        let Some(q) = wire::query(req).get("q").cloned() else {
            return rest_error(400, "MALFORMED_QUERY", "A query string has to be specified");
        };
        let soql = match parse_soql(&q) {
            Ok(s) => s,
            Err((code, detail)) => {
                return rest_error(
                    400,
                    code,
                    &format!("\n{q}\n^\nERROR at Row:1:Column:1\n{detail}"),
                );
            }
        };
        let Some(object) = SOBJECTS
            .iter()
            .find(|o| o.name.eq_ignore_ascii_case(&soql.object))
        else {
            return rest_error(
                400,
                "INVALID_TYPE",
                &format!(
                    "\n{q}\n^\nERROR at Row:1:Column:1\nsObject type '{}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.",
                    soql.object
                ),
            );
        };
        let mut chosen = Vec::new();
        for f in &soql.fields {
            match object.fields.iter().find(|k| k.eq_ignore_ascii_case(f)) {
                Some(k) => chosen.push(*k),
                None => {
                    return rest_error(
                        400,
                        "INVALID_FIELD",
                        &format!(
                            "\n{q}\n^\nERROR at Row:1:Column:8\nNo such column '{f}' on entity '{}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.",
                            object.name
                        ),
                    );
                }
            }
        }
        let rows = records(shared, object, account);
        let limit = soql.limit.unwrap_or(usize::MAX);
        let records: Vec<Value> = rows
            .iter()
            .take(limit)
            .map(|row| {
                let id = row["Id"].as_str().unwrap_or_default();
                let mut out = serde_json::Map::new();
                out.insert(
                    "attributes".into(),
                    json!({"type": object.name, "url": format!("/services/data/{version}/sobjects/{}/{id}", object.name)}),
                );
                for f in &chosen {
                    out.insert((*f).to_string(), row[*f].clone());
                }
                Value::Object(out)
            })
            .collect();
        wire::json(
            200,
            &json!({"totalSize": records.len(), "done": true, "records": records}),
            JSON,
        )
    })
}

/// The identity service's answer about the token's user, in `shape`'s
/// field names; a dead token gets its bare 403.
fn token_user(
    shared: &Shared,
    req: &Request,
    shape: fn(&Account, &str, &str, &str) -> Value,
) -> ResponseTemplate {
    let token = bearer(req);
    match flow::authenticate(shared, token.as_deref()).1 {
        Ok((a, _)) => {
            let instance = shared.base_url();
            let uid = user_id(&a);
            let id_url = format!("{instance}/id/{ORG_ID}/{uid}");
            wire::json(200, &shape(&a, &instance, &uid, &id_url), JSON)
        }
        Err(_) => ResponseTemplate::new(403).set_body_raw("Bad_OAuth_Token", "text/plain"),
    }
}

/// `(first, last)` of a display name.
fn name_parts(a: &Account) -> (&str, &str) {
    a.name.split_once(' ').unwrap_or((a.name.as_str(), ""))
}

/// `GET /id/{org}/{user}`: the identity URL.
fn identity(shared: &Shared, req: &Request) -> ResponseTemplate {
    token_user(shared, req, |a, instance, uid, id_url| {
        let (first, last) = name_parts(a);
        json!({
            "id": id_url,
            "asserted_user": true,
            "user_id": uid,
            "organization_id": ORG_ID,
            "username": a.email,
            "nick_name": a.login,
            "display_name": a.name,
            "email": a.email,
            "email_verified": true,
            "first_name": first,
            "last_name": last,
            "timezone": "America/Los_Angeles",
            "active": true,
            "user_type": "STANDARD",
            "language": "en_US",
            "locale": "en_US",
            "utcOffset": -28_800_000,
            "urls": {
                "rest": format!("{instance}/services/data/v{{version}}/"),
                "query": format!("{instance}/services/data/v{{version}}/query/"),
                "sobjects": format!("{instance}/services/data/v{{version}}/sobjects/"),
            },
        })
    })
}

/// `GET /services/oauth2/userinfo`: the same user in OpenID Connect's
/// claim names.
fn userinfo(shared: &Shared, req: &Request) -> ResponseTemplate {
    token_user(shared, req, |a, _, uid, id_url| {
        let (first, last) = name_parts(a);
        json!({
            "sub": id_url,
            "user_id": uid,
            "organization_id": ORG_ID,
            "preferred_username": a.email,
            "nickname": a.login,
            "name": a.name,
            "given_name": first,
            "family_name": last,
            "email": a.email,
            "email_verified": true,
            "zoneinfo": "America/Los_Angeles",
            "locale": "en_US",
            "active": true,
            "user_type": "STANDARD",
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::ProviderKind;
    use crate::providers::engine::ProviderMock;
    use crate::providers::engine::testing::{self, CALLBACK, CLIENT_ID, CLIENT_SECRET};

    const QUERY: &str = "/services/data/v62.0/query?q=SELECT+Id,Name+FROM+Account";

    async fn salesforce() -> ProviderMock {
        testing::start(ProviderKind::Salesforce, true).await
    }

    #[tokio::test]
    async fn a_grant_has_instance_url_identity_url_and_issued_at_but_no_expires_in() {
        let mock = salesforce().await;
        let code = testing::code(&mock, "api refresh_token id").await;
        let resp = testing::exchange(&mock, &code).await;
        assert_eq!(resp.status(), 200);
        let body = testing::json(resp).await;
        assert!(body.get("expires_in").is_none());
        assert_eq!(body["instance_url"], mock.uri());
        assert!(
            body["id"]
                .as_str()
                .is_some_and(|i| i.contains(&format!("/id/{ORG_ID}/005")))
        );
        assert_eq!(body["token_type"], "Bearer");
        assert_eq!(body["scope"], "api refresh_token id");
        assert!(
            body["issued_at"]
                .as_str()
                .is_some_and(|t| t.parse::<i64>().is_ok())
        );
        assert!(body["signature"].as_str().is_some_and(|s| s.ends_with('=')));
        assert!(
            body["access_token"]
                .as_str()
                .is_some_and(|t| t.starts_with("00D"))
        );
        assert!(body["refresh_token"].is_string());
    }

    #[tokio::test]
    async fn without_the_refresh_token_scope_there_is_no_refresh_token() {
        let mock = salesforce().await;
        let (_, rt) = testing::tokens(&mock, "api").await;
        assert_eq!(rt, None);
    }

    #[tokio::test]
    async fn format_urlencoded_answers_form_encoded() {
        let mock = salesforce().await;
        let code = testing::code(&mock, "api").await;
        let resp = testing::token(
            &mock,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("client_id", CLIENT_ID),
                ("client_secret", CLIENT_SECRET),
                ("format", "urlencoded"),
            ],
        )
        .await;
        let text = resp.text().await.expect("a body");
        assert!(text.starts_with("access_token=00D"), "{text}");
        assert!(text.contains("token_type=Bearer"));
    }

    #[tokio::test]
    async fn token_errors_are_400_with_salesforces_descriptions() {
        let mock = salesforce().await;
        let unknown = testing::exchange(&mock, "aPrxnope").await;
        assert_eq!(unknown.status(), 400);
        assert_eq!(
            testing::json(unknown).await,
            json!({"error": "invalid_grant", "error_description": "invalid authorization code"})
        );
        let code = testing::code(&mock, "api").await;
        let moved = testing::token(
            &mock,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("client_id", CLIENT_ID),
                ("client_secret", CLIENT_SECRET),
                ("redirect_uri", "http://elsewhere/cb"),
            ],
        )
        .await;
        assert_eq!(
            testing::json(moved).await,
            json!({"error": "invalid_grant", "error_description": "redirect uri does not match configuration"})
        );
        let bad_client = testing::token(
            &mock,
            &[
                ("grant_type", "authorization_code"),
                ("code", "x"),
                ("client_id", "nobody"),
            ],
        )
        .await;
        assert_eq!(
            testing::json(bad_client).await,
            json!({"error": "invalid_client_id", "error_description": "client identifier invalid"})
        );
        let wrong_grant = testing::token(&mock, &[("grant_type", "password")]).await;
        assert_eq!(
            testing::json(wrong_grant).await,
            json!({"error": "unsupported_grant_type", "error_description": "grant type not supported"})
        );
    }

    #[tokio::test]
    async fn an_expired_code_says_so() {
        let mock = salesforce().await;
        let code = testing::code(&mock, "api").await;
        mock.shared()
            .clock
            .advance(std::time::Duration::from_secs(16 * 60));
        assert_eq!(
            testing::json(testing::exchange(&mock, &code).await).await,
            json!({"error": "invalid_grant", "error_description": "authorization code expired"})
        );
    }

    #[tokio::test]
    async fn refresh_keeps_the_refresh_token_unless_rotation_is_on() {
        let mock = salesforce().await;
        let (_, rt) = testing::tokens(&mock, "api refresh_token").await;
        let rt = rt.expect("a refresh token");
        let body = testing::json(testing::refresh(&mock, &rt).await).await;
        assert!(body["access_token"].is_string());
        assert!(body.get("refresh_token").is_none());
        mock.engine().revoke_refresh_tokens(None);
        let refused = testing::refresh(&mock, &rt).await;
        assert_eq!(refused.status(), 400);
        assert_eq!(
            testing::json(refused).await,
            json!({"error": "invalid_grant", "error_description": "expired access/refresh token"})
        );
    }

    #[tokio::test]
    async fn a_dead_session_is_a_401_array_with_invalid_session_id() {
        let mock = salesforce().await;
        let resp = testing::get(&mock, QUERY, "00Dnope").await;
        assert_eq!(resp.status(), 401);
        assert_eq!(
            testing::header(&resp, "www-authenticate").as_deref(),
            Some("Token")
        );
        assert!(
            testing::header(&resp, "sforce-limit-info")
                .is_some_and(|l| l.starts_with("api-usage="))
        );
        assert_eq!(
            testing::json(resp).await,
            json!([{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}])
        );
    }

    #[tokio::test]
    async fn a_token_without_the_api_scope_is_not_valid_for_the_rest_api() {
        let mock = salesforce().await;
        let (token, _) = testing::tokens(&mock, "id refresh_token").await;
        let resp = testing::get(&mock, QUERY, &token).await;
        assert_eq!(resp.status(), 401);
        assert_eq!(
            testing::json(resp).await,
            json!([{"message": "This session is not valid for use with the REST API", "errorCode": "INVALID_SESSION_ID"}])
        );
    }

    #[tokio::test]
    async fn a_session_times_out_after_two_idle_hours() {
        let mock = salesforce().await;
        let (token, _) = testing::tokens(&mock, "api").await;
        assert_eq!(testing::get(&mock, QUERY, &token).await.status(), 200);
        mock.shared()
            .clock
            .advance(std::time::Duration::from_secs(3 * 3600));
        assert_eq!(testing::get(&mock, QUERY, &token).await.status(), 401);
    }

    #[tokio::test]
    async fn query_returns_records_with_attributes_and_the_asked_fields() {
        let mock = salesforce().await;
        let (token, _) = testing::tokens(&mock, "api").await;
        let resp = testing::get(&mock, QUERY, &token).await;
        assert_eq!(
            testing::header(&resp, "sforce-limit-info").as_deref(),
            Some("api-usage=1/100000")
        );
        let body = testing::json(resp).await;
        assert_eq!(body["done"], true);
        assert_eq!(body["totalSize"], 5);
        let first = &body["records"][0];
        assert_eq!(first["attributes"]["type"], "Account");
        assert!(first["Id"].as_str().is_some_and(|i| i.starts_with("001")));
        assert!(first["Name"].is_string());
        assert!(first.get("Industry").is_none());
        let again = testing::json(testing::get(&mock, QUERY, &token).await).await;
        assert_eq!(again["records"][0]["Name"], first["Name"]);
    }

    #[tokio::test]
    async fn bad_soql_is_a_400_malformed_query_and_unknown_objects_invalid_type() {
        let mock = salesforce().await;
        let (token, _) = testing::tokens(&mock, "api").await;
        let bad = testing::json(
            testing::get(
                &mock,
                "/services/data/v62.0/query?q=SELEKT+Id+FROM+Account",
                &token,
            )
            .await,
        )
        .await;
        assert_eq!(bad[0]["errorCode"], "MALFORMED_QUERY");
        let unknown = testing::json(
            testing::get(
                &mock,
                "/services/data/v62.0/query?q=SELECT+Id+FROM+Widget",
                &token,
            )
            .await,
        )
        .await;
        assert_eq!(unknown[0]["errorCode"], "INVALID_TYPE");
        let field = testing::json(
            testing::get(
                &mock,
                "/services/data/v62.0/query?q=SELECT+Shoe+FROM+Account",
                &token,
            )
            .await,
        )
        .await;
        assert_eq!(field[0]["errorCode"], "INVALID_FIELD");
    }

    #[tokio::test]
    async fn sobjects_lists_queryable_objects_and_unknown_versions_are_not_found() {
        let mock = salesforce().await;
        let (token, _) = testing::tokens(&mock, "api").await;
        let body =
            testing::json(testing::get(&mock, "/services/data/v62.0/sobjects", &token).await).await;
        assert_eq!(body["encoding"], "UTF-8");
        assert_eq!(body["sobjects"][0]["name"], "Account");
        assert_eq!(
            body["sobjects"][0]["urls"]["sobject"],
            "/services/data/v62.0/sobjects/Account"
        );
        let old = testing::get(&mock, "/services/data/v9.0/sobjects", &token).await;
        assert_eq!(old.status(), 404);
    }

    #[tokio::test]
    async fn an_unregistered_redirect_uri_stops_on_a_salesforce_page() {
        let mock = salesforce().await;
        let resp = testing::authorize(
            &mock,
            &[
                ("redirect_uri", "http://evil.example/cb"),
                ("response_type", "code"),
            ],
        )
        .await;
        assert_eq!(resp.status(), 400);
        let body = resp.text().await.expect("a page");
        assert!(body.contains("error=redirect_uri_mismatch&amp;error_description=redirect_uri%20must%20match%20configuration"), "{body}");
    }

    #[tokio::test]
    async fn a_denial_goes_back_with_access_denied() {
        let mock = salesforce().await;
        mock.engine().user_denies = true;
        let resp = testing::authorize(
            &mock,
            &[
                ("redirect_uri", CALLBACK),
                ("response_type", "code"),
                ("state", "sf"),
            ],
        )
        .await;
        assert_eq!(
            testing::location_param(&resp, "error").as_deref(),
            Some("access_denied")
        );
        assert_eq!(
            testing::location_param(&resp, "error_description").as_deref(),
            Some("end-user denied authorization")
        );
        assert_eq!(
            testing::location_param(&resp, "state").as_deref(),
            Some("sf")
        );
    }

    #[tokio::test]
    async fn revoking_a_refresh_token_ends_its_sessions() {
        let mock = salesforce().await;
        let (token, rt) = testing::tokens(&mock, "api refresh_token").await;
        let resp = testing::http()
            .post(format!("{}/services/oauth2/revoke", mock.uri()))
            .form(&[("token", rt.expect("a refresh token").as_str())])
            .send()
            .await
            .expect("answers");
        assert_eq!(resp.status(), 200);
        assert_eq!(testing::get(&mock, QUERY, &token).await.status(), 401);
    }
}

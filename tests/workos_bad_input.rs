//! Bad input never gets a 5xx, a panic or a plain-text answer from the WorkOS
//! mock: each case below is sent byte for byte over a raw TCP connection
//! (so nothing normalizes paths or fixes bodies on the way) and must come
//! back as the documented 4xx with a JSON body carrying a `message`.

use pipes_harness::mock::Stack;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// One bad request and what WorkOS answers to it.
struct Case {
    what: &'static str,
    method: &'static str,
    path: String,
    /// `None` = no Authorization header; `Some("")` = the stack's API key.
    auth: Option<String>,
    content_type: Option<&'static str>,
    body: Vec<u8>,
    /// Send the body chunked, without a Content-Length.
    chunked: bool,
    status: u16,
    code: Option<&'static str>,
}

fn case(what: &'static str, method: &'static str, path: &str, body: &[u8], status: u16) -> Case {
    Case {
        what,
        method,
        path: path.to_string(),
        auth: Some(String::new()),
        content_type: Some("application/json"),
        body: body.to_vec(),
        chunked: false,
        status,
        code: None,
    }
}

impl Case {
    fn code(mut self, code: &'static str) -> Self {
        self.code = Some(code);
        self
    }
    fn auth(mut self, header: Option<&str>) -> Self {
        self.auth = header.map(str::to_string);
        self
    }
    fn content_type(mut self, ct: Option<&'static str>) -> Self {
        self.content_type = ct;
        self
    }
    fn chunked(mut self) -> Self {
        self.chunked = true;
        self
    }
}

struct Answer {
    status: u16,
    content_type: String,
    body: Vec<u8>,
}

/// Sends `c` over raw TCP and reads the whole answer.
async fn send(addr: &str, api_key: &str, c: &Case) -> Answer {
    let mut stream = tokio::net::TcpStream::connect(addr)
        .await
        .expect("the mock accepts connections");
    let mut head = format!(
        "{} {} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n",
        c.method, c.path
    );
    match &c.auth {
        Some(a) if a.is_empty() => head.push_str(&format!("Authorization: Bearer {api_key}\r\n")),
        Some(a) => head.push_str(&format!("Authorization: {a}\r\n")),
        None => {}
    }
    if let Some(ct) = c.content_type {
        head.push_str(&format!("Content-Type: {ct}\r\n"));
    }
    let mut raw = Vec::new();
    if c.chunked {
        head.push_str("Transfer-Encoding: chunked\r\n\r\n");
        raw.extend_from_slice(head.as_bytes());
        for chunk in c.body.chunks(64 * 1024) {
            raw.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
            raw.extend_from_slice(chunk);
            raw.extend_from_slice(b"\r\n");
        }
        raw.extend_from_slice(b"0\r\n\r\n");
    } else {
        head.push_str(&format!("Content-Length: {}\r\n\r\n", c.body.len()));
        raw.extend_from_slice(head.as_bytes());
        raw.extend_from_slice(&c.body);
    }
    // The server may answer (413) and close before reading a huge body;
    // a failed write is then expected, and the answer is still there.
    let _ = stream.write_all(&raw).await;
    let mut out = Vec::new();
    let _ = stream.read_to_end(&mut out).await;
    parse(&out, c.what)
}

fn parse(raw: &[u8], what: &str) -> Answer {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| {
            panic!(
                "{what}: no HTTP answer, got {:?}",
                String::from_utf8_lossy(raw)
            )
        });
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut body = raw[split + 4..].to_vec();
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{what}: bad status line in {head}"));
    let header = |name: &str| {
        head.lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.trim()
                    .eq_ignore_ascii_case(name)
                    .then(|| v.trim().to_string())
            })
            .unwrap_or_default()
    };
    if header("transfer-encoding").eq_ignore_ascii_case("chunked") {
        body = dechunk(&body);
    }
    Answer {
        status,
        content_type: header("content-type"),
        body,
    }
}

fn dechunk(mut rest: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(line_end) = rest.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&rest[..line_end]).trim(), 16)
            .unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = line_end + 2;
        out.extend_from_slice(&rest[start..(start + size).min(rest.len())]);
        rest = &rest[(start + size + 2).min(rest.len())..];
    }
    out
}

fn nested(depth: usize) -> Vec<u8> {
    let mut s = String::from("{\"user_id\":");
    s.push_str(&"[".repeat(depth));
    s.push_str(&"]".repeat(depth));
    s.push('}');
    s.into_bytes()
}

fn cases(user: &str) -> Vec<Case> {
    let huge = {
        let mut b = b"{\"user_id\":\"".to_vec();
        b.extend(std::iter::repeat_n(b'a', 1024 * 1024 + 512 * 1024));
        b.extend_from_slice(b"\"}");
        b
    };
    let token = "/data-integrations/github/token";
    let long_slug = format!("/data-integrations/{}/token", "a".repeat(10_000));
    vec![
        case("malformed JSON", "POST", token, b"{user_id: alice}", 400)
            .code("invalid_request_body"),
        case("truncated JSON", "POST", token, b"{\"user_id\": \"use", 400)
            .code("invalid_request_body"),
        case(
            "a JSON array instead of an object",
            "POST",
            token,
            b"[1,2,3]",
            400,
        )
        .code("invalid_request_body"),
        case("a bare JSON string", "POST", token, b"\"user\"", 400).code("invalid_request_body"),
        case(
            "invalid UTF-8 in the body",
            "POST",
            token,
            b"{\"user_id\": \"\xff\xfe\"}",
            400,
        )
        .code("invalid_request_body"),
        case(
            "JSON nested ten thousand levels deep",
            "POST",
            token,
            &nested(10_000),
            400,
        )
        .code("invalid_request_body"),
        case(
            "a number where a string belongs",
            "POST",
            token,
            br#"{"user_id": 5}"#,
            422,
        )
        .code("invalid_request_parameters"),
        case(
            "a string where a boolean belongs",
            "POST",
            "/data-integrations",
            br#"{"provider": "github", "enabled": "yes"}"#,
            422,
        )
        .code("invalid_request_parameters"),
        case(
            "an object where a list belongs",
            "POST",
            "/webhook_endpoints",
            br#"{"endpoint_url": "https://a.example/h", "events": {"a": 1}}"#,
            422,
        ),
        case(
            "an empty body where fields are required",
            "POST",
            token,
            b"",
            422,
        )
        .code("invalid_request_parameters"),
        case(
            "an empty string for a required field",
            "POST",
            "/user_management/users",
            br#"{"email": ""}"#,
            422,
        ),
        case(
            "an unknown enum value",
            "POST",
            token,
            br#"{"user_id": "u", "connection_owner": "team"}"#,
            422,
        ),
        case("a body over 1 MiB", "POST", token, &huge, 413).code("request_entity_too_large"),
        case("a chunked body over 1 MiB", "POST", token, &huge, 413)
            .code("request_entity_too_large")
            .chunked(),
        case("a form-encoded body", "POST", token, b"user_id=alice", 400)
            .code("invalid_content_type")
            .content_type(Some("application/x-www-form-urlencoded")),
        case(
            "a text/plain body",
            "POST",
            "/user_management/users",
            br#"{"email":"a@b.co"}"#,
            400,
        )
        .code("invalid_content_type")
        .content_type(Some("text/plain")),
        case("an unknown route", "GET", "/pipes/connections", b"", 404).code("not_found"),
        case(
            "an unknown route without auth",
            "POST",
            "/v1/teleport",
            b"",
            404,
        )
        .code("not_found")
        .auth(None),
        case(
            "an unknown method on a known route",
            "PATCH",
            "/data-integrations",
            b"{}",
            405,
        )
        .code("method_not_allowed"),
        case("DELETE on the token route", "DELETE", token, b"", 405).code("method_not_allowed"),
        case(
            "no Authorization header",
            "GET",
            "/data-integrations",
            b"",
            401,
        )
        .code("unauthorized")
        .auth(None),
        case("an unknown API key", "GET", "/data-integrations", b"", 401)
            .code("unauthorized")
            .auth(Some("Bearer sk_test_not_a_key")),
        case(
            "a key without the sk_ prefix",
            "GET",
            "/data-integrations",
            b"",
            401,
        )
        .auth(Some("Bearer pk_test_123")),
        case(
            "Basic instead of Bearer",
            "GET",
            "/data-integrations",
            b"",
            401,
        )
        .auth(Some("Basic c2tfdGVzdDo=")),
        case("Bearer with no key", "GET", "/data-integrations", b"", 401).auth(Some("Bearer")),
        case(
            "non-ASCII bytes in the Authorization header",
            "GET",
            "/data-integrations",
            b"",
            401,
        )
        .auth(Some("Bearer sk_t\u{e9}st\u{2603}")),
        case(
            "a lowercase scheme and an unknown key",
            "GET",
            "/data-integrations",
            b"",
            401,
        )
        .auth(Some("bearer sk_live_zzz")),
        case(
            "path traversal in a slug",
            "POST",
            "/data-integrations/..%2F..%2Fetc%2Fpasswd/token",
            br#"{"user_id":"u"}"#,
            404,
        ),
        case(
            "a dot-dot slug",
            "POST",
            "/data-integrations/../token",
            br#"{"user_id":"u"}"#,
            404,
        ),
        case(
            "an encoded dot-dot slug",
            "GET",
            "/data-integrations/%2E%2E",
            b"",
            404,
        ),
        case(
            "a NUL byte in a slug",
            "GET",
            "/data-integrations/git%00hub",
            b"",
            404,
        ),
        case(
            "invalid UTF-8 in a slug",
            "GET",
            "/data-integrations/%FF%FE",
            b"",
            404,
        ),
        case(
            "a ten-thousand-character slug",
            "POST",
            &long_slug,
            br#"{"user_id":"u"}"#,
            404,
        ),
        case(
            "an uppercase slug",
            "GET",
            "/data-integrations/GITHUB",
            b"",
            404,
        ),
        case(
            "path traversal in a user id",
            "GET",
            "/user_management/users/..%2F..%2Fadmin/connected_accounts/github",
            b"",
            404,
        ),
        case(
            "an id with the wrong prefix",
            "GET",
            "/user_management/users/org_01ABC",
            b"",
            404,
        ),
        case(
            "path traversal in an organization id",
            "GET",
            "/organizations/%2E%2E%2Fsecrets/data_providers",
            b"",
            404,
        ),
        case(
            "a malformed webhook endpoint id",
            "DELETE",
            "/webhook_endpoints/we_%2F..%2F",
            b"",
            404,
        ),
        case(
            "a malformed membership id",
            "PUT",
            "/user_management/organization_memberships/om_%00/deactivate",
            b"",
            404,
        ),
        case(
            "a slug with a traversal in a user route",
            "GET",
            &format!("/user_management/users/{user}/connected_accounts/..%2F..%2Fx"),
            b"",
            404,
        ),
        case(
            "a non-boolean supports_multiple_connections",
            "GET",
            &format!(
                "/user_management/users/{user}/connected_accounts/github?supports_multiple_connections=maybe"
            ),
            b"",
            422,
        ),
        case(
            "a limit out of range",
            "GET",
            "/data-integrations?limit=1000",
            b"",
            422,
        ),
        case(
            "a limit that is not a number",
            "GET",
            "/user_management/users?limit=%ZZ",
            b"",
            422,
        ),
        case(
            "an unknown order",
            "GET",
            "/organizations?order=sideways",
            b"",
            422,
        ),
        case(
            "a cursor that names nothing",
            "GET",
            "/webhook_endpoints?after=we_01NOTHING",
            b"",
            422,
        ),
        case(
            "a bad ISO timestamp",
            "POST",
            &format!("/user_management/users/{user}/connected_accounts/github"),
            br#"{"access_token":"t","expires_at":"tomorrow"}"#,
            422,
        ),
    ]
}

#[tokio::test]
async fn bad_input_gets_a_workos_shaped_4xx_and_never_a_5xx() {
    let stack = Stack::start(11).await.expect("stack starts");
    {
        let ctx = stack.workos.ctx();
        let mut st = ctx.state();
        st.add_integration(pipes_harness::mock::workos::state::Integration::builtin(
            "data_integration_01GITHUB",
            &stack.sandbox,
            pipes_harness::ProviderKind::Github,
            0,
        ));
        st.add_user(pipes_harness::mock::workos::state::User {
            id: "user_01ADA".into(),
            env: stack.sandbox.clone(),
            email: "ada@example.com".into(),
            ..Default::default()
        });
    }
    let addr = stack.workos.uri().trim_start_matches("http://").to_string();
    let mut failures = Vec::new();
    for c in cases("user_01ADA") {
        let a = send(&addr, &stack.api_key, &c).await;
        let body: Option<Value> = serde_json::from_slice(&a.body).ok();
        let message = body
            .as_ref()
            .and_then(|b| b.get("message"))
            .and_then(Value::as_str)
            .map(str::to_string);
        let code = body
            .as_ref()
            .and_then(|b| b.get("code"))
            .and_then(Value::as_str)
            .map(str::to_string);
        let mut wrong = Vec::new();
        if a.status != c.status {
            wrong.push(format!("status {} (expected {})", a.status, c.status));
        }
        if a.status >= 500 {
            wrong.push("a server error".to_string());
        }
        if !a.content_type.starts_with("application/json") {
            wrong.push(format!("content-type '{}'", a.content_type));
        }
        if message.as_deref().is_none_or(str::is_empty) {
            wrong.push(format!(
                "no message in {:?}",
                String::from_utf8_lossy(&a.body)
            ));
        }
        if let Some(expected) = c.code
            && code.as_deref() != Some(expected)
        {
            wrong.push(format!("code {code:?} (expected {expected})"));
        }
        if !wrong.is_empty() {
            failures.push(format!("{}: {}", c.what, wrong.join(", ")));
        }
    }
    assert!(
        failures.is_empty(),
        "bad input answered wrongly:\n{}",
        failures.join("\n")
    );
    // After all that, the mock still answers normally.
    let ok = send(
        &addr,
        &stack.api_key,
        &case(
            "a good request",
            "GET",
            "/data-integrations/github",
            b"",
            200,
        ),
    )
    .await;
    assert_eq!(ok.status, 200);
}

#[tokio::test]
async fn a_client_that_drops_mid_body_leaves_the_mock_serving() {
    let stack = Stack::start(12).await.expect("stack starts");
    let addr = stack.workos.uri().trim_start_matches("http://").to_string();
    let mut stream = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("connect");
    let head = format!(
        "POST /data-integrations/github/token HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"user_",
        stack.api_key
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    drop(stream);
    let ok = send(
        &addr,
        &stack.api_key,
        &case(
            "after a dropped client",
            "GET",
            "/data-integrations",
            b"",
            200,
        ),
    )
    .await;
    assert_eq!(ok.status, 200);
}

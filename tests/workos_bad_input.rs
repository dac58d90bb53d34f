//! Bad input never gets a 5xx, a panic or a plain-text answer from the WorkOS
//! mock: each case below is sent byte for byte over a raw TCP connection
//! (so nothing normalizes paths or fixes bodies on the way) and must come
//! back as the documented 4xx with a JSON body carrying a `message`.

use pipes_harness::{Harness, ProviderKind};
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
    let harness = Harness::with_seed(11).await.expect("the stack starts");
    harness.workos().configure(ProviderKind::Github);
    let ada = harness.user("ada");
    let api_key = harness.workos().api_key().to_string();
    let addr = harness
        .workos()
        .uri()
        .trim_start_matches("http://")
        .to_string();
    let mut failures = Vec::new();
    for c in cases(&ada) {
        let a = send(&addr, &api_key, &c).await;
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
        &api_key,
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
    let harness = Harness::with_seed(12).await.expect("the stack starts");
    let api_key = harness.workos().api_key().to_string();
    let addr = harness
        .workos()
        .uri()
        .trim_start_matches("http://")
        .to_string();
    let mut stream = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("connect");
    let head = format!(
        "POST /data-integrations/github/token HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"user_",
        api_key
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    drop(stream);
    let ok = send(
        &addr,
        &api_key,
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

// ---------------------------------------------------------------------------
// `serve` as a whole: every listener (WorkOS and the four provider mocks)
// answers malformed framing with a 4xx, the control API refuses foreign
// hosts, origins and content types, edge values are 422s, hostile seeds are
// refused naming the limit, and nothing panics on the way.

mod serve_process {
    use std::io::{BufRead, BufReader, Read};
    use std::process::{Child, Command, Stdio};
    use std::time::Duration;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    const BIN: &str = env!("CARGO_BIN_EXE_pipes-harness");

    pub struct Serve {
        pub child: Child,
        pub urls: Vec<(String, String)>,
    }

    impl Serve {
        pub fn start(args: &[&str]) -> Serve {
            let mut child = Command::new(BIN)
                .args(["serve", "--port", "0"])
                .args(args)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("serve starts");
            let stdout = child.stdout.take().expect("stdout");
            let mut urls = Vec::new();
            for line in BufReader::new(stdout).lines() {
                let line = line.expect("utf-8");
                if line == "ready" {
                    break;
                }
                if let Some((name, url)) = line.split_once(' ') {
                    urls.push((name.to_string(), url.to_string()));
                }
            }
            Serve { child, urls }
        }

        pub fn addr(&self, name: &str) -> String {
            self.urls
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, u)| u.trim_start_matches("http://").to_string())
                .expect("service listed")
        }

        /// Stops serve; its stderr.
        pub fn stop(mut self) -> String {
            let _ = Command::new("kill")
                .args(["-TERM", &self.child.id().to_string()])
                .status();
            let _ = self.child.wait();
            let mut err = String::new();
            if let Some(mut e) = self.child.stderr.take() {
                let _ = e.read_to_string(&mut err);
            }
            err
        }
    }

    /// Sends `bytes`, optionally half-closes, and reads the answer's status
    /// line (empty when the connection closed without one).
    pub async fn raw(addr: &str, bytes: &[u8], half_close: bool) -> String {
        let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
        let _ = s.write_all(bytes).await;
        if half_close {
            let _ = s.shutdown().await;
        }
        let mut buf = Vec::new();
        // A guard against a hang only: an answer comes at once.
        let _ = tokio::time::timeout(Duration::from_secs(30), s.read_to_end(&mut buf)).await;
        let text = String::from_utf8_lossy(&buf).to_string();
        text.lines().next().unwrap_or_default().to_string()
    }

    pub fn status(line: &str) -> u16 {
        line.split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)
    }
}

fn temp_file(name: &str, text: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!(
        "pipes-bad-input-{}-{name}.yaml",
        std::process::id()
    ));
    std::fs::write(&path, text).expect("write temp file");
    path
}

#[tokio::test]
async fn every_serve_listener_answers_bad_framing_with_a_4xx_and_nothing_panics() {
    use serve_process::{Serve, raw, status};
    let serve = Serve::start(&[]);
    for name in ["workos", "github", "slack", "google", "salesforce"] {
        let addr = serve.addr(name);
        let head = |extra: &str| {
            format!(
                "POST /x HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n{extra}\r\n"
            )
        };
        let cases: Vec<(&str, Vec<u8>, bool)> = vec![
            (
                "malformed chunked body",
                format!(
                    "{}ZZ\r\nabc\r\n0\r\n\r\n",
                    head("Transfer-Encoding: chunked\r\n")
                )
                .into_bytes(),
                false,
            ),
            (
                "truncated chunked body",
                format!("{}10\r\nabc", head("Transfer-Encoding: chunked\r\n")).into_bytes(),
                true,
            ),
            (
                "body shorter than its Content-Length",
                format!("{}{{\"a\":", head("Content-Length: 100\r\n")).into_bytes(),
                true,
            ),
            (
                "50 MB body",
                head("Content-Length: 52428800\r\n").into_bytes(),
                false,
            ),
            ("garbage request line", b"GARBAGE\r\n\r\n".to_vec(), false),
        ];
        for (what, bytes, half_close) in cases {
            let line = raw(&addr, &bytes, half_close).await;
            let code = status(&line);
            assert!(
                (400..500).contains(&code),
                "{name}, {what}: expected a 4xx, got {line:?}"
            );
        }
    }
    let stderr = serve.stop();
    assert!(!stderr.contains("panicked"), "serve panicked:\n{stderr}");
}

#[tokio::test]
async fn the_control_api_refuses_foreign_hosts_origins_and_content_types() {
    use serve_process::{Serve, raw, status};
    let serve = Serve::start(&["--control-token", "ctl-secret"]);
    let addr = serve.addr("workos");
    let port = addr.rsplit(':').next().unwrap_or_default().to_string();
    let send = |method: &str, host: &str, extra: &str, body: &str| {
        format!(
            "{method} /_harness/reset HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n{extra}Content-Length: {}\r\n\r\n{body}",
            body.len()
        )
    };
    let good = "Authorization: Bearer ctl-secret\r\nContent-Type: application/json\r\n";
    let cases = [
        (
            "DNS-rebound host",
            send("POST", &format!("rebind.example:{port}"), good, "{}"),
            403,
        ),
        (
            "foreign origin",
            send(
                "POST",
                &addr,
                &format!("{good}Origin: http://evil.example\r\n"),
                "{}",
            ),
            403,
        ),
        (
            "another local port's page",
            send(
                "POST",
                &addr,
                &format!("{good}Origin: http://127.0.0.1:3000\r\n"),
                "{}",
            ),
            403,
        ),
        (
            "text/plain body",
            send(
                "POST",
                &addr,
                "Authorization: Bearer ctl-secret\r\nContent-Type: text/plain\r\n",
                "{}",
            ),
            415,
        ),
        (
            "no token",
            send("POST", &addr, "Content-Type: application/json\r\n", "{}"),
            401,
        ),
        (
            "wrong token",
            send(
                "POST",
                &addr,
                "Authorization: Bearer nope\r\nContent-Type: application/json\r\n",
                "{}",
            ),
            401,
        ),
        (
            "the real thing",
            send("POST", &format!("localhost:{port}"), good, "{}"),
            200,
        ),
    ];
    for (what, request, want) in cases {
        let line = raw(&addr, request.as_bytes(), false).await;
        assert_eq!(status(&line), want, "{what}: {line}");
    }
    // Edge values: the clock never wraps.
    for seconds in ["18446744073709551615", "1e300", "-1", "315360001"] {
        let body = format!("{{\"seconds\": {seconds}}}");
        let request = format!(
            "POST /_harness/clock/advance HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n{good}Content-Length: {}\r\n\r\n{body}",
            body.len()
        );
        let line = raw(&addr, request.as_bytes(), false).await;
        assert_eq!(status(&line), 422, "advance {seconds}: {line}");
    }
    let stderr = serve.stop();
    assert!(!stderr.contains("panicked"), "serve panicked:\n{stderr}");
    assert!(
        !stderr.contains("ctl-secret"),
        "the control token is never printed:\n{stderr}"
    );
}

#[test]
fn hostile_seeds_are_refused_naming_the_limit() {
    let big = "x".repeat(1 << 20);
    let mut alias_bomb =
        format!("users:\n  - email: a@example.com\n    first_name: &big \"{big}\"\n");
    for i in 0..500 {
        alias_bomb.push_str(&format!(
            "  - email: u{i}@example.com\n    first_name: *big\n"
        ));
    }
    let brackets = format!("users: {}", "[".repeat(200_000));
    let cases = [
        ("aliases", alias_bomb, "aliases"),
        ("brackets", brackets, "64 levels"),
        (
            "expires-in",
            "users:\n  - email: a@example.com\ndata_integrations:\n  - slug: github\nconnected_accounts:\n  - user: a@example.com\n    slug: github\n    expires_in: 18446744073709551615\n".to_string(),
            "at most",
        ),
        (
            "expires-at",
            "users:\n  - email: a@example.com\ndata_integrations:\n  - slug: github\nconnected_accounts:\n  - user: a@example.com\n    slug: github\n    expires_at: 2025-02-31T00:00:00Z\n".to_string(),
            "expires_at",
        ),
        (
            "production-default-key",
            "environment: production\n".to_string(),
            "sk_test_default",
        ),
    ];
    for (name, text, needle) in cases {
        let path = temp_file(name, &text);
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_pipes-harness"))
            .args(["serve", "--port", "0", "--seed"])
            .arg(&path)
            .output()
            .expect("serve runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(stderr.contains(needle), "{name}: {stderr}");
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
        let _ = std::fs::remove_file(path);
    }
}

#!/usr/bin/env bash
# The app suite in CI: the example Node app (official SDK) next to
# `pipes-harness serve`, checked the way a team checks its own app.
#
# 1. builds the binary, installs the example's locked dependencies;
# 2. starts serve (ephemeral ports, examples/node-app/seed.yaml) and the app;
# 3. runs features/app/ and `doctor` against it: both must pass;
# 4. swaps in the deliberately broken variant (broken.js) and runs the same
#    features: exactly the scenarios listed in EXPECTED_FAILURES must fail,
#    with their diagnoses printed;
# 5. stops everything it started (trap).
set -euo pipefail
cd "$(dirname "$0")/.."

EXPECTED_FAILURES=(
  "features/app/webhooks.feature: A correctly signed event is accepted whatever its JSON formatting"
  "features/app/webhooks.feature: A replayed event with a stale timestamp is rejected"
  "features/app/webhooks.feature: An event timestamped in the future is rejected"
  "features/app/revocation.feature: Alice revokes the app on GitHub and the app asks her to reconnect"
)

API_KEY=sk_test_example_app
CLIENT_ID=client_01EXAMPLEAPP0000000000000
WEBHOOK_SECRET=whsec_example_app_0123456789abcdef

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

say() { printf '\n== %s\n' "$*"; }
fail() {
  printf 'app suite: FAILED: %s\n' "$*" >&2
  exit 1
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits up to 30 s for a URL to answer.
wait_for() {
  local url=$1 what=$2
  for _ in $(seq 1 150); do
    if curl -s -o /dev/null "$url"; then return 0; fi
    sleep 0.2
  done
  fail "$what did not come up at $url"
}

say "build"
cargo build --quiet
bin="${CARGO_TARGET_DIR:-target}/debug/pipes-harness"
[ -x "$bin" ] || fail "no binary at $bin"

say "install the example app's locked dependencies"
npm ci --prefix examples/node-app --no-audit --no-fund --loglevel=error

app_port=$(free_port)
app_url="http://127.0.0.1:$app_port"
sed "s#http://127.0.0.1:3000/webhooks/workos#$app_url/webhooks/workos#" \
  examples/node-app/seed.yaml > "$work/seed.yaml"

say "start pipes-harness serve"
"$bin" serve --port 0 --seed "$work/seed.yaml" > "$work/serve.out" 2> "$work/serve.err" &
pids+=($!)
for _ in $(seq 1 150); do
  grep -qx ready "$work/serve.out" 2>/dev/null && break
  sleep 0.2
done
grep -qx ready "$work/serve.out" || { cat "$work/serve.err" >&2; fail "serve did not print ready"; }
workos_url=$(awk '$1 == "workos" { print $2 }' "$work/serve.out")
github_url=$(awk '$1 == "github" { print $2 }' "$work/serve.out")
cat "$work/serve.out"

start_app() {
  local script=$1
  PORT=$app_port \
    WORKOS_API_KEY=$API_KEY \
    WORKOS_CLIENT_ID=$CLIENT_ID \
    WORKOS_BASE_URL=$workos_url \
    WORKOS_WEBHOOK_SECRET=$WEBHOOK_SECRET \
    GITHUB_API_URL=$github_url \
    node "examples/node-app/$script" > "$work/$script.log" 2>&1 &
  app_pid=$!
  pids+=("$app_pid")
  wait_for "$app_url/health" "the example app ($script)"
}

stop_app() {
  kill "$app_pid" 2>/dev/null || true
  wait "$app_pid" 2>/dev/null || true
}

export PIPES_HARNESS_APP_URL=$app_url
export PIPES_HARNESS_WORKOS_URL=$workos_url
export PIPES_HARNESS_API_KEY=$API_KEY
export PIPES_HARNESS_WEBHOOK_SECRET=$WEBHOOK_SECRET
export PIPES_HARNESS_GITHUB_URL=$github_url

say "the example app: features/app must pass"
start_app server.js
"$bin" run features/app --junit "$work/good.xml" || {
  cat "$work/server.js.log" >&2
  fail "the app features failed against the correct example app"
}

say "the example app: doctor must pass"
WORKOS_API_KEY=$API_KEY WORKOS_CLIENT_ID=$CLIENT_ID \
  "$bin" doctor examples/node-app --app "$app_url" || fail "doctor failed against the example app"
stop_app

say "the broken variant: exactly ${#EXPECTED_FAILURES[@]} scenarios must fail"
curl -s -o /dev/null -X POST -H 'content-type: application/json' -d '{}' "$workos_url/_harness/reset"
start_app broken.js
set +e
"$bin" run features/app --junit "$work/broken.xml"
status=$?
set -e
[ "$status" -eq 1 ] || fail "expected exit 1 (scenarios failed) from the broken variant, got $status"

python3 - "$work/broken.xml" "${EXPECTED_FAILURES[@]}" <<'PY'
import sys
import xml.etree.ElementTree as ET

report, expected = sys.argv[1], set(sys.argv[2:])
root = ET.parse(report).getroot()
failed, passed = set(), set()
for suite in root.iter("testsuite"):
    for case in suite.iter("testcase"):
        name = f"{suite.get('package')}: {case.get('name')}"
        if case.find("failure") is not None or case.find("error") is not None:
            failed.add(name)
        else:
            passed.add(name)
unexpected_failures = sorted(failed - expected)
missed = sorted(expected - failed)
for name in sorted(failed & expected):
    print(f"failed as expected: {name}")
for name in unexpected_failures:
    print(f"UNEXPECTED failure: {name}")
for name in missed:
    print(f"NOT caught (expected to fail, passed): {name}")
if unexpected_failures or missed:
    sys.exit(1)
print(f"examples: {len(passed) + len(failed)} passed, 0 failed")
PY

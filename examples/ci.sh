#!/usr/bin/env bash
# The app suite in CI: both example apps (Node on @workos-inc/node, Python on
# workos) next to one `pipes-harness serve`, checked the way a team checks its
# own app, then every mistake switch of each app checked to be caught.
#
# 1. builds the binary, installs each example's pinned dependencies;
# 2. starts ONE serve on ephemeral ports (--port 0 --env-file), whose seed
#    names the app's webhook URL from APP_WEBHOOK_URL;
# 3. per app: the correct app (APP_MISTAKE empty) must pass every scenario of
#    features/app/ and `doctor --app`;
# 4. per app and mistake switch: the app restarts with APP_MISTAKE=<switch>,
#    only the scenarios that matter for it run, and the JUnit report must show
#    a failure whose diagnosis is the one that names the mistake;
# 5. serve is reset between runs; everything started is stopped (trap).
#
# Usage: examples/ci.sh [node|python]...   (default: both)
set -euo pipefail
cd "$(dirname "$0")/.."

# switch | features to run | --name filter | diagnosis that must be reported
MATRIX=(
  "cache_token|features/app/tokens.feature||token_kept"
  "401_as_5xx|features/app/provider_errors.feature|rejects the token|provider_401_mishandled"
  "no_reconnect|features/app/revocation.feature||reconnect_not_offered"
  "no_reauthorize|features/app/revocation.feature|repairs that connection|reconnect_not_offered"
  "retry_forever|features/app/provider_errors.feature|is down|retry_loop"
  "return_to_missing|features/app/connect.feature||return_to_wrong"
  "return_to_elsewhere|features/app/connect.feature||return_to_wrong"
  "reserialized_body|features/app/webhooks.feature|JSON formatting|webhook_body_reserialized"
  "wide_tolerance|features/app/webhooks.feature|stale timestamp|webhook_tolerance_too_wide"
  "unsigned_accepted|features/app/webhooks.feature|unsigned|webhook_unverified"
  "replay_accepted|features/app/webhooks.feature|delivered twice|webhook_replay_accepted"
  "ignore_retry_after|features/app/provider_errors.feature|Retry-After|retry_after_ignored"
  "ignore_workos_429|features/app/provider_errors.feature|WorkOS rate-limits|workos_rate_limit_ignored"
)

apps=("$@")
[ ${#apps[@]} -gt 0 ] || apps=(node python)

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

control() {
  curl -s -o /dev/null -X "$1" -H 'content-type: application/json' \
    ${PIPES_HARNESS_CONTROL_TOKEN:+-H "authorization: Bearer $PIPES_HARNESS_CONTROL_TOKEN"} \
    -d '{}' "$PIPES_HARNESS_CONTROL_URL/$2"
}

say "build"
cargo build --quiet
bin="${CARGO_TARGET_DIR:-target}/debug/pipes-harness"
[ -x "$bin" ] || fail "no binary at $bin"

for app in "${apps[@]}"; do
  case $app in
    node)
      say "install the Node app's locked dependencies"
      npm ci --prefix examples/node-app --no-audit --no-fund --loglevel=error
      ;;
    python)
      say "install the Python app's pinned dependencies (.venv)"
      [ -x .venv/bin/python ] || python3 -m venv .venv
      .venv/bin/python -m pip install --quiet --disable-pip-version-check \
        -r examples/python-app/requirements.txt
      ;;
    *) fail "unknown app $app: expected node or python" ;;
  esac
done

app_port=$(free_port)
app_url="http://127.0.0.1:$app_port"

say "start pipes-harness serve (ephemeral ports)"
APP_WEBHOOK_URL="$app_url/webhooks/workos" \
  "$bin" serve --port 0 --seed examples/node-app/seed.yaml --env-file "$work/serve.env" \
  > "$work/serve.out" 2> "$work/serve.err" &
pids+=($!)
for _ in $(seq 1 150); do
  grep -qx ready "$work/serve.out" 2>/dev/null && break
  sleep 0.2
done
grep -qx ready "$work/serve.out" || { cat "$work/serve.err" >&2; fail "serve did not print ready"; }
cat "$work/serve.out"
set -a
# shellcheck disable=SC1091
. "$work/serve.env"
set +a
export PIPES_HARNESS_APP_URL=$app_url

start_app() {
  local app=$1 mistake=$2 log=$3 dir cmd
  case $app in
    node) dir=examples/node-app; cmd=(node server.js) ;;
    python) dir=examples/python-app; cmd=("$PWD/.venv/bin/python" app.py) ;;
  esac
  # exec: $! is the app itself, so stop_app stops it.
  (cd "$dir" && PORT=$app_port APP_BASE_URL=$app_url APP_MISTAKE=$mistake exec "${cmd[@]}") \
    > "$log" 2>&1 &
  app_pid=$!
  pids+=("$app_pid")
  wait_for "$app_url/health" "the $app example app (APP_MISTAKE=${mistake:-none})"
  # The app that answers must be the one just started, with this switch.
  curl -s "$app_url/health" | grep -q "\"mistake\": *\"$mistake\"" || {
    cat "$log" >&2
    fail "the app answering at $app_url is not the $app app with APP_MISTAKE=${mistake:-none}"
  }
}

stop_app() {
  kill "$app_pid" 2>/dev/null || true
  wait "$app_pid" 2>/dev/null || true
}

# Checks a JUnit report: some failure carries "diagnosis: <name>".
caught_with() {
  python3 - "$1" "$2" <<'PY'
import sys
import xml.etree.ElementTree as ET

report, diagnosis = sys.argv[1], sys.argv[2]
root = ET.parse(report).getroot()
failed, found = [], False
for case in root.iter("testcase"):
    problems = list(case.iter("failure")) + list(case.iter("error"))
    if not problems:
        continue
    failed.append(case.get("name"))
    text = " ".join((p.get("message") or "") + (p.text or "") for p in problems)
    # Also the test case's captured output, where some reporters put the step error.
    for tag in ("system-out", "system-err"):
        for node in case.iter(tag):
            text += node.text or ""
    if f"diagnosis: {diagnosis} " in text or f"diagnosis: {diagnosis}\n" in text:
        found = True
        print(f"  caught by: {case.get('name')} (diagnosis: {diagnosis})")
if not failed:
    print("  NOT caught: every scenario passed")
    sys.exit(1)
if not found:
    print(f"  caught, but not with diagnosis {diagnosis}: failed {failed}")
    sys.exit(1)
PY
}

# Every JUnit report validates against Jenkins' junit-4.xsd and pytest's junit-10.xsd.
valid_junit() {
  command -v xmllint >/dev/null || { [ -z "${CI:-}" ] || fail "xmllint is needed on CI"; return 0; }
  for xsd in junit-4.xsd junit-10.xsd; do
    xmllint --noout --schema "tests/fixtures/junit/$xsd" "$1" 2>/dev/null \
      || fail "$1 does not validate against $xsd"
  done
}

summary=()
for app in "${apps[@]}"; do
  say "$app app, correct: every app scenario must pass"
  control POST reset
  start_app "$app" "" "$work/$app-correct.log"
  "$bin" run features/app --junit "$work/$app-correct.xml" || {
    cat "$work/$app-correct.log" >&2
    fail "the app features failed against the correct $app example app"
  }
  valid_junit "$work/$app-correct.xml"
  say "$app app, correct: doctor must pass"
  VIRTUAL_ENV="$PWD/.venv" WORKOS_API_KEY=$WORKOS_API_KEY "$bin" doctor "examples/$app-app" --app "$app_url" \
    || fail "doctor failed against the $app example app"
  stop_app
  summary+=("$app correct: passed every app scenario and doctor")

  for row in "${MATRIX[@]}"; do
    IFS='|' read -r mistake features name diagnosis <<< "$row"
    say "$app app, APP_MISTAKE=$mistake: must be caught as $diagnosis"
    control POST reset
    start_app "$app" "$mistake" "$work/$app-$mistake.log"
    report="$work/$app-$mistake.xml"
    set +e
    if [ -n "$name" ]; then
      "$bin" run "$features" --name "$name" --junit "$report" > "$work/$app-$mistake.run" 2>&1
    else
      "$bin" run "$features" --junit "$report" > "$work/$app-$mistake.run" 2>&1
    fi
    status=$?
    set -e
    stop_app
    if [ "$status" -ne 1 ]; then
      cat "$work/$app-$mistake.run" >&2
      fail "$app APP_MISTAKE=$mistake: expected exit 1 (a scenario failed), got $status"
    fi
    valid_junit "$report"
    caught_with "$report" "$diagnosis" || {
      cat "$work/$app-$mistake.run" >&2
      fail "$app APP_MISTAKE=$mistake was not caught as $diagnosis"
    }
    summary+=("$app $mistake: caught as $diagnosis")
  done
done

say "summary"
printf '%s\n' "${summary[@]}"

#!/usr/bin/env python3
"""Sends 1,000,000 mixed requests to `pipes-harness serve` and prints its
resident size after each round of about 100,000 (rounds are timed from the
measured rate): WorkOS reads and writes, the token endpoint,
control routes (a reset every 200 WorkOS requests), GitHub and Slack mock
reads. The figure to watch is the growth after the first 100,000 (target:
under 10 MB). Prints figures; asserts nothing.

Usage: python3 bench/soak.py [--binary target/release/pipes-harness]
                             [--requests 1000000] [--every 100000]
Needs `wrk` (Debian package `wrk`) on PATH.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

KEY = "sk_test_bench"
USER = "user_01JDR8Y4Z6Q3KX5V2N7M9B0B0B"
GITHUB_TOKEN = "gho_BenchGithubToken000000000000000000000"
SLACK_TOKEN = "xoxp-bench-0000000000-0000000000"

SEED = f"""environment: sandbox
api_keys: [{KEY}]
users:
  - id: {USER}
    email: bob@example.com
    first_name: Bob
data_integrations:
  - slug: github
  - slug: slack
    credentials: {{type: custom, client_id: "111.222", client_secret: bench_slack_secret}}
connected_accounts:
  - user: bob@example.com
    slug: github
    access_token: {GITHUB_TOKEN}
    account_identifier: bob-codes
  - user: bob@example.com
    slug: slack
    access_token: {SLACK_TOKEN}
    account_identifier: bob
"""

# One wrk Lua script per target: a cycle of requests, each thread stopping
# after its share. Bodies that must differ (new users) use the thread's
# number and its counter.
LUA = r"""
n, bad, fivexx, tid = 0, 0, 0, 0
local reqs = __REQS__
request = function()
  n = n + 1
  local r = reqs[(n % #reqs) + 1]
  local body = r[3]
  if body ~= nil then body = string.gsub(body, "#N#", tostring(tid) .. "_" .. tostring(n)) end
  return wrk.format(r[1], r[2], r[4], body)
end
response = function(status, headers, body)
  if status >= 500 then fivexx = fivexx + 1 elseif status >= 400 then bad = bad + 1 end
end
local threads = {}
-- Each thread numbers its own requests: the thread's number keeps two
-- threads from creating the same user (a 409).
setup = function(thread) table.insert(threads, thread); thread:set("tid", #threads) end
done = function(summary, latency, requests)
  local b, f = 0, 0
  for _, t in ipairs(threads) do b = b + t:get("bad"); f = f + t:get("fivexx") end
  io.write(string.format("RESULT %d %d %d\n", summary.requests, b, f))
end
"""


def lua_requests(reqs):
    out = []
    for method, path, body, headers in reqs:
        hs = ", ".join(f'["{k}"] = "{v}"' for k, v in headers.items())
        b = "nil" if body is None else "[[" + body + "]]"
        out.append(f'{{"{method}", "{path}", {b}, {{{hs}}}}}')
    return "{" + ",\n".join(out) + "}"


def workos_mix():
    auth = {"Authorization": f"Bearer {KEY}"}
    js = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}
    ctl = {"Content-Type": "application/json"}
    reads = [
        ("GET", f"/user_management/users/{USER}/connected_accounts/github", None, auth),
        ("POST", "/data-integrations/github/token", f'{{"user_id":"{USER}"}}', js),
        ("GET", "/user_management/users?limit=10", None, auth),
        ("GET", f"/user_management/users/{USER}", None, auth),
        ("POST", "/user_management/users", '{"email":"soak#N#@example.com"}', js),
        ("GET", "/_harness/clock", None, {}),
        ("GET", "/_harness/events", None, {}),
        ("POST", "/data-integrations/slack/token", f'{{"user_id":"{USER}"}}', js),
    ]
    cycle = reads * 25  # 200 requests...
    cycle[-1] = ("POST", "/_harness/reset", "{}", ctl)  # ...the last a reset
    return cycle


def github_mix():
    auth = {"Authorization": f"Bearer {GITHUB_TOKEN}", "User-Agent": "pipes-soak"}
    return [("GET", "/user", None, auth), ("GET", "/user/repos", None, auth),
            ("GET", "/user/emails", None, auth), ("GET", "/rate_limit", None, auth)]


def slack_mix():
    auth = {"Authorization": f"Bearer {SLACK_TOKEN}"}
    return [("GET", "/api/auth.test", None, auth), ("POST", "/api/auth.test", "", auth)]


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="target/release/pipes-harness")
    ap.add_argument("--requests", type=int, default=1_000_000)
    ap.add_argument("--every", type=int, default=100_000)
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="pipes-soak-")
    seed = os.path.join(work, "seed.yaml")
    with open(seed, "w") as f:
        f.write(SEED)
    proc = subprocess.Popen([args.binary, "serve", "--port", "0", "--seed", seed],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    urls = {}
    for line in proc.stdout:
        parts = line.split()
        if line.strip() == "ready":
            break
        if len(parts) == 2:
            urls[parts[0]] = parts[1]
    with urllib.request.urlopen(urls["workos"] + "/health", timeout=10) as r:
        assert r.status == 200
    # Share of each round: half WorkOS (incl. control), a quarter per provider.
    shares = {"workos": (urls["workos"], workos_mix(), args.every // 2),
              "github": (urls["github"], github_mix(), args.every // 4),
              "slack": (urls["slack"], slack_mix(), args.every - args.every // 2 - args.every // 4)}
    scripts = {}
    for name, (_, reqs, count) in shares.items():
        path = os.path.join(work, f"{name}.lua")
        with open(path, "w") as f:
            f.write(LUA.replace("__REQS__", lua_requests(reqs)))
        scripts[name] = path
    start_kb = rss_kb(proc.pid)
    print(f"serve pid {proc.pid}, resident at start: {start_kb / 1024:.1f} MB")
    print(f"{'requests':>10} {'RSS MB':>8} {'round s':>8} {'req/s':>8} {'4xx':>6} {'5xx':>5}")
    sent, first_kb, rows = 0, None, []
    seconds = 3.0  # the first round; later rounds aim at --every from the measured rate
    while sent < args.requests:
        t0 = time.perf_counter()
        runs = {name: subprocess.Popen(["wrk", "-t1", "-c8", f"-d{max(1, round(seconds))}s", "-s", scripts[name], base],
                                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                for name, (base, _, _) in shares.items()}
        done, bad, fivexx = 0, 0, 0
        for name, p in runs.items():
            out, _ = p.communicate()
            for line in out.splitlines():
                if line.startswith("RESULT"):
                    _, r, b, f5 = line.split()
                    done += int(r); bad += int(b); fivexx += int(f5)
        dt = time.perf_counter() - t0
        sent += done
        kb = rss_kb(proc.pid)
        if first_kb is None:
            first_kb = kb
        rows.append((sent, kb))
        print(f"{sent:>10} {kb / 1024:>8.1f} {dt:>8.1f} {done / dt:>8.0f} {bad:>6} {fivexx:>5}", flush=True)
        rate = max(done / dt, 1.0)
        seconds = max(1.0, min(args.every, args.requests - sent) / rate)
    print(f"growth after the first {rows[0][0]:,} requests: {(rows[-1][1] - first_kb) / 1024:+.1f} MB "
          f"(peak {max(k for _, k in rows) / 1024:.1f} MB)")
    proc.terminate()
    try:
        _, err = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    if "panicked" in err:
        print("serve's stderr has a panic:\n" + err, file=sys.stderr)


if __name__ == "__main__":
    main()

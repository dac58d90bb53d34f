#!/usr/bin/env python3
"""Side by side: `pipes-harness serve` and workos/emulate (WorkOS's own
emulator), one wrk run each per endpoint, the same machine, the same wrk
settings, one after the other. Each endpoint is measured --runs times,
the two servers taking turns, and the median run of each is printed with
its p99 latency and the ratio of the medians; the ratios of the pairs
show how much the machine moved the figures. Also time to ready and
resident size. Where emulate is not available it says so and prints
ours. Asserts nothing.

Usage: python3 bench/emulate.py [--binary target/release/pipes-harness]
                                [--emulate DIR] [--duration 5] [--runs 3]
  --emulate DIR: a checkout of workos/emulate with its dependencies
  installed; it is started with `node_modules/.bin/tsx src/cli.ts` (or
  `node dist/cli.js` when built). Without it, `workos-emulate` on PATH is
  used when there is one. Needs `wrk` (Debian package `wrk`).
"""
import argparse
import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.request

USER = "user_01JDR8Y4Z6Q3KX5V2N7M9B0B0B"
OURS_KEY = "sk_test_default"
GITHUB_TOKEN = "gho_BenchGithubToken000000000000000000000"

OURS_SEED = f"""environment: sandbox
users:
  - id: {USER}
    email: bob@example.com
    first_name: Bob
data_integrations:
  - slug: github
connected_accounts:
  - user: bob@example.com
    slug: github
    access_token: {GITHUB_TOKEN}
    account_identifier: bob-codes
"""
EMULATE_SEED = f"""users:
  - id: {USER}
    email: bob@example.com
    first_name: Bob
connectedAccounts:
  - email: bob@example.com
    provider: github
    scopes: [repo]
"""


def lua(method, headers, body):
    lines = [f'wrk.method = "{method}"']
    for k, v in headers.items():
        lines.append(f'wrk.headers["{k}"] = "{v}"')
    if body is not None:
        lines.append(f"wrk.body = [[{body}]]")
    return "\n".join(lines) + "\n"


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_kb(pid):
    """Resident size of a process and its children (npx/tsx start node as a child)."""
    total = rss_kb(pid)
    try:
        children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    except OSError:
        children = []
    return total + sum(tree_rss_kb(int(c)) for c in children)


def wait_health(url, timeout=60):
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return time.perf_counter() - t0
        except OSError:
            time.sleep(0.005)
    raise SystemExit(f"{url} never answered 200")


def wrk(url, script, duration, work):
    path = os.path.join(work, f"s{abs(hash((url, script)))}.lua")
    with open(path, "w") as f:
        f.write(script)
    out = subprocess.run(["wrk", "-t2", "-c16", f"-d{duration}s", "--latency", "-s", path, url],
                         capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    p99_ms = float(p99.group(1)) * scale[p99.group(2)] if p99 else float("nan")
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, p99_ms, int(non2xx.group(1)) if non2xx else 0


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="target/release/pipes-harness")
    ap.add_argument("--emulate", default=os.environ.get("EMULATE_DIR"))
    ap.add_argument("--duration", type=int, default=5)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    runs = max(1, args.runs)
    work = tempfile.mkdtemp(prefix="pipes-vs-emulate-")

    ours_seed = os.path.join(work, "ours.yaml")
    with open(ours_seed, "w") as f:
        f.write(OURS_SEED)
    t0 = time.perf_counter()
    ours = subprocess.Popen([args.binary, "serve", "--port", "0", "--seed", ours_seed],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    urls = {}
    for line in ours.stdout:
        if line.strip() == "ready":
            break
        parts = line.split()
        if len(parts) == 2:
            urls[parts[0]] = parts[1]
    ours_ready = time.perf_counter() - t0

    emulate, emulate_url, emulate_ready, why_not = None, None, None, None
    cmd, cwd = None, None
    if args.emulate and os.path.isdir(args.emulate):
        cwd = args.emulate
        if os.path.exists(os.path.join(cwd, "dist", "cli.js")):
            cmd = ["node", "dist/cli.js"]
        elif os.path.exists(os.path.join(cwd, "node_modules", ".bin", "tsx")):
            cmd = [os.path.join(cwd, "node_modules", ".bin", "tsx"), "src/cli.ts"]
        else:
            why_not = f"{args.emulate} has neither dist/cli.js nor node_modules/.bin/tsx"
    elif shutil.which("workos-emulate"):
        cmd = ["workos-emulate"]
    else:
        why_not = ("workos/emulate is not available here (it is not published on the npm registry "
                   "this machine reaches; pass --emulate DIR with a checkout whose dependencies are installed)")
    if cmd:
        em_seed = os.path.join(work, "emulate.yaml")
        with open(em_seed, "w") as f:
            f.write(EMULATE_SEED)
        port = free_port()
        t0 = time.perf_counter()
        emulate = subprocess.Popen(cmd + ["--port", str(port), "--host", "127.0.0.1", "--seed", em_seed],
                                   cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        emulate_url = f"http://127.0.0.1:{port}"
        wait_health(emulate_url + "/health")
        emulate_ready = time.perf_counter() - t0

    bearer = {"Authorization": f"Bearer {OURS_KEY}"}
    json_h = dict(bearer, **{"Content-Type": "application/json"})
    cases = [
        ("WorkOS read: GET a user's connected account",
         f"/user_management/users/{USER}/connected_accounts/github", lua("GET", bearer, None),
         f"/user_management/users/{USER}/connected_accounts/github", lua("GET", bearer, None)),
        ("WorkOS read: GET /user_management/users?limit=10",
         "/user_management/users?limit=10", lua("GET", bearer, None),
         "/user_management/users?limit=10", lua("GET", bearer, None)),
        ("token endpoint: POST /data-integrations/github/token",
         "/data-integrations/github/token", lua("POST", json_h, f'{{"user_id":"{USER}"}}'),
         # emulate's token route only exchanges one-time codes; a refused
         # code (400) is the cheapest answer it gives there.
         "/data-integrations/github/token", lua("POST", json_h, '{"code":"bench"}')),
    ]
    print(f"wrk -t2 -c16 -d{args.duration}s, {runs} run(s) per server and endpoint, taking turns; "
          "the median run of each")
    print(f"{'':<56} {'ours req/s':>11} {'p99 ms':>7} {'emulate req/s':>14} {'p99 ms':>7} {'ratio':>7}")

    def median(results):
        return sorted(results, key=lambda r: r[0])[len(results) // 2]

    for name, our_path, our_lua, em_path, em_lua in cases:
        ours_runs, em_runs = [], []
        for _ in range(runs):
            ours_runs.append(wrk(urls["workos"] + our_path, our_lua, args.duration, work))
            if emulate:
                em_runs.append(wrk(emulate_url + em_path, em_lua, args.duration, work))
        o_rps, o_p99, _ = median(ours_runs)
        o_bad = sum(r[2] for r in ours_runs)
        if emulate:
            e_rps, e_p99, _ = median(em_runs)
            note = " (emulate: refused code, 400)" if "token" in name else ""
            print(f"{name:<56} {o_rps:>11.0f} {o_p99:>7.2f} {e_rps:>14.0f} {e_p99:>7.2f} {o_rps / e_rps:>6.1f}x{note}")
            if runs > 1:
                pairs = ", ".join(f"{o[0] / e[0]:.1f}x" for o, e in zip(ours_runs, em_runs))
                print(f"  each pair: {pairs}")
        else:
            print(f"{name:<56} {o_rps:>11.0f} {o_p99:>7.2f} {'-':>14} {'-':>7} {'-':>7}")
        if o_bad:
            print(f"  ours answered {o_bad} non-2xx")
    gh = {"Authorization": f"Bearer {GITHUB_TOKEN}", "User-Agent": "pipes-bench"}
    for name, path in [("GitHub mock read: GET /user", "/user"), ("GitHub mock read: GET /user/repos", "/user/repos")]:
        o_rps, o_p99, _ = median([wrk(urls["github"] + path, lua("GET", gh, None), args.duration, work)
                                  for _ in range(runs)])
        print(f"{name:<56} {o_rps:>11.0f} {o_p99:>7.2f} {'(none)':>14} {'-':>7} {'-':>7}")
    print("emulate mocks no OAuth provider: the provider rows have ours only")
    print(f"ready: ours {ours_ready * 1000:.0f} ms" + (f", emulate {emulate_ready * 1000:.0f} ms" if emulate else ""))
    print(f"resident after the runs: ours {rss_kb(ours.pid) / 1024:.0f} MB"
          + (f", emulate {tree_rss_kb(emulate.pid) / 1024:.0f} MB" if emulate else ""))
    if why_not:
        print(why_not)
    ours.terminate()
    if emulate:
        emulate.terminate()


if __name__ == "__main__":
    main()

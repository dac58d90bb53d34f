#!/usr/bin/env python3
"""Measures `pipes-harness serve`: time to ready, resident memory, and
throughput/latency of the two hottest Pipes calls under wrk, at 100, 10,000
and 100,000 seeded connected accounts. Prints figures; asserts nothing.

Usage: python3 bench/serve.py [--binary target/release/pipes-harness]
                              [--sizes 100,10000,100000] [--duration 5]
Needs `wrk` (Debian package `wrk`) on PATH.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

TOKEN_LUA = """
wrk.method = "POST"
wrk.body   = '{"user_id":"%s"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer sk_test_default"
"""
GET_LUA = """
wrk.method = "GET"
wrk.headers["Authorization"] = "Bearer sk_test_default"
"""


def user_id(i):
    # A ULID-shaped id: 26 Crockford characters.
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    n, out = i, []
    for _ in range(16):
        out.append(alphabet[n % 32])
        n //= 32
    return "user_01JDR8Y4Z6" + "".join(reversed(out))


def write_seed(path, accounts):
    with open(path, "w") as f:
        f.write("environment: sandbox\ndata_integrations:\n  - slug: github\nusers:\n")
        for i in range(accounts):
            f.write(f"  - id: {user_id(i)}\n    email: user{i}@example.com\n")
        f.write("connected_accounts:\n")
        for i in range(accounts):
            f.write(f"  - user: {user_id(i)}\n    slug: github\n    access_token: gho_bench{i:08d}\n")


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def start(binary, seed):
    """Starts serve on ephemeral ports; returns (process, base URL, seconds to ready)."""
    args = [binary, "serve", "--port", "0"]
    if seed:
        args += ["--seed", seed]
    t0 = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = None
    for line in proc.stdout:
        parts = line.split()
        if parts[:1] == ["workos"] and len(parts) > 1:
            base = parts[1]
        if line.strip() == "ready":
            break
    if base is None or proc.poll() is not None:
        sys.exit(f"serve did not start: {proc.stderr.read()}")
    with urllib.request.urlopen(f"{base}/health", timeout=5) as r:
        if r.status != 200:
            sys.exit(f"/health answered {r.status}")
    return proc, base, time.perf_counter() - t0


def wrk(url, script, duration):
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
        lua = f.name
    out = subprocess.run(
        ["wrk", "-t2", "-c16", f"-d{duration}s", "--latency", "-s", lua, url],
        capture_output=True, text=True, check=False,
    ).stdout
    os.unlink(lua)
    rps = p50 = p99 = "?"
    errors = "0"
    for line in out.splitlines():
        parts = line.split()
        if line.startswith("Requests/sec:"):
            rps = parts[1]
        elif parts[:1] == ["50%"]:
            p50 = parts[1]
        elif parts[:1] == ["99%"]:
            p99 = parts[1]
        elif "Non-2xx" in line or "Socket errors" in line:
            errors = line.strip()
    return rps, p50, p99, errors


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="target/release/pipes-harness")
    ap.add_argument("--sizes", default="100,10000,100000")
    ap.add_argument("--duration", type=int, default=5)
    a = ap.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk)")
    if not os.path.exists(a.binary):
        sys.exit(f"{a.binary} not found: run cargo build --release first")

    proc, _, ready = start(a.binary, None)
    print(f"no seed                ready {ready * 1000:7.1f} ms   RSS after start {rss_kb(proc.pid) / 1024:6.1f} MiB")
    proc.terminate()
    proc.wait()

    tmp = tempfile.mkdtemp()
    for n in [int(x) for x in a.sizes.split(",")]:
        seed = os.path.join(tmp, f"seed-{n}.yaml")
        write_seed(seed, n)
        proc, base, ready = start(a.binary, seed)
        rss0 = rss_kb(proc.pid)
        target = user_id(n // 2)
        t = wrk(f"{base}/data-integrations/github/token", TOKEN_LUA % target, a.duration)
        g = wrk(f"{base}/user_management/users/{target}/connected_accounts/github", GET_LUA, a.duration)
        rss1 = rss_kb(proc.pid)
        proc.terminate()
        proc.wait()
        print(f"{n:>7} accounts  ready {ready * 1000:9.1f} ms   RSS {rss0 / 1024:6.1f} -> {rss1 / 1024:6.1f} MiB")
        print(f"    POST /data-integrations/github/token              {t[0]:>10} req/s  p50 {t[1]:>8}  p99 {t[2]:>8}  {t[3]}")
        print(f"    GET  /user_management/users/{{id}}/connected_accounts/github {g[0]:>10} req/s  p50 {g[1]:>8}  p99 {g[2]:>8}  {g[3]}")
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()

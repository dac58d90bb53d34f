#!/usr/bin/env python3
"""`pipes-harness serve` with a large seed: time to `ready`, resident size,
whether the first API request after /health succeeds, and the latency of
`GET /user_management/users?limit=10` (first page, a page deep in the list,
an email filter). Prints figures; asserts nothing.

Usage: python3 bench/lists.py [--binary target/release/pipes-harness]
                              [--users 200000] [--samples 200]
"""
import argparse
import http.client
import os
import statistics
import subprocess
import tempfile
import time
import urllib.parse

KEY = "sk_test_bench"


def user_id(i):
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    n, out = i, []
    for _ in range(16):
        out.append(alphabet[n % 32])
        n //= 32
    return "user_01JDR8Y4Z6" + "".join(reversed(out))


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="target/release/pipes-harness")
    ap.add_argument("--users", type=int, default=200_000)
    ap.add_argument("--samples", type=int, default=200)
    args = ap.parse_args()
    seed = os.path.join(tempfile.mkdtemp(prefix="pipes-lists-"), "seed.yaml")
    with open(seed, "w") as f:
        f.write(f"environment: sandbox\napi_keys: [{KEY}]\nusers:\n")
        for i in range(args.users):
            f.write(f"  - id: {user_id(i)}\n    email: user{i}@example.com\n")
    t0 = time.perf_counter()
    proc = subprocess.Popen([args.binary, "serve", "--port", "0", "--seed", seed],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = None
    for line in proc.stdout:
        parts = line.split()
        if parts[:1] == ["workos"]:
            base = parts[1]
        if line.strip() == "ready":
            break
    ready_s = time.perf_counter() - t0
    host = urllib.parse.urlparse(base).netloc
    conn = http.client.HTTPConnection(host, timeout=30)
    headers = {"Authorization": f"Bearer {KEY}"}

    def get(path):
        t = time.perf_counter()
        conn.request("GET", path, headers=headers)
        r = conn.getresponse()
        body = r.read()
        return r.status, (time.perf_counter() - t) * 1000, body

    status, _, _ = get("/health")
    first, _, _ = get("/user_management/users?limit=1")
    print(f"{args.users:,} seeded users: ready in {ready_s:.2f} s, resident {rss_kb(proc.pid) / 1024:.0f} MB; "
          f"/health {status}, first API request after it {first}")
    deep = user_id(args.users // 2)
    cases = [
        ("first page", "/user_management/users?limit=10"),
        ("page after a cursor in the middle", f"/user_management/users?limit=10&after={deep}"),
        ("page before a cursor in the middle", f"/user_management/users?limit=10&before={deep}"),
        ("oldest first", "/user_management/users?limit=10&order=asc"),
        ("filter by email", f"/user_management/users?email=user{args.users // 2}@example.com"),
    ]
    print(f"{'GET /user_management/users':<40} {'median ms':>10} {'p99 ms':>8} {'status':>7}")
    for name, path in cases:
        times, statuses = [], set()
        for _ in range(args.samples):
            s, ms, _ = get(path)
            times.append(ms)
            statuses.add(s)
        times.sort()
        p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
        print(f"{name:<40} {statistics.median(times):>10.2f} {p99:>8.2f} {','.join(map(str, sorted(statuses))):>7}")
    t = time.perf_counter()
    proc.terminate()
    proc.wait(timeout=30)
    print(f"stopped {(time.perf_counter() - t) * 1000:.0f} ms after SIGTERM")


if __name__ == "__main__":
    main()

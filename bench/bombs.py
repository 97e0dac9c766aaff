#!/usr/bin/env python3
"""How fast document bombs are refused, and how a control request fares
during a flood of them.

    BIN=target/release/throughline python3 bench/bombs.py

Starts the server on SQLite pinned to core 0 (this script runs on core 1),
sends each bomb ROUNDS times, checks every answer's status and error code,
and prints p50/p99/max per bomb; then floods with FLOOD parallel bombs while
timing a control query.
"""
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

BIN = os.environ.get("BIN", "target/release/throughline")
PORT = int(os.environ.get("PORT", "8182"))
ROUNDS = int(os.environ.get("ROUNDS", "200"))
FLOOD = int(os.environ.get("FLOOD", "32"))


def doubling(levels):
    q = "{ ...F%d }\nfragment F0 on Query { __typename }\n" % levels
    for i in range(1, levels + 1):
        q += "fragment F%d on Query { ...F%d ...F%d }\n" % (i, i - 1, i - 1)
    return q


def chain(n):
    q = "{ ...F0 }\n"
    for i in range(n):
        q += "fragment F%d on Query { ...F%d }\n" % (i, i + 1)
    return q + "fragment F%d on Query { __typename }\n" % n


BOMBS = {
    "brackets (GET, no token)": ("GET", "{nodes(ids:%s){id}}" % ("[" * 5_000), "LIMIT_EXCEEDED"),
    "nested selections": ("POST", "{ viewer " * 20_000 + "}" * 20_000, "LIMIT_EXCEEDED"),
    "doubling fragments x40": ("POST", doubling(40), "LIMIT_EXCEEDED"),
    "fragment chain x20000": ("POST", chain(20_000), "LIMIT_EXCEEDED"),
    "aliases x5000": ("POST", "{ %s }" % " ".join("a%d: __typename" % i for i in range(5000)), "LIMIT_EXCEEDED"),
}


def request(method, query, token=None):
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    headers = {"Accept": "application/graphql-response+json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    if method == "GET":
        from urllib.parse import quote
        conn.request("GET", "/graphql?query=" + quote(query), headers=headers)
    else:
        headers["Content-Type"] = "application/json"
        conn.request("POST", "/graphql", body=json.dumps({"query": query}), headers=headers)
    started = time.perf_counter()
    response = conn.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - started
    conn.close()
    return response.status, json.loads(body), elapsed


def code(body):
    return body.get("errors", [{}])[0].get("extensions", {}).get("code")


def main():
    os.sched_setaffinity(0, {1})
    work = tempfile.mkdtemp()
    env = dict(os.environ, DATABASE_URL="sqlite://%s/bombs.db?mode=rwc" % work,
               THROUGHLINE_LISTEN="127.0.0.1:%d" % PORT, THROUGHLINE_LOG="error")
    subprocess.run([BIN, "migrate"], env=env, check=True, cwd=work, stdout=subprocess.DEVNULL)
    subprocess.run([BIN, "tenant", "create", "bench", "--name", "Bench"], env=env, check=True, cwd=work,
                   stdout=subprocess.DEVNULL)
    token = subprocess.run([BIN, "token", "--tenant", "bench", "--email", "b@bench.example", "--role", "admin"],
                           env=env, check=True, cwd=work, capture_output=True, text=True).stdout.strip()
    server = subprocess.Popen(["taskset", "-c", "0", BIN, "serve"], env=env, cwd=work)
    try:
        for _ in range(100):
            try:
                if request("POST", "{ __typename }", token)[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        print("%-28s %8s %8s %8s" % ("bomb", "p50 ms", "p99 ms", "max ms"))
        for name, (method, query, expected) in BOMBS.items():
            times = []
            for _ in range(ROUNDS):
                status, body, elapsed = request(method, query, None if method == "GET" else token)
                if status != 400 or code(body) != expected:
                    sys.exit("%s: got %s %s" % (name, status, json.dumps(body)[:300]))
                times.append(elapsed * 1000)
            times.sort()
            print("%-28s %8.2f %8.2f %8.2f" % (name, statistics.median(times),
                                                times[int(len(times) * 0.99) - 1], times[-1]))
        control = []
        stop = threading.Event()

        def flood():
            while not stop.is_set():
                status, body, _ = request("POST", doubling(40), token)
                assert status == 400 and code(body) == "LIMIT_EXCEEDED", body

        threads = [threading.Thread(target=flood) for _ in range(FLOOD)]
        for t in threads:
            t.start()
        for _ in range(50):
            status, body, elapsed = request("POST", "{ viewer { role } }", token)
            assert status == 200 and body["data"]["viewer"]["role"] == "ADMIN", body
            control.append(elapsed * 1000)
        stop.set()
        for t in threads:
            t.join()
        control.sort()
        print("control query during a flood of %d bomb senders: p50 %.2f ms, max %.2f ms"
              % (FLOOD, statistics.median(control), control[-1]))
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()

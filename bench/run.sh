#!/usr/bin/env bash
# Benchmarks an authenticated trivial query, the OKR alignment tree, the
# first page of objectives, the company dashboard, the first page of the
# exceptions feed, the whole company scorecard for a month and its 36-month
# history on a seeded 5,000-person
# tenant, on SQLite and on PostgreSQL, with oha.
#
#   bench/run.sh                    # both databases, 20 s per query, 8 connections
#   DURATION=60s CONNECTIONS=16 bench/run.sh
#
# Needs oha (cargo install oha --locked) and, for PostgreSQL, a server on
# 127.0.0.1:5432 with trust auth (as on our CI machines). Each query is checked
# to answer without GraphQL errors before it is loaded; oha then counts any
# non-200 answer.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-8}
PEOPLE=${PEOPLE:-5000}
PORT=${PORT:-8181}
command -v oha >/dev/null || { echo "install oha: cargo install oha --locked" >&2; exit 1; }
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
  PIN_SERVER="taskset -c 0" PIN_LOAD="taskset -c 1"
else
  PIN_SERVER="" PIN_LOAD=""
fi
if [ -z "${BIN:-}" ]; then   # BIN=path/to/throughline skips the build
  cargo build --release -q
  BIN=${CARGO_TARGET_DIR:-target}/release/throughline
fi
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
export THROUGHLINE_LOG=warn THROUGHLINE_LISTEN=127.0.0.1:$PORT

run_on() {
  local label=$1
  export DATABASE_URL=$2
  (cd "$WORK" && "$BIN" migrate >/dev/null && "$BIN" tenant create bench --name "Bench Corp" --frameworks okr,scorecard >/dev/null \
    && "$BIN" seed --tenant bench --people "$PEOPLE" --months 36 --seed 1)
  # Planner statistics after the bulk load: autovacuum may be off (it is on
  # our machines), and without them PostgreSQL guesses its plans.
  case $DATABASE_URL in postgres*) psql "$DATABASE_URL" -qc ANALYZE ;; esac
  local token
  token=$(cd "$WORK" && "$BIN" token --tenant bench --email bench@bench.example --role admin --ttl 2h)
  # The server on one core, the load tool on the other (2-core machines).
  (cd "$WORK" && exec $PIN_SERVER "$BIN" serve) &
  local server=$!
  for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.2; done
  # The tenant's rate limits (by default 60,000 requests a minute per
  # client) would answer the load with 429s: measure the server, not them.
  local version raised
  version=$(curl -s "http://127.0.0.1:$PORT/graphql" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d '{"query":"{ viewer { tenant { version } } }"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["viewer"]["tenant"]["version"])')
  raised=$(curl -s "http://127.0.0.1:$PORT/graphql" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d "{\"query\":\"mutation { updateTenant(input: {version: $version, rateLimitPerMinute: 10000000, clientRateLimitPerMinute: 10000000}) { tenant { version } } }\"}")
  case $raised in *'"errors"'*) echo "raising the rate limits failed: $raised" >&2; exit 1;; esac
  local cycle
  cycle=$(curl -s "http://127.0.0.1:$PORT/graphql" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d '{"query":"{ okr { cycles(status: ACTIVE) { edges { node { id } } } } }"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["okr"]["cycles"]["edges"][0]["node"]["id"])')
  local trivial tree page dashboard exceptions scorecard history last_month card
  trivial='{"query":"{ __typename }"}'
  tree=$(printf '{"query":"query($c: ID!) { okr { alignmentTree(cycleId: $c, first: 100) { totalCount nodes { depth objective { title progress { value } health owner { name } } } } } }","variables":{"c":"%s"}}' "$cycle")
  page=$(printf '{"query":"query($c: ID!) { okr { objectives(filter: {cycleId: $c}, first: 20) { totalCount edges { node { title owner { name } health progress { value } keyResults { title owner { name } progress { progress } health { health } } } } } } }","variables":{"c":"%s"}}' "$cycle")
  # The company dashboard (the seed makes one) for last month, as a
  # leader's landing page reads it.
  last_month=$(date -d "$(date +%Y-%m-01) -1 day" +%Y-%m-01)
  dashboard=$(printf '{"query":"query($p: Date) { dashboards(company: true, first: 1) { nodes { title warnings { code } keyMetrics(period: $p) { metric { name } status { status value goal explanation { text } } changeFromPrevious changeFromLastYear trend { value } late leadingMetrics { metric { name } status { status } } } } } }","variables":{"p":"%s"}}' "$last_month")
  # The first page of the exceptions feed across the core and OKRs.
  exceptions='{"query":"{ exceptions(first: 20) { totalCount edges { node { id kind severity title reason since owner { name } orgUnit { name } explanation { text } } } } }"}'
  # The company scorecard (the seed makes one: 4 perspectives, 20
  # objectives, 100 measures) whole for last month, every node with its
  # score, leading and lagging scores and explanation; then its 36 months.
  card=$(curl -s "http://127.0.0.1:$PORT/graphql" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d '{"query":"{ scorecard { scorecards(first: 100) { nodes { id title } } } }"}' \
    | python3 -c 'import json,sys; print(next(n["id"] for n in json.load(sys.stdin)["data"]["scorecard"]["scorecards"]["nodes"] if n["title"] == "Company scorecard"))')
  scorecard=$(printf '{"query":"query($id: ID!, $p: Date) { scorecard { scorecard(id: $id) { score(period: $p) { score status leading { score } lagging { score } explanation { text } } perspectives { perspective { name } score(period: $p) { score leading { score } lagging { score } explanation { text } } objectives { title owner { name } score(period: $p) { score leading { score } lagging { score } explanation { text } } measures { metric { name } score(period: $p) { value valueSource score status explanation { text } } } } } } } }","variables":{"id":"%s","p":"%s"}}' "$card" "$last_month")
  history=$(printf '{"query":"query($id: ID!, $from: Date!, $to: Date!) { scorecard { scorecard(id: $id) { scoreHistory(from: $from, to: $to) { score leading { score } lagging { score } } perspectives { scoreHistory(from: $from, to: $to) { score } objectives { scoreHistory(from: $from, to: $to) { score } measures { scoreHistory(from: $from, to: $to) { score } } } } } } }","variables":{"id":"%s","from":"%s","to":"%s"}}' "$card" "$(date -d "$last_month -35 months" +%Y-%m-01)" "$last_month")
  for name in trivial tree page dashboard exceptions scorecard history; do
    local body=${!name}
    local answer
    answer=$(curl -s "http://127.0.0.1:$PORT/graphql" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d "$body")
    case $answer in *'"errors"'*) echo "$name answered with errors: ${answer:0:300}" >&2; exit 1;; esac
    printf '%-10s %-10s ' "$label" "$name"
    $PIN_LOAD oha --no-tui --output-format json -z "$DURATION" -w -c "$CONNECTIONS" -m POST \
      -H "Authorization: Bearer $token" -T application/json -d "$body" "http://127.0.0.1:$PORT/graphql" \
      | python3 bench/summary.py
  done
  kill "$server"; wait "$server" 2>/dev/null || true
}

run_on sqlite "sqlite://$WORK/bench.db?mode=rwc"
if pg_isready -q -h 127.0.0.1 -p 5432; then
  db=throughline_bench_$$
  psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE $db"
  # Plain TCP to the local server (sqlx would otherwise negotiate TLS).
  run_on postgres "postgres://postgres@127.0.0.1:5432/$db?sslmode=disable"
  psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE $db WITH (FORCE)"
fi

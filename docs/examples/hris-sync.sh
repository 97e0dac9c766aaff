#!/usr/bin/env bash
# Syncs hris-export.json (a small BambooHR-style export, managers after their
# reports, one record with a bad e-mail) into a tenant, prints one line per
# record, then sends the same export again: everything UNCHANGED.
#
#   TOKEN=<integrator or admin token> docs/examples/hris-sync.sh
#   URL=http://127.0.0.1:8080/graphql TENANT=demo ...
set -euo pipefail
cd "$(dirname "$0")"
: "${TOKEN:?set TOKEN to an integrator or admin token (throughline token --role integrator …)}"
URL=${URL:-http://127.0.0.1:8080/graphql}

sync() {
  python3 - "$@" <<'PY'
import json, sys
export = json.load(open("hris-export.json"))
query = """mutation($input: SyncDirectoryInput!) { syncDirectory(input: $input) {
  committed totals { created updated unchanged deactivated failed }
  orgUnits { index externalId outcome changedFields warnings { code message } errors { code field message } }
  people { index externalId outcome changedFields warnings { code message } errors { code field message } } } }"""
print(json.dumps({"query": query, "variables": {"input": export}}))
PY
}

show() {
  python3 -c '
import json, sys
answer = json.load(sys.stdin)
if "errors" in answer:
    sys.exit(json.dumps(answer["errors"], indent=2))
report = answer["data"]["syncDirectory"]
for kind in ("orgUnits", "people"):
    for r in report[kind]:
        notes = [w["code"] for w in r["warnings"]] + [e["field"] + ": " + e["message"] for e in r["errors"]]
        print("%-9s %4s %-6s %-11s %-20s %s" % (kind, r["index"], r["externalId"], r["outcome"],
              ",".join(r["changedFields"]), "; ".join(notes)))
print("totals:", report["totals"], "committed:", report["committed"])'
}

for run in "first sync" "same export again"; do
  echo "== $run"
  sync | curl -sS "$URL" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    -H "Idempotency-Key: hris-example-$run-$(date +%s%N)" --data-binary @- | show
done

echo "== looked up by the HRIS key"
curl -sS "$URL" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{"query":"{ people(filter: {externalId: \"B-103\", source: \"bamboohr\"}) { edges { node { name title manager { name } orgUnit { name } externalIds { source externalId employeeNumber } } } } }"}'
echo

echo "== the change feed, first 5 (then ask again with after: endCursor)"
curl -sS "$URL" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{"query":"{ changes(first: 5, types: [PERSON]) { pageInfo { hasNextPage endCursor } edges { node { entityType operation changedFields externalIds { source externalId } } } } }"}'
echo

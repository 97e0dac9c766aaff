"""Prints one line from oha's JSON report: requests per second, p50, p99, and
anything that was not a 200 answer."""
import json
import sys

report = json.load(sys.stdin)
summary = report["summary"]
latency = report["latencyPercentiles"]
statuses = report.get("statusCodeDistribution", {})
failures = sum(n for code, n in statuses.items() if code != "200")
failures += sum(report.get("errorDistribution", {}).values())
print(
    f"requests/s {summary['requestsPerSec']:.1f}  "
    f"p50 {latency['p50'] * 1000:.1f} ms  p99 {latency['p99'] * 1000:.1f} ms  "
    f"requests {sum(statuses.values())}  failures {failures}"
)

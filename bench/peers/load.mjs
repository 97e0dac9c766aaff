// One load run with autocannon, every response body compared with the
// expected one byte for byte. Prints a JSON summary on stdout.
//
//   node load.mjs '{"url": ..., "headers": {...}, "body": ..., "expect": ...,
//                   "connections": 8, "seconds": 10}'
import autocannon from "autocannon";

const spec = JSON.parse(process.argv[2]);
const result = await autocannon({
  url: spec.url,
  method: "POST",
  headers: { "content-type": "application/json", ...spec.headers },
  body: spec.body,
  connections: spec.connections,
  duration: spec.seconds,
  expectBody: spec.expect,
});
// A 200 whose body differs is a mismatch, not an answer.
const answered = result["2xx"] - result.mismatches;
console.log(
  JSON.stringify({
    requestsPerSecond: answered / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    failures: result.non2xx + result.errors + result.timeouts + result.mismatches,
    mismatches: result.mismatches,
  }),
);

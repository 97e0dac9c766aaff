-- wrk script: POST one GraphQL request. The body comes from BENCH_BODY and
-- the token from BENCH_TOKEN (both set by bench/run.sh).
wrk.method = "POST"
wrk.body = os.getenv("BENCH_BODY")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")

-- Any non-200 answer or GraphQL error counts as a failure.
response = function(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"') then
    wrk.thread:stop()
    io.stderr:write("unexpected answer: " .. status .. " " .. string.sub(body, 1, 300) .. "\n")
  end
end

done = function(summary, latency, requests)
  io.write(string.format("requests/s %.1f  p50 %.1f ms  p99 %.1f ms  errors %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end

-- Shared by the three wrk scripts: at the end of a run, append one JSON line with the
-- totals and latency percentiles (microseconds) to the file named by $BENCH_OUT.
local M = {}

function M.done(label)
  return function(summary, latency, requests)
    local out = os.getenv("BENCH_OUT")
    if not out or out == "" then return end
    local seconds = summary.duration / 1e6
    local e = summary.errors
    local f = assert(io.open(out, "a"))
    f:write(string.format(
      '{"endpoint":"%s","seconds":%.3f,"requests":%d,"bytes":%d,"rps":%.1f,' ..
      '"p50_us":%d,"p75_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,' ..
      '"err_connect":%d,"err_read":%d,"err_write":%d,"err_status":%d,"err_timeout":%d}\n',
      label, seconds, summary.requests, summary.bytes, summary.requests / seconds,
      latency:percentile(50), latency:percentile(75), latency:percentile(90),
      latency:percentile(99), latency.max, latency.mean,
      e.connect, e.read, e.write, e.status, e.timeout))
    f:close()
  end
end

return M

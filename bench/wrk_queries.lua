-- wrk script: cycles through request paths (one per line in the file given after `--`), and at
-- the end prints one JSON line (prefixed "WRK_JSON ") with requests/s and latency percentiles.
local paths = {}
local next_path = 0

init = function(args)
  for line in io.lines(args[1]) do
    paths[#paths + 1] = line
  end
  -- Each thread starts at its own place in the list, so clients do not move in lockstep.
  next_path = math.random(#paths)
end

request = function()
  next_path = next_path % #paths + 1
  return wrk.format("GET", paths[next_path])
end

done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
                 + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_s": %.3f, "rps": %.1f, "errors": %d, ' ..
    '"p50_ms": %.3f, "p95_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6), errors,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000))
end

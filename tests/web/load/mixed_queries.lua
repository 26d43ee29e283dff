-- wrk script of tests/web/test_load.cpp: cycles through the paths of the file given after `--`
-- (lines "STATUS PATH"; "#" starts a comment), counts the answers by status, and at the end
-- prints one line the test reads:
--   WRK_RESULT requests=N 2xx=N 400=N 404=N 429=N other4xx=N 5xx=N other=N
--              connect=N read=N write=N timeout=N status=N rps=F p50_ms=F p99_ms=F
-- Each wrk thread runs its own copy of this script; setup() keeps the threads so that done()
-- can add up their counters.
local threads = {}

setup = function(thread)
  threads[#threads + 1] = thread
end

init = function(args)
  paths = {}
  for line in io.lines(args[1]) do
    local path = line:match("^%d%d%d (%S+)$")
    if path then paths[#paths + 1] = path end
  end
  -- Each thread starts at its own place in the list, so clients do not move in lockstep.
  next_path = math.random(#paths)
  ok, bad_request, not_found, limited, other4xx, server_error, other = 0, 0, 0, 0, 0, 0, 0
end

request = function()
  next_path = next_path % #paths + 1
  return wrk.format("GET", paths[next_path])
end

response = function(status, headers, body)
  if status >= 200 and status < 300 then ok = ok + 1
  elseif status == 400 then bad_request = bad_request + 1
  elseif status == 404 then not_found = not_found + 1
  elseif status == 429 then limited = limited + 1
  elseif status >= 400 and status < 500 then other4xx = other4xx + 1
  elseif status >= 500 then server_error = server_error + 1
  else other = other + 1 end
end

done = function(summary, latency, requests)
  local sums = {ok = 0, bad_request = 0, not_found = 0, limited = 0, other4xx = 0,
                server_error = 0, other = 0}
  for _, thread in ipairs(threads) do
    for name, _ in pairs(sums) do sums[name] = sums[name] + (thread:get(name) or 0) end
  end
  local errors = summary.errors
  io.write(string.format(
    "WRK_RESULT requests=%d 2xx=%d 400=%d 404=%d 429=%d other4xx=%d 5xx=%d other=%d " ..
    "connect=%d read=%d write=%d timeout=%d status=%d rps=%.1f p50_ms=%.3f p99_ms=%.3f\n",
    summary.requests, sums.ok, sums.bad_request, sums.not_found, sums.limited, sums.other4xx,
    sums.server_error, sums.other, errors.connect, errors.read, errors.write, errors.timeout,
    errors.status, summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000))
end

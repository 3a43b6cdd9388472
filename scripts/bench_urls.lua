-- wrk script for scripts/bench.py --long-tail: every request GETs a path picked at random
-- from a file of paths (one a line), given after "--":
--
--     wrk -t2 -c8 -d10s -s scripts/bench_urls.lua http://127.0.0.1:8000 -- paths.txt
--
-- At the end it prints one line of JSON (requests, seconds, latency percentiles in µs and
-- errors) for bench.py to read.

local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("thread_id", counter)
end

local paths = {}

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then
      paths[#paths + 1] = line
    end
  end
  -- Each thread draws its own sequence.
  math.randomseed(os.time() * 100 + (thread_id or 0))
end

function request()
  return wrk.format("GET", paths[math.random(#paths)])
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '\n{"requests": %d, "seconds": %.3f, "p50_us": %d, "p90_us": %d, "p99_us": %d, '
      .. '"max_us": %d, "errors": %d, "status_errors": %d, "timeouts": %d}\n',
    summary.requests,
    summary.duration / 1e6,
    latency:percentile(50),
    latency:percentile(90),
    latency:percentile(99),
    latency.max,
    errors.connect + errors.read + errors.write + errors.status + errors.timeout,
    errors.status,
    errors.timeout
  ))
end

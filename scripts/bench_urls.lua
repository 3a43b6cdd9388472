-- wrk script for scripts/bench.py --long-tail: GETs the paths of a file (one a line), given
-- after "--" with the number of wrk threads, each path once: thread k of n takes lines k,
-- k + n, k + 2n, … (and starts again from its first if the file runs out):
--
--     wrk -t2 -c8 -d10s -s scripts/bench_urls.lua http://127.0.0.1:8000 -- paths.txt 2
--
-- At the end it prints one line of JSON (requests, seconds, latency percentiles in µs and
-- errors) for bench.py to read.

local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("thread_id", counter)
end

local paths = {}
local step = 1
local next_line = 1

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then
      paths[#paths + 1] = line
    end
  end
  step = tonumber(args[2] or "1")
  next_line = thread_id or 1
end

function request()
  if next_line > #paths then
    next_line = ((next_line - 1) % step) + 1
  end
  local path = paths[next_line]
  next_line = next_line + step
  return wrk.format("GET", path)
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

-- wrk script of the end-to-end benchmark (EndToEndRun writes it into the run's folder as e2e/requests.lua).
--   wrk -t1 -c16 -d8s --latency -s requests.lua http://127.0.0.1:PORT -- COOKIES_FILE WRITE_EVERY
-- COOKIES_FILE: one Cookie header value per line, one line per session established before measuring.
-- WRITE_EVERY: 0 = every request reads (GET /read); 10 = every tenth request of each thread writes (GET /write).
-- Each request carries the cookie of a session picked at random (fixed seed), so requests spread over the pool.
-- Requests are formatted once, in init: the measured loop only picks a prepared string.

local reads = {}
local writes = {}
local every = 0
local count = 0

function init(args)
  local file = args[1]
  every = tonumber(args[2] or "0")
  for line in io.lines(file) do
    if line ~= "" then
      local headers = { ["Cookie"] = line }
      reads[#reads + 1] = wrk.format("GET", "/read", headers)
      writes[#writes + 1] = wrk.format("GET", "/write", headers)
    end
  end
  if #reads == 0 then
    error("no cookie in " .. file)
  end
  math.randomseed(20261202)
end

function request()
  count = count + 1
  local i = math.random(#reads)
  if every > 0 and count % every == 0 then
    return writes[i]
  end
  return reads[i]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'E2E-RESULT {"requests":%d,"durationMicros":%d,"bytes":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},'
      .. '"latencyMicros":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f}}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end

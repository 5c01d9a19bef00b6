-- wrk script of `make bench`: cycle through pre-built requests, one per line of the file given after `--`:
--   method \t path \t headers ("Name: value" joined by \31) \t body
-- Thread n of k takes lines n, n+k, n+2k, ... so no two threads send the same request; `sent` and `slice`
-- per thread tell the harness whether a thread wrapped around (sent a request a second time).
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local function parse_headers(text)
  local headers = {}
  for pair in string.gmatch(text, "[^\31]+") do
    local name, value = pair:match("^([^:]+): (.*)$")
    headers[name] = value
  end
  return headers
end

function init(args)
  local step = tonumber(args[2])
  local prepared = {}
  local line_number = 0
  for line in io.lines(args[1]) do
    if line_number % step == id then
      local method, path, headers, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
      if body == "" then body = nil end
      table.insert(prepared, wrk.format(method, path, parse_headers(headers), body))
    end
    line_number = line_number + 1
  end
  requests_ = prepared
  slice = #prepared
  sent = 0
end

function request()
  sent = sent + 1
  return requests_[(sent - 1) % slice + 1]
end

function done(summary, latency, requests)
  local sent_total, unique = 0, 0
  for _, thread in ipairs(threads) do
    local thread_sent, thread_slice = thread:get("sent") or 0, thread:get("slice") or 0
    sent_total = sent_total + thread_sent
    unique = unique + math.min(thread_sent, thread_slice)
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"sent": %d, "unique": %d}\n',
    summary.requests, summary.duration, errors.connect, errors.read, errors.write, errors.status,
    errors.timeout, latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    sent_total, unique))
end

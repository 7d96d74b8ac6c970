-- wrk script: POST pre-generated JSON batches in turn. With SIGNED set, each request takes the next
-- line of that file (body index, timestamp, nonce, Authorization; signed ahead of the run, one nonce
-- a request) and sends that line's body; a thread out of lines starts over, and the gateway answers
-- those replays 401 (counted as non-2xx: generate enough lines for the run).
-- usage: BODIES=<dir> PATTERN=body-%05d.json [SIGNED=<dir>/requests.tsv] [CT=application/json]
--        wrk -t2 -c8 -d30s --latency -s json-batches.lua <url>
local dir = os.getenv("BODIES")
local pattern = os.getenv("PATTERN")
if not pattern or pattern == "" then pattern = "body-%05d.json" end
local signed = os.getenv("SIGNED")
local ct = os.getenv("CT") or "application/json"
local bodies = {}
local lines = {}

local counter = 0
local threads = 2
local errors = 0

function setup(thread)
  thread:set("offset", counter)
  counter = counter + 1
end

function init(args)
  local i = 0
  while true do
    local f = io.open(dir .. "/" .. string.format(pattern, i), "rb")
    if not f then break end
    bodies[#bodies + 1] = f:read("*all")
    f:close()
    i = i + 1
  end
  if signed and signed ~= "" then
    local k = 0
    for line in io.lines(signed) do
      if k % threads == offset then
        local b, ts, nonce, auth = line:match("^(%d+)\t(%d+)\t([^\t]+)\t(.+)$")
        lines[#lines + 1] = {tonumber(b) + 1, ts, nonce, auth}
      end
      k = k + 1
    end
  end
  n = offset
  m = 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = ct
end

function request()
  if #lines > 0 then
    m = m % #lines + 1
    local l = lines[m]
    return wrk.format(nil, nil, {["Authorization"] = l[4], ["X-Vigil-Timestamp"] = l[2], ["X-Vigil-Nonce"] = l[3],
      ["Content-Type"] = ct}, bodies[l[1]])
  end
  n = n + threads
  return wrk.format(nil, nil, nil, bodies[(n % #bodies) + 1])
end

function response(status, headers, body)
  if status >= 300 then
    errors = errors + 1
    if errors < 3 then
      io.stderr:write("status " .. status .. ": " .. string.sub(body, 1, 200) .. "\n")
    end
  end
end

-- wrk script: POSTs pre-generated bodies in turn, one file each, for the ingestion benchmark.
--   BODIES   the directory of bodies; PATTERN their names (default body-%05d.bin)
--   HEADERS  headers every request carries, "Name: value|Name: value" (content type, encoding, ...)
--   AUTH     an Authorization header for every request (remote write's basic auth), optional
--   SIGNED   a file of requests signed ahead of the run (body index, timestamp, nonce, Authorization,
--            tab-separated; one nonce a request): each request takes the next line and sends that
--            line's body with its headers. A thread out of lines starts over, and the gateway answers
--            those replays 401 (counted as non-2xx: generate enough lines for the run).
-- usage: BODIES=<dir> HEADERS="Content-Type: application/x-protobuf" wrk -t2 -c8 -d30s --latency -s replay.lua <url>
local dir = os.getenv("BODIES")
local pattern = os.getenv("PATTERN")
if not pattern or pattern == "" then pattern = "body-%05d.bin" end
local auth = os.getenv("AUTH")
local signed = os.getenv("SIGNED")
local bodies = {}
local lines = {}
local headers = {}

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
  for header in string.gmatch(os.getenv("HEADERS") or "", "[^|]+") do
    local name, value = header:match("^%s*([^:]+):%s*(.-)%s*$")
    headers[name] = value
  end
  if auth and auth ~= "" then
    headers["Authorization"] = auth
  end
  if signed and signed ~= "" then
    local k = 0
    for line in io.lines(signed) do
      if k % threads == offset then
        local b, ts, nonce, authorization = line:match("^(%d+)\t(%d+)\t([^\t]+)\t(.+)$")
        lines[#lines + 1] = {tonumber(b) + 1, ts, nonce, authorization}
      end
      k = k + 1
    end
  end
  n = offset
  m = 0
  wrk.method = "POST"
  for name, value in pairs(headers) do
    wrk.headers[name] = value
  end
end

function request()
  if #lines > 0 then
    m = m % #lines + 1
    local l = lines[m]
    local h = {["Authorization"] = l[4], ["X-Vigil-Timestamp"] = l[2], ["X-Vigil-Nonce"] = l[3]}
    for name, value in pairs(headers) do
      h[name] = value
    end
    return wrk.format(nil, nil, h, bodies[l[1]])
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

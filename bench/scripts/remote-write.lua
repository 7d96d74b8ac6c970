-- wrk script: POST pre-generated remote-write bodies (snappy protobuf) in turn, one file each.
-- usage: BODIES=<dir> AUTH="Basic ..." wrk -t2 -c8 -d30s --latency -s remote-write.lua <url>
local dir = os.getenv("BODIES")
local auth = os.getenv("AUTH")
local bodies = {}

local function load()
  local i = 0
  while true do
    local f = io.open(string.format("%s/body-%05d.bin", dir, i), "rb")
    if not f then break end
    bodies[#bodies + 1] = f:read("*all")
    f:close()
    i = i + 1
  end
end

local counter = 0
local errors = 0

function setup(thread)
  thread:set("offset", counter)
  counter = counter + 1
end

function init(args)
  load()
  n = offset
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-protobuf"
  wrk.headers["Content-Encoding"] = "snappy"
  wrk.headers["X-Prometheus-Remote-Write-Version"] = "0.1.0"
  if auth and auth ~= "" then
    wrk.headers["Authorization"] = auth
  end
end

function request()
  n = n + 2
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

-- KEYS: queue, paused (a flag), counts. ARGV: queue name, jobPrefix. The queue's size, the age of its
-- oldest job (ms, -1 when empty), paused (1/0), running, scheduled, retrying, dead, waiting-children.
local size = redis.call('LLEN', KEYS[1])
local latency = -1
if size > 0 then
  local oldest = redis.call('LINDEX', KEYS[1], -1)
  local at = redis.call('HGET', ARGV[2] .. oldest, 'queuedAt')
  if at then latency = math.max(0, now - tonumber(at)) end
end
local q = ARGV[1]
local c = redis.call('HMGET', KEYS[3], q .. ':running', q .. ':scheduled', q .. ':retrying', q .. ':dead', q .. ':waiting-children')
local out = {size, latency, redis.call('EXISTS', KEYS[2])}
for i = 1, 5 do table.insert(out, tonumber(c[i] or '0')) end
return out

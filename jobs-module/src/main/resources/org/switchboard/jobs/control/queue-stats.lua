-- KEYS: queues, paused, counts. ARGV: queuePrefix, jobPrefix. Per known queue: name, size, age of its
-- oldest job (ms, -1 when empty), paused (1/0), running, scheduled, retrying, dead.
local out = {}
local names = redis.call('SMEMBERS', KEYS[1])
table.sort(names)
for _, q in ipairs(names) do
  local list = ARGV[1] .. q
  local size = redis.call('LLEN', list)
  local latency = -1
  if size > 0 then
    local oldest = redis.call('LINDEX', list, -1)
    local at = redis.call('HGET', ARGV[2] .. oldest, 'queuedAt')
    if at then latency = math.max(0, now - tonumber(at)) end
  end
  local c = redis.call('HMGET', KEYS[3], q .. ':running', q .. ':scheduled', q .. ':retrying', q .. ':dead')
  table.insert(out, q)
  table.insert(out, size)
  table.insert(out, latency)
  table.insert(out, redis.call('SISMEMBER', KEYS[2], q))
  for i = 1, 4 do table.insert(out, tonumber(c[i] or '0')) end
end
return out

-- KEYS: scheduled, counts, queue. ARGV: how many at most, jobPrefix.
-- Moves the due jobs to the back of the queue.
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
for _, id in ipairs(ids) do
  redis.call('ZREM', KEYS[1], id)
  local key = ARGV[2] .. id
  if redis.call('EXISTS', key) == 1 then
    setState(KEYS[2], key, 'queued')
    redis.call('HSET', key, 'queuedAt', now)
    redis.call('LPUSH', KEYS[3], id)
  end
end
return #ids

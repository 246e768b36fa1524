-- KEYS: scheduled, counts. ARGV: how many at most, jobPrefix, queuePrefix.
-- Moves the due jobs to the back of their queues.
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
for _, id in ipairs(ids) do
  redis.call('ZREM', KEYS[1], id)
  local key = ARGV[2] .. id
  local queue = redis.call('HGET', key, 'queue')
  if queue then
    setState(KEYS[2], key, 'queued')
    redis.call('HSET', key, 'queuedAt', now)
    redis.call('LPUSH', ARGV[3] .. queue, id)
  end
end
return #ids

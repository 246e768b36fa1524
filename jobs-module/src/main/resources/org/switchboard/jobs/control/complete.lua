-- KEYS: pending, done, stats, counts. ARGV: result TTL seconds, jobPrefix, then id and result for each job.
local done = 0
for i = 3, #ARGV, 2 do
  local id = ARGV[i]
  if redis.call('LREM', KEYS[1], -1, id) == 1 then
    local key = ARGV[2] .. id
    setState(KEYS[4], key, 'succeeded')
    redis.call('HSET', key, 'finishedAt', now, 'result', ARGV[i + 1])
    redis.call('HDEL', key, 'error')
    redis.call('EXPIRE', key, tonumber(ARGV[1]))
    redis.call('ZADD', KEYS[2], now, id)
    done = done + 1
  end
end
redis.call('HINCRBY', KEYS[3], 'processed', done)
return done

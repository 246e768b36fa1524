-- KEYS: pending, done, stats, counts. ARGV: result TTL seconds, jobPrefix, then id and result for each job.
-- setState's work done inline, and the counts' changes summed over the batch: each command a
-- script runs costs Redis as much as a command sent on its own.
local done = 0
local changes = {}
for i = 3, #ARGV, 2 do
  local id = ARGV[i]
  if redis.call('LREM', KEYS[1], -1, id) == 1 then
    local key = ARGV[2] .. id
    local old = redis.call('HMGET', key, 'state', 'queue', 'error')
    if old[2] then -- the job is still there (not deleted while it ran)
      countChange(changes, old[2], old[1], 'succeeded')
      redis.call('HSET', key, 'state', 'succeeded', 'finishedAt', now, 'result', ARGV[i + 1])
      if old[3] then redis.call('HDEL', key, 'error') end
      redis.call('EXPIRE', key, tonumber(ARGV[1]))
      redis.call('ZADD', KEYS[2], now, id)
    end
    done = done + 1
  end
end
applyCounts(KEYS[4], changes)
redis.call('HINCRBY', KEYS[3], 'processed', done)
return done

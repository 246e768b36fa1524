-- KEYS: pending, job, counts. ARGV: id, TTL seconds.
-- A worker ends a running job whose cancellation was asked for.
if redis.call('LREM', KEYS[1], -1, ARGV[1]) == 0 then return 0 end
setState(KEYS[3], KEYS[2], 'cancelled')
redis.call('HSET', KEYS[2], 'finishedAt', now, 'error', 'cancelled while running')
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[2]))
return 1

-- KEYS: pending, job, counts, undelivered, events. ARGV: id, TTL seconds.
-- A worker ends a running job whose cancellation was asked for.
if redis.call('LREM', KEYS[1], -1, ARGV[1]) == 0 then return 0 end
setState(KEYS[3], KEYS[2], 'cancelled')
redis.call('HSET', KEYS[2], 'finishedAt', now, 'error', 'cancelled while running')
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[2]))
if redis.call('HEXISTS', KEYS[2], 'parent') == 1 then redis.call('ZADD', KEYS[4], now, ARGV[1]) end
emit(KEYS[5], 'e', 'cancelled', 'ids', ARGV[1])
return 1

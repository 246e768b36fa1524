-- KEYS: pending, done, stats, counts, job, undelivered. ARGV: queue name, id, result, '1' to clear an
-- earlier attempt's error.
-- complete.lua for a job of a flow that has a parent: its outcome waits in the queue's undelivered set,
-- in the same step, until its parent has it (deliver.lua), so a node that dies in between loses it not.
if redis.call('LREM', KEYS[1], -1, ARGV[2]) == 0 then return 0 end
redis.call('HSET', KEYS[5], 'state', 'succeeded', 'finishedAt', now, 'result', ARGV[3])
if ARGV[4] == '1' then redis.call('HDEL', KEYS[5], 'error') end
redis.call('ZADD', KEYS[2], now, ARGV[2])
redis.call('HINCRBY', KEYS[4], ARGV[1] .. ':running', -1)
redis.call('HINCRBY', KEYS[3], 'processed', 1)
redis.call('ZADD', KEYS[6], now, ARGV[2])
return 1

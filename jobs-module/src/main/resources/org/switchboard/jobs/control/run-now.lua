-- KEYS: the set the job waits in (dead or scheduled), job, counts, queue. ARGV: id, '1' to give it
-- all its attempts again. Puts a dead, scheduled or retrying job at the back of its queue now.
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return '' end
local state = redis.call('HGET', KEYS[2], 'state')
if not state then return '' end
if ARGV[2] == '1' then redis.call('HSET', KEYS[2], 'attempts', 0) end
redis.call('HDEL', KEYS[2], 'finishedAt', 'cancelRequested')
setState(KEYS[3], KEYS[2], 'queued')
redis.call('HSET', KEYS[2], 'queuedAt', now)
redis.call('LPUSH', KEYS[4], ARGV[1])
return state

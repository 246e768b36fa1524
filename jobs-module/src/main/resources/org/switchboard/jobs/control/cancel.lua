-- KEYS: job, scheduled, counts, queue, undelivered, events. ARGV: id, TTL seconds of a cancelled job.
-- Answers the state the job was in ('' if unknown). A parent waiting for its children is cancelled
-- as it is (its caller cancels the children); a child of a flow waits in the undelivered set until its
-- parent has its outcome.
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return '' end
if state == 'queued' then
  redis.call('LREM', KEYS[4], 1, ARGV[1])
elseif state == 'scheduled' or state == 'retrying' then
  redis.call('ZREM', KEYS[2], ARGV[1])
elseif state == 'waiting-children' then
  -- in no list: nothing to take it out of
elseif state == 'running' then
  redis.call('HSET', KEYS[1], 'cancelRequested', 1)
  return state
else
  return state
end
setState(KEYS[3], KEYS[1], 'cancelled')
redis.call('HSET', KEYS[1], 'finishedAt', now)
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]))
if redis.call('HEXISTS', KEYS[1], 'parent') == 1 then redis.call('ZADD', KEYS[5], now, ARGV[1]) end
emit(KEYS[6], 'e', 'cancelled', 'ids', ARGV[1])
return state

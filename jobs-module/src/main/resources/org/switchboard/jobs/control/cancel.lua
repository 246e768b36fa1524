-- KEYS: job, scheduled, counts, queue. ARGV: id, TTL seconds of a cancelled job.
-- Answers the state the job was in ('' if unknown).
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return '' end
if state == 'queued' then
  redis.call('LREM', KEYS[4], 1, ARGV[1])
elseif state == 'scheduled' or state == 'retrying' then
  redis.call('ZREM', KEYS[2], ARGV[1])
elseif state == 'running' then
  redis.call('HSET', KEYS[1], 'cancelRequested', 1)
  return state
else
  return state
end
setState(KEYS[3], KEYS[1], 'cancelled')
redis.call('HSET', KEYS[1], 'finishedAt', now)
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]))
return state

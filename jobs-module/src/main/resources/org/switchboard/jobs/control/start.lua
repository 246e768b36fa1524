-- KEYS: pending, job, queue, paused (a flag), counts. ARGV: id.
-- Starts a job a blocking move took: unless the queue was paused meanwhile (then the job goes back),
-- or the job is gone.
if redis.call('EXISTS', KEYS[4]) == 1 then
  redis.call('LREM', KEYS[1], 1, ARGV[1])
  redis.call('RPUSH', KEYS[3], ARGV[1])
  return {}
end
if redis.call('EXISTS', KEYS[2]) == 0 then
  redis.call('LREM', KEYS[1], 1, ARGV[1])
  return {}
end
local attempt = redis.call('HINCRBY', KEYS[2], 'attempts', 1)
setState(KEYS[5], KEYS[2], 'running')
redis.call('HSET', KEYS[2], 'startedAt', now)
local f = redis.call('HMGET', KEYS[2], 'type', 'payload', 'maxAttempts', 'timeoutSeconds', 'queuedAt')
return {ARGV[1], f[1], f[2], tostring(attempt), f[3], f[4], tostring(now - (tonumber(f[5]) or now))}

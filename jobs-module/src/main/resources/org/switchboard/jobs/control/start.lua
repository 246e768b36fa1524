-- KEYS: pending, job, queue, paused (a flag), counts. ARGV: id, the most jobs of the queue that may run
-- at once (0: no limit), the queue's name. A job taken while that many run goes back: {'limited'}.
-- Starts a job a blocking move took: unless the queue was paused meanwhile (then the job goes back),
-- or the job is gone. One read and one write of the job (setState's work done inline): this is the
-- path of an idle worker, where every command adds to the wait from enqueue to start.
if redis.call('EXISTS', KEYS[4]) == 1 then
  redis.call('LREM', KEYS[1], 1, ARGV[1])
  redis.call('RPUSH', KEYS[3], ARGV[1])
  return {}
end
local limit = tonumber(ARGV[2] or '0')
if limit > 0 and tonumber(redis.call('HGET', KEYS[5], ARGV[3] .. ':running') or '0') >= limit then
  redis.call('LREM', KEYS[1], 1, ARGV[1])
  redis.call('RPUSH', KEYS[3], ARGV[1])
  return {'limited'}
end
local f = redis.call('HMGET', KEYS[2], 'type', 'payload', 'maxAttempts', 'timeoutSeconds', 'queuedAt', 'attempts', 'state', 'queue', 'error')
if not f[1] then
  redis.call('LREM', KEYS[1], 1, ARGV[1])
  return {}
end
local attempt = (tonumber(f[6]) or 0) + 1
if f[8] then
  local changes = {}
  countChange(changes, f[8], f[7], 'running')
  applyCounts(KEYS[5], changes)
end
redis.call('HSET', KEYS[2], 'attempts', attempt, 'state', 'running', 'startedAt', now)
return {ARGV[1], f[1], f[2], tostring(attempt), f[3], f[4], tostring(now - (tonumber(f[5]) or now)), f[9] and '1' or '0'}

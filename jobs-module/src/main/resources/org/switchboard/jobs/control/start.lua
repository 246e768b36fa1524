-- KEYS: pending, job, queue, paused (a flag), counts, recent starts, events. ARGV: id, the most jobs of the
-- queue that may run at once (0: no limit), the queue's name, the most that may start within a window
-- (0: no limit), the window (ms). A job taken while a limit is reached goes back: {'limited', ms or ''}.
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
  return {'limited', ''}
end
local rate = tonumber(ARGV[4] or '0')
local window = tonumber(ARGV[5] or '0')
if rate > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[6], '-inf', now - window)
  if redis.call('ZCARD', KEYS[6]) >= rate then
    local oldest = redis.call('ZRANGE', KEYS[6], 0, 0, 'WITHSCORES')
    redis.call('LREM', KEYS[1], 1, ARGV[1])
    redis.call('RPUSH', KEYS[3], ARGV[1])
    return {'limited', tostring(tonumber(oldest[2]) + window - now)}
  end
end
local f = redis.call('HMGET', KEYS[2], 'type', 'payload', 'maxAttempts', 'timeoutSeconds', 'queuedAt', 'attempts', 'state', 'queue', 'error', 'parentQueue', 'parent')
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
emit(KEYS[7], 'e', 'started', 'ids', ARGV[1], 'attempts', attempt)
if rate > 0 then
  redis.call('ZADD', KEYS[6], now, ARGV[1] .. ':' .. attempt)
  redis.call('PEXPIRE', KEYS[6], window)
end
return {ARGV[1], f[1], f[2], tostring(attempt), f[3], f[4], tostring(now - (tonumber(f[5]) or now)), f[9] and '1' or '0', f[10] or '', f[11] or ''}

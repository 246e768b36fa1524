-- KEYS: queue, pending, paused (a flag), counts, recent starts, events. ARGV: queue name, how many, jobPrefix,
-- the most jobs of the queue that may run at once over every worker (0: no limit), the most that may
-- start within a window (0: no limit) and the window (ms). Answers {'limited', ms to wait or ''} when
-- either limit is reached: the recent starts (a sorted set by start time) count over every worker.
-- Answers id, type, payload, attempt, maxAttempts, timeout, how long it waited (ms), and whether an
-- earlier attempt's error is on it ('1' or '0'), and its parent's queue and id in a flow ('' if none), per job.
if redis.call('EXISTS', KEYS[3]) == 1 then return {} end
-- the batch moves to the pending list in three commands, not one per job: the oldest n, at the right
local n = tonumber(ARGV[2])
local limit = tonumber(ARGV[4] or '0')
if limit > 0 then
  local running = tonumber(redis.call('HGET', KEYS[4], ARGV[1] .. ':running') or '0')
  if running >= limit then return {'limited', ''} end
  n = math.min(n, limit - running)
end
local rate = tonumber(ARGV[5] or '0')
local window = tonumber(ARGV[6] or '0')
if rate > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now - window)
  local recent = redis.call('ZCARD', KEYS[5])
  if recent >= rate then
    local oldest = redis.call('ZRANGE', KEYS[5], 0, 0, 'WITHSCORES')
    return {'limited', tostring(tonumber(oldest[2]) + window - now)}
  end
  n = math.min(n, rate - recent)
end
local ids = redis.call('LRANGE', KEYS[1], -n, -1)
if #ids == 0 then return {} end
redis.call('LTRIM', KEYS[1], 0, -(#ids + 1))
local oldestLast = {}
for i = #ids, 1, -1 do table.insert(oldestLast, ids[i]) end
redis.call('LPUSH', KEYS[2], unpack(oldestLast)) -- the order one LMOVE per job would leave
local out = {}
local started = 0
local starts = {}
local startedIds = {}
local attempts = {}
for i = #ids, 1, -1 do
  local id = ids[i]
  local key = ARGV[3] .. id
  -- one read and one write per job: a job without a type is gone (deleted while queued)
  local f = redis.call('HMGET', key, 'type', 'payload', 'maxAttempts', 'timeoutSeconds', 'queuedAt', 'attempts', 'error', 'parentQueue', 'parent')
  if f[1] then
    local attempt = (tonumber(f[6]) or 0) + 1
    redis.call('HSET', key, 'attempts', attempt, 'state', 'running', 'startedAt', now)
    started = started + 1
    table.insert(startedIds, id)
    table.insert(attempts, attempt)
    if rate > 0 then
      table.insert(starts, now)
      table.insert(starts, id .. ':' .. attempt)
    end
    table.insert(out, id)
    table.insert(out, f[1])
    table.insert(out, f[2])
    table.insert(out, tostring(attempt))
    table.insert(out, f[3])
    table.insert(out, f[4])
    table.insert(out, tostring(now - (tonumber(f[5]) or now)))
    table.insert(out, f[7] and '1' or '0')
    table.insert(out, f[8] or '')
    table.insert(out, f[9] or '')
  else
    redis.call('LREM', KEYS[2], 1, id)
  end
end
if started > 0 then
  redis.call('HINCRBY', KEYS[4], ARGV[1] .. ':running', started)
  emit(KEYS[6], 'e', 'started', 'ids', table.concat(startedIds, ','), 'attempts', table.concat(attempts, ','))
end
if #starts > 0 then
  redis.call('ZADD', KEYS[5], unpack(starts))
  redis.call('PEXPIRE', KEYS[5], window)
end
return out

-- KEYS: queue, pending, paused (a flag), counts. ARGV: queue name, how many, jobPrefix.
-- Answers id, type, payload, attempt, maxAttempts, timeout, and how long it waited (ms) per job.
if redis.call('EXISTS', KEYS[3]) == 1 then return {} end
local out = {}
local started = 0
for i = 1, tonumber(ARGV[2]) do
  local id = redis.call('LMOVE', KEYS[1], KEYS[2], 'RIGHT', 'LEFT')
  if not id then break end
  local key = ARGV[3] .. id
  -- one read and one write per job: a job without a type is gone (deleted while queued)
  local f = redis.call('HMGET', key, 'type', 'payload', 'maxAttempts', 'timeoutSeconds', 'queuedAt', 'attempts')
  if f[1] then
    local attempt = (tonumber(f[6]) or 0) + 1
    redis.call('HSET', key, 'attempts', attempt, 'state', 'running', 'startedAt', now)
    started = started + 1
    table.insert(out, id)
    table.insert(out, f[1])
    table.insert(out, f[2])
    table.insert(out, tostring(attempt))
    table.insert(out, f[3])
    table.insert(out, f[4])
    table.insert(out, tostring(now - (tonumber(f[5]) or now)))
  else
    redis.call('LREM', KEYS[2], 1, id)
  end
end
if started > 0 then redis.call('HINCRBY', KEYS[4], ARGV[1] .. ':running', started) end
return out

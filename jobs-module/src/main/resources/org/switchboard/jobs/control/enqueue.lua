-- KEYS: job, queue, scheduled, unique, counts, events.
-- ARGV: id, queue, type, payload, maxAttempts, timeoutSeconds, delayMs, uniqueTtlMs, jobPrefix,
-- strict ('1': the unique key alone blocks a second job, even once the first is gone: cron ticks),
-- and for a child of a flow its parent's id and queue ('' otherwise).
if tonumber(ARGV[8]) > 0 then
  local existing = redis.call('GET', KEYS[4])
  if existing and (ARGV[10] == '1' or redis.call('EXISTS', ARGV[9] .. existing) == 1) then
    return {existing, redis.call('HGET', ARGV[9] .. existing, 'state') or 'succeeded', 0}
  end
  redis.call('SET', KEYS[4], ARGV[1], 'PX', ARGV[8])
end
local delay = tonumber(ARGV[7])
local state = 'queued'
if delay > 0 then state = 'scheduled' end
-- one HSET either way: each command a script runs costs Redis as much as a command sent on its own
if delay > 0 then
  redis.call('HSET', KEYS[1], 'id', ARGV[1], 'queue', ARGV[2], 'type', ARGV[3], 'payload', ARGV[4],
    'maxAttempts', ARGV[5], 'timeoutSeconds', ARGV[6], 'state', state, 'attempts', 0, 'enqueuedAt', now)
  redis.call('ZADD', KEYS[3], now + delay, ARGV[1])
  redis.call('HINCRBY', KEYS[5], ARGV[2] .. ':scheduled', 1)
else
  redis.call('HSET', KEYS[1], 'id', ARGV[1], 'queue', ARGV[2], 'type', ARGV[3], 'payload', ARGV[4],
    'maxAttempts', ARGV[5], 'timeoutSeconds', ARGV[6], 'state', state, 'attempts', 0, 'enqueuedAt', now,
    'queuedAt', now)
  redis.call('LPUSH', KEYS[2], ARGV[1])
end
if ARGV[11] and ARGV[11] ~= '' then redis.call('HSET', KEYS[1], 'parent', ARGV[11], 'parentQueue', ARGV[12]) end
emit(KEYS[6], 'e', 'enqueued', 'ids', ARGV[1], 'state', state)
return {ARGV[1], state, 1}

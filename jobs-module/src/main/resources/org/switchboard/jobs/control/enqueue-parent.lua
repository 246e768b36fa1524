-- KEYS: job, queue, counts, dead, undelivered, events. ARGV: id, queue, type, payload, maxAttempts, timeoutSeconds,
-- its children ('queue/id' each, comma-separated), how many, continueOnChildFailure ('1' or '0'), its
-- own parent's id ('' for the root of a flow) and queue.
-- A parent of a flow, enqueued after its children: it waits for those not finished yet (state
-- waiting-children), and is queued once they all succeeded. A child that finished before its parent
-- was made has left its outcome on the parent's hash already (deliver.lua), so it is counted here.
local early = redis.call('HMGET', KEYS[1], 'childrenSucceeded', 'childrenFailed', 'childFailure')
local done = tonumber(early[1] or '0') + tonumber(early[2] or '0')
local failed = early[3]
redis.call('PERSIST', KEYS[1])
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'queue', ARGV[2], 'type', ARGV[3], 'payload', ARGV[4],
  'maxAttempts', ARGV[5], 'timeoutSeconds', ARGV[6], 'attempts', 0, 'enqueuedAt', now,
  'children', ARGV[7], 'continueOnChildFailure', ARGV[9])
if ARGV[10] ~= '' then redis.call('HSET', KEYS[1], 'parent', ARGV[10], 'parentQueue', ARGV[11]) end
if failed and ARGV[9] ~= '1' then
  redis.call('HSET', KEYS[1], 'state', 'dead', 'error', failed, 'finishedAt', now)
  redis.call('HINCRBY', KEYS[3], ARGV[2] .. ':dead', 1)
  redis.call('ZADD', KEYS[4], now, ARGV[1])
  if ARGV[10] ~= '' then redis.call('ZADD', KEYS[5], now, ARGV[1]) end
  emit(KEYS[6], 'e', 'enqueued', 'ids', ARGV[1], 'state', 'dead')
  emit(KEYS[6], 'e', 'dead', 'ids', ARGV[1], 'error', failed)
  return 'dead'
end
local left = tonumber(ARGV[8]) - done
if left <= 0 then
  redis.call('HSET', KEYS[1], 'state', 'queued', 'queuedAt', now, 'childrenLeft', 0)
  redis.call('LPUSH', KEYS[2], ARGV[1])
  emit(KEYS[6], 'e', 'enqueued', 'ids', ARGV[1], 'state', 'queued')
  return 'queued'
end
redis.call('HSET', KEYS[1], 'state', 'waiting-children', 'childrenLeft', left)
redis.call('HINCRBY', KEYS[3], ARGV[2] .. ':waiting-children', 1)
emit(KEYS[6], 'e', 'enqueued', 'ids', ARGV[1], 'state', 'waiting-children')
return 'waiting-children'

-- KEYS: pending, job, scheduled, dead, stats, counts, undelivered, events. ARGV: id, error, retry delay ms, '1' to give up now.
-- A dead job of a flow that has a parent waits in the undelivered set until its parent has its outcome.
if redis.call('LREM', KEYS[1], -1, ARGV[1]) == 0 then return '' end
local attempts = tonumber(redis.call('HGET', KEYS[2], 'attempts') or '0')
local max = tonumber(redis.call('HGET', KEYS[2], 'maxAttempts') or '1')
redis.call('HINCRBY', KEYS[5], 'failed', 1)
if attempts < max and ARGV[4] ~= '1' then
  setState(KEYS[6], KEYS[2], 'retrying')
  redis.call('HSET', KEYS[2], 'error', ARGV[2], 'finishedAt', now)
  redis.call('ZADD', KEYS[3], now + tonumber(ARGV[3]), ARGV[1])
  emit(KEYS[8], 'e', 'failed', 'ids', ARGV[1], 'attempts', attempts, 'error', ARGV[2], 'next', 'retrying')
  return 'retrying'
end
setState(KEYS[6], KEYS[2], 'dead')
redis.call('HSET', KEYS[2], 'error', ARGV[2], 'finishedAt', now)
redis.call('ZADD', KEYS[4], now, ARGV[1])
if redis.call('HEXISTS', KEYS[2], 'parent') == 1 then redis.call('ZADD', KEYS[7], now, ARGV[1]) end
emit(KEYS[8], 'e', 'failed', 'ids', ARGV[1], 'attempts', attempts, 'error', ARGV[2], 'next', 'dead')
return 'dead'

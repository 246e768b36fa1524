-- KEYS: the parent's job, queue, counts, dead, undelivered (all of the parent's queue). ARGV: the child's id,
-- its outcome (succeeded, dead or cancelled), its result or error, how long an outcome left for a
-- parent not made yet is kept (ms).
-- Gives a parent its child's outcome, once (a child's id is a field of the parent's hash once its
-- outcome is there): a success counts down the children it waits for, and the last one queues it; a
-- failure makes it dead, naming the child, unless it runs on failures of its children. A parent not
-- made yet (its children are enqueued first) finds the outcome when it is made.
local field = 'child:' .. ARGV[1]
if redis.call('HEXISTS', KEYS[1], field) == 1 then return 'known' end
local text = ARGV[3]
if ARGV[2] ~= 'succeeded' then text = 'child ' .. ARGV[1] .. ' ' .. ARGV[2] .. ': ' .. ARGV[3] end
redis.call('HSET', KEYS[1], field, ARGV[2] .. ' ' .. text)
local f = redis.call('HMGET', KEYS[1], 'state', 'continueOnChildFailure', 'parent', 'queue', 'id')
if not f[1] then
  -- the parent is not made yet: its enqueue counts this; gone if it never is
  if ARGV[2] == 'succeeded' then
    redis.call('HINCRBY', KEYS[1], 'childrenSucceeded', 1)
  else
    redis.call('HINCRBY', KEYS[1], 'childrenFailed', 1)
    redis.call('HSETNX', KEYS[1], 'childFailure', text)
  end
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[4]))
  return 'absent'
end
if f[1] ~= 'waiting-children' then return f[1] end
if ARGV[2] ~= 'succeeded' and f[2] ~= '1' then
  setState(KEYS[3], KEYS[1], 'dead')
  redis.call('HSET', KEYS[1], 'error', text, 'finishedAt', now)
  redis.call('ZADD', KEYS[4], now, f[5])
  if f[3] then redis.call('ZADD', KEYS[5], now, f[5]) end
  return 'dead'
end
if redis.call('HINCRBY', KEYS[1], 'childrenLeft', -1) > 0 then return 'waiting-children' end
setState(KEYS[3], KEYS[1], 'queued')
redis.call('HSET', KEYS[1], 'queuedAt', now)
redis.call('LPUSH', KEYS[2], f[5])
return 'queued'

-- KEYS: the parent's job, queue, counts, dead, undelivered, events (all of the parent's queue). ARGV: how long
-- an outcome left for a parent not made yet is kept (ms), then for each child its id, its outcome
-- (succeeded, dead or cancelled), and its result or error. Answers the parent's state after them.
-- Gives a parent its child's outcome, once (a child's id is a field of the parent's hash once its
-- outcome is there): a success counts down the children it waits for, and the last one queues it; a
-- failure makes it dead, naming the child, unless it runs on failures of its children. A parent not
-- made yet (its children are enqueued first) finds the outcome when it is made.
local function deliver(child, outcome, given)
  local field = 'child:' .. child
  if redis.call('HEXISTS', KEYS[1], field) == 1 then return 'known' end
  local text = given
  if outcome ~= 'succeeded' then text = 'child ' .. child .. ' ' .. outcome .. ': ' .. given end
  redis.call('HSET', KEYS[1], field, outcome .. ' ' .. text)
  local f = redis.call('HMGET', KEYS[1], 'state', 'continueOnChildFailure', 'parent', 'queue', 'id')
  if not f[1] then
    -- the parent is not made yet: its enqueue counts this; gone if it never is
    if outcome == 'succeeded' then
      redis.call('HINCRBY', KEYS[1], 'childrenSucceeded', 1)
    else
      redis.call('HINCRBY', KEYS[1], 'childrenFailed', 1)
      redis.call('HSETNX', KEYS[1], 'childFailure', text)
    end
    redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]))
    return 'absent'
  end
  if f[1] ~= 'waiting-children' then return f[1] end
  if outcome ~= 'succeeded' and f[2] ~= '1' then
    setState(KEYS[3], KEYS[1], 'dead')
    redis.call('HSET', KEYS[1], 'error', text, 'finishedAt', now)
    redis.call('ZADD', KEYS[4], now, f[5])
    if f[3] then redis.call('ZADD', KEYS[5], now, f[5]) end
    emit(KEYS[6], 'e', 'dead', 'ids', f[5], 'error', text)
    return 'dead'
  end
  if redis.call('HINCRBY', KEYS[1], 'childrenLeft', -1) > 0 then return 'waiting-children' end
  setState(KEYS[3], KEYS[1], 'queued')
  redis.call('HSET', KEYS[1], 'queuedAt', now)
  redis.call('LPUSH', KEYS[2], f[5])
  emit(KEYS[6], 'e', 'queued', 'ids', f[5])
  return 'queued'
end
local state = ''
for i = 2, #ARGV, 3 do state = deliver(ARGV[i], ARGV[i + 1], ARGV[i + 2]) end
return state

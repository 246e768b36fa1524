-- back(counts, jobPrefix, queuePrefix, id): puts a job back at the front of its queue (its oldest
-- end), queued again. Needs state.lua and now.lua.
local function back(counts, jobPrefix, queuePrefix, id)
  local key = jobPrefix .. id
  local queue = redis.call('HGET', key, 'queue')
  if not queue then return 0 end
  setState(counts, key, 'queued')
  redis.call('HSET', key, 'queuedAt', now)
  redis.call('RPUSH', queuePrefix .. queue, id)
  return 1
end

-- back(counts, jobPrefix, queue, id): puts a job back at the front of its queue (its oldest end),
-- queued again. Needs state.lua and now.lua.
local function back(counts, jobPrefix, queue, id)
  local key = jobPrefix .. id
  if redis.call('EXISTS', key) == 0 then return 0 end
  setState(counts, key, 'queued')
  redis.call('HSET', key, 'queuedAt', now)
  redis.call('RPUSH', queue, id)
  return 1
end

-- KEYS: done, dead, counts, events. ARGV: jobPrefix, succeeded max age ms, succeeded max count, dead max age
-- ms, dead max count, most jobs to delete in this call, the events' max age ms. Deletes the oldest
-- finished jobs beyond either bound, and the events older than their age, so Redis memory stays
-- bounded. Answers how many jobs.
local budget = tonumber(ARGV[6])
local removed = 0
local function trim(set, maxAge, maxCount, isDead)
  if budget - removed <= 0 then return end
  local ids = redis.call('ZRANGEBYSCORE', set, '-inf', now - maxAge, 'LIMIT', 0, budget - removed)
  local over = redis.call('ZCARD', set) - #ids - maxCount
  if over > 0 and removed + #ids < budget then
    local more = redis.call('ZRANGE', set, #ids, #ids + math.min(over, budget - removed - #ids) - 1)
    for _, id in ipairs(more) do table.insert(ids, id) end
  end
  -- in slices: a call's arguments are bounded by Lua's stack
  for first = 1, #ids, 500 do
    local slice = {}
    local keys = {}
    for i = first, math.min(first + 499, #ids) do
      local key = ARGV[1] .. ids[i]
      if isDead then setState(KEYS[3], key, 'deleted') end
      table.insert(slice, ids[i])
      table.insert(keys, key)
    end
    redis.call('DEL', unpack(keys))
    redis.call('ZREM', set, unpack(slice))
  end
  removed = removed + #ids
end
trim(KEYS[1], tonumber(ARGV[2]), tonumber(ARGV[3]), false)
trim(KEYS[2], tonumber(ARGV[4]), tonumber(ARGV[5]), true)
redis.call('XTRIM', KEYS[4], 'MINID', '~', now - tonumber(ARGV[7]))
return removed

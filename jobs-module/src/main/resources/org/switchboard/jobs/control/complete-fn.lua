-- completeJobs(pending, done, stats, counts, ttl, jobPrefix, from): acknowledges the jobs whose id and
-- result are ARGV[from], ARGV[from + 1], ... (pairs to the end): each leaves the worker's pending list,
-- takes its result and the state succeeded, expires after ttl seconds and is listed as done. setState's
-- work is done inline, and the counts' changes are summed over the batch: each command a script runs
-- costs Redis as much as a command sent on its own. Answers how many it acknowledged.
local function completeJobs(pending, done, stats, counts, ttl, jobPrefix, from)
  local acknowledged = 0
  local changes = {}
  for i = from, #ARGV, 2 do
    local id = ARGV[i]
    if redis.call('LREM', pending, -1, id) == 1 then
      local key = jobPrefix .. id
      local old = redis.call('HMGET', key, 'state', 'queue', 'error')
      if old[2] then -- the job is still there (not deleted while it ran)
        if old[1] ~= 'succeeded' and old[1] and counted[old[1]] then
          local field = old[2] .. ':' .. old[1]
          changes[field] = (changes[field] or 0) - 1
        end
        redis.call('HSET', key, 'state', 'succeeded', 'finishedAt', now, 'result', ARGV[i + 1])
        if old[3] then redis.call('HDEL', key, 'error') end
        redis.call('EXPIRE', key, tonumber(ttl))
        redis.call('ZADD', done, now, id)
      end
      acknowledged = acknowledged + 1
    end
  end
  for field, change in pairs(changes) do redis.call('HINCRBY', counts, field, change) end
  if acknowledged > 0 then redis.call('HINCRBY', stats, 'processed', acknowledged) end
  return acknowledged
end

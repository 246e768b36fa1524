-- setState(counts, key, state): sets a job's state and keeps the per-queue counts of the states that
-- are not lists (scheduled, running, retrying, dead) in step. Every change of state goes through
-- here, inside the script that moves the job, so the counts are exact.
local counted = {scheduled = true, running = true, retrying = true, dead = true}
local function setState(counts, key, state)
  local old = redis.call('HMGET', key, 'state', 'queue')
  if old[1] == state or not old[2] then
    if old[2] then redis.call('HSET', key, 'state', state) end
    return
  end
  if old[1] and counted[old[1]] then redis.call('HINCRBY', counts, old[2] .. ':' .. old[1], -1) end
  if counted[state] then redis.call('HINCRBY', counts, old[2] .. ':' .. state, 1) end
  redis.call('HSET', key, 'state', state)
end

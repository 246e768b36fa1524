-- setState(counts, key, state): sets a job's state and keeps the per-queue counts of the states that
-- are not lists (scheduled, running, retrying, dead, waiting-children) in step. Every change of state goes through
-- here, or through countChange and applyCounts inside the script that moves the job, so the counts
-- are exact.
local counted = {scheduled = true, running = true, retrying = true, dead = true, ['waiting-children'] = true}

-- countChange(changes, queue, from, to): adds a job of `queue` moving from state `from` to `to` to
-- the count changes in `changes` (by count field), for applyCounts to write once per script.
local function countChange(changes, queue, from, to)
  if from == to then return end
  if from and counted[from] then changes[queue .. ':' .. from] = (changes[queue .. ':' .. from] or 0) - 1 end
  if counted[to] then changes[queue .. ':' .. to] = (changes[queue .. ':' .. to] or 0) + 1 end
end

local function applyCounts(counts, changes)
  for field, change in pairs(changes) do
    if change ~= 0 then redis.call('HINCRBY', counts, field, change) end
  end
end

local function setState(counts, key, state)
  local old = redis.call('HMGET', key, 'state', 'queue')
  if not old[2] then return end
  local changes = {}
  countChange(changes, old[2], old[1], state)
  applyCounts(counts, changes)
  redis.call('HSET', key, 'state', state)
end

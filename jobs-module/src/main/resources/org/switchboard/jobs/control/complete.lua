-- KEYS: pending, done, stats, counts, events, undelivered. ARGV: queue name, jobPrefix, then id, result and '1'
-- to clear an earlier attempt's error, for each job. Answers how many the worker held; for the
-- children of flows (children.lua), their ids. A job the worker still holds is running (every move out of
-- a pending list changes the state with it), so neither its state nor its queue is read: one HSET per
-- job, one LREM for each not at the list's tail, the counts' change and the ZADD once per batch. A
-- succeeded job is deleted by trim.lua once it is older than the retention (the result's TTL). Each
-- command a script runs costs Redis as much as a command sent on its own.
local done = 0
local finished = {}
local succeeded = {}
-- a batch's jobs are most often the oldest its worker holds, at the pending list's tail as fetched:
-- those leave it in one LTRIM instead of one LREM each (Redis's work, and the AOF's bytes, per job)
local inBatch = {}
for i = 3, #ARGV, 3 do inBatch[ARGV[i]] = true end
local tail = redis.call('LRANGE', KEYS[1], -((#ARGV - 2) / 3), -1)
local trimmed = {}
local k = 0
for i = #tail, 1, -1 do
  if not inBatch[tail[i]] or trimmed[tail[i]] then break end
  trimmed[tail[i]] = true
  k = k + 1
end
if k > 0 then redis.call('LTRIM', KEYS[1], 0, -(k + 1)) end
for i = 3, #ARGV, 3 do
  local id = ARGV[i]
  if trimmed[id] or redis.call('LREM', KEYS[1], -1, id) == 1 then
    local key = ARGV[2] .. id
    redis.call('HSET', key, 'state', 'succeeded', 'finishedAt', now, 'result', ARGV[i + 1])
    if ARGV[i + 2] == '1' then redis.call('HDEL', key, 'error') end
    table.insert(finished, now)
    table.insert(finished, id)
    table.insert(succeeded, id)
    done = done + 1
  end
end
if done > 0 then
  redis.call('ZADD', KEYS[2], unpack(finished))
  if CHILDREN then redis.call('ZADD', KEYS[6], unpack(finished)) end
  local changes = {}
  changes[ARGV[1] .. ':running'] = -done
  applyCounts(KEYS[4], changes)
  redis.call('HINCRBY', KEYS[3], 'processed', done)
  emit(KEYS[5], 'e', 'succeeded', 'ids', table.concat(succeeded, ','))
end
if CHILDREN then return succeeded end
return done

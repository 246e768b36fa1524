-- fetchJobs(queue, pending, paused, counts, queueName, max, jobPrefix): moves up to max jobs from the
-- queue into the worker's pending list and starts them, unless the queue is paused. Answers id, type,
-- payload, attempt, maxAttempts, timeout, and how long it waited (ms) per job.
local function fetchJobs(queue, pending, paused, counts, queueName, max, jobPrefix)
  if redis.call('EXISTS', paused) == 1 then return {} end
  local out = {}
  local started = 0
  for i = 1, tonumber(max) do
    local id = redis.call('LMOVE', queue, pending, 'RIGHT', 'LEFT')
    if not id then break end
    local key = jobPrefix .. id
    -- one read and one write per job: a job without a type is gone (deleted while queued)
    local f = redis.call('HMGET', key, 'type', 'payload', 'maxAttempts', 'timeoutSeconds', 'queuedAt', 'attempts')
    if f[1] then
      local attempt = (tonumber(f[6]) or 0) + 1
      redis.call('HSET', key, 'attempts', attempt, 'state', 'running', 'startedAt', now)
      started = started + 1
      table.insert(out, id)
      table.insert(out, f[1])
      table.insert(out, f[2])
      table.insert(out, tostring(attempt))
      table.insert(out, f[3])
      table.insert(out, f[4])
      table.insert(out, tostring(now - (tonumber(f[5]) or now)))
    else
      redis.call('LREM', pending, 1, id)
    end
  end
  if started > 0 then redis.call('HINCRBY', counts, queueName .. ':running', started) end
  return out
end

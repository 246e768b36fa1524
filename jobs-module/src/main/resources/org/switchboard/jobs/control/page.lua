-- KEYS: a sorted set of job ids. ARGV: jobPrefix, offset, count, '1' for newest first. Per job: id,
-- score (ms), queue, type, state, attempts, maxAttempts, error, enqueuedAt.
local ids
if ARGV[4] == '1' then
  ids = redis.call('ZREVRANGE', KEYS[1], tonumber(ARGV[2]), tonumber(ARGV[2]) + tonumber(ARGV[3]) - 1, 'WITHSCORES')
else
  ids = redis.call('ZRANGE', KEYS[1], tonumber(ARGV[2]), tonumber(ARGV[2]) + tonumber(ARGV[3]) - 1, 'WITHSCORES')
end
local out = {}
for i = 1, #ids, 2 do
  local f = redis.call('HMGET', ARGV[1] .. ids[i], 'queue', 'type', 'state', 'attempts', 'maxAttempts', 'error', 'enqueuedAt')
  table.insert(out, ids[i])
  table.insert(out, ids[i + 1])
  for k = 1, 7 do table.insert(out, f[k] or '') end
end
return out

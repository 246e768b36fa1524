-- KEYS: the job keys. Answers the ids (ARGV, in the same order) whose cancellation was asked for.
local out = {}
for i, key in ipairs(KEYS) do
  if redis.call('HGET', key, 'cancelRequested') == '1' then table.insert(out, ARGV[i]) end
end
return out

-- KEYS: pending, counts, queue. ARGV: jobPrefix, then job ids.
-- Puts these jobs of the worker's pending list back at the front of their queue: jobs the worker
-- holds without knowing it (a fetch whose answer was lost, an outcome that could not be recorded).
local moved = 0
for i = 2, #ARGV do
  if redis.call('LREM', KEYS[1], 1, ARGV[i]) == 1 then
    moved = moved + back(KEYS[2], ARGV[1], KEYS[3], ARGV[i])
  end
end
return moved

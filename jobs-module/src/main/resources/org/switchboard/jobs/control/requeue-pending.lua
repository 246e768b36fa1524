-- KEYS: a worker's pending list of one queue, counts, queue. ARGV: jobPrefix.
-- Puts every job of the list back at the front of the queue, oldest first, and deletes the list.
local moved = 0
for _, id in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
  moved = moved + back(KEYS[2], ARGV[1], KEYS[3], id)
end
redis.call('DEL', KEYS[1])
return moved

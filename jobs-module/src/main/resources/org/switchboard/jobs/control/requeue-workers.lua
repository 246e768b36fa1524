-- KEYS: workers, counts. ARGV: one worker id (or '' for every worker whose heartbeat expired),
-- jobPrefix, queuePrefix, pendingPrefix.
-- Puts their pending jobs back at the front of their queues, oldest first, and forgets the workers.
local workers
if ARGV[1] == '' then
  workers = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
else
  workers = {ARGV[1]}
end
local moved = 0
for _, w in ipairs(workers) do
  local pending = ARGV[4] .. w
  for _, id in ipairs(redis.call('LRANGE', pending, 0, -1)) do
    moved = moved + back(KEYS[2], ARGV[2], ARGV[3], id)
  end
  redis.call('DEL', pending)
  redis.call('ZREM', KEYS[1], w)
end
return moved

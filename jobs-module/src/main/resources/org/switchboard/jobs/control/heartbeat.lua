-- KEYS: workers. ARGV: worker id, heartbeat TTL ms.
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
return now

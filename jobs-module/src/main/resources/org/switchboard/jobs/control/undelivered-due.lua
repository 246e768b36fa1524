-- KEYS: undelivered. ARGV: age (ms), how many at most. The jobs of flows that finished longer than the age
-- ago and whose parents may not have their outcome yet: their node died before it delivered it.
return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[1]), 'LIMIT', 0, tonumber(ARGV[2]))

-- KEYS: workers. The workers whose heartbeat expired.
return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)

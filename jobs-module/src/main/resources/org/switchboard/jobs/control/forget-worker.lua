-- KEYS: workers. ARGV: worker id, '1' to forget it only while its heartbeat stays expired.
if ARGV[2] == '1' and tonumber(redis.call('ZSCORE', KEYS[1], ARGV[1]) or '0') > now then return 0 end
return redis.call('ZREM', KEYS[1], ARGV[1])

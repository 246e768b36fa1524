-- KEYS: job. ARGV: progress JSON. Only while the job exists and runs.
if redis.call('HGET', KEYS[1], 'state') ~= 'running' then return 0 end
redis.call('HSET', KEYS[1], 'progress', ARGV[1])
return 1

-- KEYS: job, events. ARGV: progress JSON, the job's id. Only while the job exists and runs.
if redis.call('HGET', KEYS[1], 'state') ~= 'running' then return 0 end
redis.call('HSET', KEYS[1], 'progress', ARGV[1])
emit(KEYS[2], 'e', 'progress', 'ids', ARGV[2], 'progress', ARGV[1])
return 1

-- KEYS: dead, job, counts. ARGV: id. Deletes a dead job for good.
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return 0 end
setState(KEYS[3], KEYS[2], 'deleted')
redis.call('DEL', KEYS[2])
return 1

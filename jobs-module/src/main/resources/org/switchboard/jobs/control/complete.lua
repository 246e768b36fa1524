-- KEYS: pending, done, stats, counts. ARGV: result TTL seconds, jobPrefix, then id and result for each job.
return completeJobs(KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[1], ARGV[2], 3)

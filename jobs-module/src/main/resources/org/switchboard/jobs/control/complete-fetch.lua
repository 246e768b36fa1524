-- KEYS: queue, pending, paused (a flag), counts, done, stats. ARGV: queue name, how many, jobPrefix,
-- result TTL seconds, then id and result for each job to acknowledge.
-- Acknowledges the jobs a worker finished and takes its next ones in one call, as its slots free up.
completeJobs(KEYS[2], KEYS[5], KEYS[6], KEYS[4], ARGV[4], ARGV[3], 5)
return fetchJobs(KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[1], ARGV[2], ARGV[3])

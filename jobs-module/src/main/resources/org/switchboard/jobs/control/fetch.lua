-- KEYS: queue, pending, paused (a flag), counts. ARGV: queue name, how many, jobPrefix.
return fetchJobs(KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[1], ARGV[2], ARGV[3])

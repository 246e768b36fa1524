package org.switchboard.jobs.control;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.switchboard.jobs.entity.FetchedJob;
import org.switchboard.jobs.entity.Job;
import org.switchboard.jobs.entity.JobState;

/**
 * The job queues in Redis. Every move of a job is one Lua script, so a job is always in exactly one
 * place: a queue (list), a worker's pending list, the scheduled set (delayed jobs and retries), the
 * dead set, or finished. Times come from Redis's clock ({@code TIME}), so nodes with skewed clocks
 * agree on what is due.
 *
 * <p>Reliable fetch: {@code LMOVE} from the queue into the worker's own pending list, several jobs in
 * one call; acknowledging removes the job from the pending list ({@code LREM} from the old end: the
 * list holds only what the worker runs now). A worker heartbeats; the pending list of a worker whose
 * heartbeat expired goes back to the front of its queues.
 */
public class JobStore {

    private static final String NOW = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            """;

    /**
     * Sets a job's state and keeps the per-queue counts of the states that are not lists (scheduled,
     * running, retrying, dead) in step: every change of state goes through here, inside the script
     * that moves the job, so the counts are exact.
     */
    private static final String STATE = """
            local counted = {scheduled = true, running = true, retrying = true, dead = true}
            local function setState(counts, key, state)
              local old = redis.call('HMGET', key, 'state', 'queue')
              if old[1] == state or not old[2] then
                if old[2] then redis.call('HSET', key, 'state', state) end
                return
              end
              if old[1] and counted[old[1]] then redis.call('HINCRBY', counts, old[2] .. ':' .. old[1], -1) end
              if counted[state] then redis.call('HINCRBY', counts, old[2] .. ':' .. state, 1) end
              redis.call('HSET', key, 'state', state)
            end
            """;

    /** Puts a job back at the front of its queue (its oldest end), queued again; needs {@link #STATE} and {@code now}. */
    private static final String BACK = """
            local function back(counts, base, id)
              local key = base .. 'job:' .. id
              local queue = redis.call('HGET', key, 'queue')
              if not queue then return 0 end
              setState(counts, key, 'queued')
              redis.call('HSET', key, 'queuedAt', now)
              redis.call('RPUSH', base .. 'queue:' .. queue, id)
              return 1
            end
            """;

    /**
     * KEYS: job, queue, queues, scheduled, unique, counts. ARGV: id, queue, type, payload, maxAttempts,
     * timeoutSeconds, delayMs, uniqueTtlMs, jobKeyPrefix, strict ('1': the unique key alone blocks a
     * second job, even once the first is gone: cron ticks).
     */
    static final String ENQUEUE = NOW + """
            if tonumber(ARGV[8]) > 0 then
              local existing = redis.call('GET', KEYS[5])
              if existing and (ARGV[10] == '1' or redis.call('EXISTS', ARGV[9] .. existing) == 1) then
                return {existing, redis.call('HGET', ARGV[9] .. existing, 'state') or 'succeeded', 0}
              end
              redis.call('SET', KEYS[5], ARGV[1], 'PX', ARGV[8])
            end
            local delay = tonumber(ARGV[7])
            local state = 'queued'
            if delay > 0 then state = 'scheduled' end
            redis.call('HSET', KEYS[1], 'id', ARGV[1], 'queue', ARGV[2], 'type', ARGV[3], 'payload', ARGV[4],
              'maxAttempts', ARGV[5], 'timeoutSeconds', ARGV[6], 'state', state, 'attempts', 0, 'enqueuedAt', now)
            redis.call('SADD', KEYS[3], ARGV[2])
            if delay > 0 then
              redis.call('ZADD', KEYS[4], now + delay, ARGV[1])
              redis.call('HINCRBY', KEYS[6], ARGV[2] .. ':scheduled', 1)
            else
              redis.call('HSET', KEYS[1], 'queuedAt', now)
              redis.call('LPUSH', KEYS[2], ARGV[1])
            end
            return {ARGV[1], state, 1}
            """;

    /** KEYS: queue, pending, paused, counts. ARGV: queue name, how many, job key prefix. Answers id, type, payload, attempt, maxAttempts, timeout per job. */
    static final String FETCH = """
            if redis.call('SISMEMBER', KEYS[3], ARGV[1]) == 1 then return {} end
            """ + NOW + """
            local out = {}
            local started = 0
            for i = 1, tonumber(ARGV[2]) do
              local id = redis.call('LMOVE', KEYS[1], KEYS[2], 'RIGHT', 'LEFT')
              if not id then break end
              local key = ARGV[3] .. id
              if redis.call('EXISTS', key) == 1 then
                local attempt = redis.call('HINCRBY', key, 'attempts', 1)
                redis.call('HSET', key, 'state', 'running', 'startedAt', now)
                started = started + 1
                local f = redis.call('HMGET', key, 'type', 'payload', 'maxAttempts', 'timeoutSeconds')
                table.insert(out, id)
                table.insert(out, f[1])
                table.insert(out, f[2])
                table.insert(out, tostring(attempt))
                table.insert(out, f[3])
                table.insert(out, f[4])
              else
                redis.call('LREM', KEYS[2], 1, id)
              end
            end
            if started > 0 then redis.call('HINCRBY', KEYS[4], ARGV[1] .. ':running', started) end
            return out
            """;

    /**
     * KEYS: pending, job, queue, paused, counts. ARGV: id, queue name. Starts a job a blocking move took:
     * unless the queue was paused meanwhile (then the job goes back), or the job is gone.
     */
    static final String START = NOW + STATE + """
            if redis.call('SISMEMBER', KEYS[4], ARGV[2]) == 1 then
              redis.call('LREM', KEYS[1], 1, ARGV[1])
              redis.call('RPUSH', KEYS[3], ARGV[1])
              return {}
            end
            if redis.call('EXISTS', KEYS[2]) == 0 then
              redis.call('LREM', KEYS[1], 1, ARGV[1])
              return {}
            end
            local attempt = redis.call('HINCRBY', KEYS[2], 'attempts', 1)
            setState(KEYS[5], KEYS[2], 'running')
            redis.call('HSET', KEYS[2], 'startedAt', now)
            local f = redis.call('HMGET', KEYS[2], 'type', 'payload', 'maxAttempts', 'timeoutSeconds')
            return {ARGV[1], f[1], f[2], tostring(attempt), f[3], f[4]}
            """;

    /** KEYS: pending, done, stats, counts. ARGV: result TTL seconds, key base, then id and result for each job. */
    static final String COMPLETE_MANY = NOW + STATE + """
            local done = 0
            for i = 3, #ARGV, 2 do
              local id = ARGV[i]
              if redis.call('LREM', KEYS[1], -1, id) == 1 then
                local key = ARGV[2] .. 'job:' .. id
                setState(KEYS[4], key, 'succeeded')
                redis.call('HSET', key, 'finishedAt', now, 'result', ARGV[i + 1])
                redis.call('HDEL', key, 'error')
                redis.call('EXPIRE', key, tonumber(ARGV[1]))
                redis.call('ZADD', KEYS[2], now, id)
                done = done + 1
              end
            end
            redis.call('HINCRBY', KEYS[3], 'processed', done)
            return done
            """;

    /** KEYS: pending, job, scheduled, dead, stats, counts. ARGV: id, error, retry delay ms, '1' to give up now. */
    static final String FAIL = """
            if redis.call('LREM', KEYS[1], -1, ARGV[1]) == 0 then return '' end
            """ + NOW + STATE + """
            local attempts = tonumber(redis.call('HGET', KEYS[2], 'attempts') or '0')
            local max = tonumber(redis.call('HGET', KEYS[2], 'maxAttempts') or '1')
            redis.call('HINCRBY', KEYS[5], 'failed', 1)
            if attempts < max and ARGV[4] ~= '1' then
              setState(KEYS[6], KEYS[2], 'retrying')
              redis.call('HSET', KEYS[2], 'error', ARGV[2], 'finishedAt', now)
              redis.call('ZADD', KEYS[3], now + tonumber(ARGV[3]), ARGV[1])
              return 'retrying'
            end
            setState(KEYS[6], KEYS[2], 'dead')
            redis.call('HSET', KEYS[2], 'error', ARGV[2], 'finishedAt', now)
            redis.call('ZADD', KEYS[4], now, ARGV[1])
            return 'dead'
            """;

    /** KEYS: scheduled, counts. ARGV: how many at most, key base. Moves the due jobs to the back of their queues. */
    static final String PROMOTE = NOW + STATE + """
            local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
            for _, id in ipairs(ids) do
              redis.call('ZREM', KEYS[1], id)
              local key = ARGV[2] .. 'job:' .. id
              local queue = redis.call('HGET', key, 'queue')
              if queue then
                setState(KEYS[2], key, 'queued')
                redis.call('HSET', key, 'queuedAt', now)
                redis.call('LPUSH', ARGV[2] .. 'queue:' .. queue, id)
              end
            end
            return #ids
            """;

    /** KEYS: workers. ARGV: worker id, heartbeat TTL ms. */
    static final String HEARTBEAT = NOW + """
            redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
            return now
            """;

    /**
     * KEYS: workers, counts. ARGV: key base, one worker id (or '' for every worker whose heartbeat expired).
     * Puts their pending jobs back at the front of their queues, oldest first, and forgets the workers.
     */
    static final String REQUEUE = NOW + STATE + BACK + """
            local workers
            if ARGV[2] == '' then
              workers = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
            else
              workers = {ARGV[2]}
            end
            local moved = 0
            for _, w in ipairs(workers) do
              local pending = ARGV[1] .. 'pending:' .. w
              for _, id in ipairs(redis.call('LRANGE', pending, 0, -1)) do
                moved = moved + back(KEYS[2], ARGV[1], id)
              end
              redis.call('DEL', pending)
              redis.call('ZREM', KEYS[1], w)
            end
            return moved
            """;

    /**
     * KEYS: pending, counts. ARGV: key base, then job ids. Puts these jobs of the worker's pending list
     * back at the front of their queues: jobs the worker holds without knowing it (a fetch whose answer
     * was lost, an outcome that could not be recorded).
     */
    static final String REQUEUE_IDS = NOW + STATE + BACK + """
            local moved = 0
            for i = 2, #ARGV do
              if redis.call('LREM', KEYS[1], 1, ARGV[i]) == 1 then
                moved = moved + back(KEYS[2], ARGV[1], ARGV[i])
              end
            end
            return moved
            """;

    /** KEYS: job, scheduled, counts. ARGV: id, key base, TTL seconds of a cancelled job. Answers the state the job was in ('' if unknown). */
    static final String CANCEL = NOW + STATE + """
            local state = redis.call('HGET', KEYS[1], 'state')
            if not state then return '' end
            if state == 'queued' then
              redis.call('LREM', ARGV[2] .. 'queue:' .. redis.call('HGET', KEYS[1], 'queue'), 1, ARGV[1])
            elseif state == 'scheduled' or state == 'retrying' then
              redis.call('ZREM', KEYS[2], ARGV[1])
            elseif state == 'running' then
              redis.call('HSET', KEYS[1], 'cancelRequested', 1)
              return state
            else
              return state
            end
            setState(KEYS[3], KEYS[1], 'cancelled')
            redis.call('HSET', KEYS[1], 'finishedAt', now)
            redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]))
            return state
            """;

    /** KEYS: pending, job, counts. ARGV: id, TTL seconds. A worker ends a running job whose cancellation was asked for. */
    static final String CANCEL_RUNNING = """
            if redis.call('LREM', KEYS[1], -1, ARGV[1]) == 0 then return 0 end
            """ + NOW + STATE + """
            setState(KEYS[3], KEYS[2], 'cancelled')
            redis.call('HSET', KEYS[2], 'finishedAt', now, 'error', 'cancelled while running')
            redis.call('EXPIRE', KEYS[2], tonumber(ARGV[2]))
            return 1
            """;

    /**
     * KEYS: the set the job waits in (dead or scheduled), job, counts. ARGV: id, key base, '1' to give it
     * all its attempts again. Puts a dead, scheduled or retrying job at the back of its queue now.
     */
    static final String RUN_NOW = NOW + STATE + """
            if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return '' end
            local state = redis.call('HGET', KEYS[2], 'state')
            local queue = redis.call('HGET', KEYS[2], 'queue')
            if not queue then return '' end
            if ARGV[3] == '1' then redis.call('HSET', KEYS[2], 'attempts', 0) end
            redis.call('HDEL', KEYS[2], 'finishedAt', 'cancelRequested')
            setState(KEYS[3], KEYS[2], 'queued')
            redis.call('HSET', KEYS[2], 'queuedAt', now)
            redis.call('LPUSH', ARGV[2] .. 'queue:' .. queue, ARGV[1])
            return state
            """;

    /** KEYS: dead, job, counts. ARGV: id. Deletes a dead job for good. */
    static final String DELETE_DEAD = STATE + """
            if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return 0 end
            setState(KEYS[3], KEYS[2], 'deleted')
            redis.call('DEL', KEYS[2])
            return 1
            """;

    /**
     * KEYS: done, dead, counts. ARGV: key base, succeeded max age ms, succeeded max count, dead max age ms,
     * dead max count, most jobs to delete in this call. Deletes the oldest finished jobs beyond either
     * bound, so Redis memory stays bounded. Answers how many.
     */
    static final String TRIM = NOW + STATE + """
            local budget = tonumber(ARGV[6])
            local removed = 0
            local function trim(set, maxAge, maxCount, isDead)
              if budget - removed <= 0 then return end
              local ids = redis.call('ZRANGEBYSCORE', set, '-inf', now - maxAge, 'LIMIT', 0, budget - removed)
              local over = redis.call('ZCARD', set) - #ids - maxCount
              if over > 0 and removed + #ids < budget then
                local more = redis.call('ZRANGE', set, #ids, #ids + math.min(over, budget - removed - #ids) - 1)
                for _, id in ipairs(more) do table.insert(ids, id) end
              end
              for _, id in ipairs(ids) do
                local key = ARGV[1] .. 'job:' .. id
                if isDead then setState(KEYS[3], key, 'deleted') end
                redis.call('DEL', key)
                redis.call('ZREM', set, id)
              end
              removed = removed + #ids
            end
            trim(KEYS[1], tonumber(ARGV[2]), tonumber(ARGV[3]), false)
            trim(KEYS[2], tonumber(ARGV[4]), tonumber(ARGV[5]), true)
            return removed
            """;

    /** KEYS: job. ARGV: progress JSON. Only while the job exists and runs. */
    static final String PROGRESS = """
            if redis.call('HGET', KEYS[1], 'state') ~= 'running' then return 0 end
            redis.call('HSET', KEYS[1], 'progress', ARGV[1])
            return 1
            """;

    /** KEYS: the job keys. Answers the ids (ARGV, in the same order) whose cancellation was asked for. */
    static final String CANCEL_REQUESTED = """
            local out = {}
            for i, key in ipairs(KEYS) do
              if redis.call('HGET', key, 'cancelRequested') == '1' then table.insert(out, ARGV[i]) end
            end
            return out
            """;

    /**
     * KEYS: queues, paused, counts. ARGV: key base. Per known queue: name, size, age of its oldest job
     * (ms, -1 when empty), paused (1/0), running, scheduled, retrying, dead.
     */
    static final String QUEUE_STATS = NOW + """
            local out = {}
            local names = redis.call('SMEMBERS', KEYS[1])
            table.sort(names)
            for _, q in ipairs(names) do
              local list = ARGV[1] .. 'queue:' .. q
              local size = redis.call('LLEN', list)
              local latency = -1
              if size > 0 then
                local oldest = redis.call('LINDEX', list, -1)
                local at = redis.call('HGET', ARGV[1] .. 'job:' .. oldest, 'queuedAt')
                if at then latency = math.max(0, now - tonumber(at)) end
              end
              local c = redis.call('HMGET', KEYS[3], q .. ':running', q .. ':scheduled', q .. ':retrying', q .. ':dead')
              table.insert(out, q)
              table.insert(out, size)
              table.insert(out, latency)
              table.insert(out, redis.call('SISMEMBER', KEYS[2], q))
              for i = 1, 4 do table.insert(out, tonumber(c[i] or '0')) end
            end
            return out
            """;

    /**
     * KEYS: a sorted set of job ids. ARGV: key base, offset, count, '1' for newest first. Per job: id,
     * score (ms), queue, type, state, attempts, maxAttempts, error, enqueuedAt.
     */
    static final String PAGE = """
            local ids
            if ARGV[4] == '1' then
              ids = redis.call('ZREVRANGE', KEYS[1], tonumber(ARGV[2]), tonumber(ARGV[2]) + tonumber(ARGV[3]) - 1, 'WITHSCORES')
            else
              ids = redis.call('ZRANGE', KEYS[1], tonumber(ARGV[2]), tonumber(ARGV[2]) + tonumber(ARGV[3]) - 1, 'WITHSCORES')
            end
            local out = {}
            for i = 1, #ids, 2 do
              local f = redis.call('HMGET', ARGV[1] .. 'job:' .. ids[i], 'queue', 'type', 'state', 'attempts', 'maxAttempts', 'error', 'enqueuedAt')
              table.insert(out, ids[i])
              table.insert(out, ids[i + 1])
              for k = 1, 7 do table.insert(out, f[k] or '') end
            end
            return out
            """;

    private final RedissonClient redis;
    private final JobKeys keys;

    public JobStore(RedissonClient redis, JobKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    public JobKeys keys() {
        return keys;
    }

    /** What {@link #enqueue} did: the job's id and state, and whether it is new (a unique key may answer an existing job). */
    public record Enqueued(String id, JobState state, boolean created) {
    }

    public Enqueued enqueue(String id, String queue, String type, String payload, int maxAttempts, int timeoutSeconds,
                            Duration delay, String uniqueKey, Duration uniqueTtl) {
        return enqueueAsync(id, queue, type, payload, maxAttempts, timeoutSeconds, delay, uniqueKey, uniqueTtl).toCompletableFuture().join();
    }

    /** {@link #enqueue} without waiting: many enqueues in flight share the connection (pipelining). */
    public java.util.concurrent.CompletionStage<Enqueued> enqueueAsync(String id, String queue, String type, String payload, int maxAttempts,
                                                                       int timeoutSeconds, Duration delay, String uniqueKey, Duration uniqueTtl) {
        return enqueueAsync(id, queue, type, payload, maxAttempts, timeoutSeconds, delay, uniqueKey, uniqueTtl, false);
    }

    /**
     * Enqueues the job unless its unique key was taken within {@code uniqueTtl}, even by a job that is
     * gone since: for a cron tick, which every node tries to enqueue and only one may.
     */
    public Enqueued enqueueOnce(String id, String queue, String type, String payload, int maxAttempts, int timeoutSeconds,
                                String uniqueKey, Duration uniqueTtl) {
        return enqueueAsync(id, queue, type, payload, maxAttempts, timeoutSeconds, Duration.ZERO, uniqueKey, uniqueTtl, true)
                .toCompletableFuture().join();
    }

    private java.util.concurrent.CompletionStage<Enqueued> enqueueAsync(String id, String queue, String type, String payload, int maxAttempts,
                                                                        int timeoutSeconds, Duration delay, String uniqueKey, Duration uniqueTtl,
                                                                        boolean strict) {
        var unique = uniqueKey == null ? keys.unique("-") : keys.unique(uniqueKey);
        return script().<List<Object>>evalAsync(RScript.Mode.READ_WRITE, ENQUEUE, RScript.ReturnType.LIST,
                List.of(keys.job(id), keys.queue(queue), keys.queues(), keys.scheduled(), unique, keys.counts()),
                id, queue, type, payload, String.valueOf(maxAttempts), String.valueOf(timeoutSeconds),
                String.valueOf(Math.max(0, delay.toMillis())), String.valueOf(uniqueKey == null ? 0 : uniqueTtl.toMillis()),
                keys.job(""), strict ? "1" : "0").thenApply(r -> new Enqueued(String.valueOf(r.get(0)), JobState.ofWire(String.valueOf(r.get(1))),
                Long.parseLong(String.valueOf(r.get(2))) == 1));
    }

    /** Jobs that succeeded, since the beginning. */
    public long processed() {
        var v = redis.<String, String>getMap(keys.stats(), StringCodec.INSTANCE).get("processed");
        return v == null ? 0 : Long.parseLong(v);
    }

    /** Moves up to {@code max} jobs from the queue into the worker's pending list and marks them running. */
    public List<FetchedJob> fetch(String queue, String worker, int max) {
        List<Object> r = script().eval(RScript.Mode.READ_WRITE, FETCH, RScript.ReturnType.LIST,
                List.of(keys.queue(queue), keys.pending(worker), keys.paused(), keys.counts()), queue, String.valueOf(max), keys.job(""));
        var jobs = new ArrayList<FetchedJob>(r.size() / 6);
        for (int i = 0; i + 5 < r.size(); i += 6) {
            jobs.add(new FetchedJob(str(r.get(i)), queue, str(r.get(i + 1)), str(r.get(i + 2)),
                    Integer.parseInt(str(r.get(i + 3))), Integer.parseInt(str(r.get(i + 4))), Integer.parseInt(str(r.get(i + 5)))));
        }
        return jobs;
    }

    /**
     * Waits up to {@code timeout} for a job (Redis's blocking move from the queue into the worker's
     * pending list, so the job is never only in flight), then starts it. For an idle worker: it picks a
     * new job up within a round trip instead of at its next poll.
     */
    public Optional<FetchedJob> fetchBlocking(String queue, String worker, Duration timeout) throws InterruptedException {
        if (redis.getSet(keys.paused(), StringCodec.INSTANCE).contains(queue)) {
            Thread.sleep(timeout.toMillis());
            return Optional.empty();
        }
        // whole seconds: BRPOPLPUSH rounds, and 0 would block for ever
        var seconds = Math.max(1, timeout.toSeconds());
        String id = redis.<String>getBlockingDeque(keys.queue(queue), StringCodec.INSTANCE)
                .pollLastAndOfferFirstTo(keys.pending(worker), seconds, java.util.concurrent.TimeUnit.SECONDS);
        if (id == null) {
            return Optional.empty();
        }
        List<Object> r = script().eval(RScript.Mode.READ_WRITE, START, RScript.ReturnType.LIST,
                List.of(keys.pending(worker), keys.job(id), keys.queue(queue), keys.paused(), keys.counts()), id, queue);
        if (r.size() < 6) {
            return Optional.empty();
        }
        return Optional.of(new FetchedJob(str(r.get(0)), queue, str(r.get(1)), str(r.get(2)),
                Integer.parseInt(str(r.get(3))), Integer.parseInt(str(r.get(4))), Integer.parseInt(str(r.get(5)))));
    }

    /** Acknowledges a job: false if the worker no longer holds it (it was re-queued, e.g. by the reaper). */
    public boolean complete(String worker, String id, String result, Duration resultTtl) {
        return completeMany(worker, List.of(new Completion(id, result)), resultTtl) == 1;
    }

    /** A finished job and its result, for {@link #completeMany}. */
    public record Completion(String id, String result) {
    }

    /** Acknowledges several finished jobs in one call; answers how many the worker still held. */
    public int completeMany(String worker, List<Completion> completions, Duration resultTtl) {
        var args = new ArrayList<Object>(2 + completions.size() * 2);
        args.add(String.valueOf(Math.max(1, resultTtl.toSeconds())));
        args.add(keys.base());
        for (var c : completions) {
            args.add(c.id());
            args.add(c.result() == null ? "null" : c.result());
        }
        Long r = script().eval(RScript.Mode.READ_WRITE, COMPLETE_MANY, RScript.ReturnType.LONG,
                List.of(keys.pending(worker), keys.done(), keys.stats(), keys.counts()), args.toArray());
        return r == null ? 0 : r.intValue();
    }

    /** Records a failed attempt: retried after {@code retryDelay} while attempts remain, else dead. Empty if the worker no longer holds it. */
    public Optional<JobState> fail(String worker, String id, String error, Duration retryDelay, boolean giveUp) {
        String r = script().eval(RScript.Mode.READ_WRITE, FAIL, RScript.ReturnType.VALUE,
                List.of(keys.pending(worker), keys.job(id), keys.scheduled(), keys.dead(), keys.stats(), keys.counts()),
                id, error == null ? "" : error, String.valueOf(Math.max(0, retryDelay.toMillis())), giveUp ? "1" : "0");
        return r == null || r.isEmpty() ? Optional.empty() : Optional.of(JobState.ofWire(r));
    }

    /** Moves delayed jobs and retries that are due into their queues; answers how many. */
    public int promoteDue(int max) {
        Long r = script().eval(RScript.Mode.READ_WRITE, PROMOTE, RScript.ReturnType.LONG, List.of(keys.scheduled(), keys.counts()),
                String.valueOf(max), keys.base());
        return r == null ? 0 : r.intValue();
    }

    public void heartbeat(String worker, Duration ttl) {
        script().eval(RScript.Mode.READ_WRITE, HEARTBEAT, RScript.ReturnType.LONG, List.of(keys.workers()),
                worker, String.valueOf(ttl.toMillis()));
    }

    /** Re-queues the pending jobs of every worker whose heartbeat expired; answers how many jobs. */
    public int reapExpiredWorkers() {
        return requeue("");
    }

    /** Re-queues a worker's pending jobs (its own graceful shutdown); answers how many. */
    public int requeue(String worker) {
        Long r = script().eval(RScript.Mode.READ_WRITE, REQUEUE, RScript.ReturnType.LONG, List.of(keys.workers(), keys.counts()),
                keys.base(), worker);
        return r == null ? 0 : r.intValue();
    }

    /** The ids in the worker's pending list. */
    public List<String> pendingIds(String worker) {
        return redis.<String>getList(keys.pending(worker), StringCodec.INSTANCE).readAll();
    }

    /** Re-queues these jobs if the worker's pending list holds them; answers how many. */
    public int requeue(String worker, java.util.Collection<String> ids) {
        var args = new ArrayList<Object>();
        args.add(keys.base());
        args.addAll(ids);
        Long r = script().eval(RScript.Mode.READ_WRITE, REQUEUE_IDS, RScript.ReturnType.LONG,
                List.of(keys.pending(worker), keys.counts()), args.toArray());
        return r == null ? 0 : r.intValue();
    }

    /**
     * Cancels a job that is not running yet (kept for {@code keep}, then gone); a running one is flagged
     * for its worker, which interrupts it. Answers the state it was in.
     */
    public Optional<JobState> cancel(String id, Duration keep) {
        String r = script().eval(RScript.Mode.READ_WRITE, CANCEL, RScript.ReturnType.VALUE,
                List.of(keys.job(id), keys.scheduled(), keys.counts()), id, keys.base(), String.valueOf(Math.max(1, keep.toSeconds())));
        return r == null || r.isEmpty() ? Optional.empty() : Optional.of(JobState.ofWire(r));
    }

    /** A worker ends a running job it interrupted on request; false if it no longer held the job. */
    public boolean cancelRunning(String worker, String id, Duration keep) {
        Long r = script().eval(RScript.Mode.READ_WRITE, CANCEL_RUNNING, RScript.ReturnType.LONG,
                List.of(keys.pending(worker), keys.job(id), keys.counts()), id, String.valueOf(Math.max(1, keep.toSeconds())));
        return r != null && r == 1;
    }

    /** Of these running jobs, those whose cancellation was asked for. */
    public java.util.Set<String> cancelRequested(java.util.Collection<String> ids) {
        if (ids.isEmpty()) {
            return java.util.Set.of();
        }
        var list = List.copyOf(ids);
        List<Object> r = script().eval(RScript.Mode.READ_ONLY, CANCEL_REQUESTED, RScript.ReturnType.LIST,
                list.stream().<Object>map(keys::job).toList(), list.toArray());
        return r.stream().map(String::valueOf).collect(java.util.stream.Collectors.toSet());
    }

    /**
     * Puts a dead job back in its queue with all its attempts again; answers false if it is not dead.
     */
    public boolean retryDead(String id) {
        String r = script().eval(RScript.Mode.READ_WRITE, RUN_NOW, RScript.ReturnType.VALUE,
                List.of(keys.dead(), keys.job(id), keys.counts()), id, keys.base(), "1");
        return r != null && !r.isEmpty();
    }

    /** Runs a scheduled or retrying job now instead of at its time; false if it is not waiting. */
    public boolean runNow(String id) {
        String r = script().eval(RScript.Mode.READ_WRITE, RUN_NOW, RScript.ReturnType.VALUE,
                List.of(keys.scheduled(), keys.job(id), keys.counts()), id, keys.base(), "0");
        return r != null && !r.isEmpty();
    }

    /** Deletes a dead job; false if it is not dead. */
    public boolean deleteDead(String id) {
        Long r = script().eval(RScript.Mode.READ_WRITE, DELETE_DEAD, RScript.ReturnType.LONG,
                List.of(keys.dead(), keys.job(id), keys.counts()), id);
        return r != null && r == 1;
    }

    /** How long and how many finished jobs are kept. */
    public record Retention(Duration succeededAge, long succeededCount, Duration deadAge, long deadCount) {

        /** Succeeded jobs for their result's TTL, at most 100,000; dead ones for 180 days, at most 10,000 (Sidekiq's bounds). */
        public static Retention defaults(Duration resultTtl) {
            return new Retention(resultTtl, 100_000, Duration.ofDays(180), 10_000);
        }
    }

    /** Deletes up to {@code budget} of the oldest succeeded and dead jobs beyond the retention; answers how many. */
    public int trim(Retention keep, int budget) {
        Long r = script().eval(RScript.Mode.READ_WRITE, TRIM, RScript.ReturnType.LONG,
                List.of(keys.done(), keys.dead(), keys.counts()), keys.base(),
                String.valueOf(keep.succeededAge().toMillis()), String.valueOf(keep.succeededCount()),
                String.valueOf(keep.deadAge().toMillis()), String.valueOf(keep.deadCount()), String.valueOf(budget));
        return r == null ? 0 : r.intValue();
    }

    /** A queue's figures: its size, the age of its oldest job (null when empty), and its jobs in each state that is not a list. */
    public record QueueStats(String queue, long size, Duration latency, boolean paused, long running, long scheduled,
                             long retrying, long dead) {
    }

    /** Every queue that ever had a job or was paused, by name. */
    public List<QueueStats> queueStats() {
        List<Object> r = script().eval(RScript.Mode.READ_ONLY, QUEUE_STATS, RScript.ReturnType.LIST,
                List.of(keys.queues(), keys.paused(), keys.counts()), keys.base());
        var out = new ArrayList<QueueStats>();
        for (int i = 0; i + 7 < r.size(); i += 8) {
            var latency = number(r.get(i + 2));
            out.add(new QueueStats(str(r.get(i)), number(r.get(i + 1)), latency < 0 ? null : Duration.ofMillis(latency),
                    number(r.get(i + 3)) == 1, number(r.get(i + 4)), number(r.get(i + 5)), number(r.get(i + 6)), number(r.get(i + 7))));
        }
        return out;
    }

    /** A job in a waiting set (scheduled, retrying or dead), as the dashboard lists it. */
    public record Listed(String id, Instant at, String queue, String type, JobState state, int attempts, int maxAttempts,
                         String error, Instant enqueuedAt) {
    }

    /** The scheduled and retrying jobs, the soonest first. */
    public List<Listed> scheduled(int offset, int count) {
        return page(keys.scheduled(), offset, count, false);
    }

    /** The dead jobs, the last to die first. */
    public List<Listed> dead(int offset, int count) {
        return page(keys.dead(), offset, count, true);
    }

    public long scheduledCount() {
        return redis.getScoredSortedSet(keys.scheduled(), StringCodec.INSTANCE).size();
    }

    public long deadCount() {
        return redis.getScoredSortedSet(keys.dead(), StringCodec.INSTANCE).size();
    }

    private List<Listed> page(String set, int offset, int count, boolean newestFirst) {
        List<Object> r = script().eval(RScript.Mode.READ_ONLY, PAGE, RScript.ReturnType.LIST, List.of(set),
                keys.base(), String.valueOf(offset), String.valueOf(count), newestFirst ? "1" : "0");
        var out = new ArrayList<Listed>();
        for (int i = 0; i + 8 < r.size(); i += 9) {
            var state = str(r.get(i + 4));
            if (state.isEmpty()) {
                continue; // gone meanwhile
            }
            out.add(new Listed(str(r.get(i)), Instant.ofEpochMilli((long) Double.parseDouble(str(r.get(i + 1)))), str(r.get(i + 2)),
                    str(r.get(i + 3)), JobState.ofWire(state), integer(str(r.get(i + 5))), integer(str(r.get(i + 6))),
                    emptyToNull(str(r.get(i + 7))), instant(emptyToNull(str(r.get(i + 8))))));
        }
        return out;
    }

    /** The workers alive (heartbeat not expired) with the jobs each one holds now. */
    public record Worker(String name, Instant heartbeatDeadline, List<Job> jobs) {
    }

    public List<Worker> workers() {
        var now = Instant.now();
        var out = new ArrayList<Worker>();
        for (var e : redis.<String>getScoredSortedSet(keys.workers(), StringCodec.INSTANCE).entryRange(0, -1)) {
            var deadline = Instant.ofEpochMilli(e.getScore().longValue());
            var ids = redis.<String>getList(keys.pending(e.getValue()), StringCodec.INSTANCE).range(0, 99);
            var jobs = ids.stream().map(this::find).flatMap(Optional::stream).toList();
            out.add(new Worker(e.getValue(), deadline, jobs));
        }
        return out;
    }

    /** Jobs that failed an attempt, since the beginning. */
    public long failed() {
        var v = redis.<String, String>getMap(keys.stats(), StringCodec.INSTANCE).get("failed");
        return v == null ? 0 : Long.parseLong(v);
    }

    /** Records a running job's progress (JSON text); false if the job is not running. */
    public boolean progress(String id, String json) {
        Long r = script().eval(RScript.Mode.READ_WRITE, PROGRESS, RScript.ReturnType.LONG, List.of(keys.job(id)), json);
        return r != null && r == 1;
    }

    /** Whether cancellation was asked for while the job ran. */
    public boolean cancelRequested(String id) {
        return "1".equals(redis.<String, String>getMap(keys.job(id), StringCodec.INSTANCE).get("cancelRequested"));
    }

    public Optional<Job> find(String id) {
        Map<String, String> h = redis.<String, String>getMap(keys.job(id), StringCodec.INSTANCE).readAllMap();
        if (h.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Job(h.get("id"), h.get("queue"), h.get("type"), JobState.ofWire(h.get("state")),
                integer(h.get("attempts")), integer(h.get("maxAttempts")), integer(h.get("timeoutSeconds")),
                h.get("payload"), h.get("result"), h.get("error"), h.get("progress"),
                instant(h.get("enqueuedAt")), instant(h.get("startedAt")), instant(h.get("finishedAt"))));
    }

    /** Stops handing out the queue's jobs (they stay queued); enqueueing goes on. */
    public void pause(String queue) {
        redis.getSet(keys.queues(), StringCodec.INSTANCE).add(queue);
        redis.getSet(keys.paused(), StringCodec.INSTANCE).add(queue);
    }

    public void resume(String queue) {
        redis.getSet(keys.paused(), StringCodec.INSTANCE).remove(queue);
    }

    public boolean isPaused(String queue) {
        return redis.getSet(keys.paused(), StringCodec.INSTANCE).contains(queue);
    }

    /** How many jobs wait in the queue. */
    public long size(String queue) {
        return redis.getList(keys.queue(queue), StringCodec.INSTANCE).size();
    }

    /** How many jobs the worker holds. */
    public long pending(String worker) {
        return redis.getList(keys.pending(worker), StringCodec.INSTANCE).size();
    }

    private RScript script() {
        return redis.getScript(StringCodec.INSTANCE);
    }

    private static String str(Object o) {
        return o == null ? null : String.valueOf(o);
    }

    private static int integer(String s) {
        return s == null ? 0 : Integer.parseInt(s);
    }

    private static long number(Object o) {
        return o == null ? 0 : Long.parseLong(String.valueOf(o));
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static Instant instant(String ms) {
        return ms == null ? null : Instant.ofEpochMilli(Long.parseLong(ms));
    }
}

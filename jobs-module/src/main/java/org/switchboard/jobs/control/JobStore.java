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

    /** KEYS: job, queue, queues, scheduled, unique. ARGV: id, queue, type, payload, maxAttempts, timeoutSeconds, delayMs, uniqueTtlMs, jobKeyPrefix. */
    static final String ENQUEUE = NOW + """
            if tonumber(ARGV[8]) > 0 then
              local existing = redis.call('GET', KEYS[5])
              if existing and redis.call('EXISTS', ARGV[9] .. existing) == 1 then
                return {existing, redis.call('HGET', ARGV[9] .. existing, 'state'), 0}
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
            else
              redis.call('LPUSH', KEYS[2], ARGV[1])
            end
            return {ARGV[1], state, 1}
            """;

    /** KEYS: queue, pending, paused. ARGV: queue name, how many, job key prefix. Answers id, type, payload, attempt, maxAttempts, timeout per job. */
    static final String FETCH = """
            if redis.call('SISMEMBER', KEYS[3], ARGV[1]) == 1 then return {} end
            """ + NOW + """
            local out = {}
            for i = 1, tonumber(ARGV[2]) do
              local id = redis.call('LMOVE', KEYS[1], KEYS[2], 'RIGHT', 'LEFT')
              if not id then break end
              local key = ARGV[3] .. id
              if redis.call('EXISTS', key) == 1 then
                local attempt = redis.call('HINCRBY', key, 'attempts', 1)
                redis.call('HSET', key, 'state', 'running', 'startedAt', now)
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
            return out
            """;

    /**
     * KEYS: pending, job, queue, paused. ARGV: id, queue name. Starts a job a blocking move took: unless
     * the queue was paused meanwhile (then the job goes back), or the job is gone.
     */
    static final String START = NOW + """
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
            redis.call('HSET', KEYS[2], 'state', 'running', 'startedAt', now)
            local f = redis.call('HMGET', KEYS[2], 'type', 'payload', 'maxAttempts', 'timeoutSeconds')
            return {ARGV[1], f[1], f[2], tostring(attempt), f[3], f[4]}
            """;

    /** KEYS: pending, job, done, stats. ARGV: id, result, result TTL seconds. */
    static final String COMPLETE = """
            if redis.call('LREM', KEYS[1], -1, ARGV[1]) == 0 then return 0 end
            """ + NOW + """
            redis.call('HSET', KEYS[2], 'state', 'succeeded', 'finishedAt', now, 'result', ARGV[2])
            redis.call('HDEL', KEYS[2], 'error')
            redis.call('EXPIRE', KEYS[2], tonumber(ARGV[3]))
            redis.call('ZADD', KEYS[3], now, ARGV[1])
            redis.call('HINCRBY', KEYS[4], 'processed', 1)
            return 1
            """;

    /** KEYS: pending, done, stats. ARGV: result TTL seconds, key base, then id and result for each job. */
    static final String COMPLETE_MANY = NOW + """
            local done = 0
            for i = 3, #ARGV, 2 do
              local id = ARGV[i]
              if redis.call('LREM', KEYS[1], -1, id) == 1 then
                local key = ARGV[2] .. 'job:' .. id
                redis.call('HSET', key, 'state', 'succeeded', 'finishedAt', now, 'result', ARGV[i + 1])
                redis.call('HDEL', key, 'error')
                redis.call('EXPIRE', key, tonumber(ARGV[1]))
                redis.call('ZADD', KEYS[2], now, id)
                done = done + 1
              end
            end
            redis.call('HINCRBY', KEYS[3], 'processed', done)
            return done
            """;

    /** KEYS: pending, job, scheduled, dead, stats. ARGV: id, error, retry delay ms, '1' to give up now. */
    static final String FAIL = """
            if redis.call('LREM', KEYS[1], -1, ARGV[1]) == 0 then return '' end
            """ + NOW + """
            local attempts = tonumber(redis.call('HGET', KEYS[2], 'attempts') or '0')
            local max = tonumber(redis.call('HGET', KEYS[2], 'maxAttempts') or '1')
            redis.call('HINCRBY', KEYS[5], 'failed', 1)
            if attempts < max and ARGV[4] ~= '1' then
              redis.call('HSET', KEYS[2], 'state', 'retrying', 'error', ARGV[2], 'finishedAt', now)
              redis.call('ZADD', KEYS[3], now + tonumber(ARGV[3]), ARGV[1])
              return 'retrying'
            end
            redis.call('HSET', KEYS[2], 'state', 'dead', 'error', ARGV[2], 'finishedAt', now)
            redis.call('ZADD', KEYS[4], now, ARGV[1])
            return 'dead'
            """;

    /** KEYS: scheduled. ARGV: how many at most, key base. Moves the due jobs to the back of their queues. */
    static final String PROMOTE = NOW + """
            local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
            for _, id in ipairs(ids) do
              redis.call('ZREM', KEYS[1], id)
              local key = ARGV[2] .. 'job:' .. id
              local queue = redis.call('HGET', key, 'queue')
              if queue then
                redis.call('HSET', key, 'state', 'queued')
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
     * KEYS: workers. ARGV: key base, one worker id (or '' for every worker whose heartbeat expired).
     * Puts their pending jobs back at the front of their queues, oldest first, and forgets the workers.
     */
    static final String REQUEUE = NOW + """
            local workers
            if ARGV[2] == '' then
              workers = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
            else
              workers = {ARGV[2]}
            end
            local moved = 0
            for _, w in ipairs(workers) do
              local pending = ARGV[1] .. 'pending:' .. w
              local ids = redis.call('LRANGE', pending, 0, -1)
              for _, id in ipairs(ids) do
                local key = ARGV[1] .. 'job:' .. id
                local queue = redis.call('HGET', key, 'queue')
                if queue then
                  redis.call('HSET', key, 'state', 'queued')
                  redis.call('RPUSH', ARGV[1] .. 'queue:' .. queue, id)
                  moved = moved + 1
                end
              end
              redis.call('DEL', pending)
              redis.call('ZREM', KEYS[1], w)
            end
            return moved
            """;

    /** KEYS: job, scheduled. ARGV: id, key base. Answers the state the job was in ('' if unknown). */
    static final String CANCEL = NOW + """
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
            redis.call('HSET', KEYS[1], 'state', 'cancelled', 'finishedAt', now)
            return state
            """;

    /** KEYS: job. ARGV: progress JSON. Only while the job exists and runs. */
    static final String PROGRESS = """
            if redis.call('HGET', KEYS[1], 'state') ~= 'running' then return 0 end
            redis.call('HSET', KEYS[1], 'progress', ARGV[1])
            return 1
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
        var unique = uniqueKey == null ? keys.unique("-") : keys.unique(uniqueKey);
        return script().<List<Object>>evalAsync(RScript.Mode.READ_WRITE, ENQUEUE, RScript.ReturnType.LIST,
                List.of(keys.job(id), keys.queue(queue), keys.queues(), keys.scheduled(), unique),
                id, queue, type, payload, String.valueOf(maxAttempts), String.valueOf(timeoutSeconds),
                String.valueOf(Math.max(0, delay.toMillis())), String.valueOf(uniqueKey == null ? 0 : uniqueTtl.toMillis()),
                keys.job("")).thenApply(r -> new Enqueued(String.valueOf(r.get(0)), JobState.ofWire(String.valueOf(r.get(1))),
                Long.parseLong(String.valueOf(r.get(2))) == 1));
    }

    /** Jobs acknowledged and failed attempts, since the beginning. */
    public long processed() {
        var v = redis.<String, String>getMap(keys.stats(), StringCodec.INSTANCE).get("processed");
        return v == null ? 0 : Long.parseLong(v);
    }

    /** Moves up to {@code max} jobs from the queue into the worker's pending list and marks them running. */
    public List<FetchedJob> fetch(String queue, String worker, int max) {
        List<Object> r = script().eval(RScript.Mode.READ_WRITE, FETCH, RScript.ReturnType.LIST,
                List.of(keys.queue(queue), keys.pending(worker), keys.paused()), queue, String.valueOf(max), keys.job(""));
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
                List.of(keys.pending(worker), keys.job(id), keys.queue(queue), keys.paused()), id, queue);
        if (r.size() < 6) {
            return Optional.empty();
        }
        return Optional.of(new FetchedJob(str(r.get(0)), queue, str(r.get(1)), str(r.get(2)),
                Integer.parseInt(str(r.get(3))), Integer.parseInt(str(r.get(4))), Integer.parseInt(str(r.get(5)))));
    }

    /** Acknowledges a job: false if the worker no longer holds it (it was re-queued, e.g. by the reaper). */
    public boolean complete(String worker, String id, String result, Duration resultTtl) {
        Long r = script().eval(RScript.Mode.READ_WRITE, COMPLETE, RScript.ReturnType.LONG,
                List.of(keys.pending(worker), keys.job(id), keys.done(), keys.stats()), id, result == null ? "null" : result,
                String.valueOf(Math.max(1, resultTtl.toSeconds())));
        return r != null && r == 1;
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
                List.of(keys.pending(worker), keys.done(), keys.stats()), args.toArray());
        return r == null ? 0 : r.intValue();
    }

    /** Records a failed attempt: retried after {@code retryDelay} while attempts remain, else dead. Empty if the worker no longer holds it. */
    public Optional<JobState> fail(String worker, String id, String error, Duration retryDelay, boolean giveUp) {
        String r = script().eval(RScript.Mode.READ_WRITE, FAIL, RScript.ReturnType.VALUE,
                List.of(keys.pending(worker), keys.job(id), keys.scheduled(), keys.dead(), keys.stats()),
                id, error == null ? "" : error, String.valueOf(Math.max(0, retryDelay.toMillis())), giveUp ? "1" : "0");
        return r == null || r.isEmpty() ? Optional.empty() : Optional.of(JobState.ofWire(r));
    }

    /** Moves delayed jobs and retries that are due into their queues; answers how many. */
    public int promoteDue(int max) {
        Long r = script().eval(RScript.Mode.READ_WRITE, PROMOTE, RScript.ReturnType.LONG, List.of(keys.scheduled()),
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
        Long r = script().eval(RScript.Mode.READ_WRITE, REQUEUE, RScript.ReturnType.LONG, List.of(keys.workers()),
                keys.base(), worker);
        return r == null ? 0 : r.intValue();
    }

    /** Cancels a job that is not running yet; a running one is flagged for its worker. Answers the state it was in. */
    public Optional<JobState> cancel(String id) {
        String r = script().eval(RScript.Mode.READ_WRITE, CANCEL, RScript.ReturnType.VALUE,
                List.of(keys.job(id), keys.scheduled()), id, keys.base());
        return r == null || r.isEmpty() ? Optional.empty() : Optional.of(JobState.ofWire(r));
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

    private static Instant instant(String ms) {
        return ms == null ? null : Instant.ofEpochMilli(Long.parseLong(ms));
    }
}

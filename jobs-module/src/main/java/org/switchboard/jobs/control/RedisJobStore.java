package org.switchboard.jobs.control;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.redisson.Redisson;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.RedisException;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;
import org.switchboard.jobs.boundary.JobsUnavailableException;
import org.switchboard.jobs.entity.Enqueued;
import org.switchboard.jobs.entity.FetchedJob;
import org.switchboard.jobs.entity.Job;
import org.switchboard.jobs.entity.JobState;
import org.switchboard.jobs.entity.ListedJob;
import org.switchboard.jobs.entity.QueueStats;
import org.switchboard.jobs.entity.Worker;

/**
 * The job queues in Redis. Every move of a job is one Lua script (the {@code *.lua} resources beside
 * this class), so a job is always in exactly one place: a queue (list), a worker's pending list, the
 * scheduled set (delayed jobs and retries), the dead set, or finished. Times come from Redis's clock
 * ({@code TIME}), so nodes with skewed clocks agree on what is due. The scripts get every key, or the
 * prefix of a family of keys, from {@link JobKeys}: they never spell a key name themselves.
 *
 * <p>Reliable fetch: {@code LMOVE} from the queue into the worker's own pending list, several jobs in
 * one call; acknowledging removes the job from the pending list ({@code LREM} from the old end: the
 * list holds only what the worker runs now). A worker heartbeats; the pending list of a worker whose
 * heartbeat expired goes back to the front of its queues.
 *
 * <p>Every Redis failure leaves as a {@link JobsUnavailableException}.
 */
@ApplicationScoped
public class RedisJobStore {

    private static final LuaScript ENQUEUE = LuaScript.of("now", "enqueue");
    private static final LuaScript FETCH = LuaScript.of("now", "fetch");
    private static final LuaScript START = LuaScript.of("now", "state", "start");
    private static final LuaScript COMPLETE = LuaScript.of("now", "state", "complete");
    private static final LuaScript FAIL = LuaScript.of("now", "state", "fail");
    private static final LuaScript PROMOTE = LuaScript.of("now", "state", "promote");
    private static final LuaScript HEARTBEAT = LuaScript.of("now", "heartbeat");
    private static final LuaScript REQUEUE_WORKERS = LuaScript.of("now", "state", "back", "requeue-workers");
    private static final LuaScript REQUEUE_JOBS = LuaScript.of("now", "state", "back", "requeue-jobs");
    private static final LuaScript CANCEL = LuaScript.of("now", "state", "cancel");
    private static final LuaScript CANCEL_RUNNING = LuaScript.of("now", "state", "cancel-running");
    private static final LuaScript RUN_NOW = LuaScript.of("now", "state", "run-now");
    private static final LuaScript DELETE_DEAD = LuaScript.of("state", "delete-dead");
    private static final LuaScript TRIM = LuaScript.of("now", "state", "trim");
    private static final LuaScript PROGRESS = LuaScript.of("progress");
    private static final LuaScript CANCEL_REQUESTED = LuaScript.of("cancel-requested");
    private static final LuaScript QUEUE_STATS = LuaScript.of("now", "queue-stats");
    private static final LuaScript PAGE = LuaScript.of("page");

    private RedissonClient redis;
    private JobKeys keys;
    private boolean ownsClient;

    protected RedisJobStore() {
        // for CDI's proxy
    }

    @Inject
    public RedisJobStore(RedissonClient redis, @ConfigProperty(name = "switchboard.redis.prefix", defaultValue = "switchboard") String prefix) {
        this(redis, new JobKeys(prefix));
    }

    public RedisJobStore(RedissonClient redis, JobKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    /** A store with a Redis client of its own ({@code redis://host:port}), shut down by {@link #disconnect}: for tools outside a container. */
    public static RedisJobStore connect(String redisUrl, String prefix, int connections) {
        var config = new Config();
        config.setCodec(StringCodec.INSTANCE);
        config.useSingleServer().setAddress(redisUrl).setConnectionPoolSize(connections);
        var store = new RedisJobStore(Redisson.create(config), new JobKeys(prefix));
        store.ownsClient = true;
        return store;
    }

    public void disconnect() {
        if (ownsClient) {
            redis.shutdown();
        }
    }

    public JobKeys keys() {
        return keys;
    }

    public Enqueued enqueue(String id, String queue, String type, String payload, int maxAttempts, int timeoutSeconds,
                            Duration delay, String uniqueKey, Duration uniqueTtl) {
        return join(enqueueAsync(id, queue, type, payload, maxAttempts, timeoutSeconds, delay, uniqueKey, uniqueTtl));
    }

    /** {@link #enqueue} without waiting: many enqueues in flight share the connection (pipelining). */
    public CompletionStage<Enqueued> enqueueAsync(String id, String queue, String type, String payload, int maxAttempts,
                                                  int timeoutSeconds, Duration delay, String uniqueKey, Duration uniqueTtl) {
        return enqueueAsync(id, queue, type, payload, maxAttempts, timeoutSeconds, delay, uniqueKey, uniqueTtl, false);
    }

    /**
     * Enqueues the job unless its unique key was taken within {@code uniqueTtl}, even by a job that is
     * gone since: for a cron tick, which every node tries to enqueue and only one may.
     */
    public Enqueued enqueueOnce(String id, String queue, String type, String payload, int maxAttempts, int timeoutSeconds,
                                String uniqueKey, Duration uniqueTtl) {
        return join(enqueueAsync(id, queue, type, payload, maxAttempts, timeoutSeconds, Duration.ZERO, uniqueKey, uniqueTtl, true));
    }

    private CompletionStage<Enqueued> enqueueAsync(String id, String queue, String type, String payload, int maxAttempts,
                                                   int timeoutSeconds, Duration delay, String uniqueKey, Duration uniqueTtl,
                                                   boolean strict) {
        var unique = uniqueKey == null ? keys.unique("-") : keys.unique(uniqueKey);
        return ENQUEUE.<List<Object>>run(script(), RScript.Mode.READ_WRITE, RScript.ReturnType.LIST,
                        List.of(keys.job(id), keys.queue(queue), keys.queues(), keys.scheduled(), unique, keys.counts()),
                        id, queue, type, payload, String.valueOf(maxAttempts), String.valueOf(timeoutSeconds),
                        String.valueOf(Math.max(0, delay.toMillis())), String.valueOf(uniqueKey == null ? 0 : uniqueTtl.toMillis()),
                        keys.job(""), strict ? "1" : "0")
                .thenApply(r -> new Enqueued(str(r.get(0)), JobState.ofWire(str(r.get(1))), number(r.get(2)) == 1))
                .exceptionally(e -> {
                    throw unavailable(e);
                });
    }

    /** Jobs that succeeded, since the beginning. */
    public long processed() {
        return stat("processed");
    }

    /** Jobs that failed an attempt, since the beginning. */
    public long failed() {
        return stat("failed");
    }

    private long stat(String name) {
        var v = call(() -> redis.<String, String>getMap(keys.stats(), StringCodec.INSTANCE).get(name));
        return v == null ? 0 : Long.parseLong(v);
    }

    /** Moves up to {@code max} jobs from the queue into the worker's pending list and marks them running. */
    public List<FetchedJob> fetch(String queue, String worker, int max) {
        List<Object> r = eval(FETCH, RScript.ReturnType.LIST,
                List.of(keys.queue(queue), keys.pending(worker), keys.paused(), keys.counts()), queue, String.valueOf(max), keys.job(""));
        var jobs = new ArrayList<FetchedJob>(r.size() / 7);
        for (int i = 0; i + 6 < r.size(); i += 7) {
            jobs.add(fetched(queue, r, i));
        }
        return jobs;
    }

    private static FetchedJob fetched(String queue, List<Object> r, int i) {
        return new FetchedJob(str(r.get(i)), queue, str(r.get(i + 1)), str(r.get(i + 2)),
                (int) number(r.get(i + 3)), (int) number(r.get(i + 4)), (int) number(r.get(i + 5)), number(r.get(i + 6)));
    }

    /**
     * Waits up to {@code timeout} for a job (Redis's blocking move from the queue into the worker's
     * pending list, so the job is never only in flight), then starts it. For an idle worker: it picks a
     * new job up within a round trip instead of at its next poll.
     */
    public Optional<FetchedJob> fetchBlocking(String queue, String worker, Duration timeout) throws InterruptedException {
        if (isPaused(queue)) {
            Thread.sleep(timeout.toMillis());
            return Optional.empty();
        }
        // whole seconds: BRPOPLPUSH rounds, and 0 would block for ever
        var seconds = Math.max(1, timeout.toSeconds());
        String id;
        try {
            id = redis.<String>getBlockingDeque(keys.queue(queue), StringCodec.INSTANCE)
                    .pollLastAndOfferFirstTo(keys.pending(worker), seconds, TimeUnit.SECONDS);
        } catch (RedisException e) {
            throw unavailable(e);
        }
        if (id == null) {
            return Optional.empty();
        }
        List<Object> r = eval(START, RScript.ReturnType.LIST,
                List.of(keys.pending(worker), keys.job(id), keys.queue(queue), keys.paused(), keys.counts()), id, queue);
        return r.size() < 7 ? Optional.empty() : Optional.of(fetched(queue, r, 0));
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
        args.add(keys.job(""));
        for (var c : completions) {
            args.add(c.id());
            args.add(c.result() == null ? "null" : c.result());
        }
        Long r = eval(COMPLETE, RScript.ReturnType.LONG, List.of(keys.pending(worker), keys.done(), keys.stats(), keys.counts()), args.toArray());
        return count(r);
    }

    /** Records a failed attempt: retried after {@code retryDelay} while attempts remain, else dead. Empty if the worker no longer holds it. */
    public Optional<JobState> fail(String worker, String id, String error, Duration retryDelay, boolean giveUp) {
        String r = eval(FAIL, RScript.ReturnType.VALUE,
                List.of(keys.pending(worker), keys.job(id), keys.scheduled(), keys.dead(), keys.stats(), keys.counts()),
                id, error == null ? "" : error, String.valueOf(Math.max(0, retryDelay.toMillis())), giveUp ? "1" : "0");
        return state(r);
    }

    /** Moves delayed jobs and retries that are due into their queues; answers how many. */
    public int promoteDue(int max) {
        return count(eval(PROMOTE, RScript.ReturnType.LONG, List.of(keys.scheduled(), keys.counts()),
                String.valueOf(max), keys.job(""), keys.queue("")));
    }

    public void heartbeat(String worker, Duration ttl) {
        eval(HEARTBEAT, RScript.ReturnType.LONG, List.of(keys.workers()), worker, String.valueOf(ttl.toMillis()));
    }

    /** Re-queues the pending jobs of every worker whose heartbeat expired; answers how many jobs. */
    public int reapExpiredWorkers() {
        return requeue("");
    }

    /** Re-queues a worker's pending jobs (its own graceful shutdown); answers how many. */
    public int requeue(String worker) {
        return count(eval(REQUEUE_WORKERS, RScript.ReturnType.LONG, List.of(keys.workers(), keys.counts()),
                worker, keys.job(""), keys.queue(""), keys.pending("")));
    }

    /** The ids in the worker's pending list. */
    public List<String> pendingIds(String worker) {
        return call(() -> redis.<String>getList(keys.pending(worker), StringCodec.INSTANCE).readAll());
    }

    /** Re-queues these jobs if the worker's pending list holds them; answers how many. */
    public int requeue(String worker, Collection<String> ids) {
        var args = new ArrayList<Object>();
        args.add(keys.job(""));
        args.add(keys.queue(""));
        args.addAll(ids);
        return count(eval(REQUEUE_JOBS, RScript.ReturnType.LONG, List.of(keys.pending(worker), keys.counts()), args.toArray()));
    }

    /**
     * Cancels a job that is not running yet (kept for {@code keep}, then gone); a running one is flagged
     * for its worker, which interrupts it. Answers the state it was in.
     */
    public Optional<JobState> cancel(String id, Duration keep) {
        String r = eval(CANCEL, RScript.ReturnType.VALUE, List.of(keys.job(id), keys.scheduled(), keys.counts()),
                id, keys.queue(""), String.valueOf(Math.max(1, keep.toSeconds())));
        return state(r);
    }

    /** A worker ends a running job it interrupted on request; false if it no longer held the job. */
    public boolean cancelRunning(String worker, String id, Duration keep) {
        return count(eval(CANCEL_RUNNING, RScript.ReturnType.LONG, List.of(keys.pending(worker), keys.job(id), keys.counts()),
                id, String.valueOf(Math.max(1, keep.toSeconds())))) == 1;
    }

    /** Of these running jobs, those whose cancellation was asked for. */
    public Set<String> cancelRequested(Collection<String> ids) {
        if (ids.isEmpty()) {
            return Set.of();
        }
        var list = List.copyOf(ids);
        List<Object> r = eval(CANCEL_REQUESTED, RScript.ReturnType.LIST, list.stream().<Object>map(keys::job).toList(), list.toArray());
        return r.stream().map(String::valueOf).collect(Collectors.toSet());
    }

    /** Puts a dead job back in its queue with all its attempts again; answers false if it is not dead. */
    public boolean retryDead(String id) {
        return runNow(keys.dead(), id, "1");
    }

    /** Runs a scheduled or retrying job now instead of at its time; false if it is not waiting. */
    public boolean runNow(String id) {
        return runNow(keys.scheduled(), id, "0");
    }

    private boolean runNow(String set, String id, String freshAttempts) {
        String r = eval(RUN_NOW, RScript.ReturnType.VALUE, List.of(set, keys.job(id), keys.counts()), id, keys.queue(""), freshAttempts);
        return r != null && !r.isEmpty();
    }

    /** Deletes a dead job; false if it is not dead. */
    public boolean deleteDead(String id) {
        return count(eval(DELETE_DEAD, RScript.ReturnType.LONG, List.of(keys.dead(), keys.job(id), keys.counts()), id)) == 1;
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
        return count(eval(TRIM, RScript.ReturnType.LONG, List.of(keys.done(), keys.dead(), keys.counts()), keys.job(""),
                String.valueOf(keep.succeededAge().toMillis()), String.valueOf(keep.succeededCount()),
                String.valueOf(keep.deadAge().toMillis()), String.valueOf(keep.deadCount()), String.valueOf(budget)));
    }

    /** Every queue that ever had a job or was paused, by name. */
    public List<QueueStats> queueStats() {
        List<Object> r = eval(QUEUE_STATS, RScript.ReturnType.LIST, List.of(keys.queues(), keys.paused(), keys.counts()),
                keys.queue(""), keys.job(""));
        var out = new ArrayList<QueueStats>();
        for (int i = 0; i + 7 < r.size(); i += 8) {
            var latency = number(r.get(i + 2));
            out.add(new QueueStats(str(r.get(i)), number(r.get(i + 1)), latency < 0 ? null : Duration.ofMillis(latency),
                    number(r.get(i + 3)) == 1, number(r.get(i + 4)), number(r.get(i + 5)), number(r.get(i + 6)), number(r.get(i + 7))));
        }
        return out;
    }

    /** The scheduled and retrying jobs, the soonest first. */
    public List<ListedJob> scheduled(int offset, int count) {
        return page(keys.scheduled(), offset, count, false);
    }

    /** The dead jobs, the last to die first. */
    public List<ListedJob> dead(int offset, int count) {
        return page(keys.dead(), offset, count, true);
    }

    public long scheduledCount() {
        return call(() -> redis.getScoredSortedSet(keys.scheduled(), StringCodec.INSTANCE).size());
    }

    public long deadCount() {
        return call(() -> redis.getScoredSortedSet(keys.dead(), StringCodec.INSTANCE).size());
    }

    private List<ListedJob> page(String set, int offset, int count, boolean newestFirst) {
        List<Object> r = eval(PAGE, RScript.ReturnType.LIST, List.of(set),
                keys.job(""), String.valueOf(offset), String.valueOf(count), newestFirst ? "1" : "0");
        var out = new ArrayList<ListedJob>();
        for (int i = 0; i + 8 < r.size(); i += 9) {
            var state = str(r.get(i + 4));
            if (state.isEmpty()) {
                continue; // gone meanwhile
            }
            out.add(new ListedJob(str(r.get(i)), Instant.ofEpochMilli((long) Double.parseDouble(str(r.get(i + 1)))), str(r.get(i + 2)),
                    str(r.get(i + 3)), JobState.ofWire(state), integer(str(r.get(i + 5))), integer(str(r.get(i + 6))),
                    emptyToNull(str(r.get(i + 7))), instant(emptyToNull(str(r.get(i + 8))))));
        }
        return out;
    }

    /** The workers alive (heartbeat not expired) with the jobs each one holds now. */
    public List<Worker> workers() {
        return call(() -> {
            var out = new ArrayList<Worker>();
            for (var e : redis.<String>getScoredSortedSet(keys.workers(), StringCodec.INSTANCE).entryRange(0, -1)) {
                var deadline = Instant.ofEpochMilli(e.getScore().longValue());
                var ids = redis.<String>getList(keys.pending(e.getValue()), StringCodec.INSTANCE).range(0, 99);
                out.add(new Worker(e.getValue(), deadline, ids.stream().map(this::find).flatMap(Optional::stream).toList()));
            }
            return out;
        });
    }

    /** Records a running job's progress (JSON text); false if the job is not running. */
    public boolean progress(String id, String json) {
        return count(eval(PROGRESS, RScript.ReturnType.LONG, List.of(keys.job(id)), json)) == 1;
    }

    public Optional<Job> find(String id) {
        Map<String, String> h = call(() -> redis.<String, String>getMap(keys.job(id), StringCodec.INSTANCE).readAllMap());
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
        call(() -> {
            redis.getSet(keys.queues(), StringCodec.INSTANCE).add(queue);
            return redis.getSet(keys.paused(), StringCodec.INSTANCE).add(queue);
        });
    }

    public void resume(String queue) {
        call(() -> redis.getSet(keys.paused(), StringCodec.INSTANCE).remove(queue));
    }

    public boolean isPaused(String queue) {
        return call(() -> redis.getSet(keys.paused(), StringCodec.INSTANCE).contains(queue));
    }

    /** How many jobs wait in the queue. */
    public long size(String queue) {
        return call(() -> redis.getList(keys.queue(queue), StringCodec.INSTANCE).size());
    }

    /** How many jobs the worker holds. */
    public long pending(String worker) {
        return call(() -> redis.getList(keys.pending(worker), StringCodec.INSTANCE).size());
    }

    private <R> R eval(LuaScript lua, RScript.ReturnType type, List<Object> keys, Object... args) {
        return join(lua.run(script(), RScript.Mode.READ_WRITE, type, keys, args));
    }

    private RScript script() {
        return redis.getScript(StringCodec.INSTANCE);
    }

    private static <R> R join(CompletionStage<R> stage) {
        try {
            return stage.toCompletableFuture().join();
        } catch (CompletionException e) {
            throw unavailable(e);
        }
    }

    private static <R> R call(Supplier<R> redisCall) {
        try {
            return redisCall.get();
        } catch (RedisException e) {
            throw unavailable(e);
        }
    }

    /** Redis's failures become the module's own; anything else is a defect and goes on as it is. */
    static RuntimeException unavailable(Throwable e) {
        var cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof RedisException) {
            return new JobsUnavailableException("Redis cannot be reached: " + cause.getMessage(), cause);
        }
        return cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
    }

    private static Optional<JobState> state(String wire) {
        return wire == null || wire.isEmpty() ? Optional.empty() : Optional.of(JobState.ofWire(wire));
    }

    private static int count(Long r) {
        return r == null ? 0 : r.intValue();
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

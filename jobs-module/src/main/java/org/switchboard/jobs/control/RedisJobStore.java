package org.switchboard.jobs.control;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.redisson.Redisson;
import org.redisson.api.BatchOptions;
import org.redisson.api.RScript;
import org.redisson.api.RScriptAsync;
import org.redisson.api.RedissonClient;
import org.redisson.api.stream.StreamMessageId;
import org.redisson.api.stream.StreamReadArgs;
import org.redisson.client.RedisException;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;
import org.redisson.config.ReadMode;
import org.switchboard.jobs.boundary.JobsUnavailableException;
import org.switchboard.jobs.entity.Enqueued;
import org.switchboard.jobs.entity.FetchedJob;
import org.switchboard.jobs.entity.Job;
import org.switchboard.jobs.entity.JobEvent;
import org.switchboard.jobs.entity.JobState;
import org.switchboard.jobs.entity.ListedJob;
import org.switchboard.jobs.entity.QueueStats;
import org.switchboard.jobs.entity.Worker;

/**
 * The job queues in Redis. Every move of a job is one Lua script (the {@code *.lua} resources beside
 * this class) on the keys of its queue, so a job is always in exactly one place: its queue (list), a
 * worker's pending list of that queue, the queue's scheduled set (delayed jobs and retries), its dead
 * set, or finished. Each queue's keys share one slot of a Redis Cluster and queues spread over the
 * masters (see {@link JobKeys}); what spans the queues (the dashboard's lists and totals, promoting,
 * trimming, the reaper) makes one call per queue, together. Times come from Redis's clock
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

    private static final LuaScript ENQUEUE = LuaScript.of("now", "events", "enqueue");
    private static final LuaScript FETCH = LuaScript.of("now", "events", "fetch");
    private static final LuaScript START = LuaScript.of("now", "state", "events", "start");
    private static final LuaScript COMPLETE = LuaScript.of("now", "state", "events", "plain", "complete");
    private static final LuaScript COMPLETE_CHILDREN = LuaScript.of("now", "state", "events", "children", "complete");
    private static final LuaScript FAIL = LuaScript.of("now", "state", "events", "fail");
    private static final LuaScript PROMOTE = LuaScript.of("now", "state", "promote");
    private static final LuaScript HEARTBEAT = LuaScript.of("now", "heartbeat");
    private static final LuaScript EXPIRED_WORKERS = LuaScript.of("now", "expired-workers");
    private static final LuaScript FORGET_WORKER = LuaScript.of("now", "forget-worker");
    private static final LuaScript REQUEUE_PENDING = LuaScript.of("now", "state", "back", "requeue-pending");
    private static final LuaScript REQUEUE_JOBS = LuaScript.of("now", "state", "back", "requeue-jobs");
    private static final LuaScript CANCEL = LuaScript.of("now", "state", "events", "cancel");
    private static final LuaScript CANCEL_RUNNING = LuaScript.of("now", "state", "events", "cancel-running");
    private static final LuaScript RUN_NOW = LuaScript.of("now", "state", "run-now");
    private static final LuaScript DELETE_DEAD = LuaScript.of("state", "delete-dead");
    private static final LuaScript TRIM = LuaScript.of("now", "state", "trim");
    private static final LuaScript PROGRESS = LuaScript.of("events", "progress");
    private static final LuaScript CANCEL_REQUESTED = LuaScript.of("cancel-requested");
    private static final LuaScript QUEUE_STATS = LuaScript.of("now", "queue-stats");
    private static final LuaScript PAGE = LuaScript.of("page");
    private static final LuaScript ENQUEUE_PARENT = LuaScript.of("now", "events", "enqueue-parent");
    private static final LuaScript DELIVER = LuaScript.of("now", "state", "events", "deliver");
    private static final LuaScript UNDELIVERED_DUE = LuaScript.of("now", "undelivered-due");
    /** How long a queue's events are kept (beside the stream's cap of about 10,000 entries, events.lua). */
    public static final Duration EVENTS_AGE = Duration.ofHours(1);
    /** How long the outcome of a child whose parent is not made yet is kept (its flow's enqueue died half-way if it is never made). */
    private static final Duration UNCLAIMED_OUTCOME = Duration.ofDays(1);
    /** How long a queue this store enqueued to counts as known, before its name is added to the set of queues again. */
    private static final long REGISTERED_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final System.Logger LOG = System.getLogger(RedisJobStore.class.getName());

    private RedissonClient redis;
    private JobKeys keys;
    private ReplicaWait replicaWait = ReplicaWait.NONE;
    private boolean ownsClient;
    /** Queue name to when this store last added it to the set of queues (nanoTime). */
    private final Map<String, Long> registered = new ConcurrentHashMap<>();

    protected RedisJobStore() {
        // for CDI's proxy
    }

    /**
     * @param waitReplicas the durable mode: an enqueue is acknowledged only once this many replicas have
     *                     it ({@code WAIT}), 0 for Redis's own asynchronous replication
     */
    @Inject
    public RedisJobStore(RedissonClient redis, @ConfigProperty(name = "switchboard.redis.prefix", defaultValue = "switchboard") String prefix,
                         @ConfigProperty(name = "switchboard.redis.wait-replicas", defaultValue = "0") int waitReplicas,
                         @ConfigProperty(name = "switchboard.redis.wait-millis", defaultValue = "1000") long waitMillis) {
        this(redis, new JobKeys(prefix), new ReplicaWait(waitReplicas, Duration.ofMillis(waitMillis)));
    }

    public RedisJobStore(RedissonClient redis, JobKeys keys) {
        this(redis, keys, ReplicaWait.NONE);
    }

    public RedisJobStore(RedissonClient redis, JobKeys keys, ReplicaWait replicaWait) {
        this.redis = redis;
        this.keys = keys;
        this.replicaWait = replicaWait;
    }

    /**
     * How many replicas must have a write before it is acknowledged, and how long to wait for them.
     * Redis replicates asynchronously: a master that dies before it passed a write on loses it when its
     * replica takes over. Waiting ({@code WAIT}, on the connection that wrote) closes that window for
     * the writes that wait, at the cost of a round trip to the replicas.
     */
    public record ReplicaWait(int replicas, Duration timeout) {

        public static final ReplicaWait NONE = new ReplicaWait(0, Duration.ZERO);

        public ReplicaWait {
            if (replicas < 0 || replicas > 0 && (timeout.isNegative() || timeout.isZero())) {
                throw new IllegalArgumentException("switchboard.redis.wait-replicas is 0 or more, with a positive switchboard.redis.wait-millis");
            }
        }
    }

    /** A store with a Redis client of its own ({@code redis://host:port}), shut down by {@link #disconnect}: for tools outside a container. */
    public static RedisJobStore connect(String redisUrl, String prefix, int connections) {
        var config = new Config();
        config.setCodec(StringCodec.INSTANCE);
        config.useSingleServer().setAddress(redisUrl).setConnectionPoolSize(connections);
        return connect(config, prefix, ReplicaWait.NONE);
    }

    /** A store on the Redis Cluster of these nodes, with a client of its own reading from the masters, shut down by {@link #disconnect}. */
    public static RedisJobStore connectCluster(List<String> nodes, String prefix, int connections, ReplicaWait replicaWait) {
        var config = new Config();
        config.setCodec(StringCodec.INSTANCE);
        var servers = config.useClusterServers().setReadMode(ReadMode.MASTER).setMasterConnectionPoolSize(connections);
        nodes.forEach(servers::addNodeAddress);
        return connect(config, prefix, replicaWait);
    }

    private static RedisJobStore connect(Config config, String prefix, ReplicaWait replicaWait) {
        var store = new RedisJobStore(Redisson.create(config), new JobKeys(prefix), replicaWait);
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

    /** A job of a worker's pending list, and the queue it came from. */
    public record Held(String queue, String id) {
    }

    public Enqueued enqueue(String id, String queue, String type, String payload, int maxAttempts, int timeoutSeconds,
                            Duration delay, String uniqueKey, Duration uniqueTtl) {
        return join(enqueueAsync(id, queue, type, payload, maxAttempts, timeoutSeconds, delay, uniqueKey, uniqueTtl));
    }

    /** {@link #enqueue} without waiting: many enqueues in flight share the connection (pipelining). */
    public CompletionStage<Enqueued> enqueueAsync(String id, String queue, String type, String payload, int maxAttempts,
                                                  int timeoutSeconds, Duration delay, String uniqueKey, Duration uniqueTtl) {
        return enqueueAsync(id, queue, type, payload, maxAttempts, timeoutSeconds, delay, uniqueKey, uniqueTtl, false, "", "");
    }

    /** A job of a flow with its children, each with theirs. */
    public record FlowNode(String id, String queue, String type, String payload, int maxAttempts, int timeoutSeconds,
                           List<FlowNode> children, boolean continueOnChildFailure) {
    }

    /**
     * Enqueues a flow: the children before their parents, from the leaves up, each level's jobs
     * together. A job without children is queued at once, knowing its parent. A parent is made only
     * once all of its children are in Redis, so that none is missing from a parent that waits: it waits
     * for those not finished yet, and is queued once they all succeeded (or finished, if
     * {@code continueOnChildFailure}); one that finished before it was made left its outcome for it. A
     * node that dies before a parent is made leaves its children to run as they are.
     */
    public Enqueued enqueueFlow(FlowNode root) {
        return join(enqueueFlowAsync(root));
    }

    /** {@link #enqueueFlow} without waiting: many flows in flight share the connection. */
    public CompletionStage<Enqueued> enqueueFlowAsync(FlowNode root) {
        return enqueueFlow(root, null);
    }

    private CompletionStage<Enqueued> enqueueFlow(FlowNode job, FlowJob parent) {
        var children = job.children().stream().map(child -> enqueueFlow(child, new FlowJob(job, parent)).toCompletableFuture()).toList();
        return CompletableFuture.allOf(children.toArray(CompletableFuture[]::new))
                .thenCompose(all -> enqueueFlowJob(new FlowJob(job, parent)))
                .thenApply(e -> new Enqueued(e.id(), e.state(), e.created(), children.stream().map(CompletableFuture::join).toList()));
    }

    /** A job of a flow and its parent (null for the root). */
    private record FlowJob(FlowNode job, FlowJob parent) {
    }

    private CompletionStage<Enqueued> enqueueFlowJob(FlowJob flowJob) {
        var job = flowJob.job();
        var q = keys.of(job.queue());
        var parentId = flowJob.parent() == null ? "" : flowJob.parent().job().id();
        var parentQueue = flowJob.parent() == null ? "" : flowJob.parent().job().queue();
        if (job.children().isEmpty()) {
            return enqueueAsync(job.id(), job.queue(), job.type(), job.payload(), job.maxAttempts(), job.timeoutSeconds(), Duration.ZERO,
                    null, null, false, parentId, parentQueue);
        }
        var children = job.children().stream().map(c -> c.queue() + "/" + c.id()).collect(Collectors.joining(","));
        return register(job.queue()).thenCompose(known -> durably(script -> ENQUEUE_PARENT.<String>run(script, RScript.Mode.READ_WRITE,
                        RScript.ReturnType.VALUE, List.of(q.job(job.id()), q.list(), q.counts(), q.dead(), q.undelivered(), q.events()),
                        job.id(), job.queue(), job.type(), job.payload(), String.valueOf(job.maxAttempts()), String.valueOf(job.timeoutSeconds()),
                        children, String.valueOf(job.children().size()), job.continueOnChildFailure() ? "1" : "0", parentId, parentQueue)))
                .thenApply(state -> new Enqueued(job.id(), JobState.ofWire(state), true))
                .exceptionally(e -> {
                    throw unavailable(e);
                });
    }

    /**
     * Enqueues the job unless its unique key was taken within {@code uniqueTtl}, even by a job that is
     * gone since: for a cron tick, which every node tries to enqueue and only one may.
     */
    public Enqueued enqueueOnce(String id, String queue, String type, String payload, int maxAttempts, int timeoutSeconds,
                                String uniqueKey, Duration uniqueTtl) {
        return join(enqueueAsync(id, queue, type, payload, maxAttempts, timeoutSeconds, Duration.ZERO, uniqueKey, uniqueTtl, true, "", ""));
    }

    private CompletionStage<Enqueued> enqueueAsync(String id, String queue, String type, String payload, int maxAttempts,
                                                   int timeoutSeconds, Duration delay, String uniqueKey, Duration uniqueTtl,
                                                   boolean strict, String parentId, String parentQueue) {
        var q = keys.of(queue);
        var unique = uniqueKey == null ? q.unique("-") : q.unique(uniqueKey);
        return register(queue).thenCompose(known -> durably(script -> ENQUEUE.<List<Object>>run(script, RScript.Mode.READ_WRITE,
                        RScript.ReturnType.LIST, List.of(q.job(id), q.list(), q.scheduled(), unique, q.counts(), q.events()),
                        id, queue, type, payload, String.valueOf(maxAttempts), String.valueOf(timeoutSeconds),
                        String.valueOf(Math.max(0, delay.toMillis())), String.valueOf(uniqueKey == null ? 0 : uniqueTtl.toMillis()),
                        q.jobPrefix(), strict ? "1" : "0", parentId, parentQueue)))
                .thenApply(r -> new Enqueued(str(r.get(0)), JobState.ofWire(str(r.get(1))), number(r.get(2)) == 1))
                .exceptionally(e -> {
                    throw unavailable(e);
                });
    }

    /**
     * Runs a write; in the durable mode, in a batch that ends with {@code WAIT} on its connection, and
     * refused as unavailable when too few replicas confirmed it in time (it may be on the master:
     * an enqueue sent again with the same unique key finds it).
     */
    private <R> CompletionStage<R> durably(Function<RScriptAsync, CompletionStage<R>> write) {
        if (replicaWait.replicas() == 0) {
            return write.apply(script());
        }
        var batch = redis.createBatch(BatchOptions.defaults().sync(replicaWait.replicas(), replicaWait.timeout()));
        var result = write.apply(batch.getScript(StringCodec.INSTANCE));
        return batch.executeAsync().thenCompose(done -> {
            if (done.getSyncedSlaves() < replicaWait.replicas()) {
                throw new JobsUnavailableException("the enqueue reached " + done.getSyncedSlaves() + " of the " + replicaWait.replicas()
                        + " replica(s) required within " + replicaWait.timeout().toMillis() + " ms; the job may be enqueued", null);
            }
            return result;
        });
    }

    /**
     * Adds the queue's name to the set of queues before its first job, and again now and then (the set
     * spans the queues, so it cannot change in the enqueue's own script): what spans the queues (the
     * dashboard, promoting, the reaper) finds every queue that holds a job.
     */
    private CompletionStage<Boolean> register(String queue) {
        var last = registered.get(queue);
        if (last != null && System.nanoTime() - last < REGISTERED_NANOS) {
            return CompletableFuture.completedFuture(true);
        }
        return redis.getSet(keys.queues(), StringCodec.INSTANCE).addAsync(queue).thenApply(added -> {
            registered.put(queue, System.nanoTime());
            return added;
        });
    }

    /** Every queue that ever had a job or was paused, by name. */
    public List<String> queueNames() {
        return call(() -> redis.<String>getSet(keys.queues(), StringCodec.INSTANCE).readAll().stream().sorted().toList());
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
        return eachQueue(q -> redis.<String, String>getMap(q.stats(), StringCodec.INSTANCE).getAsync(name)).stream()
                .mapToLong(v -> v == null ? 0 : Long.parseLong(v)).sum();
    }

    /** The answers of one call per known queue, made together. */
    private <R> List<R> eachQueue(Function<JobKeys.Queue, CompletionStage<R>> call) {
        return eachQueue(queueNames(), call);
    }

    private <R> List<R> eachQueue(List<String> names, Function<JobKeys.Queue, CompletionStage<R>> call) {
        var calls = names.stream().map(keys::of).map(call).map(CompletionStage::toCompletableFuture).toList();
        return calls.stream().map(c -> join(c)).toList();
    }

    /** Moves up to {@code max} jobs from the queue into the worker's pending list and marks them running. */
    public List<FetchedJob> fetch(String queue, String worker, int max) {
        return fetch(queue, worker, max, Limits.NONE).jobs();
    }

    /**
     * A queue's limits over every worker: the most of its jobs that may run at once, and the most that
     * may start within any {@code window}; 0 for none.
     */
    public record Limits(int maxRunning, int rate, Duration window) {

        public static final Limits NONE = new Limits(0, 0, Duration.ZERO);

        public Limits {
            if (maxRunning < 0 || rate < 0 || rate > 0 && (window == null || window.toMillis() < 1)) {
                throw new IllegalArgumentException("limits are 0 (none) or more, a rate with a window of 1 ms or more");
            }
        }

        public static Limits running(int maxRunning) {
            return new Limits(maxRunning, 0, Duration.ZERO);
        }

        public static Limits rate(int starts, Duration window) {
            return new Limits(0, starts, window);
        }
    }

    /**
     * Jobs fetched, or none because a limit of the queue is reached ({@code limited}: the worker waits,
     * for {@code retryAfter} when the rate limit says how long, else briefly).
     */
    public record Batch(List<FetchedJob> jobs, boolean limited, Duration retryAfter) {

        static Batch of(List<FetchedJob> jobs) {
            return new Batch(jobs, false, null);
        }

        static Batch limited(Object wait) {
            var text = str(wait);
            return new Batch(List.of(), true, text == null || text.isEmpty() ? null : Duration.ofMillis(Math.max(1, Long.parseLong(text))));
        }
    }

    /**
     * {@link #fetch(String, String, int)}, taking no more than the queue's {@code limits} leave (the
     * running jobs are the exact count the scripts keep; the starts, a sorted set of recent ones).
     */
    public Batch fetch(String queue, String worker, int max, Limits limits) {
        var q = keys.of(queue);
        List<Object> r = eval(FETCH, RScript.ReturnType.LIST,
                List.of(q.list(), q.pending(worker), q.paused(), q.counts(), q.starts(), q.events()), queue, String.valueOf(max), q.jobPrefix(),
                String.valueOf(limits.maxRunning()), String.valueOf(limits.rate()), String.valueOf(limits.window().toMillis()));
        if (r.size() == 2) {
            return Batch.limited(r.get(1));
        }
        var jobs = new ArrayList<FetchedJob>(r.size() / 10);
        for (int i = 0; i + 9 < r.size(); i += 10) {
            jobs.add(fetched(queue, r, i));
        }
        return Batch.of(jobs);
    }

    private static FetchedJob fetched(String queue, List<Object> r, int i) {
        return new FetchedJob(str(r.get(i)), queue, str(r.get(i + 1)), str(r.get(i + 2)),
                (int) number(r.get(i + 3)), (int) number(r.get(i + 4)), (int) number(r.get(i + 5)), number(r.get(i + 6)),
                "1".equals(str(r.get(i + 7))), emptyToNull(str(r.get(i + 8))), emptyToNull(str(r.get(i + 9))));
    }

    /**
     * Waits up to {@code timeout} for a job (Redis's blocking move from the queue into the worker's
     * pending list, so the job is never only in flight), then starts it. For an idle worker: it picks a
     * new job up within a round trip instead of at its next poll.
     */
    public Optional<FetchedJob> fetchBlocking(String queue, String worker, Duration timeout) throws InterruptedException {
        return fetchBlocking(queue, worker, timeout, Limits.NONE).jobs().stream().findFirst();
    }

    /** {@link #fetchBlocking(String, String, Duration)}; a job taken while a limit of the queue is reached goes back ({@code limited}). */
    public Batch fetchBlocking(String queue, String worker, Duration timeout, Limits limits) throws InterruptedException {
        var taking = fetchBlockingAsync(queue, worker, timeout, limits);
        try {
            return taking.get();
        } catch (ExecutionException e) {
            throw unavailable(e.getCause());
        } catch (InterruptedException e) {
            taking.cancel(true);
            throw e;
        }
    }

    /**
     * {@link #fetchBlocking(String, String, Duration, Limits)} without a thread waiting on it: the job
     * is started as the blocking move answers, on Redis's client thread, and the returned stage
     * completes with it (cancelling the stage cancels the wait). A worker that starts its handler from
     * there saves the hand-overs between threads on the idle path, where each adds to the latency.
     */
    public CompletableFuture<Batch> fetchBlockingAsync(String queue, String worker, Duration timeout, Limits limits) {
        var q = keys.of(queue);
        // whole seconds: BRPOPLPUSH rounds, and 0 would block for ever
        var seconds = Math.max(1, timeout.toSeconds());
        var waiting = new CompletableFuture<CompletionStage<String>>();
        var taking = redis.getBucket(q.paused(), StringCodec.INSTANCE).isExistsAsync().thenCompose(paused -> {
            if (paused) { // jobs of a paused queue stay in it: nothing is taken until the timeout
                return CompletableFuture.supplyAsync(() -> null, CompletableFuture.delayedExecutor(timeout.toMillis(), TimeUnit.MILLISECONDS));
            }
            var move = redis.<String>getBlockingDeque(q.list(), StringCodec.INSTANCE)
                    .pollLastAndOfferFirstToAsync(q.pending(worker), seconds, TimeUnit.SECONDS);
            waiting.complete(move);
            return move;
        }).thenCompose(id -> id == null ? CompletableFuture.completedFuture(Batch.of(List.of()))
                : START.<List<Object>>run(script(), RScript.Mode.READ_WRITE, RScript.ReturnType.LIST,
                        List.of(q.pending(worker), q.job(id), q.list(), q.paused(), q.counts(), q.starts(), q.events()), id,
                        String.valueOf(limits.maxRunning()), queue, String.valueOf(limits.rate()), String.valueOf(limits.window().toMillis()))
                .thenApply(r -> r.size() == 2 ? Batch.limited(r.get(1)) : Batch.of(r.size() < 10 ? List.of() : List.of(fetched(queue, r, 0)))))
                .toCompletableFuture();
        taking.whenComplete((batch, e) -> {
            if (taking.isCancelled()) {
                waiting.thenAccept(move -> move.toCompletableFuture().cancel(true)); // Redisson ends the blocking command
            }
        });
        return taking;
    }

    /** Acknowledges a job: false if the worker no longer holds it (it was re-queued, e.g. by the reaper). */
    public boolean complete(String worker, String queue, String id, String result) {
        return completeMany(worker, List.of(new Completion(queue, id, result))) == 1;
    }

    /**
     * A finished job and its result, for {@link #completeMany}.
     *
     * @param clearError  whether an earlier attempt's error is on the job, to be cleared ({@link FetchedJob#hadError()})
     * @param parentQueue the queue of its parent when it is a child in a flow ({@link FetchedJob#parentQueue()}), else null
     * @param parent      its parent's id when it is a child in a flow, else null
     */
    public record Completion(String queue, String id, String result, boolean clearError, String parentQueue, String parent) {

        public Completion(String queue, String id, String result, boolean clearError) {
            this(queue, id, result, clearError, null, null);
        }

        /** Clears an error whether or not there is one. */
        public Completion(String queue, String id, String result) {
            this(queue, id, result, true);
        }
    }

    /**
     * Acknowledges several finished jobs, one call per queue; answers how many the worker still held.
     * Children of flows are acknowledged apart (a call per queue too), and their parents given their
     * outcomes, one call per parent for all of its children in the batch.
     */
    public int completeMany(String worker, List<Completion> completions) {
        var byQueue = completions.stream().collect(Collectors.groupingBy(c -> (c.parent() != null ? "1" : "0") + c.queue(),
                LinkedHashMap::new, Collectors.toList()));
        var plain = new ArrayList<CompletableFuture<Long>>();
        var children = new ArrayList<CompletableFuture<List<Object>>>();
        var childBatches = new ArrayList<List<Completion>>();
        byQueue.forEach((group, done) -> {
            var queue = done.getFirst().queue();
            var q = keys.of(queue);
            var args = new ArrayList<Object>(2 + done.size() * 3);
            args.add(queue);
            args.add(q.jobPrefix());
            for (var c : done) {
                args.add(c.id());
                args.add(c.result() == null ? "null" : c.result());
                args.add(c.clearError() ? "1" : "0");
            }
            var keyList = List.<Object>of(q.pending(worker), q.done(), q.stats(), q.counts(), q.events(), q.undelivered());
            if (group.startsWith("1")) {
                childBatches.add(done);
                children.add(COMPLETE_CHILDREN.<List<Object>>run(script(), RScript.Mode.READ_WRITE, RScript.ReturnType.LIST, keyList,
                        args.toArray()).toCompletableFuture());
            } else {
                plain.add(COMPLETE.<Long>run(script(), RScript.Mode.READ_WRITE, RScript.ReturnType.LONG, keyList, args.toArray()).toCompletableFuture());
            }
        });
        var held = plain.stream().mapToInt(c -> count(join(c))).sum();
        var acknowledged = new ArrayList<Completion>();
        for (int i = 0; i < children.size(); i++) {
            var ids = join(children.get(i)).stream().map(String::valueOf).collect(Collectors.toSet());
            childBatches.get(i).stream().filter(c -> ids.contains(c.id())).forEach(acknowledged::add);
        }
        if (!acknowledged.isEmpty() && delivering) {
            try {
                deliverAll(acknowledged);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "Children's outcomes go to their parents by the housekeeping", e);
            }
        }
        return held + acknowledged.size();
    }

    /** Gives their parents these succeeded children's results: one call per parent, then off the undelivered sets, one call per queue. */
    private void deliverAll(List<Completion> succeeded) {
        var byParent = succeeded.stream().collect(Collectors.groupingBy(c -> c.parentQueue() + "/" + c.parent(), LinkedHashMap::new, Collectors.toList()));
        var calls = new ArrayList<CompletableFuture<String>>();
        byParent.forEach((ref, done) -> {
            var args = new ArrayList<Object>(1 + done.size() * 3);
            args.add(String.valueOf(UNCLAIMED_OUTCOME.toMillis()));
            for (var c : done) {
                args.add(c.id());
                args.add("succeeded");
                args.add(c.result() == null ? "null" : c.result());
            }
            var p = keys.of(done.getFirst().parentQueue());
            calls.add(DELIVER.<String>run(script(), RScript.Mode.READ_WRITE, RScript.ReturnType.VALUE,
                    List.of(p.job(done.getFirst().parent()), p.list(), p.counts(), p.dead(), p.undelivered(), p.events()), args.toArray())
                    .toCompletableFuture());
        });
        calls.forEach(RedisJobStore::join);
        var removals = succeeded.stream().collect(Collectors.groupingBy(Completion::queue)).entrySet().stream()
                .map(e -> redis.getScoredSortedSet(keys.of(e.getKey()).undelivered(), StringCodec.INSTANCE)
                        .removeAllAsync(e.getValue().stream().map(Completion::id).toList()).toCompletableFuture()).toList();
        removals.forEach(RedisJobStore::join);
    }

    /** Whether this store gives parents their children's outcomes as they come; false: only {@link #deliverDue} does (tests: a node that dies in between). */
    volatile boolean delivering = true;

    /** {@link #deliver}, leaving a failure to the housekeeping's {@link #deliverDue}: the outcome waits in the undelivered set. */
    private void deliverQuietly(String queue, String id) {
        if (!delivering) {
            return;
        }
        try {
            deliver(queue, id);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "Job " + id + ": its parent gets its outcome from the housekeeping", e);
        }
    }

    /**
     * Gives the parent of this finished job of a flow its outcome, once (deliver.lua), then takes the
     * job off its queue's undelivered set. Any node may do it, any number of times: a node that dies
     * between a child's end and this leaves the child in the undelivered set, for {@link #deliverDue}.
     */
    public void deliver(String queue, String id) {
        var q = keys.of(queue);
        var f = call(() -> redis.<String, String>getMap(q.job(id), StringCodec.INSTANCE)
                .getAll(Set.of("state", "result", "error", "parent", "parentQueue")));
        var state = f.get("state");
        var outcome = "succeeded".equals(state) || "dead".equals(state) || "cancelled".equals(state);
        if (f.get("parent") != null && outcome) {
            var p = keys.of(f.get("parentQueue"));
            var text = "succeeded".equals(state) ? f.getOrDefault("result", "null") : f.getOrDefault("error", state);
            eval(DELIVER, RScript.ReturnType.VALUE, List.of(p.job(f.get("parent")), p.list(), p.counts(), p.dead(), p.undelivered(), p.events()),
                    String.valueOf(UNCLAIMED_OUTCOME.toMillis()), id, state, text);
            if ("dead".equals(state) || "cancelled".equals(state)) {
                deliverQuietly(f.get("parentQueue"), f.get("parent")); // a parent made dead by it tells its own parent
            }
        }
        // gone, or no longer finished (an operator retried a dead child: it notifies again when it ends)
        call(() -> redis.getScoredSortedSet(q.undelivered(), StringCodec.INSTANCE).remove(id));
    }

    /** Delivers the outcomes of flows' jobs that finished more than {@code age} ago and are still in an undelivered set (their node died); answers how many. */
    public int deliverDue(Duration age, int max) {
        var delivered = 0;
        var names = queueNames();
        var due = eachQueue(names, q -> UNDELIVERED_DUE.<List<Object>>run(script(), RScript.Mode.READ_ONLY, RScript.ReturnType.LIST,
                List.of(q.undelivered()), String.valueOf(age.toMillis()), String.valueOf(max)));
        for (int i = 0; i < names.size(); i++) {
            for (var id : due.get(i)) {
                deliver(names.get(i), String.valueOf(id));
                delivered++;
            }
        }
        return delivered;
    }

    /** What the children of a flow's parent left it, by child id: {@code succeeded <result>}, or {@code dead|cancelled <error>}. */
    public Map<String, String> childOutcomes(String queue, String parentId) {
        Map<String, String> h = call(() -> redis.<String, String>getMap(keys.of(queue).job(parentId), StringCodec.INSTANCE).readAllMap());
        var out = new LinkedHashMap<String, String>();
        h.forEach((field, value) -> {
            if (field.startsWith("child:")) {
                out.put(field.substring("child:".length()), value);
            }
        });
        return out;
    }

    /** Records a failed attempt: retried after {@code retryDelay} while attempts remain, else dead. Empty if the worker no longer holds it. */
    public Optional<JobState> fail(String worker, String queue, String id, String error, Duration retryDelay, boolean giveUp) {
        var q = keys.of(queue);
        String r = eval(FAIL, RScript.ReturnType.VALUE,
                List.of(q.pending(worker), q.job(id), q.scheduled(), q.dead(), q.stats(), q.counts(), q.undelivered(), q.events()),
                id, error == null ? "" : error, String.valueOf(Math.max(0, retryDelay.toMillis())), giveUp ? "1" : "0");
        if ("dead".equals(r)) {
            deliverQuietly(queue, id);
        }
        return state(r);
    }

    /** Moves delayed jobs and retries that are due into their queues, up to {@code max} per queue; answers how many. */
    public int promoteDue(int max) {
        return eachQueue(q -> PROMOTE.<Long>run(script(), RScript.Mode.READ_WRITE, RScript.ReturnType.LONG,
                List.of(q.scheduled(), q.counts(), q.list()), String.valueOf(max), q.jobPrefix())).stream().mapToInt(RedisJobStore::count).sum();
    }

    public void heartbeat(String worker, Duration ttl) {
        eval(HEARTBEAT, RScript.ReturnType.LONG, List.of(keys.workers()), worker, String.valueOf(ttl.toMillis()));
    }

    /**
     * Re-queues the pending jobs of every worker whose heartbeat expired, then forgets the worker
     * (unless it beat again meanwhile); answers how many jobs. Each queue's part is one script; a
     * reaper that dies half-way leaves the worker listed, and the next one finishes the work.
     */
    public int reapExpiredWorkers() {
        List<Object> expired = eval(EXPIRED_WORKERS, RScript.ReturnType.LIST, List.of(keys.workers()));
        if (expired.isEmpty()) {
            return 0;
        }
        var names = queueNames();
        var moved = 0;
        for (var worker : expired) {
            moved += requeueAll(names, String.valueOf(worker));
            eval(FORGET_WORKER, RScript.ReturnType.LONG, List.of(keys.workers()), String.valueOf(worker), "1");
        }
        return moved;
    }

    /** Re-queues a worker's pending jobs (its own graceful shutdown) and forgets the worker; answers how many. */
    public int requeue(String worker) {
        var moved = requeueAll(queueNames(), worker);
        eval(FORGET_WORKER, RScript.ReturnType.LONG, List.of(keys.workers()), worker, "0");
        return moved;
    }

    private int requeueAll(List<String> names, String worker) {
        return eachQueue(names, q -> REQUEUE_PENDING.<Long>run(script(), RScript.Mode.READ_WRITE, RScript.ReturnType.LONG,
                List.of(q.pending(worker), q.counts(), q.list()), q.jobPrefix())).stream().mapToInt(RedisJobStore::count).sum();
    }

    /** The jobs in the worker's pending lists. */
    public List<Held> pendingJobs(String worker) {
        var names = queueNames();
        var lists = names.stream().map(name -> redis.<String>getList(keys.of(name).pending(worker), StringCodec.INSTANCE)
                .readAllAsync().toCompletableFuture()).toList();
        var out = new ArrayList<Held>();
        for (int i = 0; i < names.size(); i++) {
            for (var id : join(lists.get(i))) {
                out.add(new Held(names.get(i), id));
            }
        }
        return out;
    }

    /** Re-queues these jobs if the worker's pending lists hold them; answers how many. */
    public int requeue(String worker, Collection<Held> jobs) {
        var moved = 0;
        for (var entry : jobs.stream().collect(Collectors.groupingBy(Held::queue)).entrySet()) {
            var q = keys.of(entry.getKey());
            var args = new ArrayList<Object>();
            args.add(q.jobPrefix());
            entry.getValue().forEach(h -> args.add(h.id()));
            moved += count(eval(REQUEUE_JOBS, RScript.ReturnType.LONG, List.of(q.pending(worker), q.counts(), q.list()), args.toArray()));
        }
        return moved;
    }

    /** The queue that holds the job with this id, if any (a job's id does not name its queue). */
    private Optional<JobKeys.Queue> locate(String id) {
        var names = queueNames();
        var found = names.stream().map(name -> redis.getBucket(keys.of(name).job(id), StringCodec.INSTANCE).isExistsAsync()
                .toCompletableFuture()).toList();
        for (int i = 0; i < names.size(); i++) {
            if (join(found.get(i))) {
                return Optional.of(keys.of(names.get(i)));
            }
        }
        return Optional.empty();
    }

    /**
     * Cancels a job that is not running yet (kept for {@code keep}, then gone); a running one is flagged
     * for its worker, which interrupts it. Answers the state it was in. A parent of a flow is
     * cancelled first, then its unfinished children, and theirs.
     */
    public Optional<JobState> cancel(String id, Duration keep) {
        var was = cancelOne(id, keep);
        find(id).ifPresent(job -> job.children().forEach(child -> cancel(child.id(), keep)));
        return was;
    }

    private Optional<JobState> cancelOne(String id, Duration keep) {
        return locate(id).flatMap(q -> {
            var was = state(eval(CANCEL, RScript.ReturnType.VALUE, List.of(q.job(id), q.scheduled(), q.counts(), q.list(), q.undelivered(), q.events()),
                    id, String.valueOf(Math.max(1, keep.toSeconds()))));
            if (was.isPresent() && !was.get().isFinal() && was.get() != JobState.RUNNING && was.get() != JobState.DEAD) {
                deliverQuietly(q.name(), id);
            }
            return was;
        });
    }

    /** A worker ends a running job it interrupted on request; false if it no longer held the job. */
    public boolean cancelRunning(String worker, String queue, String id, Duration keep) {
        var q = keys.of(queue);
        var ended = count(eval(CANCEL_RUNNING, RScript.ReturnType.LONG, List.of(q.pending(worker), q.job(id), q.counts(), q.undelivered(), q.events()),
                id, String.valueOf(Math.max(1, keep.toSeconds())))) == 1;
        if (ended) {
            deliverQuietly(queue, id);
        }
        return ended;
    }

    /** Of these running jobs, the ids of those whose cancellation was asked for. */
    public Set<String> cancelRequested(Collection<Held> running) {
        var out = new HashSet<String>();
        for (var entry : running.stream().collect(Collectors.groupingBy(Held::queue)).entrySet()) {
            var q = keys.of(entry.getKey());
            var ids = entry.getValue().stream().map(Held::id).toList();
            List<Object> r = eval(CANCEL_REQUESTED, RScript.ReturnType.LIST, ids.stream().<Object>map(q::job).toList(), ids.toArray());
            r.forEach(id -> out.add(String.valueOf(id)));
        }
        return out;
    }

    /** Puts a dead job back in its queue with all its attempts again; answers false if it is not dead. */
    public boolean retryDead(String id) {
        return locate(id).map(q -> runNow(q, q.dead(), id, "1")).orElse(false);
    }

    /** Runs a scheduled or retrying job now instead of at its time; false if it is not waiting. */
    public boolean runNow(String id) {
        return locate(id).map(q -> runNow(q, q.scheduled(), id, "0")).orElse(false);
    }

    private boolean runNow(JobKeys.Queue q, String set, String id, String freshAttempts) {
        String r = eval(RUN_NOW, RScript.ReturnType.VALUE, List.of(set, q.job(id), q.counts(), q.list()), id, freshAttempts);
        return r != null && !r.isEmpty();
    }

    /** Deletes a dead job; false if it is not dead. */
    public boolean deleteDead(String id) {
        return locate(id).map(q -> count(eval(DELETE_DEAD, RScript.ReturnType.LONG, List.of(q.dead(), q.job(id), q.counts()), id)) == 1)
                .orElse(false);
    }

    /** How long and how many finished jobs are kept. */
    public record Retention(Duration succeededAge, long succeededCount, Duration deadAge, long deadCount) {

        /** Succeeded jobs for their result's TTL, at most 100,000; dead ones for 180 days, at most 10,000 (Sidekiq's bounds). */
        public static Retention defaults(Duration resultTtl) {
            return new Retention(resultTtl, 100_000, Duration.ofDays(180), 10_000);
        }
    }

    /** Deletes up to {@code budget} of the oldest succeeded and dead jobs of each queue beyond the retention; answers how many. */
    public int trim(Retention keep, int budget) {
        return eachQueue(q -> TRIM.<Long>run(script(), RScript.Mode.READ_WRITE, RScript.ReturnType.LONG,
                List.of(q.done(), q.dead(), q.counts(), q.events()), q.jobPrefix(),
                String.valueOf(keep.succeededAge().toMillis()), String.valueOf(keep.succeededCount()),
                String.valueOf(keep.deadAge().toMillis()), String.valueOf(keep.deadCount()), String.valueOf(budget), String.valueOf(EVENTS_AGE.toMillis())))
                .stream().mapToInt(RedisJobStore::count).sum();
    }

    /** Every queue that ever had a job or was paused, by name. */
    public List<QueueStats> queueStats() {
        var names = queueNames();
        var calls = names.stream().map(keys::of).map(q -> QUEUE_STATS.<List<Object>>run(script(), RScript.Mode.READ_WRITE,
                RScript.ReturnType.LIST, List.of(q.list(), q.paused(), q.counts()), q.name(), q.jobPrefix()).toCompletableFuture()).toList();
        var out = new ArrayList<QueueStats>();
        for (int i = 0; i < names.size(); i++) {
            List<Object> r = join(calls.get(i));
            var latency = number(r.get(1));
            out.add(new QueueStats(names.get(i), number(r.get(0)), latency < 0 ? null : Duration.ofMillis(latency),
                    number(r.get(2)) == 1, number(r.get(3)), number(r.get(4)), number(r.get(5)), number(r.get(6)), number(r.get(7))));
        }
        return out;
    }

    /** The scheduled and retrying jobs, the soonest first. */
    public List<ListedJob> scheduled(int offset, int count) {
        return page(JobKeys.Queue::scheduled, offset, count, false);
    }

    /** The dead jobs, the last to die first. */
    public List<ListedJob> dead(int offset, int count) {
        return page(JobKeys.Queue::dead, offset, count, true);
    }

    public long scheduledCount() {
        return eachQueue(q -> redis.getScoredSortedSet(q.scheduled(), StringCodec.INSTANCE).sizeAsync()).stream().mapToLong(Integer::longValue).sum();
    }

    public long deadCount() {
        return eachQueue(q -> redis.getScoredSortedSet(q.dead(), StringCodec.INSTANCE).sizeAsync()).stream().mapToLong(Integer::longValue).sum();
    }

    /** A page of one sorted set of every queue, merged by score: each queue gives its first {@code offset + count}. */
    private List<ListedJob> page(Function<JobKeys.Queue, String> set, int offset, int count, boolean newestFirst) {
        var merged = new ArrayList<ListedJob>();
        for (List<Object> r : eachQueue(q -> PAGE.<List<Object>>run(script(), RScript.Mode.READ_WRITE, RScript.ReturnType.LIST,
                List.of(set.apply(q)), q.jobPrefix(), "0", String.valueOf(offset + count), newestFirst ? "1" : "0"))) {
            for (int i = 0; i + 8 < r.size(); i += 9) {
                var state = str(r.get(i + 4));
                if (state.isEmpty()) {
                    continue; // gone meanwhile
                }
                merged.add(new ListedJob(str(r.get(i)), Instant.ofEpochMilli((long) Double.parseDouble(str(r.get(i + 1)))), str(r.get(i + 2)),
                        str(r.get(i + 3)), JobState.ofWire(state), integer(str(r.get(i + 5))), integer(str(r.get(i + 6))),
                        emptyToNull(str(r.get(i + 7))), instant(emptyToNull(str(r.get(i + 8))))));
            }
        }
        var order = Comparator.comparing(ListedJob::at).thenComparing(ListedJob::id);
        merged.sort(newestFirst ? order.reversed() : order);
        return merged.stream().skip(offset).limit(count).toList();
    }

    /** The workers alive (heartbeat not expired) with the jobs each one holds now (up to 100 per queue). */
    public List<Worker> workers() {
        return call(() -> {
            var names = queueNames();
            var out = new ArrayList<Worker>();
            for (var e : redis.<String>getScoredSortedSet(keys.workers(), StringCodec.INSTANCE).entryRange(0, -1)) {
                var deadline = Instant.ofEpochMilli(e.getScore().longValue());
                var jobs = new ArrayList<Job>();
                for (var name : names) {
                    var q = keys.of(name);
                    for (var id : redis.<String>getList(q.pending(e.getValue()), StringCodec.INSTANCE).range(0, 99)) {
                        find(q, id).ifPresent(jobs::add);
                    }
                }
                out.add(new Worker(e.getValue(), deadline, jobs));
            }
            return out;
        });
    }

    /** Records a running job's progress (JSON text); false if the job is not running. */
    public boolean progress(String queue, String id, String json) {
        var q = keys.of(queue);
        return count(eval(PROGRESS, RScript.ReturnType.LONG, List.of(q.job(id), q.events()), json, id)) == 1;
    }

    public Optional<Job> find(String id) {
        var names = queueNames();
        var hashes = names.stream().map(name -> redis.<String, String>getMap(keys.of(name).job(id), StringCodec.INSTANCE)
                .readAllMapAsync().toCompletableFuture()).toList();
        // a hash without a state is a parent not made yet, holding its early children's outcomes
        return hashes.stream().map(RedisJobStore::join).filter(h -> h.containsKey("state")).findFirst().map(RedisJobStore::job);
    }

    /**
     * These children of a flow's job as they are now, in the order given, read together, each in the
     * queue its reference names (one gone since is left out). A parent's hash holds its own
     * children's outcomes, which are not part of a job: only the fields a job has are read.
     */
    public List<Job> children(List<Job.ChildRef> children) {
        var reads = children.stream().map(c -> redis.<String, String>getMap(keys.of(c.queue()).job(c.id()), StringCodec.INSTANCE)
                .getAllAsync(JOB_FIELDS).toCompletableFuture()).toList();
        return reads.stream().map(RedisJobStore::join).filter(h -> h.containsKey("state")).map(RedisJobStore::job).toList();
    }

    /** The fields of a job's hash that {@link #job} reads. */
    private static final Set<String> JOB_FIELDS = Set.of("id", "queue", "type", "state", "attempts", "maxAttempts", "timeoutSeconds", "payload",
            "result", "error", "progress", "enqueuedAt", "startedAt", "finishedAt", "parent", "children");

    private Optional<Job> find(JobKeys.Queue q, String id) {
        Map<String, String> h = call(() -> redis.<String, String>getMap(q.job(id), StringCodec.INSTANCE).readAllMap());
        return h.containsKey("state") ? Optional.of(job(h)) : Optional.empty();
    }

    private static Job job(Map<String, String> h) {
        var children = new ArrayList<Job.ChildRef>();
        var refs = h.get("children");
        if (refs != null && !refs.isEmpty()) {
            for (var ref : refs.split(",")) {
                var slash = ref.indexOf('/');
                children.add(new Job.ChildRef(ref.substring(slash + 1), ref.substring(0, slash)));
            }
        }
        return new Job(h.get("id"), h.get("queue"), h.get("type"), JobState.ofWire(h.get("state")),
                integer(h.get("attempts")), integer(h.get("maxAttempts")), integer(h.get("timeoutSeconds")),
                h.get("payload"), h.get("result"), h.get("error"), h.get("progress"),
                instant(h.get("enqueuedAt")), instant(h.get("startedAt")), instant(h.get("finishedAt")), h.get("parent"), List.copyOf(children));
    }

    /**
     * The queue's job events after {@code after} ({@link JobEvent#id()}; null: from now on), at most
     * about {@code max}: those already in the stream at once, else the first to come within
     * {@code block} (none when it passes). The entry {@code after} names is read again, for the
     * events of it that follow. Cancelling the answer ends the wait (a reader that left, a node
     * stopping: the blocking read would hold its connection to the end).
     */
    public CompletableFuture<List<JobEvent>> events(String queue, String after, Duration block, int max) {
        var stream = redis.<String, String>getStream(keys.of(queue).events(), StringCodec.INSTANCE);
        var blocking = StreamReadArgs.greaterThan(after == null ? StreamMessageId.NEWEST : entryOf(after)).count(max).timeout(block);
        var waiting = new CompletableFuture<CompletableFuture<?>>();
        CompletableFuture<List<JobEvent>> answer;
        if (after == null) {
            var read = stream.readAsync(blocking).toCompletableFuture();
            waiting.complete(read);
            answer = read.thenApply(r -> expand(queue, r, null));
        } else {
            answer = stream.rangeAsync(max, entryOf(after), StreamMessageId.MAX).toCompletableFuture().thenCompose(range -> {
                var events = expand(queue, range, after);
                if (!events.isEmpty()) {
                    return CompletableFuture.completedFuture(events);
                }
                var read = stream.readAsync(blocking).toCompletableFuture();
                waiting.complete(read);
                return read.thenApply(r -> expand(queue, r, after));
            });
        }
        answer.whenComplete((events, e) -> {
            if (answer.isCancelled()) {
                waiting.thenAccept(read -> read.cancel(true)); // Redisson ends the blocking command
            }
        });
        return answer;
    }

    /** Whether events after {@code after} may be gone: the stream's oldest entry is newer (it was trimmed past it). */
    public boolean eventsLost(String queue, String after) {
        Map<StreamMessageId, Map<String, String>> first = call(() -> redis.<String, String>getStream(keys.of(queue).events(), StringCodec.INSTANCE)
                .range(1, StreamMessageId.MIN, StreamMessageId.MAX));
        var from = entryOf(after);
        return first.keySet().stream().anyMatch(id -> id.getId0() > from.getId0() || id.getId0() == from.getId0() && id.getId1() > from.getId1());
    }

    /** The stream entry of an event id: {@code <ms>-<seq>:<index>}. */
    private static StreamMessageId entryOf(String eventId) {
        var entry = eventId.substring(0, eventId.indexOf(':'));
        var dash = entry.indexOf('-');
        return new StreamMessageId(Long.parseLong(entry.substring(0, dash)), Long.parseLong(entry.substring(dash + 1)));
    }

    /** The events of these entries, one per job an entry names (a failure: two), after the event {@code after}. */
    private static List<JobEvent> expand(String queue, Map<StreamMessageId, Map<String, String>> entries, String after) {
        var out = new ArrayList<JobEvent>();
        if (entries == null) {
            return out;
        }
        var skipTo = after == null ? null : entryOf(after);
        var skipIndex = after == null ? -1 : Integer.parseInt(after.substring(after.indexOf(':') + 1));
        entries.forEach((id, f) -> {
            var at = Instant.ofEpochMilli(id.getId0());
            var entry = id.getId0() + "-" + id.getId1();
            var ids = f.getOrDefault("ids", "").split(",");
            var attempts = f.containsKey("attempts") ? f.get("attempts").split(",") : new String[0];
            var event = f.get("e");
            var made = new ArrayList<JobEvent>();
            for (int i = 0; i < ids.length; i++) {
                var attempt = i < attempts.length ? Integer.valueOf(attempts[i]) : null;
                switch (event) {
                    case "enqueued" -> made.add(new JobEvent(null, event, ids[i], queue, at, null, f.get("state")));
                    case "progress" -> made.add(new JobEvent(null, event, ids[i], queue, at, null, f.get("progress")));
                    case "failed" -> {
                        made.add(new JobEvent(null, event, ids[i], queue, at, attempt, f.get("error")));
                        made.add(new JobEvent(null, f.get("next"), ids[i], queue, at, attempt, f.get("error")));
                    }
                    case "dead" -> made.add(new JobEvent(null, event, ids[i], queue, at, null, f.get("error")));
                    default -> made.add(new JobEvent(null, event, ids[i], queue, at, attempt, null));
                }
            }
            for (int i = 0; i < made.size(); i++) {
                if (id.equals(skipTo) && i <= skipIndex) {
                    continue;
                }
                var e = made.get(i);
                out.add(new JobEvent(entry + ":" + i, e.event(), e.job(), e.queue(), e.at(), e.attempt(), e.detail()));
            }
        });
        return out;
    }

    /** Stops handing out the queue's jobs (they stay queued); enqueueing goes on. */
    public void pause(String queue) {
        call(() -> {
            redis.getSet(keys.queues(), StringCodec.INSTANCE).add(queue);
            redis.getBucket(keys.of(queue).paused(), StringCodec.INSTANCE).set("1");
            return null;
        });
    }

    public void resume(String queue) {
        call(() -> redis.getBucket(keys.of(queue).paused(), StringCodec.INSTANCE).delete());
    }

    public boolean isPaused(String queue) {
        return call(() -> redis.getBucket(keys.of(queue).paused(), StringCodec.INSTANCE).isExists());
    }

    /** How many jobs wait in the queue. */
    public long size(String queue) {
        return call(() -> redis.getList(keys.of(queue).list(), StringCodec.INSTANCE).size());
    }

    /** How many jobs the worker holds, over every queue. */
    public long pending(String worker) {
        return pendingJobs(worker).size();
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

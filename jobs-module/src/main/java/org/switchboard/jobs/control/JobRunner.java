package org.switchboard.jobs.control;

import jakarta.json.spi.JsonProvider;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.switchboard.jobs.boundary.JobContext;
import org.switchboard.jobs.boundary.JobHandler;
import org.switchboard.jobs.entity.CronSchedule;
import org.switchboard.jobs.entity.FetchedJob;
import org.switchboard.jobs.entity.JobProgress;

/**
 * The workers of one node: per queue, a fetch loop that takes as many jobs as it has free slots in
 * one call, and runs each on a virtual thread of its own, interrupted at its timeout (a tick every
 * 100 ms ends the attempts past it, so a job costs one thread and no timer). The node
 * heartbeats; on every node a housekeeping tick promotes due jobs and re-queues the jobs of workers
 * whose heartbeat expired (the scripts are atomic, so nodes doing it at once do no harm).
 *
 * <p>Closing stops fetching, waits up to the grace period for running jobs, interrupts the rest and
 * puts every job this worker still holds back at the front of its queue.
 */
public class JobRunner implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(JobRunner.class.getName());
    private static final JsonProvider JSON = JsonProvider.provider();
    /** The most finished jobs one trim call deletes. */
    private static final int TRIM_SLICE = 200;

    /**
     * How a node runs its workers.
     *
     * @param limits per queue, its limits over every worker: jobs running at once, starts per window (absent: none)
     */
    public record Settings(String worker, Map<String, Integer> concurrency, Duration heartbeatTtl, Duration idlePoll,
                           Duration resultTtl, Duration backoffBase, Duration backoffMax, Duration shutdownGrace,
                           RedisJobStore.Retention retention, List<CronSchedule> cron, Map<String, RedisJobStore.Limits> limits) {

        public Settings {
            cron = List.copyOf(cron);
            limits = Map.copyOf(limits);
        }

        /** Without limits on any queue. */
        public Settings(String worker, Map<String, Integer> concurrency, Duration heartbeatTtl, Duration idlePoll,
                        Duration resultTtl, Duration backoffBase, Duration backoffMax, Duration shutdownGrace,
                        RedisJobStore.Retention retention, List<CronSchedule> cron) {
            this(worker, concurrency, heartbeatTtl, idlePoll, resultTtl, backoffBase, backoffMax, shutdownGrace, retention, cron, Map.of());
        }
    }

    /** How long a loop whose queue has reached its limit of running jobs waits before it asks again. */
    static final Duration LIMITED_POLL = Duration.ofMillis(50);
    /** The longest a loop whose queue has reached its rate limit waits before it asks again. */
    static final Duration RATE_POLL_MAX = Duration.ofSeconds(1);

    private final RedisJobStore store;
    private final Map<String, JobHandler> handlers;
    private final Settings settings;
    private final Consumer<JobProgress> progress;
    private final JobMetrics metrics;
    private final ExecutorService jobs = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("job-", 0).factory());
    private final ExecutorService loops = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("job-fetch-", 0).factory());
    private final ScheduledExecutorService ticks =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("job-housekeeping").factory());
    private final AtomicInteger running = new AtomicInteger();
    private volatile boolean fetching = true;
    /** Finished jobs waiting for their acknowledgement: one script acknowledges all that came meanwhile. */
    private final LinkedBlockingQueue<RedisJobStore.Completion> finished = new LinkedBlockingQueue<>();
    /** Put in {@link #finished} by {@link #close}: the acknowledger flushes what came before it and ends. */
    private static final RedisJobStore.Completion STOP = new RedisJobStore.Completion("", "", null);
    private final Thread acker = Thread.ofVirtual().name("job-acks").unstarted(this::acknowledge);
    /** The attempts running on this node, by job id: ended by their timeout or when their cancellation is asked for. */
    private final Map<String, Attempt> attempts = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timeouts =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("job-timeouts").factory());
    /**
     * The jobs this node holds: fetched and not yet acknowledged or failed. A job in the worker's
     * pending list but not here (seen twice, a few seconds apart) is an orphan and goes back to its queue.
     */
    private final Set<String> held = ConcurrentHashMap.newKeySet();
    private Set<RedisJobStore.Held> suspects = Set.of();
    private int tick;
    /** Per cron schedule, its next tick. */
    private final Map<String, ZonedDateTime> ticksDue = new ConcurrentHashMap<>();

    public JobRunner(RedisJobStore store, Map<String, JobHandler> handlers, Settings settings, Consumer<JobProgress> progress) {
        this(store, handlers, settings, progress, JobMetrics.none());
    }

    public JobRunner(RedisJobStore store, Map<String, JobHandler> handlers, Settings settings, Consumer<JobProgress> progress, JobMetrics metrics) {
        this.store = store;
        this.handlers = Map.copyOf(handlers);
        this.settings = settings;
        this.progress = progress;
        this.metrics = metrics;
        metrics.busy(running::get);
        settings.concurrency().keySet().forEach(metrics::worksOn);
    }

    public JobRunner start() {
        quietly(() -> store.heartbeat(settings.worker(), settings.heartbeatTtl())); // Redis may be down: the ticks go on
        var beat = Math.max(100, settings.heartbeatTtl().toMillis() / 3);
        ticks.scheduleWithFixedDelay(() -> quietly(() -> store.heartbeat(settings.worker(), settings.heartbeatTtl())), beat, beat, TimeUnit.MILLISECONDS);
        ticks.scheduleWithFixedDelay(() -> quietly(this::housekeeping), 0, 500, TimeUnit.MILLISECONDS);
        acker.start();
        timeouts.scheduleWithFixedDelay(this::expireTimedOut, 100, 100, TimeUnit.MILLISECONDS);
        settings.concurrency().forEach((queue, slots) -> loops.execute(() -> fetchLoop(queue, slots)));
        return this;
    }

    /**
     * Promotes due jobs, re-queues the jobs of dead workers, interrupts the jobs whose cancellation was
     * asked for, enqueues the cron ticks that came, and trims old finished jobs; answers how many jobs
     * were promoted or re-queued.
     */
    int housekeeping() {
        store.heartbeat(settings.worker(), settings.heartbeatTtl()); // alive first: after a Redis outage, never reap ourselves
        int promoted = 0;
        for (int n; (n = store.promoteDue(1000)) > 0; ) {
            promoted += n;
        }
        var reaped = store.reapExpiredWorkers();
        if (reaped > 0) {
            LOG.log(System.Logger.Level.WARNING, "Re-queued {0} job(s) of workers whose heartbeat expired", reaped);
        }
        quietly(this::interruptCancelled);
        // the outcomes of flows' jobs whose node died before it gave them to their parents
        quietly(() -> store.deliverDue(DELIVERY_GRACE, 1000));
        if (++tick % 10 == 0) {
            quietly(this::requeueOrphans);
        }
        quietly(() -> fireCron(ZonedDateTime.now()));
        quietly(() -> {
            // short calls, each a moment of Redis's one thread (a job enqueued meanwhile waits for it), up to 2,000 a tick
            var rounds = 0;
            while (store.trim(settings.retention(), TRIM_SLICE) >= TRIM_SLICE && ++rounds < 10) {
                // more than a slice was due: the next call takes the next slice
            }
        });
        if (tick % 4 == 0) {
            quietly(() -> metrics.queues(store.queueStats()));
        }
        return promoted + reaped;
    }

    /**
     * Re-queues the jobs of this worker's pending list that it does not run: a fetch whose answer was
     * lost (Redis restarting), an outcome that could not be recorded. Only a job found twice in a row,
     * 5 s apart, so a fetch whose answer is on its way is never taken for one.
     */
    void requeueOrphans() {
        var now = new HashSet<RedisJobStore.Held>();
        store.pendingJobs(settings.worker()).stream().filter(job -> !held.contains(job.id())).forEach(now::add);
        var orphans = new HashSet<>(now);
        orphans.retainAll(suspects);
        now.removeAll(orphans);
        suspects = now;
        if (!orphans.isEmpty()) {
            var back = store.requeue(settings.worker(), orphans);
            LOG.log(System.Logger.Level.WARNING, "Re-queued {0} job(s) this worker held without running them", back);
        }
    }

    private void interruptCancelled() {
        var running = attempts.values().stream().map(a -> new RedisJobStore.Held(a.job.queue(), a.job.id())).toList();
        for (var id : store.cancelRequested(running)) {
            var attempt = attempts.get(id);
            if (attempt != null && attempt.end(Attempt.CANCELLED)) {
                var job = attempt.job;
                afterwards(job, () -> store.cancelRunning(settings.worker(), job.queue(), job.id(), settings.resultTtl()));
            }
        }
    }

    /** Enqueues the job of each cron tick that came; a tick missed while the node was down is not made up. */
    void fireCron(ZonedDateTime now) {
        for (var cron : settings.cron()) {
            var due = ticksDue.computeIfAbsent(cron.name(), n -> cron.next(now));
            if (due == null || now.isBefore(due)) {
                continue;
            }
            try {
                var tick = "cron:" + cron.name() + ":" + due.toInstant().toEpochMilli();
                // the tick's job has one id on every node: a second enqueue of a tick would show as the same id twice
                var id = UUID.nameUUIDFromBytes(tick.getBytes(StandardCharsets.UTF_8)).toString();
                var e = store.enqueueOnce(id, cron.queue(), cron.type(), cron.payload(), 5, 300, tick, cron.dedupeWindow(due));
                if (e.created()) {
                    LOG.log(System.Logger.Level.INFO, "Cron {0}: enqueued job {1} for {2}", cron.name(), e.id(), due);
                }
                ticksDue.put(cron.name(), cron.next(now));
            } catch (RuntimeException ex) {
                LOG.log(System.Logger.Level.WARNING, () -> "Cron " + cron.name() + ": could not enqueue the tick of " + due + "; trying again", ex);
            }
        }
    }

    private void fetchLoop(String queue, int slots) {
        var free = new Semaphore(slots);
        var limits = settings.limits().getOrDefault(queue, RedisJobStore.Limits.NONE);
        while (fetching) {
            try {
                free.acquire();
                var more = free.drainPermits();
                RedisJobStore.Batch fetched;
                try {
                    fetched = store.fetch(queue, settings.worker(), 1 + more, limits);
                } catch (RuntimeException e) {
                    free.release(1 + more); // Redis out of reach: the slots stay free for the next try
                    throw e;
                }
                var batch = fetched.jobs();
                free.release(1 + more - batch.size());
                if (fetched.limited()) {
                    waitOut(fetched); // the queue's limit is reached, by this node and others
                    continue;
                }
                if (!fetching) {
                    giveBack(batch); // taken as the node began to stop: another node runs them
                    return;
                }
                if (batch.isEmpty()) {
                    free.acquire();
                    waitForOne(queue, free, limits); // idle: a blocking fetch of one job
                    continue;
                }
                for (var job : batch) {
                    run(job, free);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, () -> "Fetching from queue " + queue + " failed; trying again", e);
                sleep(Duration.ofSeconds(1));
            }
        }
    }

    /**
     * Blocks on the queue for one job (the batch fetch cannot block: it is a script), holding one of
     * the free slots. The job starts on the thread that receives it from Redis, not after a hand-over
     * to this loop: the idle worker's latency from enqueue to start is then the blocking move's answer
     * and one script's round trip.
     */
    private void waitForOne(String queue, Semaphore free, RedisJobStore.Limits limits) throws InterruptedException {
        var waiting = store.fetchBlockingAsync(queue, settings.worker(), settings.idlePoll(), limits);
        var ran = waiting.thenApply(taken -> {
            if (taken.limited() || taken.jobs().isEmpty() || !fetching) {
                return false;
            }
            taken.jobs().forEach(job -> run(job, free));
            return true;
        });
        RedisJobStore.Batch taken;
        try {
            if (ran.get()) {
                return;
            }
            taken = waiting.get();
        } catch (InterruptedException e) {
            waiting.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            free.release();
            throw RedisJobStore.unavailable(e.getCause());
        }
        free.release();
        if (taken.limited()) {
            waitOut(taken);
        } else {
            giveBack(taken.jobs()); // none, or one taken as the node began to stop: another node runs it
        }
    }

    /** Waits as a limit asks: until the rate limit's window lets the next job start, or briefly for running jobs to end. */
    private static void waitOut(RedisJobStore.Batch limited) throws InterruptedException {
        var wait = limited.retryAfter() == null ? LIMITED_POLL
                : limited.retryAfter().compareTo(RATE_POLL_MAX) > 0 ? RATE_POLL_MAX : limited.retryAfter();
        Thread.sleep(Math.max(1, wait.toMillis()));
    }

    private void giveBack(List<FetchedJob> taken) {
        if (!taken.isEmpty()) {
            quietly(() -> store.requeue(settings.worker(), taken.stream().map(job -> new RedisJobStore.Held(job.queue(), job.id())).toList()));
        }
    }

    private void run(FetchedJob job, Semaphore free) {
        var handler = handlers.get(job.type());
        held.add(job.id());
        running.incrementAndGet();
        metrics.started(job.queue(), job.waitedMillis());
        try {
            jobs.execute(() -> execute(new Attempt(job, free), handler));
        } catch (RejectedExecutionException closing) {
            free.release(); // the node is closing: the job stays pending and is re-queued
            running.decrementAndGet();
            held.remove(job.id());
        }
    }

    /**
     * Runs the handler on this job's own thread. A timeout or a cancellation may end the attempt
     * first ({@link #expireTimedOut}, {@link #interruptCancelled}): whichever ends it records its
     * outcome, and the other one's is dropped.
     */
    private void execute(Attempt attempt, JobHandler handler) {
        var job = attempt.job;
        attempts.put(job.id(), attempt);
        if (handler == null) {
            if (attempt.finish()) {
                record(job, () -> store.fail(settings.worker(), job.queue(), job.id(), "no handler for job type '" + job.type() + "' on this node", Duration.ZERO, true));
                held.remove(job.id());
            }
            return;
        }
        String result = null;
        Throwable failure = null;
        try {
            result = handler.handle(new Context(job));
        } catch (Exception | Error e) { // an error too is the attempt's failure, not the worker's
            failure = e;
        }
        if (!attempt.finish()) {
            Thread.interrupted(); // timed out or cancelled meanwhile, and recorded so: this outcome is not
            return;
        }
        if (failure == null) {
            finished.add(new RedisJobStore.Completion(job.queue(), job.id(), result, job.hadError(), job.parentQueue(), job.parent())); // acknowledged in the next batch
            metrics.processed(job.queue());
            return;
        }
        // its outcome is recorded, or it could not be (Redis down): then it is an orphan, re-queued by requeueOrphans
        try {
            if (!fetching && failure instanceof InterruptedException) {
                return; // interrupted because the node is closing: the job stays pending and is re-queued
            }
            metrics.failed(job.queue());
            var reason = failure.getClass().getSimpleName() + ": " + failure.getMessage();
            record(job, () -> store.fail(settings.worker(), job.queue(), job.id(), reason, backoff(job.attempt()), false));
        } finally {
            held.remove(job.id());
        }
    }

    /** Ends the attempts past their timeout: each is interrupted, its slot freed, and its failure recorded. */
    private void expireTimedOut() {
        var now = System.nanoTime();
        for (var attempt : attempts.values()) {
            if (now - attempt.deadline > 0 && attempt.end(Attempt.TIMED_OUT)) {
                var job = attempt.job;
                metrics.failed(job.queue());
                afterwards(job, () -> store.fail(settings.worker(), job.queue(), job.id(), "timed out after " + job.timeoutSeconds() + " s",
                        backoff(job.attempt()), false));
            }
        }
    }

    /** Records an attempt's outcome off the caller's thread (a tick must not wait on Redis), then lets the job go. */
    private void afterwards(FetchedJob job, Runnable outcome) {
        try {
            jobs.execute(() -> {
                record(job, outcome);
                held.remove(job.id());
            });
        } catch (RejectedExecutionException closing) {
            held.remove(job.id()); // the node is closing: the job stays pending and is re-queued
        }
    }

    /**
     * One run of a job on this node. It ends once, by the first of: the handler returning, its
     * timeout, its cancellation; the one that ends it frees the slot.
     */
    private final class Attempt {
        static final int RUNNING = 0;
        static final int FINISHED = 1;
        static final int TIMED_OUT = 2;
        static final int CANCELLED = 3;

        final FetchedJob job;
        final Semaphore free;
        final Thread thread = Thread.currentThread();
        final long deadline;
        final AtomicInteger state = new AtomicInteger(RUNNING);

        Attempt(FetchedJob job, Semaphore free) {
            this.job = job;
            this.free = free;
            this.deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.max(1, job.timeoutSeconds()));
        }

        /** Ends it as the handler returned; false if a timeout or a cancellation ended it first. */
        boolean finish() {
            return end(FINISHED);
        }

        /** Ends it as {@code how}; the handler's thread is interrupted unless it is the one ending it. */
        boolean end(int how) {
            if (!state.compareAndSet(RUNNING, how)) {
                return false;
            }
            attempts.remove(job.id(), this);
            free.release();
            running.decrementAndGet();
            if (how != FINISHED) {
                thread.interrupt();
            }
            return true;
        }
    }

    private static void record(FetchedJob job, Runnable outcome) {
        try {
            outcome.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, () -> "Job " + job.id() + ": its outcome could not be recorded; it will run again", e);
        }
    }

    /**
     * Acknowledges finished jobs in batches, one script call per batch. A job is acknowledged after it
     * finished, never before: if the node dies in between, the job runs again (at-least-once).
     */
    private void acknowledge() {
        var batch = new ArrayList<RedisJobStore.Completion>();
        while (true) {
            try {
                batch.add(finished.take());
            } catch (InterruptedException e) {
                return; // a crash (tests): what was not acknowledged runs again
            }
            finished.drainTo(batch, 999);
            var last = batch.remove(STOP);
            flush(batch);
            if (last) {
                return;
            }
        }
    }

    private void flush(List<RedisJobStore.Completion> batch) {
        while (!batch.isEmpty()) {
            try {
                store.completeMany(settings.worker(), batch);
                batch.forEach(c -> held.remove(c.id()));
                batch.clear();
            } catch (RuntimeException e) {
                if (!fetching) {
                    LOG.log(System.Logger.Level.WARNING, () -> "Could not acknowledge " + batch.size() + " finished job(s) while closing; they will run again", e);
                    return;
                }
                LOG.log(System.Logger.Level.WARNING, () -> "Acknowledging " + batch.size() + " job(s) failed; trying again", e);
                sleep(Duration.ofSeconds(1));
            }
        }
    }

    /** Exponential backoff with full jitter: a random delay up to base * 2^(attempt-1), capped. */
    Duration backoff(int attempt) {
        var ceiling = settings.backoffBase().toMillis() * (1L << Math.min(20, Math.max(0, attempt - 1)));
        var capped = Math.min(ceiling, settings.backoffMax().toMillis());
        return Duration.ofMillis(capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1));
    }

    /** Jobs this node runs now. */
    public int busy() {
        return running.get();
    }

    /**
     * Takes no new job from now on (the node is stopping); the jobs running go on, and are
     * acknowledged as they finish. {@link #close()} still follows.
     */
    public void stopFetching() {
        fetching = false;
        loops.shutdownNow();
    }

    @Override
    public void close() {
        stopFetching();
        var deadline = System.nanoTime() + settings.shutdownGrace().toNanos();
        while (running.get() > 0 && System.nanoTime() < deadline) {
            sleep(Duration.ofMillis(50));
        }
        jobs.shutdownNow();
        finished.add(STOP); // what finished is acknowledged: done, not run again
        try {
            acker.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ticks.shutdownNow();
        timeouts.shutdownNow();
        try {
            var back = store.requeue(settings.worker());
            if (back > 0) {
                LOG.log(System.Logger.Level.INFO, "Put {0} unfinished job(s) back in their queues", back);
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Could not re-queue this worker's jobs; the reaper will", e);
        }
    }

    /** How long a flow's job that ended waits for its own node to give its parent the outcome, before any node's housekeeping does. */
    static final Duration DELIVERY_GRACE = Duration.ofSeconds(2);

    /** Stops everything at once without re-queueing, as a killed process would (for tests). */
    void crash() {
        fetching = false;
        loops.shutdownNow();
        jobs.shutdownNow();
        acker.interrupt();
        ticks.shutdownNow();
        timeouts.shutdownNow();
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void quietly(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Job housekeeping failed; trying again", e);
        }
    }

    private final class Context implements JobContext {
        private final FetchedJob job;

        Context(FetchedJob job) {
            this.job = job;
        }

        @Override
        public String id() {
            return job.id();
        }

        @Override
        public String queue() {
            return job.queue();
        }

        @Override
        public String type() {
            return job.type();
        }

        @Override
        public String payload() {
            return job.payload();
        }

        @Override
        public int attempt() {
            return job.attempt();
        }

        @Override
        public Map<String, String> childResults() {
            return childOutcomes(true);
        }

        @Override
        public Map<String, String> childFailures() {
            return childOutcomes(false);
        }

        /** The children's outcomes as the parent's hash holds them ({@code succeeded <result>}, {@code dead <error>}), those succeeded or the others. */
        private Map<String, String> childOutcomes(boolean succeeded) {
            var out = new java.util.LinkedHashMap<String, String>();
            store.childOutcomes(job.queue(), job.id()).forEach((id, outcome) -> {
                var space = outcome.indexOf(' ');
                if (outcome.startsWith("succeeded ") == succeeded) {
                    out.put(id, outcome.substring(space + 1));
                }
            });
            return out;
        }

        @Override
        public void progress(int percent, String message) {
            var clamped = Math.max(0, Math.min(100, percent));
            var json = "{\"percent\":" + clamped + (message == null ? "" : ",\"message\":" + jsonString(message)) + "}";
            store.progress(job.queue(), job.id(), json);
            progress.accept(new JobProgress(job.id(), job.queue(), job.type(), clamped, message));
        }
    }

    static String jsonString(String text) {
        return JSON.createValue(text).toString();
    }
}

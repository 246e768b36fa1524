package org.switchboard.jobs.boundary;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.concurrent.ContextService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Startup;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.json.spi.JsonProvider;
import java.io.StringReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.regex.Pattern;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.switchboard.jobs.control.JobMetrics;
import org.switchboard.jobs.control.JobRunner;
import org.switchboard.jobs.control.RedisJobStore;
import org.switchboard.jobs.entity.CronSchedule;
import org.switchboard.jobs.entity.Enqueued;
import org.switchboard.jobs.entity.Job;
import org.switchboard.jobs.entity.JobEvent;
import org.switchboard.jobs.entity.JobProgress;
import org.switchboard.jobs.entity.JobState;
import org.switchboard.jobs.entity.ListedJob;
import org.switchboard.jobs.entity.QueueStats;
import org.switchboard.jobs.entity.Worker;

/**
 * Job queues, for the REST API and for other modules in-process: enqueue, look up, cancel. The node's
 * workers start with the application and run the {@link JobHandler} beans found by their
 * {@link JobType}. Progress is fired as a {@link JobProgress} CDI event.
 */
@ApplicationScoped
public class JobQueues {

    public static final int MAX_PAYLOAD_BYTES = 512 * 1024;
    public static final int DEFAULT_ATTEMPTS = 5;
    public static final int DEFAULT_TIMEOUT = 300;
    private static final Pattern QUEUE = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final JsonProvider JSON = JsonProvider.provider();
    private static final System.Logger LOG = System.getLogger(JobQueues.class.getName());

    @Inject
    RedisJobStore store;

    @Inject
    @Any
    Instance<JobHandler> handlerBeans;

    @Inject
    Event<JobProgress> progressEvents;

    @Inject
    MeterRegistry meters;

    /** The queues this node works on, with their concurrency: {@code name:slots,name:slots}. */
    @Inject
    @ConfigProperty(name = "switchboard.jobs.queues", defaultValue = "default:10")
    String queues;

    @Inject
    @ConfigProperty(name = "switchboard.jobs.result-ttl-hours", defaultValue = "24")
    long resultTtlHours;

    @Inject
    @ConfigProperty(name = "switchboard.jobs.shutdown-grace-seconds", defaultValue = "20")
    long graceSeconds;

    /** A worker whose heartbeat is older than this is taken for dead, and its jobs re-queued. */
    @Inject
    @ConfigProperty(name = "switchboard.jobs.heartbeat-seconds", defaultValue = "15")
    long heartbeatSeconds;

    @Inject
    @ConfigProperty(name = "switchboard.jobs.keep-succeeded", defaultValue = "100000")
    long keepSucceeded;

    @Inject
    @ConfigProperty(name = "switchboard.jobs.keep-dead", defaultValue = "10000")
    long keepDead;

    @Inject
    @ConfigProperty(name = "switchboard.jobs.dead-days", defaultValue = "180")
    long deadDays;

    /** The time zone of the cron schedules ({@code switchboard.jobs.cron.<name>}). */
    @Inject
    @ConfigProperty(name = "switchboard.jobs.zone", defaultValue = "UTC")
    String cronZone;

    @Inject
    Config config;

    private JobRunner runner;
    private List<CronSchedule> cron = List.of();
    private Map<String, Integer> maxRunning = Map.of();
    private Map<String, Rate> rates = Map.of();
    private Map<String, JobHandler> handlers;

    void start(@Observes Startup startup) {
        var contexts = defaultContextService();
        handlers = new LinkedHashMap<>();
        for (var handle : handlerBeans.handles()) {
            handle.getBean().getQualifiers().stream()
                    .filter(JobType.class::isInstance).map(JobType.class::cast)
                    .forEach(q -> handlers.put(q.value(), contexts == null ? handle.get()
                            : contexts.createContextualProxy(handle.get(), JobHandler.class)));
        }
        var worker = ManagementFactory.getRuntimeMXBean().getName() + "-" + UUID.randomUUID().toString().substring(0, 8);
        cron = cronSchedules();
        maxRunning = perQueue("max-running", JobQueues::parseMaxRunning);
        rates = perQueue("rate", JobQueues::parseRate);
        var limits = new HashMap<String, RedisJobStore.Limits>();
        maxRunning.forEach((queue, n) -> limits.put(queue, RedisJobStore.Limits.running(n)));
        rates.forEach((queue, rate) -> limits.merge(queue, RedisJobStore.Limits.rate(rate.starts(), rate.window()),
                (running, starts) -> new RedisJobStore.Limits(running.maxRunning(), starts.rate(), starts.window())));
        runner = new JobRunner(store, handlers, new JobRunner.Settings(worker, concurrency(queues), Duration.ofSeconds(heartbeatSeconds),
                Duration.ofSeconds(1), resultTtl(), Duration.ofSeconds(1), Duration.ofHours(1),
                Duration.ofSeconds(graceSeconds), new RedisJobStore.Retention(resultTtl(), keepSucceeded, Duration.ofDays(deadDays), keepDead),
                cron, limits), progressEvents::fire, new JobMetrics(meters));
        try {
            runner.start();
            LOG.log(System.Logger.Level.INFO, "Job workers {0} on {1}, job types {2}", worker, concurrency(queues), handlers.keySet());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Job workers started without Redis; they connect when it answers", e);
        }
    }

    /**
     * The server's default context service: handlers run on the workers' plain virtual threads with the
     * application's context (class loader, naming), as on a managed executor. Looked up rather than
     * injected: Payara refused the {@code @Resource} field in this jar.
     */
    private static ContextService defaultContextService() {
        try {
            return InitialContext.doLookup("java:comp/DefaultContextService");
        } catch (NamingException e) {
            LOG.log(System.Logger.Level.WARNING, "No default context service: job handlers run without the application's context", e);
            return null;
        }
    }

    /** This node is stopping: its workers take no new job, and finish those they run (see {@code stop}). */
    public void drain() {
        if (runner != null) {
            runner.stopFetching();
        }
    }

    @PreDestroy
    void stop() {
        if (runner != null) {
            runner.close();
        }
    }

    /** Enqueues a job after checking every field; answers its id and state (an existing job for a live unique key). */
    public Enqueued enqueue(JobRequest request) {
        if (!request.children().isEmpty()) {
            return enqueueFlow(request);
        }
        var checked = checked(request, "");
        return store.enqueue(UUID.randomUUID().toString(), checked.queue(), checked.type(), checked.payload(), checked.maxAttempts(),
                checked.timeoutSeconds(), checked.delay(), request.uniqueKey(), Duration.ofHours(resultTtlHours));
    }

    /** The most jobs one flow holds, its root with every child at every level. */
    public static final int MAX_FLOW_JOBS = 1000;
    /** How deep children may nest below a flow's root. */
    public static final int MAX_FLOW_DEPTH = 5;

    /**
     * Enqueues a flow: every job is checked first (nothing is enqueued if one is refused), then the
     * children before their parents, from the leaves up: a parent is made only once all of its
     * children are in Redis, so it waits for each of them (see {@link RedisJobStore#enqueueFlow}).
     */
    private Enqueued enqueueFlow(JobRequest root) {
        return store.enqueueFlow(plan(root, "", 0, new int[1]));
    }

    /** A job of a flow checked, with the id it gets, and its children's. */
    private RedisJobStore.FlowNode plan(JobRequest request, String path, int depth, int[] count) {
        if (depth > MAX_FLOW_DEPTH) {
            throw new InvalidJobRequestException(path + "children", "children nest at most " + MAX_FLOW_DEPTH + " levels deep");
        }
        if (++count[0] > MAX_FLOW_JOBS) {
            throw new InvalidJobRequestException("children", "a flow holds at most " + MAX_FLOW_JOBS + " jobs");
        }
        if (request.delay() != null && !request.delay().isZero()) {
            throw new InvalidJobRequestException(path + "delaySeconds", "a job of a flow has no delay");
        }
        if (request.uniqueKey() != null) {
            throw new InvalidJobRequestException(path + "uniqueKey", "a job of a flow has no unique key");
        }
        var c = checked(request, path);
        var children = new ArrayList<RedisJobStore.FlowNode>(request.children().size());
        for (int i = 0; i < request.children().size(); i++) {
            children.add(plan(request.children().get(i), path + "children[" + i + "].", depth + 1, count));
        }
        return new RedisJobStore.FlowNode(UUID.randomUUID().toString(), c.queue(), c.type(), c.payload(), c.maxAttempts(), c.timeoutSeconds(),
                children, request.continueOnChildFailure());
    }

    /** A request's fields checked, with their defaults; {@code path} names the job in a flow ({@code children[2].}). */
    private JobRequest checked(JobRequest request, String path) {
        var queue = request.queue() == null ? "default" : request.queue();
        if (!QUEUE.matcher(queue).matches()) {
            throw new InvalidJobRequestException(path + "queue", "a queue name is 1 to 64 letters, digits, '.', '_' or '-'");
        }
        if (request.type() == null || !handlers().containsKey(request.type())) {
            throw new InvalidJobRequestException(path + "type", "unknown job type; this node runs " + handlers().keySet());
        }
        String payload;
        try {
            payload = checkPayload(request.payload());
        } catch (InvalidJobRequestException e) {
            throw new InvalidJobRequestException(path + e.field(), e.getMessage());
        }
        var attempts = request.maxAttempts() == null ? DEFAULT_ATTEMPTS : request.maxAttempts();
        if (attempts < 1 || attempts > 100) {
            throw new InvalidJobRequestException(path + "maxAttempts", "maxAttempts is 1 to 100");
        }
        var timeout = request.timeoutSeconds() == null ? DEFAULT_TIMEOUT : request.timeoutSeconds();
        if (timeout < 1 || timeout > 86_400) {
            throw new InvalidJobRequestException(path + "timeoutSeconds", "timeoutSeconds is 1 to 86400");
        }
        var delay = request.delay() == null ? Duration.ZERO : request.delay();
        if (delay.isNegative() || delay.compareTo(Duration.ofDays(366)) > 0) {
            throw new InvalidJobRequestException(path + "delaySeconds", "a job is delayed by 0 seconds to a year");
        }
        if (request.uniqueKey() != null && (request.uniqueKey().isEmpty() || request.uniqueKey().length() > 256)) {
            throw new InvalidJobRequestException(path + "uniqueKey", "a unique key is 1 to 256 characters");
        }
        return new JobRequest(queue, request.type(), payload, delay, attempts, timeout, request.uniqueKey());
    }

    public Optional<Job> find(String id) {
        return isId(id) ? store.find(id) : Optional.empty();
    }

    /**
     * Cancels the job (a running one is interrupted within a second); answers the state it was in,
     * empty if there is no such job. A parent of a flow is cancelled first, then its unfinished
     * children, and theirs.
     */
    public Optional<JobState> cancel(String id) {
        return isId(id) ? store.cancel(id, resultTtl()) : Optional.empty();
    }

    /** The children of a flow's job as they are now, in the order given (one gone since is left out). */
    public List<Job> children(Job parent) {
        return store.children(parent.children());
    }

    /** Puts a dead job back in its queue with all its attempts; false if there is no such dead job. */
    public boolean retryDead(String id) {
        return isId(id) && store.retryDead(id);
    }

    /** Runs a scheduled or retrying job now; false if there is no such waiting job. */
    public boolean runNow(String id) {
        return isId(id) && store.runNow(id);
    }

    /** Deletes a dead job; false if there is no such dead job. */
    public boolean deleteDead(String id) {
        return isId(id) && store.deleteDead(id);
    }

    public List<QueueStats> queues() {
        return store.queueStats();
    }

    public List<ListedJob> scheduled(int offset, int count) {
        return store.scheduled(offset, count);
    }

    public List<ListedJob> dead(int offset, int count) {
        return store.dead(offset, count);
    }

    public long scheduledCount() {
        return store.scheduledCount();
    }

    public long deadCount() {
        return store.deadCount();
    }

    /** The live workers of every node, with the jobs they run now. */
    public List<Worker> workers() {
        return store.workers();
    }

    /** Jobs succeeded and attempts failed since the beginning, on all nodes. */
    public record Totals(long processed, long failed) {
    }

    public Totals totals() {
        return new Totals(store.processed(), store.failed());
    }

    /** The cron schedules this node fires (every node reads the same configuration). */
    public List<CronSchedule> cron() {
        return cron;
    }

    /** The job types this node runs. */
    public Set<String> types() {
        return handlers().keySet();
    }

    private Duration resultTtl() {
        return Duration.ofHours(resultTtlHours);
    }

    /**
     * Per queue, the most of its jobs that may run at once over every node
     * ({@code switchboard.jobs.max-running.<queue>=<n>}; give every node the same). Counted by the
     * scripts, so a crashed node's jobs count until the reaper re-queues them.
     */
    public Map<String, Integer> maxRunning() {
        return maxRunning;
    }

    /**
     * Per queue, at most how many of its jobs start within any window of the given length, over every
     * node ({@code switchboard.jobs.rate.<queue>=<n>/<duration>}, e.g. {@code 100/1s}; give every node the same).
     */
    public Map<String, Rate> rates() {
        return rates;
    }

    /** A rate limit: at most {@code starts} jobs start within any {@code window}. */
    public record Rate(int starts, Duration window) {

        /** As configured: {@code 100/1s}, {@code 5/500ms}, {@code 1000/1m}, {@code 10000/1h}. */
        @Override
        public String toString() {
            var ms = window.toMillis();
            var text = ms % 3_600_000 == 0 ? ms / 3_600_000 + "h" : ms % 60_000 == 0 ? ms / 60_000 + "m"
                    : ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
            return starts + "/" + text;
        }
    }

    private static final Pattern RATE = Pattern.compile("(\\d{1,9})\\s*/\\s*(\\d{1,9})\\s*(ms|s|m|h)");

    private static Rate parseRate(String name, String text) {
        var m = RATE.matcher(text.strip());
        if (!m.matches() || Integer.parseInt(m.group(1)) < 1 || Long.parseLong(m.group(2)) < 1) {
            throw new IllegalArgumentException(name + " must be <jobs>/<duration> with a unit of ms, s, m or h, e.g. 100/1s: " + text);
        }
        var amount = Long.parseLong(m.group(2));
        var window = switch (m.group(3)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
        return new Rate(Integer.parseInt(m.group(1)), window);
    }

    private static Integer parseMaxRunning(String name, String text) {
        try {
            var n = Integer.parseInt(text.strip());
            if (n < 1) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, 1 or more: " + text);
        }
    }

    /** The settings {@code switchboard.jobs.<kind>.<queue>} (or from the environment, {@code SWITCHBOARD_JOBS_<KIND>_<QUEUE>}), parsed. */
    private <T> Map<String, T> perQueue(String kind, BiFunction<String, String, T> parse) {
        var prefix = "switchboard.jobs." + kind + ".";
        var environment = "SWITCHBOARD_JOBS_" + kind.toUpperCase(Locale.ROOT).replace('-', '_') + "_";
        var out = new TreeMap<String, T>();
        for (var name : config.getPropertyNames()) {
            String queue = null;
            if (name.startsWith(prefix)) {
                queue = name.substring(prefix.length());
            } else if (name.startsWith(environment)) {
                queue = name.substring(environment.length()).toLowerCase(Locale.ROOT);
            }
            if (queue != null) {
                checkQueue(queue);
                out.putIfAbsent(queue, parse.apply(name, config.getValue(name, String.class)));
            }
        }
        return Map.copyOf(out);
    }

    private List<CronSchedule> cronSchedules() {
        var out = new ArrayList<CronSchedule>();
        var zone = ZoneId.of(cronZone);
        var names = new TreeMap<String, String>(); // schedule name -> property
        for (var name : config.getPropertyNames()) {
            if (name.startsWith("switchboard.jobs.cron.")) {
                names.put(name.substring("switchboard.jobs.cron.".length()), name);
            } else if (name.startsWith("SWITCHBOARD_JOBS_CRON_")) { // from the environment
                names.putIfAbsent(name.substring("SWITCHBOARD_JOBS_CRON_".length()).toLowerCase(Locale.ROOT), name);
            }
        }
        for (var entry : names.entrySet()) {
            var name = entry.getValue();
            var schedule = CronSchedule.parse(entry.getKey(), config.getValue(name, String.class), zone);
            if (!handlers.containsKey(schedule.type())) {
                throw new IllegalArgumentException(name + ": no handler for job type '" + schedule.type() + "'");
            }
            checkPayload(schedule.payload());
            out.add(schedule);
        }
        return List.copyOf(out);
    }

    private static final Pattern EVENT_ID = Pattern.compile("\\d{1,18}-\\d{1,18}:\\d{1,6}");

    /**
     * The queue's job events after {@code after} (a {@link JobEvent#id()}; null: from now on), as
     * they come, over every node: those in its stream at once, else the first within {@code block}
     * (none when it passes). The stream keeps about the last 10,000 entries of a queue (an entry per
     * fetched or acknowledged batch) and none older than an hour.
     */
    public CompletableFuture<List<JobEvent>> events(String queue, String after, Duration block) {
        checkQueue(queue);
        checkEventId(after);
        return store.events(queue, after, block, 100);
    }

    /** Whether some of the queue's events after {@code after} are gone (trimmed): a client should read the state again. */
    public boolean eventsLost(String queue, String after) {
        checkQueue(queue);
        checkEventId(after);
        return store.eventsLost(queue, after);
    }

    /** Refuses an event id that is not one (see {@link JobEvent#id()}). */
    public static void checkEventId(String after) {
        if (after != null && !EVENT_ID.matcher(after).matches()) {
            throw new InvalidJobRequestException("Last-Event-ID", "an event id is <ms>-<seq>:<index>, as an event gave it");
        }
    }

    /** Pauses the queue on every node: its jobs stay queued until it is resumed. */
    public void pause(String queue) {
        checkQueue(queue);
        store.pause(queue);
    }

    public void resume(String queue) {
        checkQueue(queue);
        store.resume(queue);
    }

    public boolean isPaused(String queue) {
        checkQueue(queue);
        return store.isPaused(queue);
    }

    /** Refuses a queue name that cannot be one. */
    public static void checkQueue(String queue) {
        if (queue == null || !QUEUE.matcher(queue).matches()) {
            throw new InvalidJobRequestException("queue", "a queue name is 1 to 64 letters, digits, '.', '_' or '-'");
        }
    }

    /** Jobs running on this node. */
    public int busy() {
        return runner == null ? 0 : runner.busy();
    }

    private Map<String, JobHandler> handlers() {
        return handlers == null ? Map.of() : handlers;
    }

    private static boolean isId(String id) {
        try {
            UUID.fromString(id);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    static Map<String, Integer> concurrency(String setting) {
        var result = new LinkedHashMap<String, Integer>();
        for (var part : setting.split(",")) {
            var p = part.strip();
            if (p.isEmpty()) {
                continue;
            }
            var colon = p.indexOf(':');
            var name = colon < 0 ? p : p.substring(0, colon).strip();
            var slots = colon < 0 ? 10 : Integer.parseInt(p.substring(colon + 1).strip());
            if (!QUEUE.matcher(name).matches() || slots < 1) {
                throw new IllegalArgumentException("switchboard.jobs.queues: '" + p + "' is not queue:concurrency");
            }
            result.put(name, slots);
        }
        return result;
    }

    private static String checkPayload(String payload) {
        if (payload == null || payload.isBlank()) {
            return "{}";
        }
        if (payload.getBytes(StandardCharsets.UTF_8).length > MAX_PAYLOAD_BYTES) {
            throw new InvalidJobRequestException("payload", "the payload is larger than 512 KiB");
        }
        try (var parser = JSON.createParser(new StringReader(payload))) {
            parser.getValueStream().count(); // exactly one value, or a parsing exception
        } catch (RuntimeException e) {
            throw new InvalidJobRequestException("payload", "the payload is not one JSON value, or it is nested too deeply");
        }
        return payload.strip();
    }
}

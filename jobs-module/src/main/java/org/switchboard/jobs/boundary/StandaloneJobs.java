package org.switchboard.jobs.boundary;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import org.switchboard.jobs.control.JobRunner;
import org.switchboard.jobs.control.RedisJobStore;
import org.switchboard.jobs.entity.Enqueued;

/**
 * The job queues outside a container, on a Redis client of their own: for tools such as a benchmark,
 * which enqueue and work through the same code as {@link JobQueues} without CDI or the web module.
 */
public final class StandaloneJobs implements AutoCloseable {

    private static final Duration RESULT_TTL = Duration.ofMinutes(10);

    private final RedisJobStore store;

    private StandaloneJobs(RedisJobStore store) {
        this.store = store;
    }

    /** Queues under the key prefix {@code prefix} of the Redis at {@code redis://host:port}, with up to {@code connections} connections. */
    public static StandaloneJobs connect(String redisUrl, String prefix, int connections) {
        return new StandaloneJobs(RedisJobStore.connect(redisUrl, prefix, connections));
    }

    /**
     * Queues under the key prefix {@code prefix} on the Redis Cluster of these nodes
     * ({@code redis://host:port} each), on a client of their own reading from the masters; each enqueue
     * waits for {@code waitReplicas} replicas (up to a second), 0 for none.
     */
    public static StandaloneJobs connectCluster(List<String> nodes, String prefix, int connections, int waitReplicas) {
        return new StandaloneJobs(RedisJobStore.connectCluster(nodes, prefix, connections,
                waitReplicas == 0 ? RedisJobStore.ReplicaWait.NONE : new RedisJobStore.ReplicaWait(waitReplicas, Duration.ofSeconds(1))));
    }

    /** Enqueues without waiting for Redis: many enqueues in flight share a connection. */
    public CompletionStage<Enqueued> enqueueAsync(String queue, String type, String payload) {
        return store.enqueueAsync(UUID.randomUUID().toString(), queue, type, payload, JobQueues.DEFAULT_ATTEMPTS, JobQueues.DEFAULT_TIMEOUT,
                Duration.ZERO, null, null);
    }

    /** Enqueues a flow without waiting: a parent of {@code type} that waits for one child of {@code childType} per payload, all in {@code queue}. */
    public CompletionStage<Enqueued> enqueueFlowAsync(String queue, String type, String payload, String childType, List<String> childPayloads) {
        var children = childPayloads.stream().map(p -> new RedisJobStore.FlowNode(UUID.randomUUID().toString(), queue, childType, p,
                JobQueues.DEFAULT_ATTEMPTS, JobQueues.DEFAULT_TIMEOUT, List.of(), false)).toList();
        return store.enqueueFlowAsync(new RedisJobStore.FlowNode(UUID.randomUUID().toString(), queue, type, payload, JobQueues.DEFAULT_ATTEMPTS,
                JobQueues.DEFAULT_TIMEOUT, children, false));
    }

    public Enqueued enqueue(String queue, String type, String payload) {
        return enqueueAsync(queue, type, payload).toCompletableFuture().join();
    }

    /** Jobs succeeded since the beginning, on every worker of these queues. */
    public long processed() {
        return store.processed();
    }

    /** Starts {@code concurrency} workers on {@code queue}, running the jobs of these types until closed (which waits for the running ones). */
    public AutoCloseable work(String queue, int concurrency, Map<String, JobHandler> handlers) {
        return work(Map.of(queue, concurrency), handlers);
    }

    /** One worker on these queues, each with its number of slots, running the jobs of these types until closed. */
    public AutoCloseable work(Map<String, Integer> concurrency, Map<String, JobHandler> handlers) {
        var settings = new JobRunner.Settings("standalone-" + UUID.randomUUID().toString().substring(0, 8), Map.copyOf(concurrency),
                Duration.ofSeconds(15), Duration.ofSeconds(1), RESULT_TTL, Duration.ofSeconds(1), Duration.ofMinutes(1),
                Duration.ofSeconds(5), RedisJobStore.Retention.defaults(RESULT_TTL), List.of());
        return new JobRunner(store, handlers, settings, progress -> { }).start();
    }

    @Override
    public void close() {
        store.disconnect();
    }
}

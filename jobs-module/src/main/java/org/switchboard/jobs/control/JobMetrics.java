package org.switchboard.jobs.control;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;
import java.util.function.ToDoubleFunction;
import org.switchboard.jobs.entity.QueueStats;

/**
 * The job queues' meters. This node's work: jobs processed and failed, the wait from enqueue (or from
 * becoming due) to start, and the jobs running now. Every queue's state, read from Redis every few
 * seconds: the same figures on every node, so a dashboard takes their maximum over the nodes, not
 * their sum.
 */
public final class JobMetrics {

    private static final Duration[] WAIT_BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
        Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500),
        Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(5)};

    private final MeterRegistry registry;
    private final List<MultiGauge> states = new ArrayList<>();
    private final List<ToDoubleFunction<QueueStats>> values = new ArrayList<>();

    public JobMetrics(MeterRegistry registry) {
        this.registry = registry;
        state("waiting", "Jobs waiting in the queue", QueueStats::size);
        state("running", "Jobs running, on every node", QueueStats::running);
        state("scheduled", "Jobs scheduled for later (delayed)", QueueStats::scheduled);
        state("retrying", "Jobs waiting for their next attempt", QueueStats::retrying);
        state("dead", "Jobs whose attempts ran out", QueueStats::dead);
        state("waiting.children", "Parents of flows waiting for their children", QueueStats::waitingChildren);
        states.add(MultiGauge.builder("switchboard.jobs.oldest.wait").baseUnit("seconds")
                .description("How long the oldest waiting job has waited").register(registry));
        values.add(s -> s.latency() == null ? 0 : s.latency().toMillis() / 1000.0);
    }

    /** Meters that go nowhere: for a runner outside the application (tools, tests). */
    public static JobMetrics none() {
        return new JobMetrics(new SimpleMeterRegistry());
    }

    private void state(String name, String description, ToDoubleFunction<QueueStats> value) {
        states.add(MultiGauge.builder("switchboard.jobs." + name).description(description).register(registry));
        values.add(value);
    }

    /** The jobs this node runs now. */
    void busy(IntSupplier running) {
        Gauge.builder("switchboard.jobs.busy", running::getAsInt).description("Jobs this node runs now (busy workers)").register(registry);
    }

    /** One queue's meters on this node, made once: they are touched for every job. */
    private record QueueMeters(Timer startDelay, Counter processed, Counter failed) {
    }

    private final Map<String, QueueMeters> byQueue = new ConcurrentHashMap<>();

    private QueueMeters of(String queue) {
        return byQueue.computeIfAbsent(queue, q -> new QueueMeters(
                Timer.builder("switchboard.jobs.start.delay").description("From enqueue (or from becoming due) to start")
                        .tag("queue", q).serviceLevelObjectives(WAIT_BUCKETS).register(registry),
                Counter.builder("switchboard.jobs.processed").description("Jobs that succeeded on this node").tag("queue", q).register(registry),
                Counter.builder("switchboard.jobs.failed").description("Attempts that failed on this node (timed out or threw)")
                        .tag("queue", q).register(registry)));
    }

    /** Shows a queue this node works on from the start, with nothing counted yet. */
    void worksOn(String queue) {
        of(queue);
    }

    void started(String queue, long waitedMillis) {
        of(queue).startDelay().record(Duration.ofMillis(Math.max(0, waitedMillis)));
    }

    void processed(String queue) {
        of(queue).processed().increment();
    }

    void failed(String queue) {
        of(queue).failed().increment();
    }

    /** Every queue's state as just read. */
    void queues(List<QueueStats> stats) {
        for (int i = 0; i < states.size(); i++) {
            var value = values.get(i);
            states.get(i).register(stats.stream().map(s -> MultiGauge.Row.of(Tags.of("queue", s.queue()), value.applyAsDouble(s))).toList(), true);
        }
    }
}

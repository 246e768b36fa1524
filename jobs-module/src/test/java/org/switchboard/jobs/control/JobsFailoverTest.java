package org.switchboard.jobs.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.switchboard.jobs.boundary.JobsUnavailableException;
import org.switchboard.jobs.entity.JobState;
import org.switchboard.testkit.RedisFailover;

/**
 * The job queues through a failover of a Redis Cluster and of a Sentinel set: the master holding the queue is killed
 * (SIGKILL) while jobs are enqueued and run; its replica takes over. Every job whose enqueue was
 * acknowledged must succeed (none lost, none stuck); a job may run twice (at least once), and the
 * test prints how many did, with how many enqueues were refused meanwhile.
 */
class JobsFailoverTest {

    static final List<RedisFailover> TOPOLOGIES = RedisFailover.both();

    @ParameterizedTest(name = "{0}")
    @FieldSource("TOPOLOGIES")
    void noAcknowledgedJobIsLostOrStuckAcrossAFailoverOfTheQueuesMaster(RedisFailover topology) throws Exception {
        var client = topology.redisson();
        var keys = new JobKeys("failover-" + UUID.randomUUID());
        var store = new RedisJobStore(client, keys);
        var runs = new ConcurrentHashMap<String, AtomicInteger>();
        var accepted = new ArrayList<String>();
        var refused = 0;
        var slowest = 0L; // ms, the longest an enqueue took to be accepted, refusals included
        var settings = new JobRunner.Settings("w1", Map.of("default", 8), Duration.ofSeconds(3), Duration.ofMillis(200), Duration.ofHours(1),
                Duration.ofMillis(20), Duration.ofMillis(200), Duration.ofSeconds(5), RedisJobStore.Retention.defaults(Duration.ofHours(1)), List.of());
        try (var runner = new JobRunner(store, Map.of("work", job -> {
            runs.computeIfAbsent(job.id(), id -> new AtomicInteger()).incrementAndGet();
            Thread.sleep(10);
            return "null";
        }), settings, p -> { }).start()) {
            for (int i = 0; i < 600; i++) {
                if (i == 200) {
                    topology.killMasterOf(keys.of("default").list());
                }
                var id = "job-" + i;
                var start = System.nanoTime();
                while (true) {
                    try {
                        store.enqueue(id, "default", "work", "{}", 10, 60, Duration.ZERO, null, null);
                        accepted.add(id);
                        slowest = Math.max(slowest, (System.nanoTime() - start) / 1_000_000);
                        break;
                    } catch (JobsUnavailableException e) {
                        refused++;
                        Thread.sleep(100);
                    }
                }
            }
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                    .until(() -> accepted.stream().allMatch(id -> store.find(id).map(j -> j.state() == JobState.SUCCEEDED).orElse(false)));
        } finally {
            var lost = accepted.stream().filter(id -> store.find(id).isEmpty()).count();
            var stuck = accepted.stream().filter(id -> store.find(id).map(j -> j.state() != JobState.SUCCEEDED).orElse(false)).count();
            var twice = runs.values().stream().filter(n -> n.get() > 1).count();
            System.out.printf(topology + ", jobs across a failover of the queue's master: %d accepted, %d enqueues refused meanwhile, the slowest accepted "
                    + "after %d ms, %d lost, %d not succeeded, %d ran more than once%n", accepted.size(), refused, slowest, lost, stuck, twice);
            client.shutdown();
        }
        assertThat(runs.keySet()).as("every accepted job ran").containsAll(accepted);
    }
}

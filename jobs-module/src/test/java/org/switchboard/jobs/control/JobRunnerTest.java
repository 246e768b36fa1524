package org.switchboard.jobs.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.assertj.core.api.Assertions;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.client.codec.StringCodec;
import org.switchboard.jobs.boundary.BuiltInHandlers;
import org.switchboard.jobs.boundary.JobHandler;
import org.switchboard.jobs.entity.CronSchedule;
import org.switchboard.jobs.entity.FetchedJob;
import org.switchboard.jobs.entity.Job;
import org.switchboard.jobs.entity.JobEvent;
import org.switchboard.jobs.entity.JobProgress;
import org.switchboard.jobs.entity.JobState;
import org.switchboard.jobs.entity.ListedJob;
import org.switchboard.jobs.entity.QueueStats;
import org.switchboard.testkit.RedisKeys;
import org.switchboard.testkit.TestServers;

/** Workers against a real Redis: running, retries, timeouts, progress, a crashed worker, graceful close. */
@SuppressWarnings("try") // a runner works while the test's block waits on it: it is there to be closed
class JobRunnerTest {

    @RegisterExtension
    final RedisKeys redis = new RedisKeys();
    RedisJobStore store;
    final ConcurrentLinkedQueue<JobProgress> progress = new ConcurrentLinkedQueue<>();
    final Set<String> ran = ConcurrentHashMap.newKeySet();
    final AtomicInteger runs = new AtomicInteger();

    @BeforeEach
    void store() {
        store = new RedisJobStore(redis.client(), new JobKeys(redis.prefix()));
    }

    JobRunner runner(String worker, Map<String, JobHandler> handlers) {
        return unstarted(worker, handlers, List.of()).start();
    }

    JobRunner runner(String worker, Map<String, JobHandler> handlers, int slots) {
        return unstarted(worker, handlers, List.of(), slots).start();
    }

    JobRunner unstarted(String worker, Map<String, JobHandler> handlers, List<CronSchedule> cron) {
        return unstarted(worker, handlers, cron, 8);
    }

    JobRunner unstarted(String worker, Map<String, JobHandler> handlers, List<CronSchedule> cron, int slots) {
        return new JobRunner(store, handlers, new JobRunner.Settings(worker, Map.of("default", slots), Duration.ofMillis(600),
                Duration.ofMillis(20), Duration.ofHours(1), Duration.ofMillis(20), Duration.ofMillis(100), Duration.ofSeconds(2),
                RedisJobStore.Retention.defaults(Duration.ofHours(1)), cron), progress::add);
    }

    @Test
    void jobsRunOnceEachAndSucceedWithTheirResults() {
        IntStream.range(0, 200).forEach(i -> enqueue("n" + i, "noop", 5, 60));
        try (var runner = runner("w1", Map.of("noop", job -> {
            runs.incrementAndGet();
            ran.add(job.id());
            return "{\"id\":\"" + job.id() + "\"}";
        }))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> IntStream.range(0, 200)
                    .allMatch(i -> store.find("n" + i).orElseThrow().state() == JobState.SUCCEEDED));
        }
        assertThat(runs.get()).isEqualTo(200);
        assertThat(store.find("n7").orElseThrow().result()).isEqualTo("{\"id\":\"n7\"}");
    }

    @Test
    void theMetersCountWhatTheWorkersDidAndShowEachQueuesState() {
        var registry = new SimpleMeterRegistry();
        IntStream.range(0, 30).forEach(i -> enqueue("m" + i, "noop", 5, 60));
        enqueue("bad", "flaky", 2, 60);
        try (var runner = new JobRunner(store, Map.of("noop", job -> "null", "flaky", job -> {
            throw new IllegalStateException("no");
        }), new JobRunner.Settings("w1", Map.of("default", 8), Duration.ofMillis(600), Duration.ofMillis(20), Duration.ofHours(1),
                Duration.ofMillis(20), Duration.ofMillis(100), Duration.ofSeconds(2), RedisJobStore.Retention.defaults(Duration.ofHours(1)),
                List.of()), progress::add, new JobMetrics(registry)).start()) {
            await().atMost(Duration.ofSeconds(20)).until(() -> store.find("bad").orElseThrow().state() == JobState.DEAD
                    && registry.find("switchboard.jobs.dead").tag("queue", "default").gauge() != null
                    && registry.get("switchboard.jobs.dead").tag("queue", "default").gauge().value() == 1);
            assertThat(registry.get("switchboard.jobs.busy").gauge().value()).isZero();
        }
        assertThat(registry.get("switchboard.jobs.processed").tag("queue", "default").counter().count()).isEqualTo(30);
        assertThat(registry.get("switchboard.jobs.failed").tag("queue", "default").counter().count()).isEqualTo(2);
        var waits = registry.get("switchboard.jobs.start.delay").tag("queue", "default").timer();
        assertThat(waits.count()).as("every start, retries included").isEqualTo(32);
        assertThat(waits.max(java.util.concurrent.TimeUnit.MILLISECONDS)).as("by Redis's clock, never negative").isGreaterThanOrEqualTo(0);
        assertThat(registry.get("switchboard.jobs.waiting").tag("queue", "default").gauge().value()).isZero();
    }

    @Test
    void aStoppingRunnerTakesNoNewJobAndFinishesTheOneItRuns() throws Exception {
        var started = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        enqueue("long", "hold", 5, 60);
        try (var runner = runner("w1", Map.of("hold", job -> {
            started.countDown();
            release.await();
            return "\"held\"";
        }, "noop", job -> "null"))) {
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            runner.stopFetching();
            enqueue("later", "noop", 5, 60);
            Thread.sleep(500); // several fetch rounds' worth
            assertThat(store.find("later").orElseThrow().state()).as("not taken").isEqualTo(JobState.QUEUED);
            release.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> store.find("long").orElseThrow().state() == JobState.SUCCEEDED);
        }
        assertThat(store.find("long").orElseThrow().result()).isEqualTo("\"held\"");
        assertThat(store.find("later").orElseThrow().state()).as("left for another node").isEqualTo(JobState.QUEUED);
    }

    @Test
    void aThrowingHandlerIsRetriedWithBackoffThenDeadWithoutStallingTheQueue() {
        enqueue("bad", "flaky", 3, 60);
        enqueue("good", "noop", 3, 60);
        try (var runner = runner("w1", Map.of("flaky", job -> {
            runs.incrementAndGet();
            throw new IllegalStateException("attempt " + job.attempt());
        }, "noop", job -> "null"))) {
            await().atMost(Duration.ofSeconds(20)).until(() -> store.find("bad").orElseThrow().state() == JobState.DEAD);
            assertThat(store.find("good").orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
        }
        var dead = store.find("bad").orElseThrow();
        assertThat(dead.attempts()).isEqualTo(3);
        assertThat(dead.error()).isEqualTo("IllegalStateException: attempt 3");
        assertThat(runs.get()).isEqualTo(3);
    }

    @Test
    void aJobPastItsTimeoutIsInterruptedAndCountsAsAFailedAttempt() {
        enqueue("slow", "hang", 1, 1);
        var interrupted = new CountDownLatch(1);
        try (var runner = runner("w1", Map.of("hang", job -> {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                interrupted.countDown();
                throw e;
            }
            return "null";
        }))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> store.find("slow").orElseThrow().state() == JobState.DEAD);
        }
        assertThat(interrupted.getCount()).isZero();
        assertThat(store.find("slow").orElseThrow().error()).isEqualTo("timed out after 1 s");
    }

    @Test
    void aHandlerThatIgnoresItsTimeoutFreesItsSlotAndItsLateResultIsDropped() throws Exception {
        enqueue("stubborn", "stubborn", 1, 1);
        enqueue("next", "quick", 1, 60);
        var release = new CountDownLatch(1);
        var late = new CountDownLatch(1);
        try (var runner = runner("w1", Map.of("stubborn", job -> {
            while (release.getCount() > 0) {
                try {
                    release.await();
                } catch (InterruptedException ignored) {
                    // a handler that will not stop
                }
            }
            late.countDown();
            return "\"late\"";
        }, "quick", job -> "\"ok\""), 1)) {
            // one slot: the next job runs only if the timeout gave the stubborn job's slot back
            await().atMost(Duration.ofSeconds(10)).until(() -> store.find("next").orElseThrow().state() == JobState.SUCCEEDED);
            assertThat(store.find("stubborn").orElseThrow().state()).isEqualTo(JobState.DEAD);
            release.countDown();
            await().atMost(Duration.ofSeconds(5)).until(() -> late.getCount() == 0);
            Thread.sleep(500); // the acknowledger's next batch, if the late result had gone into it
        }
        var stubborn = store.find("stubborn").orElseThrow();
        assertThat(stubborn.state()).as("the late result does not undo the timeout").isEqualTo(JobState.DEAD);
        assertThat(stubborn.error()).isEqualTo("timed out after 1 s");
    }

    @Test
    void threeNodesNeverRunMoreThanTheQueuesLimitAndReachIt() {
        for (int i = 0; i < 40; i++) {
            enqueue("c" + i, "slow", 1, 60);
        }
        var now = new AtomicInteger();
        var peak = new AtomicInteger();
        JobHandler slow = job -> {
            peak.accumulateAndGet(now.incrementAndGet(), Math::max);
            try {
                Thread.sleep(150);
            } finally {
                now.decrementAndGet();
            }
            return "null";
        };
        var nodes = new ArrayList<JobRunner>();
        try {
            for (var worker : List.of("n1", "n2", "n3")) { // 4 slots each: 12 in all, for a limit of 5
                nodes.add(new JobRunner(store, Map.of("slow", slow), new JobRunner.Settings(worker, Map.of("default", 4), Duration.ofMillis(600),
                        Duration.ofMillis(20), Duration.ofHours(1), Duration.ofMillis(20), Duration.ofMillis(100), Duration.ofSeconds(2),
                        RedisJobStore.Retention.defaults(Duration.ofHours(1)), List.of(), Map.of("default", RedisJobStore.Limits.running(5))),
                        progress::add).start());
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> IntStream.range(0, 40)
                    .allMatch(i -> store.find("c" + i).orElseThrow().state() == JobState.SUCCEEDED));
        } finally {
            nodes.forEach(JobRunner::close);
        }
        System.out.println("limit of 5 running jobs over 3 nodes of 4 slots: at most " + peak.get() + " ran at once");
        assertThat(peak.get()).as("never more than the limit, and the limit reached under load").isEqualTo(5);
    }

    @Test
    void threeNodesStartNoMoreThanTheQueuesRateInAnyWindowAndComeClose() {
        for (int i = 0; i < 90; i++) {
            enqueue("q" + i, "quick", 1, 60);
        }
        var nodes = new ArrayList<JobRunner>();
        try {
            for (var worker : List.of("n1", "n2", "n3")) {
                nodes.add(new JobRunner(store, Map.of("quick", job -> "null"), new JobRunner.Settings(worker, Map.of("default", 8),
                        Duration.ofMillis(600), Duration.ofMillis(20), Duration.ofHours(1), Duration.ofMillis(20), Duration.ofMillis(100),
                        Duration.ofSeconds(2), RedisJobStore.Retention.defaults(Duration.ofHours(1)), List.of(),
                        Map.of("default", RedisJobStore.Limits.rate(20, Duration.ofSeconds(1)))), progress::add).start());
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> IntStream.range(0, 90)
                    .allMatch(i -> store.find("q" + i).orElseThrow().state() == JobState.SUCCEEDED));
        } finally {
            nodes.forEach(JobRunner::close);
        }
        // the start times Redis gave the jobs (the clock the limit counts by), in ms
        var starts = IntStream.range(0, 90).mapToLong(i -> store.find("q" + i).orElseThrow().startedAt().toEpochMilli()).sorted().toArray();
        var busiest = 0;
        for (var end : starts) {
            var inWindow = (int) Arrays.stream(starts).filter(t -> t > end - 1000 && t <= end).count();
            busiest = Math.max(busiest, inWindow);
        }
        System.out.println("rate limit of 20 starts per second over 3 nodes: at most " + busiest + " in any second");
        assertThat(busiest).as("never more than the rate in any window, and within 10% of it under load").isBetween(18, 20);
    }

    @Test
    void anErrorThrownByAHandlerFailsTheAttemptAtOnce() {
        enqueue("broken", "broken", 1, 300);
        try (var runner = runner("w1", Map.of("broken", job -> {
            throw new AssertionError("a broken invariant");
        }))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> store.find("broken").orElseThrow().state() == JobState.DEAD);
        }
        assertThat(store.find("broken").orElseThrow().error()).isEqualTo("AssertionError: a broken invariant");
    }

    @Test
    void aJobWithoutAHandlerGoesStraightToDead() {
        enqueue("orphan", "unknown-type", 5, 60);
        try (var runner = runner("w1", Map.of())) {
            await().atMost(Duration.ofSeconds(10)).until(() -> store.find("orphan").orElseThrow().state() == JobState.DEAD);
        }
        assertThat(store.find("orphan").orElseThrow().error()).contains("no handler");
    }

    @Test
    void progressIsStoredAndReported() {
        enqueue("p", "steps", 5, 60);
        try (var runner = runner("w1", Map.of("steps", job -> {
            for (int i = 1; i <= 4; i++) {
                job.progress(i * 25, "step \"" + i + "\"");
            }
            return "null";
        }))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> store.find("p").orElseThrow().state() == JobState.SUCCEEDED);
        }
        assertThat(progress).extracting(JobProgress::percent).containsExactly(25, 50, 75, 100);
        assertThat(store.find("p").orElseThrow().progress()).isEqualTo("{\"percent\":100,\"message\":\"step \\\"4\\\"\"}");
    }

    @Test
    void theJobsOfACrashedWorkerAreRunAgainByAnotherAndNoneIsLost() {
        IntStream.range(0, 100).forEach(i -> enqueue("k" + i, "work", 5, 60));
        var started = new CountDownLatch(8);
        var crashed = runner("doomed", Map.of("work", job -> {
            started.countDown();
            Thread.sleep(60_000); // never finishes here
            return "null";
        }));
        await().atMost(Duration.ofSeconds(10)).until(() -> started.getCount() == 0);
        crashed.crash(); // like kill -9: no re-queue, the heartbeat stops
        assertThat(store.pending("doomed")).isEqualTo(8);
        try (var survivor = runner("survivor", Map.of("work", job -> {
            runs.incrementAndGet();
            ran.add(job.id());
            return "null";
        }))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> IntStream.range(0, 100)
                    .allMatch(i -> store.find("k" + i).orElseThrow().state() == JobState.SUCCEEDED));
        }
        assertThat(ran).hasSize(100);
        assertThat(store.pending("doomed")).isZero();
    }

    @Test
    void closingWaitsForRunningJobsThenPutsTheRestBack() {
        enqueue("quick", "sleepy", 5, 60);
        enqueue("long", "sleepy", 5, 60);
        var runner = runner("w1", Map.of("sleepy", job -> {
            Thread.sleep(job.id().equals("quick") ? 300 : 60_000);
            return "null";
        }));
        await().atMost(Duration.ofSeconds(10)).until(() -> runner.busy() == 2);
        runner.close(); // grace 2 s: "quick" finishes, "long" is interrupted and re-queued
        assertThat(store.find("quick").orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(store.find("long").orElseThrow().state()).isEqualTo(JobState.QUEUED);
        assertThat(store.size("default")).isEqualTo(1);
        assertThat(store.pending("w1")).isZero();
    }

    @Test
    void aRunningJobIsInterruptedWhenItIsCancelledAndTheQueueGoesOn() {
        enqueue("long", "hang", 5, 600);
        var interrupted = new CountDownLatch(1);
        try (var runner = runner("w1", Map.of("hang", job -> {
            try {
                Thread.sleep(600_000);
            } catch (InterruptedException e) {
                interrupted.countDown();
                throw e;
            }
            return "null";
        }, "noop", job -> "null"))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> store.find("long").orElseThrow().state() == JobState.RUNNING);
            assertThat(store.cancel("long", Duration.ofHours(1))).contains(JobState.RUNNING);
            await().atMost(Duration.ofSeconds(10)).until(() -> store.find("long").orElseThrow().state() == JobState.CANCELLED);
            enqueue("after", "noop", 5, 60);
            await().atMost(Duration.ofSeconds(10)).until(() -> store.find("after").orElseThrow().state() == JobState.SUCCEEDED);
        }
        assertThat(interrupted.getCount()).isZero();
        assertThat(store.find("long").orElseThrow().attempts()).as("not retried").isEqualTo(1);
        assertThat(store.pending("w1")).isZero();
    }

    @Test
    void aPoisonPayloadGoesDeadAfterItsAttemptsWhileTheOtherJobsRun() {
        store.enqueue("poison", "default", "sleep", "{\"ms\":\"forever\"}", 3, 60, Duration.ZERO, null, null);
        IntStream.range(0, 20).forEach(i -> store.enqueue("ok" + i, "default", "sleep", "{\"ms\":5}", 3, 60, Duration.ZERO, null, null));
        try (var runner = runner("w1", Map.of("sleep", new BuiltInHandlers.Sleep()))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> store.find("poison").orElseThrow().state() == JobState.DEAD);
            await().atMost(Duration.ofSeconds(30)).until(() -> IntStream.range(0, 20)
                    .allMatch(i -> store.find("ok" + i).orElseThrow().state() == JobState.SUCCEEDED));
        }
        var poison = store.find("poison").orElseThrow();
        assertThat(poison.attempts()).isEqualTo(3);
        assertThat(poison.error()).contains("a sleep job takes");
        assertThat(store.dead(0, 10)).extracting(ListedJob::id).containsExactly("poison");
    }

    @Test
    void theWorkersReconnectByThemselvesWhenRedisRestartsMidRun() throws Exception {
        IntStream.range(0, 300).forEach(i -> enqueue("r" + i, "work", 5, 60));
        // and a flow, whose children run across the restart
        store.enqueueFlow(node("rflow", "collect", IntStream.range(0, 100).mapToObj(i -> node("rchild-" + i, "work")).toArray(RedisJobStore.FlowNode[]::new)));
        var server = TestServers.redis();
        var collected = new ConcurrentHashMap<String, List<Map<String, String>>>();
        var handlers = new java.util.HashMap<>(flowHandlers(collected));
        handlers.put("work", job -> {
            Thread.sleep(10);
            runs.incrementAndGet();
            return "null";
        });
        try (var runner = runner("w1", handlers)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> runs.get() >= 50);
            server.stop(); // a clean restart: the append-only file keeps every acknowledged move
            Thread.sleep(1500);
            server.start();
            await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> IntStream.range(0, 300)
                    .allMatch(i -> store.find("r" + i).orElseThrow().state() == JobState.SUCCEEDED)
                    && store.find("rflow").orElseThrow().state() == JobState.SUCCEEDED);
        }
        assertThat(collected.get("rflow")).as("the flow's parent ran once, with every child's result").hasSize(1)
                .allSatisfy(run -> assertThat(run.get("results").split(",")).hasSize(100));
        var again = IntStream.range(0, 300).filter(i -> store.find("r" + i).orElseThrow().attempts() > 1).count();
        System.out.println("Redis restart mid-run: 300 of 300 jobs succeeded and a flow of 100 children; " + again + " ran more than once, "
                + runs.get() + " runs in all");
        assertThat(runs.get()).isGreaterThanOrEqualTo(400);
        assertThat(store.pending("w1")).isZero();
        assertThat(store.size("default")).isZero();
    }

    @Test
    void anIdleWorkerTakesJobsAgainAfterRedisWasDown() throws Exception {
        assumeTrue("single".equals(TestServers.redisTopology()), "stops the single server");
        var server = TestServers.redis();
        try (var runner = runner("w1", Map.of("work", job -> {
            runs.incrementAndGet();
            return "null";
        }))) {
            Thread.sleep(500); // idle: its fetches find nothing
            server.stop();
            Thread.sleep(12_000); // longer than the client retries a command: the fetches meanwhile fail
            server.start();
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> { // once Redis answers again
                enqueue("later0", "work", 5, 60);
                return true;
            });
            IntStream.range(1, 20).forEach(i -> enqueue("later" + i, "work", 5, 60));
            await().atMost(Duration.ofSeconds(30)).until(() -> IntStream.range(0, 20)
                    .allMatch(i -> store.find("later" + i).orElseThrow().state() == JobState.SUCCEEDED));
        }
    }

    @Test
    void aJobInTheWorkersPendingListThatItDoesNotRunIsReQueuedAndRun() {
        // a blocking fetch whose answer never reached the worker (Redis restarting): the job sits in its pending list.
        // Set up before the worker starts, so that its own fetch cannot take the job first.
        enqueue("lost", "work", 5, 60);
        assertThat(redis.client().<String>getDeque(store.keys().of("default").list(), StringCodec.INSTANCE)
                .pollLastAndOfferFirstTo(store.keys().of("default").pending("w1"))).isEqualTo("lost");
        try (var runner = runner("w1", Map.of("work", job -> {
            ran.add(job.id());
            return "null";
        }))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> store.find("lost").orElseThrow().state() == JobState.SUCCEEDED);
        }
        assertThat(ran).containsExactly("lost");
        assertThat(store.pending("w1")).isZero();
    }

    @Test
    void aCronTickIsEnqueuedOnceHoweverManyNodesFireIt() {
        var every10s = new CronSchedule("tick", "*/10 * * * * *", ZoneOffset.UTC, "default", "noop", "{\"from\":\"cron\"}");
        var a = unstarted("a", Map.of(), List.of(every10s));
        var b = unstarted("b", Map.of(), List.of(every10s));
        var t = ZonedDateTime.of(2026, 11, 27, 3, 0, 1, 0, ZoneOffset.UTC);
        a.fireCron(t);
        b.fireCron(t.plusSeconds(2));
        assertThat(store.size("default")).as("no tick yet").isZero();
        a.fireCron(t.plusSeconds(10)); // 03:00:11, past the tick of 03:00:10
        assertThat(store.size("default")).as("one job for the tick of 03:00:10").isEqualTo(1);
        b.fireCron(t.plusSeconds(9).plusNanos(500_000_000)); // 03:00:10.5 on b's clock, behind a's: the same tick
        assertThat(store.size("default")).isEqualTo(1);
        a.fireCron(t.plusSeconds(35)); // 03:00:36: ticks 20 and 30 were missed; only the one due fires
        b.fireCron(t.plusSeconds(35));
        assertThat(store.size("default")).isEqualTo(2);
        var job = store.find(redis.client().<String>getList(store.keys().of("default").list(), StringCodec.INSTANCE).get(0)).orElseThrow();
        assertThat(job.payload()).isEqualTo("{\"from\":\"cron\"}");
    }

    @Test
    void cronSchedulesComputeTheirTicksAndRefuseBadSettings() {
        var nightly = CronSchedule.parse("nightly", "0 3 * * *; reports; noop; {\"a\":1}", ZoneOffset.UTC);
        assertThat(nightly.queue()).isEqualTo("reports");
        assertThat(nightly.payload()).isEqualTo("{\"a\":1}");
        var t = ZonedDateTime.of(2026, 11, 27, 2, 59, 59, 0, ZoneOffset.UTC);
        assertThat(nightly.next(t)).isEqualTo(t.plusSeconds(1));
        assertThat(nightly.next(t.plusSeconds(1))).as("strictly after").isEqualTo(t.plusSeconds(1).plusDays(1));
        assertThat(nightly.dedupeWindow(t.plusSeconds(1))).isEqualTo(Duration.ofDays(1));
        Assertions.assertThatThrownBy(() -> CronSchedule.parse("x", "61 * * * *; q; noop", ZoneOffset.UTC))
                .isInstanceOf(RuntimeException.class);
        Assertions.assertThatThrownBy(() -> CronSchedule.parse("x", "* * * * *", ZoneOffset.UTC))
                .isInstanceOf(IllegalArgumentException.class);
        Assertions.assertThatThrownBy(() -> CronSchedule.parse("bad name", "* * * * *; q; noop", ZoneOffset.UTC))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void backoffGrowsExponentiallyWithJitterUpToItsCap() {
        var runner = new JobRunner(store, Map.of(), new JobRunner.Settings("w", Map.of(), Duration.ofSeconds(1), Duration.ofMillis(10),
                Duration.ofHours(1), Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofSeconds(1),
                RedisJobStore.Retention.defaults(Duration.ofHours(1)), List.of()), p -> { });
        for (int attempt = 1; attempt <= 10; attempt++) {
            var ceiling = Math.min(1000L << (attempt - 1), 60_000);
            assertThat(runner.backoff(attempt).toMillis()).isBetween(ceiling / 2, ceiling);
        }
    }

    // job events: each queue's stream

    @Test
    void aQueuesEventsTellEachJobsLifeInOrderAndResumeAfterAnyOfThem() throws Exception {
        enqueue("ev-ok", "steps", 5, 60);
        enqueue("ev-bad", "boom", 2, 60);
        try (var worker = runner("w1", Map.of("steps", job -> {
            job.progress(50, "half");
            return "1";
        }, "boom", job -> {
            throw new IllegalStateException("no");
        }))) {
            await().atMost(Duration.ofSeconds(20)).until(() -> store.find("ev-ok").orElseThrow().state() == JobState.SUCCEEDED
                    && store.find("ev-bad").orElseThrow().state() == JobState.DEAD);
        }
        var all = store.events("default", "0-0:0", Duration.ofMillis(10), 500).get();
        assertThat(all.stream().filter(e -> e.job().equals("ev-ok")).map(e -> e.event() + (e.attempt() == null ? "" : " " + e.attempt())))
                .containsExactly("enqueued", "started 1", "progress", "succeeded");
        assertThat(all.stream().filter(e -> e.job().equals("ev-bad")).map(e -> e.event() + (e.attempt() == null ? "" : " " + e.attempt())))
                .containsExactly("enqueued", "started 1", "failed 1", "retrying 1", "started 2", "failed 2", "dead 2");
        assertThat(all.stream().filter(e -> e.event().equals("progress")).findFirst().orElseThrow().detail()).contains("\"percent\":50");
        assertThat(all.stream().filter(e -> e.event().equals("dead")).findFirst().orElseThrow().detail()).contains("no");
        assertThat(all).extracting(JobEvent::id).doesNotHaveDuplicates();
        for (int i = 0; i < all.size(); i++) {
            assertThat(store.events("default", all.get(i).id(), Duration.ofMillis(10), 500).get()).as("after event " + i)
                    .containsExactlyElementsOf(all.subList(i + 1, all.size()));
        }
        var next = store.events("default", all.getLast().id(), Duration.ofSeconds(10), 500); // waits for the next one
        enqueue("ev-later", "steps", 5, 60);
        assertThat(next.get(10, TimeUnit.SECONDS)).extracting(JobEvent::job, JobEvent::event).containsExactly(Tuple.tuple("ev-later", "enqueued"));
        assertThat(store.eventsLost("default", all.getFirst().id())).isFalse();
        assertThat(store.eventsLost("default", "1-0:0")).as("older than the stream's oldest entry").isTrue();
    }

    // flows: parents that wait for their children

    /** A job of a flow: {@code type} in the default queue, one attempt unless it is "work". */
    private static RedisJobStore.FlowNode node(String id, String type, RedisJobStore.FlowNode... children) {
        return new RedisJobStore.FlowNode(id, "default", type, "{}", type.equals("work") ? 5 : 1, 60, List.of(children), false);
    }

    private static RedisJobStore.FlowNode continuing(RedisJobStore.FlowNode parent) {
        return new RedisJobStore.FlowNode(parent.id(), parent.queue(), parent.type(), parent.payload(), parent.maxAttempts(),
                parent.timeoutSeconds(), parent.children(), true);
    }

    /** Handlers for flows: "work" answers its id; "collect" records what its children left it, and when. */
    private Map<String, JobHandler> flowHandlers(Map<String, List<Map<String, String>>> collected) {
        return Map.of("work", job -> {
            runs.incrementAndGet();
            return "\"" + job.id() + "\"";
        }, "boom", job -> {
            throw new IllegalStateException("boom " + job.id());
        }, "collect", job -> {
            collected.computeIfAbsent(job.id(), k -> java.util.Collections.synchronizedList(new ArrayList<>()))
                    .add(Map.copyOf(new java.util.TreeMap<>(Map.of("results", String.join(",", new java.util.TreeMap<>(job.childResults()).entrySet()
                            .stream().map(e -> e.getKey() + "=" + e.getValue()).toList()), "failures", String.join(",", new java.util.TreeSet<>(job.childFailures().keySet()))))));
            return "\"collected " + job.childResults().size() + "\"";
        });
    }

    @Test
    void aParentWaitsForItsChildrenThenRunsOnceSeeingTheirResults() {
        var flow = node("root", "collect", node("a", "work"), node("mid", "collect", node("b", "work"), node("c", "work")));
        var enqueued = store.enqueueFlow(flow);
        assertThat(enqueued.state()).isEqualTo(JobState.WAITING_CHILDREN);
        assertThat(enqueued.children()).extracting(e -> e.id() + " " + e.state().wire()).containsExactly("a queued", "mid waiting-children");
        assertThat(store.find("root").orElseThrow().children()).extracting(Job.ChildRef::id).containsExactly("a", "mid");
        assertThat(store.children(store.find("root").orElseThrow().children())).extracting(Job::id, Job::state)
                .containsExactly(Tuple.tuple("a", JobState.QUEUED), Tuple.tuple("mid", JobState.WAITING_CHILDREN));
        assertThat(store.find("b").orElseThrow().parent()).isEqualTo("mid");
        assertThat(store.queueStats().getFirst().waitingChildren()).isEqualTo(2);

        var collected = new ConcurrentHashMap<String, List<Map<String, String>>>();
        try (var worker = runner("w1", flowHandlers(collected))) {
            await().atMost(Duration.ofSeconds(20)).until(() -> store.find("root").orElseThrow().state() == JobState.SUCCEEDED);
        }
        assertThat(collected.get("mid")).as("ran once, after both its children").containsExactly(Map.of("results", "b=\"b\",c=\"c\"", "failures", ""));
        assertThat(collected.get("root")).containsExactly(Map.of("results", "a=\"a\",mid=\"collected 2\"", "failures", ""));
        var root = store.find("root").orElseThrow();
        assertThat(root.startedAt()).isAfterOrEqualTo(store.find("mid").orElseThrow().finishedAt());
        assertThat(store.queueStats().getFirst().waitingChildren()).isZero();
    }

    @Test
    void aFlowSpansQueuesEachInASlotOfItsOwnOnACluster() {
        var child = new RedisJobStore.FlowNode("elsewhere", "other", "work", "{}", 5, 60, List.of(), false);
        store.enqueueFlow(node("here", "collect", child, node("local", "work")));
        var collected = new ConcurrentHashMap<String, List<Map<String, String>>>();
        try (var worker = new JobRunner(store, flowHandlers(collected), new JobRunner.Settings("w1", Map.of("default", 4, "other", 4),
                Duration.ofMillis(600), Duration.ofMillis(20), Duration.ofHours(1), Duration.ofMillis(20), Duration.ofMillis(100),
                Duration.ofSeconds(2), RedisJobStore.Retention.defaults(Duration.ofHours(1)), List.of()), progress::add).start()) {
            await().atMost(Duration.ofSeconds(20)).until(() -> store.find("here").orElseThrow().state() == JobState.SUCCEEDED);
        }
        assertThat(collected.get("here")).containsExactly(Map.of("results", "elsewhere=\"elsewhere\",local=\"local\"", "failures", ""));
        assertThat(store.find("here").orElseThrow().children()).containsExactly(new Job.ChildRef("elsewhere", "other"), new Job.ChildRef("local", "default"));
    }

    @Test
    void aChildThatDiesFailsItsParentNamingItUnlessTheParentContinuesOnFailures() {
        store.enqueueFlow(node("strict", "collect", node("ok", "work"), node("bad", "boom")));
        store.enqueueFlow(continuing(node("lenient", "collect", node("ok2", "work"), node("bad2", "boom"))));
        store.enqueueFlow(node("top", "collect", node("inner", "collect", node("bad3", "boom")), node("slow", "work")));
        var collected = new ConcurrentHashMap<String, List<Map<String, String>>>();
        try (var worker = runner("w1", flowHandlers(collected))) {
            await().atMost(Duration.ofSeconds(20)).until(() -> store.find("strict").orElseThrow().state() == JobState.DEAD
                    && store.find("lenient").orElseThrow().state() == JobState.SUCCEEDED && store.find("top").orElseThrow().state() == JobState.DEAD);
        }
        assertThat(store.find("strict").orElseThrow().error()).contains("child bad dead").contains("boom bad");
        assertThat(collected).as("a parent whose child died does not run").doesNotContainKeys("strict", "inner", "top");
        assertThat(collected.get("lenient")).containsExactly(Map.of("results", "ok2=\"ok2\"", "failures", "bad2"));
        assertThat(store.find("top").orElseThrow().error()).as("the failure goes up the tree").contains("child inner dead").contains("child bad3 dead");
    }

    @Test
    void cancellingAParentCancelsItsUnfinishedChildrenAndTheirs() {
        store.enqueueFlow(node("p", "collect", node("c1", "work"), node("c2", "collect", node("g1", "work"))));
        assertThat(store.cancel("p", Duration.ofHours(1))).contains(JobState.WAITING_CHILDREN);
        for (var id : List.of("p", "c1", "c2", "g1")) {
            assertThat(store.find(id).orElseThrow().state()).as(id).isEqualTo(JobState.CANCELLED);
        }
        assertThat(store.queueStats().getFirst()).extracting(QueueStats::size, QueueStats::waitingChildren).containsExactly(0L, 0L);
        var events = store.events("default", "0-0:0", Duration.ofMillis(10), 500).join();
        assertThat(events.stream().filter(e -> e.event().equals("cancelled")).map(JobEvent::job)).containsExactlyInAnyOrder("p", "c1", "c2", "g1");
        assertThat(events.stream().filter(e -> e.event().equals("enqueued")).map(e -> e.job() + " " + e.detail()))
                .containsExactlyInAnyOrder("c1 queued", "g1 queued", "c2 waiting-children", "p waiting-children");
    }

    @Test
    void aChildWhoseNodeDiedBeforeItsParentHadItsOutcomeIsDeliveredByAnotherNode() {
        store.enqueueFlow(node("parent", "collect", node("only", "work")));
        store.delivering = false; // this node dies right after the child's end is recorded
        var fetched = store.fetch("default", "w0", 10);
        assertThat(fetched).extracting(FetchedJob::id).containsExactly("only");
        assertThat(fetched.getFirst()).extracting(FetchedJob::parentQueue, FetchedJob::parent).containsExactly("default", "parent");
        store.completeMany("w0", List.of(new RedisJobStore.Completion("default", "only", "\"done\"", false, "default", "parent")));
        assertThat(store.find("parent").orElseThrow().state()).as("not delivered yet").isEqualTo(JobState.WAITING_CHILDREN);
        var other = new RedisJobStore(redis.client(), new JobKeys(redis.prefix()));
        assertThat(other.deliverDue(Duration.ZERO, 100)).isEqualTo(1);
        assertThat(other.deliverDue(Duration.ZERO, 100)).as("taken off the undelivered set").isZero();
        other.deliver("default", "only"); // again, as a node racing the housekeeping would: counted once
        assertThat(store.find("parent").orElseThrow().state()).isEqualTo(JobState.QUEUED);
        assertThat(store.childOutcomes("default", "parent")).isEqualTo(Map.of("only", "succeeded \"done\""));
    }

    @Test
    void aNodeKilledMidFlowLosesNoJobAndEachParentRunsOnceAfterItsLastChild() {
        var leaves = IntStream.range(0, 30).mapToObj(i -> node("leaf-" + i, "work")).toArray(RedisJobStore.FlowNode[]::new);
        store.enqueueFlow(node("root", "collect", node("left", "collect", Arrays.copyOfRange(leaves, 0, 15)),
                node("right", "collect", Arrays.copyOfRange(leaves, 15, 30))));
        var started = new CountDownLatch(8);
        var doomed = runner("doomed", Map.of("work", job -> {
            started.countDown();
            Thread.sleep(60_000);
            return "null";
        }));
        await().atMost(Duration.ofSeconds(10)).until(() -> started.getCount() == 0);
        doomed.crash(); // like kill -9: its 8 children stay in its pending list until the reaper gives them back
        var collected = new ConcurrentHashMap<String, List<Map<String, String>>>();
        try (var survivor = runner("survivor", flowHandlers(collected))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> store.find("root").orElseThrow().state() == JobState.SUCCEEDED);
        }
        assertThat(collected.keySet()).containsExactlyInAnyOrder("left", "right", "root");
        collected.forEach((id, runs) -> assertThat(runs).as(id + " ran once").hasSize(1));
        assertThat(collected.get("left").getFirst().get("results").split(",")).as("with all its children's results").hasSize(15);
        assertThat(store.pending("doomed")).isZero();
    }

    private void enqueue(String id, String type, int maxAttempts, int timeoutSeconds) {
        store.enqueue(id, "default", type, "{}", maxAttempts, timeoutSeconds, Duration.ZERO, null, null);
    }
}

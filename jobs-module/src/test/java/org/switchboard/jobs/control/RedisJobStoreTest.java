package org.switchboard.jobs.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.api.options.KeysScanOptions;
import org.redisson.api.redisnode.RedisNode;
import org.redisson.api.redisnode.RedisNodes;
import org.redisson.client.codec.StringCodec;
import org.redisson.connection.CRC16;
import org.switchboard.jobs.boundary.JobsUnavailableException;
import org.switchboard.jobs.entity.Enqueued;
import org.switchboard.jobs.entity.FetchedJob;
import org.switchboard.jobs.entity.JobState;
import org.switchboard.jobs.entity.ListedJob;
import org.switchboard.jobs.entity.QueueStats;
import org.switchboard.testkit.RedisKeys;
import org.switchboard.testkit.TestServers;

/** The contract of each job script, against a real Redis. Each test has its own key prefix. */
class RedisJobStoreTest {

    @RegisterExtension
    final RedisKeys redis = new RedisKeys();
    RedisJobStore store;

    @BeforeEach
    void store() {
        store = new RedisJobStore(redis.client(), new JobKeys(redis.prefix()));
    }

    @Test
    void theScriptsAreSentByTheirDigest() {
        for (int i = 0; i < 3; i++) {
            enqueue("digest-" + i, "{}");
        }
        List<? extends RedisNode> servers = switch (TestServers.redisTopology()) {
            case "cluster" -> List.copyOf(redis.client().getRedisNodes(RedisNodes.CLUSTER).getMasters());
            case "sentinel" -> List.of(redis.client().getRedisNodes(RedisNodes.SENTINEL_MASTER_SLAVE).getMaster());
            default -> List.of(redis.client().getRedisNodes(RedisNodes.SINGLE).getInstance());
        };
        assertThat(servers).as("EVALSHA, not the script's text each time")
                .anyMatch(server -> server.info(RedisNode.InfoSection.COMMANDSTATS).containsKey("cmdstat_evalsha"));
    }

    @Test
    void anEnqueuedJobIsFetchedRunAndCompletedWithItsResult() {
        var enqueued = enqueue("a", "{\"to\":\"x\"}");
        assertThat(enqueued.state()).isEqualTo(JobState.QUEUED);
        assertThat(enqueued.created()).isTrue();
        var fetched = store.fetch("default", "w1", 10);
        assertThat(fetched).singleElement().satisfies(job -> {
            assertThat(job.id()).isEqualTo("a");
            assertThat(job.type()).isEqualTo("noop");
            assertThat(job.payload()).isEqualTo("{\"to\":\"x\"}");
            assertThat(job.attempt()).isEqualTo(1);
        });
        assertThat(store.find("a").orElseThrow().state()).isEqualTo(JobState.RUNNING);
        assertThat(store.pending("w1")).isEqualTo(1);

        assertThat(store.complete("w1", "default", "a", "{\"ok\":true}")).isTrue();
        var done = store.find("a").orElseThrow();
        assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(done.result()).isEqualTo("{\"ok\":true}");
        assertThat(done.finishedAt()).isAfterOrEqualTo(done.startedAt()).isAfterOrEqualTo(done.enqueuedAt());
        assertThat(store.pending("w1")).isZero();
        assertThat(redis.client().getScoredSortedSet(store.keys().of("default").done()).contains("a"))
                .as("listed among the succeeded, which trim() deletes once older than the retention").isTrue();
        assertThat(store.complete("w1", "default", "a", "{}")).as("acknowledged once").isFalse();
    }

    @Test
    void aQueuesLimitOfRunningJobsHoldsOverEveryWorkerAndBothWaysOfFetching() throws Exception {
        for (int i = 0; i < 6; i++) {
            enqueue("l" + i, "{}");
        }
        var first = store.fetch("default", "w1", 8, RedisJobStore.Limits.running(3));
        assertThat(first.jobs()).hasSize(3);
        assertThat(first.limited()).isFalse();
        var second = store.fetch("default", "w2", 8, RedisJobStore.Limits.running(3));
        assertThat(second.limited()).as("3 run already, on another worker").isTrue();
        assertThat(second.jobs()).isEmpty();
        var blocking = store.fetchBlocking("default", "w2", Duration.ofSeconds(1), RedisJobStore.Limits.running(3));
        assertThat(blocking.limited()).isTrue();
        assertThat(store.pending("w2")).as("the job the blocking move took went back").isZero();
        assertThat(stats("default").size()).isEqualTo(3);
        assertThat(stats("default").running()).isEqualTo(3);

        assertThat(store.complete("w1", "default", first.jobs().getFirst().id(), "null")).isTrue();
        var third = store.fetch("default", "w2", 8, RedisJobStore.Limits.running(3));
        assertThat(third.jobs()).as("one slot came free").hasSize(1);
        assertThat(store.fetch("default", "w2", 8, RedisJobStore.Limits.NONE).jobs()).as("no limit").hasSize(2);
        assertThat(stats("default").running()).isEqualTo(5);
    }

    @Test
    void aQueuesRateLimitCountsTheStartsOfEveryWorkerWithinTheWindow() throws Exception {
        for (int i = 0; i < 6; i++) {
            enqueue("r" + i, "{}");
        }
        var perSecond = RedisJobStore.Limits.rate(3, Duration.ofSeconds(1));
        assertThat(store.fetch("default", "w1", 2, perSecond).jobs()).hasSize(2);
        assertThat(store.fetch("default", "w2", 8, perSecond).jobs()).as("one start left in the window").hasSize(1);
        var limited = store.fetch("default", "w2", 8, perSecond);
        assertThat(limited.limited()).isTrue();
        assertThat(limited.retryAfter()).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(store.fetchBlocking("default", "w3", Duration.ofSeconds(1), perSecond).limited()).isTrue();
        assertThat(stats("default").size()).as("the blocking move's job went back").isEqualTo(3);
        Thread.sleep(limited.retryAfter().toMillis() + 50);
        assertThat(store.fetch("default", "w2", 8, perSecond).jobs()).as("the window moved on").isNotEmpty();
    }

    @Test
    void severalJobsAreAcknowledgedInOneCallAndOnlyThoseTheWorkerHolds() {
        for (int i = 0; i < 3; i++) {
            enqueue("m" + i, "{}");
        }
        store.fetch("default", "w1", 2);
        store.fetch("default", "w2", 1);
        var done = store.completeMany("w1", List.of(new RedisJobStore.Completion("default", "m0", "{\"n\":0}"), new RedisJobStore.Completion("default", "m1", null),
                new RedisJobStore.Completion("default", "m2", "{}")));
        assertThat(done).as("m2 is w2's").isEqualTo(2);
        assertThat(store.find("m0").orElseThrow().result()).isEqualTo("{\"n\":0}");
        assertThat(store.find("m1").orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(store.find("m2").orElseThrow().state()).isEqualTo(JobState.RUNNING);
        assertThat(store.pending("w1")).isZero();
        assertThat(store.processed()).isEqualTo(2);
    }

    @Test
    void jobsAcknowledgedInAnyOrderLeaveTheWorkerHoldingExactlyTheOthers() {
        for (int i = 0; i < 6; i++) {
            enqueue("k" + i, "{}");
        }
        store.fetch("default", "w1", 6);
        // the two oldest (the pending list's tail), one from the middle, and one the worker does not hold
        var done = store.completeMany("w1", List.of(new RedisJobStore.Completion("default", "k1", "1"), new RedisJobStore.Completion("default", "k4", "4"),
                new RedisJobStore.Completion("default", "k0", "0"), new RedisJobStore.Completion("default", "gone", "x")));
        assertThat(done).isEqualTo(3);
        assertThat(store.pendingJobs("w1")).extracting(RedisJobStore.Held::id).containsExactlyInAnyOrder("k2", "k3", "k5");
        // then the newest and one the worker no longer holds: the tail is not the batch's
        assertThat(store.completeMany("w1", List.of(new RedisJobStore.Completion("default", "k5", "5"), new RedisJobStore.Completion("default", "k0", "0"))))
                .isEqualTo(1);
        assertThat(store.pendingJobs("w1")).extracting(RedisJobStore.Held::id).containsExactlyInAnyOrder("k2", "k3");
        assertThat(store.completeMany("w1", List.of(new RedisJobStore.Completion("default", "k3", "3"), new RedisJobStore.Completion("default", "k2", "2"))))
                .as("the whole list").isEqualTo(2);
        assertThat(store.pending("w1")).isZero();
        for (var id : List.of("k0", "k1", "k2", "k3", "k4", "k5")) {
            assertThat(store.find(id).orElseThrow().state()).as(id).isEqualTo(JobState.SUCCEEDED);
        }
        assertThat(store.processed()).isEqualTo(6);
        assertThat(stats("default").running()).isZero();
    }

    @Test
    void fetchTakesSeveralJobsOldestFirstAndLeavesTheRest() {
        for (int i = 0; i < 5; i++) {
            enqueue("j" + i, "{}");
        }
        assertThat(store.fetch("default", "w1", 3)).extracting(FetchedJob::id).containsExactly("j0", "j1", "j2");
        assertThat(store.fetch("default", "w2", 3)).extracting(FetchedJob::id).containsExactly("j3", "j4");
        assertThat(store.fetch("default", "w3", 3)).isEmpty();
        assertThat(store.size("default")).isZero();
    }

    @Test
    void concurrentWorkersNeverGetTheSameJob() throws Exception {
        for (int i = 0; i < 500; i++) {
            enqueue("c" + i, "{}");
        }
        var taken = new ConcurrentLinkedQueue<String>();
        try (var pool = Executors.newFixedThreadPool(8)) {
            var futures = new ArrayList<Future<?>>();
            for (int w = 0; w < 8; w++) {
                var worker = "w" + w;
                futures.add(pool.submit(() -> {
                    for (List<FetchedJob> batch; !(batch = store.fetch("default", worker, 7)).isEmpty(); ) {
                        batch.forEach(job -> {
                            taken.add(job.id());
                            assertThat(store.complete(worker, job.queue(), job.id(), "null")).isTrue();
                        });
                    }
                    return null;
                }));
            }
            for (var f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        }
        assertThat(taken).hasSize(500).doesNotHaveDuplicates();
    }

    @Test
    void aUniqueKeyAnswersTheExistingJobWithinItsTtl() {
        var first = store.enqueue("u1", "default", "noop", "{}", 5, 60, Duration.ZERO, "report-7", Duration.ofMinutes(1));
        var second = store.enqueue("u2", "default", "noop", "{}", 5, 60, Duration.ZERO, "report-7", Duration.ofMinutes(1));
        assertThat(first.created()).isTrue();
        assertThat(second).isEqualTo(new Enqueued("u1", JobState.QUEUED, false));
        assertThat(store.find("u2")).isEmpty();
        assertThat(store.size("default")).isEqualTo(1);
    }

    @Test
    void aDelayedJobWaitsInTheScheduledSetUntilDue() {
        var enqueued = store.enqueue("d", "default", "noop", "{}", 5, 60, Duration.ofMillis(400), null, null);
        assertThat(enqueued.state()).isEqualTo(JobState.SCHEDULED);
        assertThat(store.promoteDue(100)).isZero();
        assertThat(store.fetch("default", "w1", 1)).isEmpty();
        await().atMost(Duration.ofSeconds(5)).until(() -> store.promoteDue(100) == 1);
        assertThat(store.find("d").orElseThrow().state()).isEqualTo(JobState.QUEUED);
        assertThat(store.fetch("default", "w1", 1)).extracting(FetchedJob::id).containsExactly("d");
    }

    @Test
    void aFailingJobIsRetriedUntilItsLastAttemptThenDead() {
        store.enqueue("f", "default", "noop", "{}", 3, 60, Duration.ZERO, null, null);
        for (int attempt = 1; attempt <= 3; attempt++) {
            var fetched = store.fetch("default", "w1", 1);
            assertThat(fetched).singleElement().extracting(FetchedJob::attempt).isEqualTo(attempt);
            var outcome = store.fail("w1", "default", "f", "boom " + attempt, Duration.ZERO, false).orElseThrow();
            assertThat(outcome).isEqualTo(attempt < 3 ? JobState.RETRYING : JobState.DEAD);
            assertThat(store.find("f").orElseThrow().error()).isEqualTo("boom " + attempt);
            store.promoteDue(10);
        }
        assertThat(redis.client().getScoredSortedSet(store.keys().of("default").dead(), StringCodec.INSTANCE).contains("f")).isTrue();
        assertThat(store.fetch("default", "w1", 1)).isEmpty();
        assertThat(store.pending("w1")).isZero();
    }

    @Test
    void aJobThatSucceedsOnItsSecondAttemptKeepsNoErrorAndLeavesNoCountBehind() {
        store.enqueue("s", "default", "noop", "{}", 3, 60, Duration.ZERO, null, null);
        assertThat(store.fetch("default", "w1", 1)).singleElement().extracting(FetchedJob::hadError).isEqualTo(false);
        store.fail("w1", "default", "s", "once", Duration.ZERO, false);
        store.promoteDue(10);
        var second = store.fetch("default", "w1", 1);
        assertThat(second).singleElement().extracting(FetchedJob::attempt).isEqualTo(2);
        assertThat(second.getFirst().hadError()).as("the first attempt's error is on it").isTrue();
        assertThat(stats("default").running()).isEqualTo(1);

        assertThat(store.completeMany("w1", List.of(new RedisJobStore.Completion("default", "s", "{\"ok\":true}", second.getFirst().hadError()))))
                .isEqualTo(1);

        var job = store.find("s").orElseThrow();
        assertThat(job.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(job.error()).isNull();
        assertThat(job.attempts()).isEqualTo(2);
        var counts = stats("default");
        assertThat(counts.running()).isZero();
        assertThat(counts.retrying()).isZero();
        assertThat(counts.scheduled()).isZero();
    }

    @Test
    void aRetryWaitsForItsBackoff() {
        enqueue("b", "{}");
        store.fetch("default", "w1", 1);
        store.fail("w1", "default", "b", "later", Duration.ofSeconds(30), false);
        assertThat(store.promoteDue(10)).isZero();
        assertThat(store.find("b").orElseThrow().state()).isEqualTo(JobState.RETRYING);
    }

    @Test
    void thePendingJobsOfAWorkerWhoseHeartbeatExpiredGoBackToTheFrontOfTheQueue() throws Exception {
        for (int i = 0; i < 4; i++) {
            enqueue("r" + i, "{}");
        }
        // long enough to be alive still at the first look on a loaded machine
        store.heartbeat("dying", Duration.ofSeconds(3));
        store.heartbeat("alive", Duration.ofMinutes(1));
        assertThat(store.fetch("default", "dying", 2)).extracting(FetchedJob::id).containsExactly("r0", "r1");
        assertThat(store.fetch("default", "alive", 1)).extracting(FetchedJob::id).containsExactly("r2");
        assertThat(store.reapExpiredWorkers()).as("still alive").isZero();
        var reaped = new AtomicInteger();
        await().atMost(Duration.ofSeconds(15)).until(() -> reaped.addAndGet(store.reapExpiredWorkers()) >= 2);
        assertThat(reaped.get()).as("the dying worker's two jobs, once").isEqualTo(2);
        assertThat(store.pending("dying")).isZero();
        assertThat(store.pending("alive")).isEqualTo(1);
        assertThat(store.find("r0").orElseThrow().state()).isEqualTo(JobState.QUEUED);
        // re-queued first, oldest first, and their next run counts as another attempt
        var again = store.fetch("default", "alive", 3);
        assertThat(again).extracting(FetchedJob::id).containsExactly("r0", "r1", "r3");
        assertThat(again.getFirst().attempt()).isEqualTo(2);
        assertThat(store.complete("dying", "default", "r0", "null")).as("the dead worker's late ack").isFalse();
    }

    @Test
    void aBlockingFetchWaitsForTheNextJobAndStartsIt() throws Exception {
        var waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return store.fetchBlocking("default", "idle", Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(300);
        assertThat(waiting).isNotDone();
        enqueue("b1", "{\"x\":1}");
        var job = waiting.get(5, TimeUnit.SECONDS).orElseThrow();
        assertThat(job.id()).isEqualTo("b1");
        assertThat(job.payload()).isEqualTo("{\"x\":1}");
        assertThat(job.attempt()).isEqualTo(1);
        assertThat(store.find("b1").orElseThrow().state()).isEqualTo(JobState.RUNNING);
        assertThat(store.pending("idle")).isEqualTo(1);
        assertThat(stats("default").running()).as("counted as running once").isEqualTo(1);
        assertThat(store.fetchBlocking("default", "idle", Duration.ofSeconds(1))).as("nothing more").isEmpty();
        store.pause("default");
        enqueue("b2", "{}");
        assertThat(store.fetchBlocking("default", "idle", Duration.ofSeconds(1))).as("paused").isEmpty();
        assertThat(store.size("default")).isEqualTo(1);
    }

    @Test
    void aPausedQueueHandsOutNothing() {
        enqueue("p", "{}");
        store.pause("default");
        assertThat(store.fetch("default", "w1", 5)).isEmpty();
        store.resume("default");
        assertThat(store.fetch("default", "w1", 5)).hasSize(1);
    }

    @Test
    void cancellingRemovesAQueuedOrScheduledJobAndFlagsARunningOne() {
        enqueue("q", "{}");
        store.enqueue("s", "default", "noop", "{}", 5, 60, Duration.ofMinutes(5), null, null);
        enqueue("running", "{}");
        assertThat(store.cancel("q", Duration.ofHours(1))).contains(JobState.QUEUED);
        assertThat(store.cancel("s", Duration.ofHours(1))).contains(JobState.SCHEDULED);
        assertThat(store.find("q").orElseThrow().state()).isEqualTo(JobState.CANCELLED);
        assertThat(store.find("s").orElseThrow().state()).isEqualTo(JobState.CANCELLED);
        assertThat(store.fetch("default", "w1", 5)).extracting(FetchedJob::id).containsExactly("running");
        assertThat(store.cancel("running", Duration.ofHours(1))).contains(JobState.RUNNING);
        assertThat(redis.client().getMap(store.keys().of("default").job("running"), StringCodec.INSTANCE).get("cancelRequested")).isEqualTo("1");
        assertThat(store.cancel("q", Duration.ofHours(1))).as("already final").contains(JobState.CANCELLED);
        assertThat(store.cancel("never", Duration.ofHours(1))).isEmpty();
        assertThat(store.promoteDue(10)).isZero();
    }

    @Test
    void thePerQueueCountsFollowEveryMoveOfAJob() {
        store.enqueue("later", "mail", "noop", "{}", 5, 60, Duration.ofMinutes(5), null, null);
        store.enqueue("a", "mail", "noop", "{}", 1, 60, Duration.ZERO, null, null);
        store.enqueue("b", "mail", "noop", "{}", 2, 60, Duration.ZERO, null, null);
        store.enqueue("c", "mail", "noop", "{}", 2, 60, Duration.ZERO, null, null);
        store.enqueue("other", "default", "noop", "{}", 5, 60, Duration.ZERO, null, null);
        assertThat(stats("mail")).usingRecursiveComparison().ignoringFields("latency").isEqualTo(new QueueStats("mail", 3, null, false, 0, 1, 0, 0, 0));
        assertThat(stats("mail").latency()).isNotNull().matches(d -> !d.isNegative());

        assertThat(store.fetch("mail", "w1", 3)).hasSize(3);
        assertThat(stats("mail").running()).isEqualTo(3);
        assertThat(stats("mail").size()).isZero();
        assertThat(stats("mail").latency()).as("an empty queue has no oldest job").isNull();

        store.fail("w1", "mail", "a", "boom", Duration.ZERO, false); // its only attempt: dead
        store.fail("w1", "mail", "b", "boom", Duration.ofMinutes(1), false); // retrying
        store.completeMany("w1", List.of(new RedisJobStore.Completion("mail", "c", "1")));
        assertThat(stats("mail")).usingRecursiveComparison().ignoringFields("latency").isEqualTo(new QueueStats("mail", 0, null, false, 0, 1, 1, 1, 0));

        store.cancel("later", Duration.ofHours(1));
        assertThat(store.runNow("b")).isTrue();
        assertThat(stats("mail")).usingRecursiveComparison().ignoringFields("latency").isEqualTo(new QueueStats("mail", 1, null, false, 0, 0, 0, 1, 0));
        assertThat(store.fetch("mail", "w2", 5)).extracting(FetchedJob::id).containsExactly("b");
        assertThat(store.requeue("w2")).isEqualTo(1);
        assertThat(stats("mail").running()).isZero();
        assertThat(stats("mail").size()).isEqualTo(1);
        store.pause("mail");
        assertThat(stats("mail").paused()).isTrue();
        assertThat(stats("default")).usingRecursiveComparison().ignoringFields("latency").isEqualTo(new QueueStats("default", 1, null, false, 0, 0, 0, 0, 0));
        assertThat(store.queueStats()).extracting(QueueStats::queue).containsExactly("default", "mail");
    }

    @Test
    void aDeadJobIsRetriedWithAllItsAttemptsOrDeleted() {
        enqueue("x", "{}");
        enqueue("y", "{}");
        store.fetch("default", "w1", 2);
        store.fail("w1", "default", "x", "poison", Duration.ZERO, true);
        store.fail("w1", "default", "y", "poison", Duration.ZERO, true);
        assertThat(store.dead(0, 10)).extracting(ListedJob::id).containsExactly("y", "x");
        assertThat(store.dead(0, 10).get(0).error()).isEqualTo("poison");
        assertThat(store.deadCount()).isEqualTo(2);

        assertThat(store.retryDead("x")).isTrue();
        assertThat(store.retryDead("x")).as("no longer dead").isFalse();
        var again = store.fetch("default", "w1", 1);
        assertThat(again).singleElement().satisfies(j -> {
            assertThat(j.id()).isEqualTo("x");
            assertThat(j.attempt()).as("all its attempts again").isEqualTo(1);
        });
        assertThat(store.deleteDead("y")).isTrue();
        assertThat(store.find("y")).isEmpty();
        assertThat(store.deleteDead("y")).isFalse();
        assertThat(store.deleteDead("x")).as("x is running, not dead").isFalse();
        assertThat(stats("default").dead()).isZero();
        assertThat(stats("default").running()).isEqualTo(1);
    }

    @Test
    void scheduledAndRetryingJobsAreListedSoonestFirstAndCanRunNow() {
        store.enqueue("in-an-hour", "default", "noop", "{}", 5, 60, Duration.ofHours(1), null, null);
        store.enqueue("in-a-minute", "default", "noop", "{}", 5, 60, Duration.ofMinutes(1), null, null);
        enqueue("r", "{}");
        store.fetch("default", "w1", 1);
        store.fail("w1", "default", "r", "flaky", Duration.ofMinutes(30), false);
        assertThat(store.scheduled(0, 10)).extracting(ListedJob::id, ListedJob::state).containsExactly(
                Tuple.tuple("in-a-minute", JobState.SCHEDULED),
                Tuple.tuple("r", JobState.RETRYING),
                Tuple.tuple("in-an-hour", JobState.SCHEDULED));
        assertThat(store.scheduled(1, 1)).extracting(ListedJob::id).containsExactly("r");
        assertThat(store.runNow("in-an-hour")).isTrue();
        assertThat(store.find("in-an-hour").orElseThrow().state()).isEqualTo(JobState.QUEUED);
        assertThat(store.fetch("default", "w1", 5)).extracting(FetchedJob::id).containsExactly("in-an-hour");
        assertThat(store.runNow("in-an-hour")).isFalse();
    }

    @Test
    void oldAndSurplusFinishedJobsAreTrimmedSoMemoryStaysBounded() {
        for (int i = 0; i < 30; i++) {
            enqueue("ok" + i, "{}");
        }
        for (int i = 0; i < 8; i++) {
            enqueue("bad" + i, "{}");
        }
        var fetched = store.fetch("default", "w1", 38);
        assertThat(fetched).hasSize(38);
        for (int i = 0; i < 30; i++) {
            store.complete("w1", "default", "ok" + i, "1");
        }
        for (int i = 0; i < 8; i++) {
            store.fail("w1", "default", "bad" + i, "x", Duration.ZERO, true);
        }
        var keep = new RedisJobStore.Retention(Duration.ofHours(1), 10, Duration.ofDays(1), 5);
        assertThat(store.trim(keep, 7)).as("a budget per call").isEqualTo(7);
        assertThat(store.trim(keep, 1000)).isEqualTo(20 + 3 - 7);
        assertThat(store.trim(keep, 1000)).isZero();
        assertThat(redis.client().getScoredSortedSet(store.keys().of("default").done()).size()).isEqualTo(10);
        assertThat(store.find("ok0")).as("the oldest are gone").isEmpty();
        assertThat(store.find("ok29")).isPresent();
        assertThat(store.deadCount()).isEqualTo(5);
        assertThat(stats("default").dead()).isEqualTo(5);

        var byAge = new RedisJobStore.Retention(Duration.ZERO, 1000, Duration.ZERO, 1000);
        assertThat(store.trim(byAge, 1000)).isEqualTo(15);
        assertThat(stats("default").dead()).isZero();
        assertThat(redis.client().getKeys().getKeysStream(KeysScanOptions.defaults().pattern(redis.prefix() + ":*job:*")).count()).isZero();
    }

    @Test
    void aStrictUniqueKeyLetsOneEnqueueThroughEvenAfterTheJobIsGone() {
        var first = store.enqueueOnce("t1", "default", "noop", "{}", 5, 60, "cron:x:1000", Duration.ofMinutes(1));
        assertThat(first.created()).isTrue();
        redis.client().getKeys().delete(store.keys().of("default").job("t1"));
        var second = store.enqueueOnce("t2", "default", "noop", "{}", 5, 60, "cron:x:1000", Duration.ofMinutes(1));
        assertThat(second.created()).isFalse();
        assertThat(second.id()).isEqualTo("t1");
        assertThat(store.enqueueOnce("t3", "default", "noop", "{}", 5, 60, "cron:x:2000", Duration.ofMinutes(1)).created()).isTrue();
    }

    @Test
    void theCancellationOfRunningJobsIsFoundAndEndsThem() {
        enqueue("a", "{}");
        enqueue("b", "{}");
        store.fetch("default", "w1", 2);
        store.cancel("b", Duration.ofHours(1));
        assertThat(store.cancelRequested(Stream.of("a", "b", "nope").map(id -> new RedisJobStore.Held("default", id)).toList())).containsExactly("b");
        assertThat(store.cancelRunning("w1", "default", "b", Duration.ofHours(1))).isTrue();
        assertThat(store.find("b").orElseThrow().state()).isEqualTo(JobState.CANCELLED);
        assertThat(stats("default").running()).isEqualTo(1);
        assertThat(store.cancelRunning("w1", "default", "b", Duration.ofHours(1))).isFalse();
        assertThat(redis.client().getKeys().remainTimeToLive(store.keys().of("default").job("b"))).isPositive();
    }

    @Test
    void inTheDurableModeAnEnqueueIsAcknowledgedOnlyOnceEnoughReplicasHaveIt() {
        var replicas = "single".equals(TestServers.redisTopology()) ? 0 : 1; // each master's one replica on the cluster and Sentinel
        var durable = new RedisJobStore(redis.client(), new JobKeys(redis.prefix()), new RedisJobStore.ReplicaWait(1, Duration.ofSeconds(2)));
        if (replicas >= 1) {
            assertThat(durable.enqueue("d1", "default", "noop", "{}", 5, 60, Duration.ZERO, null, null).created()).isTrue();
        } else {
            assertThatThrownBy(() -> durable.enqueue("d1", "default", "noop", "{}", 5, 60, Duration.ZERO, null, null))
                    .isInstanceOf(JobsUnavailableException.class).hasMessageContaining("reached 0 of the 1 replica(s)");
        }
        var tooMany = new RedisJobStore(redis.client(), new JobKeys(redis.prefix()),
                new RedisJobStore.ReplicaWait(replicas + 1, Duration.ofMillis(300)));
        assertThatThrownBy(() -> tooMany.enqueue("d2", "default", "noop", "{}", 5, 60, Duration.ZERO, "d2", Duration.ofMinutes(1)))
                .isInstanceOf(JobsUnavailableException.class)
                .hasMessageContaining("reached " + replicas + " of the " + (replicas + 1) + " replica(s) required within 300 ms; the job may be enqueued");
        assertThat(store.enqueue("d2-again", "default", "noop", "{}", 5, 60, Duration.ZERO, "d2", Duration.ofMinutes(1)).id())
                .as("sent again under its unique key, the enqueue finds the job the master kept").isEqualTo("d2");
        assertThatThrownBy(() -> new RedisJobStore.ReplicaWait(1, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void whatSpansTheQueuesSeesTheJobsOfEveryQueue() throws Exception {
        store.enqueue("m1", "mail", "noop", "{}", 1, 60, Duration.ZERO, null, null);
        store.enqueue("m2", "mail", "noop", "{}", 5, 60, Duration.ZERO, null, null);
        store.enqueue("d1", "default", "noop", "{}", 1, 60, Duration.ZERO, null, null);
        store.enqueue("later-mail", "mail", "noop", "{}", 5, 60, Duration.ofMinutes(2), null, null);
        store.enqueue("later-default", "default", "noop", "{}", 5, 60, Duration.ofMinutes(1), null, null);
        assertThat(store.queueNames()).containsExactly("default", "mail");
        assertThat(store.find("m1").orElseThrow().queue()).as("found by id alone").isEqualTo("mail");
        assertThat(store.scheduled(0, 10)).as("the soonest first, over both queues").extracting(ListedJob::id)
                .containsExactly("later-default", "later-mail");
        assertThat(store.scheduledCount()).isEqualTo(2);
        assertThat(store.runNow("later-mail")).isTrue();
        assertThat(store.cancel("later-default", Duration.ofHours(1))).contains(JobState.SCHEDULED);

        store.heartbeat("dying", Duration.ofSeconds(2));
        assertThat(store.fetch("mail", "dying", 1)).extracting(FetchedJob::id).containsExactly("m1");
        assertThat(store.fetch("default", "dying", 1)).extracting(FetchedJob::id).containsExactly("d1");
        assertThat(store.pendingJobs("dying")).containsExactlyInAnyOrder(new RedisJobStore.Held("mail", "m1"), new RedisJobStore.Held("default", "d1"));
        var reaped = new AtomicInteger();
        await().atMost(Duration.ofSeconds(15)).until(() -> reaped.addAndGet(store.reapExpiredWorkers()) >= 2);
        assertThat(reaped.get()).as("the dead worker's jobs of both queues, once").isEqualTo(2);
        assertThat(store.workers()).extracting(w -> w.name()).doesNotContain("dying");

        assertThat(store.fetch("mail", "w1", 5)).as("the re-queued job first").extracting(FetchedJob::id).containsExactly("m1", "m2", "later-mail");
        assertThat(store.fetch("default", "w1", 5)).extracting(FetchedJob::id).containsExactly("d1");
        store.fail("w1", "mail", "m1", "poison", Duration.ZERO, true);
        Thread.sleep(5); // a later death, by Redis's clock
        store.fail("w1", "default", "d1", "poison", Duration.ZERO, true);
        assertThat(store.dead(0, 10)).as("the last to die first, over both queues").extracting(ListedJob::id).containsExactly("d1", "m1");
        assertThat(store.dead(1, 10)).extracting(ListedJob::id).containsExactly("m1");
        assertThat(store.deadCount()).isEqualTo(2);
        assertThat(store.completeMany("w1", List.of(new RedisJobStore.Completion("mail", "m2", "1"),
                new RedisJobStore.Completion("mail", "later-mail", "2")))).isEqualTo(2);
        assertThat(store.processed()).isEqualTo(2);
        assertThat(store.failed()).isEqualTo(2);
        assertThat(store.retryDead("m1")).isTrue();
        assertThat(store.deleteDead("d1")).isTrue();
        assertThat(store.find("d1")).isEmpty();
        assertThat(store.size("mail")).isEqualTo(1);
    }

    @Test
    void eachQueueKeepsItsKeysInOneSlotAndQueuesSpreadOverSlots() {
        var slots = new HashSet<Integer>();
        for (var name : List.of("default", "mail", "reports", "images", "billing", "search")) {
            var q = store.keys().of(name);
            var keys = List.of(q.job("x"), q.list(), q.pending("w"), q.unique("u"), q.scheduled(), q.dead(), q.done(), q.paused(), q.counts(), q.stats());
            assertThat(keys.stream().map(k -> k.substring(k.indexOf('{'), k.indexOf('}') + 1)).distinct()).as(name + ": one hash tag").hasSize(1);
            var tag = q.list().substring(q.list().indexOf('{') + 1, q.list().indexOf('}'));
            slots.add(CRC16.crc16(tag.getBytes(StandardCharsets.UTF_8)) % 16384); // a Redis Cluster's slot of the tag

        }
        assertThat(slots).as("six queues, six slots").hasSize(6);
    }

    private QueueStats stats(String queue) {
        return store.queueStats().stream().filter(q -> q.queue().equals(queue)).findFirst().orElseThrow();
    }

    private Enqueued enqueue(String id, String payload) {
        return store.enqueue(id, "default", "noop", payload, 5, 60, Duration.ZERO, null, null);
    }
}

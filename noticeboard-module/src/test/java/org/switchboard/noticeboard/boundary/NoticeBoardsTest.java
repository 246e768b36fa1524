package org.switchboard.noticeboard.boundary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.switchboard.channels.Channels;
import org.switchboard.noticeboard.control.BoardKeys;
import org.switchboard.noticeboard.control.BoardWatchers;
import org.switchboard.noticeboard.control.RedisBoardStore;
import org.switchboard.noticeboard.entity.Board;
import org.switchboard.noticeboard.entity.WatchOutcome;
import org.switchboard.testkit.RedisKeys;
import org.switchboard.testkit.TestServers;

/** The notice boards against a real Redis. Each test has its own key prefix. */
class NoticeBoardsTest {

    @RegisterExtension
    final RedisKeys redis = new RedisKeys();
    BoardWatchers watchers;
    NoticeBoards boards;
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @BeforeEach
    void boards() {
        var store = new RedisBoardStore(redis.client(), redis.prefix());
        watchers = new BoardWatchers(store);
        boards = new NoticeBoards(store, watchers, meters);
    }

    @AfterEach
    void clean() {
        if (watchers != null) { // null when the topology's servers could not start (a skipped test)
            watchers.close();
        }
    }

    /** The replicas this run's topology has: one on the cluster (each master's) and on Sentinel, none on a single server. */
    static int replicas() {
        return "single".equals(TestServers.redisTopology()) ? 0 : 1;
    }

    @Test
    void inTheDurableModeAPostIsAcknowledgedOnlyOnceEnoughReplicasHaveIt() {
        var durable = new RedisBoardStore(redis.client(), redis.prefix(), "auto", 1, 2000);
        if (replicas() >= 1) {
            assertThat(durable.post("durable", "{\"percent\":1}").revision()).isEqualTo(1);
        } else {
            assertThatThrownBy(() -> durable.post("durable", "{\"percent\":1}")).isInstanceOf(BoardsUnavailableException.class)
                    .hasMessageContaining("reached 0 of the 1 replica(s)");
        }
        var tooMany = new RedisBoardStore(redis.client(), redis.prefix(), "auto", replicas() + 1, 300);
        assertThatThrownBy(() -> tooMany.post("durable", "{\"percent\":2}")).isInstanceOf(BoardsUnavailableException.class)
                .hasMessageContaining("reached " + replicas() + " of the " + (replicas() + 1) + " replica(s) required within 300 ms");
        assertThatThrownBy(() -> new RedisBoardStore(redis.client(), redis.prefix(), "auto", 1, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aPostIsReadBackWithRevisionEpochAndTime() {
        var posted = boards.post("build-7", "{\"percent\": 40}");
        assertThat(posted.revision()).isEqualTo(1);
        assertThat(posted.epoch()).isNotBlank();
        var current = boards.current("build-7").orElseThrow();
        assertThat(current).isEqualTo(posted);
        assertThat(boards.current("never-posted")).isEmpty();
    }

    @Test
    void theMetersCountPostsWatchersAndHowEachWatchWasAnswered() throws Exception {
        boards.post("meters", "{\"n\":1}");
        var waiting = boards.watch("meters", 1, null, Duration.ofSeconds(30)).toCompletableFuture();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> meters.get("switchboard.boards.watchers").gauge().value() == 1);
        boards.post("meters", "{\"n\":2}");
        assertThat(waiting.get(10, TimeUnit.SECONDS).changed()).isTrue();
        boards.watch("meters", 2, null, Duration.ZERO).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(meters.get("switchboard.boards.posts").counter().count()).isEqualTo(2);
        assertThat(meters.get("switchboard.boards.watch.answer").tag("outcome", "changed").timer().count()).isEqualTo(1);
        assertThat(meters.get("switchboard.boards.watch.answer").tag("outcome", "unchanged").timer().count()).isEqualTo(1);
        assertThat(meters.get("switchboard.boards.wakeup.lag").timer().count()).as("the one woken by a post").isEqualTo(1);
        assertThat(meters.get("switchboard.boards.watchers").gauge().value()).isZero();
    }

    @Test
    void compareAndSetLetsExactlyOneOfTheWritersOfAVersionWin() throws Exception {
        var wins = new ConcurrentLinkedQueue<Long>(); // the revision each successful post was made on
        var refusals = new AtomicInteger();
        boards.post("cas", "{\"n\":0}");
        try (var pool = Executors.newFixedThreadPool(8)) {
            var start = new CountDownLatch(1);
            var futures = IntStream.range(0, 8).mapToObj(t -> pool.submit(() -> {
                start.await();
                for (int i = 0; i < 40; i++) {
                    var seen = boards.current("cas").orElseThrow();
                    try {
                        var posted = boards.post("cas", "{\"t\":" + t + "}", BoardPrecondition.at(seen.epoch(), seen.revision()));
                        assertThat(posted.revision()).isEqualTo(seen.revision() + 1);
                        wins.add(seen.revision());
                    } catch (BoardConditionFailedException lost) {
                        assertThat(lost.current()).hasValueSatisfying(v -> assertThat(v.revision()).isGreaterThan(seen.revision()));
                        refusals.incrementAndGet();
                    }
                }
                return null;
            })).toList();
            start.countDown();
            for (var f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        }
        assertThat(wins).as("one win per version, never two").doesNotHaveDuplicates();
        assertThat(wins.size() + refusals.get()).isEqualTo(8 * 40);
        assertThat(refusals.get()).as("the writers did race").isPositive();
        assertThat(boards.current("cas").orElseThrow().revision()).as("every win is a revision, and nothing else is").isEqualTo(1 + wins.size());
    }

    @Test
    void aConditionalPostChecksExistenceAndEpochAndPostsNothingWhenItFails() {
        assertThatThrownBy(() -> boards.post("fresh", "{}", BoardPrecondition.EXISTS)).isInstanceOf(BoardConditionFailedException.class)
                .satisfies(e -> assertThat(((BoardConditionFailedException) e).current()).isEmpty());
        var first = boards.post("fresh", "{\"n\":1}", BoardPrecondition.ABSENT);
        assertThat(first.revision()).isEqualTo(1);
        assertThatThrownBy(() -> boards.post("fresh", "{\"n\":2}", BoardPrecondition.ABSENT)).isInstanceOf(BoardConditionFailedException.class)
                .satisfies(e -> assertThat(((BoardConditionFailedException) e).current())
                        .contains(new BoardPrecondition.Version(first.epoch(), 1)));
        assertThatThrownBy(() -> boards.post("fresh", "{\"n\":2}", BoardPrecondition.at("another-epoch", 1)))
                .as("the same revision of another epoch is another board").isInstanceOf(BoardConditionFailedException.class);
        assertThat(boards.current("fresh").orElseThrow().value()).isEqualTo("{\"n\":1}");
        assertThat(boards.post("fresh", "{\"n\":2}", BoardPrecondition.EXISTS).revision()).isEqualTo(2);
        assertThat(boards.post("fresh", "{\"n\":3}", BoardPrecondition.at(first.epoch(), 2)).revision()).isEqualTo(3);
    }

    @Test
    void aDeletionAnswersTheBoardsWatchersAtOnceAndALaterPostStartsANewEpoch() throws Exception {
        var before = boards.watch("gone", 0, null, Duration.ofSeconds(60)).toCompletableFuture();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> watchers.waitingCount() == 1);
        var first = boards.post("gone", "{\"deleted\":true,\"n\":1}");
        assertThat(before.get(10, TimeUnit.SECONDS).board()).as("a value that says 'deleted' is a post").isEqualTo(first);
        var watches = IntStream.range(0, 5).mapToObj(i -> boards.watch("gone", 1, first.epoch(), Duration.ofSeconds(60)).toCompletableFuture()).toList();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> watchers.waitingCount() == 5);
        assertThat(boards.delete("gone")).isTrue();
        for (var watch : watches) {
            var outcome = watch.get(10, TimeUnit.SECONDS);
            assertThat(outcome.changed()).isTrue();
            assertThat(outcome.board()).as("no board").isNull();
        }
        assertThat(boards.current("gone")).isEmpty();
        assertThat(boards.list(100)).extracting(s -> s.name()).doesNotContain("gone");
        assertThat(boards.delete("gone")).as("once").isFalse();
        var again = boards.post("gone", "{\"n\":2}");
        assertThat(again.revision()).isEqualTo(1);
        assertThat(again.epoch()).isNotEqualTo(first.epoch());
        assertThat(boards.watch("gone", 1, first.epoch(), Duration.ofSeconds(10)).toCompletableFuture().get(10, TimeUnit.SECONDS).board())
                .as("a watcher of the old epoch sees the new one").isEqualTo(again);
    }

    @Test
    void aBoardWithALeaseExpiresAfterItsLastPostAndItsWatchersLearnIt() throws Exception {
        var first = boards.post("lease", "{\"n\":1}", BoardPrecondition.NONE, Duration.ofSeconds(4));
        assertThat(first.expiresAt()).isEqualTo(first.postedAt().plusSeconds(4));
        assertThat(boards.current("lease").orElseThrow().expiresAt()).isEqualTo(first.expiresAt());
        Thread.sleep(2500);
        var renewed = boards.post("lease", "{\"n\":2}"); // keeps the board's lease, from now
        assertThat(renewed.expiresAt()).isEqualTo(renewed.postedAt().plusSeconds(4));
        var watch = boards.watch("lease", 2, renewed.epoch(), Duration.ofSeconds(60)).toCompletableFuture();
        Thread.sleep(2500); // past the first post's lease, 1.5 s before the second's
        assertThat(boards.current("lease")).as("renewed by the second post").isPresent();
        assertThat(watch).isNotDone();
        var outcome = watch.get(10, TimeUnit.SECONDS);
        assertThat(outcome.changed()).isTrue();
        assertThat(outcome.board()).as("expired").isNull();
        assertThat(boards.current("lease")).isEmpty();
        assertThat(boards.post("lease", "{\"n\":3}").expiresAt()).as("a new board, without the old one's lease").isNull();
        assertThatThrownBy(() -> boards.post("lease", "{}", BoardPrecondition.NONE, Duration.ofMillis(500)))
                .isInstanceOf(InvalidBoardRequestException.class);
        assertThatThrownBy(() -> boards.post("lease", "{}", BoardPrecondition.NONE, Duration.ofDays(31)))
                .isInstanceOf(InvalidBoardRequestException.class);
    }

    @Test
    void theWatchersOfALeasedBoardLearnItsEndFromOneLookAtIt() throws Exception {
        var reads = new AtomicInteger();
        var store = new RedisBoardStore(redis.client(), redis.prefix()) {
            @Override
            public CompletableFuture<Optional<Board>> read(String name) {
                reads.incrementAndGet();
                return super.read(name);
            }
        };
        var counted = new BoardWatchers(store);
        try {
            var posted = boards.post("leased", "{\"n\":1}", BoardPrecondition.NONE, Duration.ofSeconds(2));
            var watches = IntStream.range(0, 200)
                    .mapToObj(i -> counted.watch("leased", posted.revision(), posted.epoch(), Duration.ofSeconds(60))).toList();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> counted.waitingCount() == 200);
            var before = reads.get();
            CompletableFuture.allOf(watches.toArray(CompletableFuture[]::new)).get(15, TimeUnit.SECONDS);
            for (var watch : watches) {
                assertThat(watch.join().changed()).isTrue();
                assertThat(watch.join().board()).as("expired").isNull();
            }
            // one look just after the lease's end (another shortly after, should this node's clock run behind Redis's)
            assertThat(reads.get() - before).as("reads of the board for its 200 watchers' lease end").isBetween(1, 3);
        } finally {
            counted.close();
        }
    }

    @Test
    void concurrentPostersGetGaplessDistinctRevisions() throws Exception {
        var revisions = new ConcurrentLinkedQueue<Long>();
        try (var pool = Executors.newFixedThreadPool(8)) {
            var start = new CountDownLatch(1);
            var futures = IntStream.range(0, 8).mapToObj(t -> pool.submit(() -> {
                start.await();
                for (int i = 0; i < 50; i++) {
                    revisions.add(boards.post("race", "{\"t\":" + t + ",\"i\":" + i + "}").revision());
                }
                return null;
            })).toList();
            start.countDown();
            for (var f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        }
        assertThat(revisions).hasSize(400).doesNotHaveDuplicates();
        assertThat(revisions).containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(1, 400).mapToObj(i -> (long) i).toList());
        assertThat(boards.current("race").orElseThrow().revision()).isEqualTo(400);
    }

    @Test
    void subscribersSeePostsInRevisionOrder() throws Exception {
        var seen = new ConcurrentLinkedQueue<Long>();
        var keys = new BoardKeys(redis.prefix());
        var channels = new Channels(redis.client(), Channels.mode(redis.client(), "auto"), keys.channel(), keys::shardedChannel);
        channels.listen(message -> seen.add(RedisBoardStore.parseMessage(message).orElseThrow().revision()), carried -> { }).get(10, TimeUnit.SECONDS);
        try {
            for (int i = 0; i < 100; i++) {
                boards.post("ordered", String.valueOf(i));
            }
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 100);
            assertThat(List.copyOf(seen)).containsExactlyElementsOf(IntStream.rangeClosed(1, 100).mapToObj(i -> (long) i).toList());
        } finally {
            channels.close();
        }
    }

    @Test
    void aWatcherBehindIsAnsweredAtOnce() throws Exception {
        boards.post("b", "1");
        boards.post("b", "2");
        var outcome = watch("b", 1, null, Duration.ofSeconds(30));
        assertThat(outcome.changed()).isTrue();
        assertThat(outcome.board().revision()).isEqualTo(2);
        assertThat(outcome.board().value()).isEqualTo("2");
    }

    @Test
    void aWatcherUpToDateWaitsAndIsWokenByTheNextPost() throws Exception {
        var first = boards.post("b", "\"first\"");
        var pending = boards.watch("b", first.revision(), first.epoch(), Duration.ofSeconds(30)).toCompletableFuture();
        Thread.sleep(300);
        assertThat(pending).as("nothing new yet").isNotDone();
        boards.post("b", "\"second\"");
        var outcome = pending.get(10, TimeUnit.SECONDS);
        assertThat(outcome.changed()).isTrue();
        assertThat(outcome.board().revision()).isEqualTo(2);
        assertThat(outcome.board().value()).isEqualTo("\"second\"");
    }

    @Test
    void aWatchThatTimesOutAnswersTheUnchangedValue() throws Exception {
        var first = boards.post("quiet", "{\"percent\":10}");
        var outcome = watch("quiet", first.revision(), first.epoch(), Duration.ofMillis(500));
        assertThat(outcome.changed()).isFalse();
        assertThat(outcome.board()).isEqualTo(first);
    }

    @Test
    void timeoutsAreCappedAndGetUpToASixteenthOfJitter() {
        var random = new Random(42);
        var waits = IntStream.range(0, 2000).mapToObj(i -> NoticeBoards.jittered(Duration.ofSeconds(32), random)).toList();
        assertThat(waits).allSatisfy(w -> assertThat(w).isBetween(Duration.ofSeconds(32), Duration.ofSeconds(34)));
        assertThat(waits.stream().distinct().count()).as("spread, not one instant").isGreaterThan(1000);
        assertThat(NoticeBoards.jittered(Duration.ofHours(1), random))
                .isBetween(NoticeBoards.MAX_WAIT, NoticeBoards.MAX_WAIT.plus(NoticeBoards.MAX_WAIT.dividedBy(16)));
    }

    @Test
    void aCursorFromTheFutureIsAnsweredAtOnce() throws Exception {
        boards.post("b", "1");
        var outcome = watch("b", 7, null, Duration.ofSeconds(30));
        assertThat(outcome.changed()).isTrue();
        assertThat(outcome.board().revision()).isEqualTo(1);
    }

    @Test
    void anotherEpochIsAnsweredAtOnce() throws Exception {
        var first = boards.post("b", "1");
        var outcome = watch("b", first.revision(), "an-older-epoch", Duration.ofSeconds(30));
        assertThat(outcome.changed()).isTrue();
        assertThat(outcome.board().epoch()).isEqualTo(first.epoch());
    }

    @Test
    void aBoardLostByRedisStartsANewEpochAndOldCursorsAreAnswered() throws Exception {
        boards.post("b", "1");
        var old = boards.post("b", "2");
        redis.client().getKeys().delete(new BoardKeys(redis.prefix()).board("b"));

        var gone = watch("b", old.revision(), old.epoch(), Duration.ofSeconds(30));
        assertThat(gone.changed()).isTrue();
        assertThat(gone.board()).as("nothing there any more").isNull();

        var fresh = boards.post("b", "3");
        assertThat(fresh.revision()).isEqualTo(1);
        assertThat(fresh.epoch()).isNotEqualTo(old.epoch());
        var outcome = watch("b", 1, old.epoch(), Duration.ofSeconds(30));
        assertThat(outcome.changed()).as("same revision number, another epoch").isTrue();
        assertThat(outcome.board().value()).isEqualTo("3");
    }

    @Test
    void aWatcherOfANeverPostedBoardWaitsForTheFirstPost() throws Exception {
        var pending = boards.watch("new", 0, null, Duration.ofSeconds(30)).toCompletableFuture();
        Thread.sleep(200);
        assertThat(pending).isNotDone();
        boards.post("new", "true");
        assertThat(pending.get(10, TimeUnit.SECONDS).board().revision()).isEqualTo(1);
    }

    @Test
    void noPostIsMissedWhenItRacesTheRegistration() throws Exception {
        var outcomes = new ArrayList<CompletableFuture<WatchOutcome>>();
        try (var pool = Executors.newFixedThreadPool(4)) {
            for (int i = 0; i < 300; i++) {
                var board = "race-" + i;
                var before = boards.post(board, "0");
                var go = new CountDownLatch(1);
                var watcher = pool.submit(() -> {
                    go.await();
                    return boards.watch(board, before.revision(), before.epoch(), Duration.ofSeconds(20)).toCompletableFuture();
                });
                pool.submit(() -> {
                    go.await();
                    return boards.post(board, "1");
                });
                go.countDown();
                outcomes.add(watcher.get(10, TimeUnit.SECONDS));
            }
            for (var outcome : outcomes) {
                var result = outcome.get(30, TimeUnit.SECONDS);
                assertThat(result.changed()).as("the racing post woke the watcher").isTrue();
                assertThat(result.board().revision()).isEqualTo(2);
            }
        }
    }

    @Test
    void aWatcherSurvivesARedisRestart() throws Exception {
        var first = boards.post("restart", "1");
        var pending = boards.watch("restart", first.revision(), first.epoch(), Duration.ofSeconds(90)).toCompletableFuture();
        Thread.sleep(200);
        var server = TestServers.redis();
        server.stop();
        server.start();
        Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> boards.post("restart", "2") != null);
        var outcome = pending.get(30, TimeUnit.SECONDS);
        assertThat(outcome.changed()).isTrue();
        assertThat(outcome.board().revision()).isGreaterThanOrEqualTo(2);
        assertThat(outcome.board().epoch()).as("the append-only file kept the board").isEqualTo(first.epoch());
    }

    @Test
    void badInputIsRefusedAndNothingIsStored() {
        assertThatThrownBy(() -> boards.post("no spaces", "1")).isInstanceOf(InvalidBoardRequestException.class)
                .extracting(e -> ((InvalidBoardRequestException) e).field()).isEqualTo("board");
        assertThatThrownBy(() -> boards.post("x".repeat(129), "1")).isInstanceOf(InvalidBoardRequestException.class);
        assertThatThrownBy(() -> boards.post("../etc", "1")).isInstanceOf(InvalidBoardRequestException.class);
        for (var bad : List.of("", "{", "{\"a\":1} trailing", "not json", "'single'", "[1,2", "{\"a\":1,\"a\":2}", "[{\"b\":{\"c\":1,\"c\":1}}]")) {
            assertThatThrownBy(() -> boards.post("valid", bad)).as(bad).isInstanceOf(InvalidBoardRequestException.class)
                    .extracting(e -> ((InvalidBoardRequestException) e).field()).isEqualTo("value");
        }
        var deep = "[".repeat(20_000) + "]".repeat(20_000);
        assertThatThrownBy(() -> boards.post("valid", deep)).as("nested beyond the parser's limit, within 64 KiB")
                .isInstanceOf(InvalidBoardRequestException.class);
        var big = "\"" + "x".repeat(NoticeBoards.MAX_VALUE_BYTES) + "\"";
        assertThatThrownBy(() -> boards.post("valid", big)).hasMessageContaining("64 KiB");
        assertThat(boards.current("valid")).isEmpty();
        assertThat(boards.list(10)).isEmpty();
        assertThatThrownBy(() -> boards.watch("valid", -1, null, Duration.ofSeconds(1))).isInstanceOf(InvalidBoardRequestException.class);
    }

    @Test
    void theListShowsBoardsWithTheirRevisions() {
        boards.post("a", "1");
        boards.post("b", "1");
        boards.post("b", "2");
        var list = boards.list(10);
        assertThat(list).extracting(s -> s.name() + "@" + s.revision()).containsExactlyInAnyOrder("a@1", "b@2");
    }

    private WatchOutcome watch(String board, long after, String epoch, Duration wait) throws Exception {
        return boards.watch(board, after, epoch, wait).toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

}

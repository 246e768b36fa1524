package org.switchboard.noticeboard.boundary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.switchboard.noticeboard.control.BoardKeys;
import org.switchboard.noticeboard.control.BoardWatchers;
import org.switchboard.noticeboard.control.RedisBoardStore;
import org.switchboard.noticeboard.entity.Board;
import org.switchboard.testkit.RedisFailover;

/**
 * Notice boards through a failover of a Redis Cluster and of a Sentinel set: the master that holds the board is killed
 * (SIGKILL) while its watchers wait; its replica takes over. A post made meanwhile either succeeds or
 * is refused as unavailable (503 at the API), never anything else, and every watcher is woken with
 * the board's latest revision.
 */
class BoardsFailoverTest {

    static final List<RedisFailover> TOPOLOGIES = RedisFailover.both();

    @ParameterizedTest(name = "{0}")
    @FieldSource("TOPOLOGIES")
    void everyWatcherIsWokenWithTheLatestRevisionAcrossAFailoverOfTheBoardsMaster(RedisFailover topology) throws Exception {
        var client = topology.redisson();
        var prefix = "failover-" + UUID.randomUUID();
        var store = new RedisBoardStore(client, prefix);
        var watchers = new BoardWatchers(store);
        var boards = new NoticeBoards(store, watchers, new SimpleMeterRegistry());
        try {
            boards.post("progress", "{\"percent\":1}");
            var waiting = IntStream.range(0, 20).mapToObj(i -> boards.watch("progress", 1, null, Duration.ofSeconds(90)).toCompletableFuture()).toList();
            await().atMost(Duration.ofSeconds(10)).until(() -> watchers.waitingCount() == 20);

            topology.killMasterOf(new BoardKeys(prefix).board("progress"));
            var start = System.nanoTime();
            var unavailable = 0;
            BoardsUnavailableException last = null;
            Board posted = null;
            while (posted == null && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(60)) {
                try {
                    posted = boards.post("progress", "{\"percent\":2}");
                } catch (BoardsUnavailableException e) {
                    last = e;
                    unavailable++;
                    Thread.sleep(100);
                }
            }
            var took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(posted).as("a post succeeds once the replica has taken over; refused %d times, last: %s", unavailable, last).isNotNull();
            var latest = boards.current("progress").orElseThrow();
            System.out.printf(topology + ", failover of the board's master: the post succeeded after %d ms, %d attempt(s) refused as unavailable before; "
                    + "revision %d, epoch %s (was %s)%n", took.toMillis(), unavailable, latest.revision(), latest.epoch(), posted.epoch());
            assertThat(latest.revision()).isGreaterThanOrEqualTo(posted.revision());
            for (var watch : waiting) {
                var outcome = watch.get(60, TimeUnit.SECONDS);
                assertThat(outcome.changed()).isTrue();
                assertThat(outcome.board().revision()).as("woken with the latest revision").isEqualTo(latest.revision());
                assertThat(outcome.board().value()).contains("\"percent\":2");
            }
        } finally {
            watchers.close();
            client.shutdown();
        }
    }
}

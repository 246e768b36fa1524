package org.switchboard.channels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.switchboard.testkit.TestServers;

/** The channels on the topology of the run: classic on a single server, sharded on a Redis Cluster. */
class ChannelsTest {

    @Test
    void autoIsShardedOnAClusterAndClassicElsewhere() {
        var expected = "cluster".equals(TestServers.redisTopology()) ? Channels.Mode.SHARDED : Channels.Mode.CLASSIC;
        assertThat(Channels.mode(TestServers.redisson(), "auto")).isEqualTo(expected);
        assertThat(Channels.mode(TestServers.redisson(), null)).isEqualTo(expected);
        assertThat(Channels.mode(TestServers.redisson(), " Classic ")).isEqualTo(Channels.Mode.CLASSIC);
        assertThatThrownBy(() -> Channels.mode(TestServers.redisson(), "fast")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("switchboard.redis.pubsub");
    }

    @Test
    void everyMessageReachesEveryListenerAndTheMessagesOfAKeyKeepTheirOrder() throws Exception {
        var prefix = "channels-" + UUID.randomUUID();
        var mode = Channels.mode(TestServers.redisson(), "auto");
        try (var publisher = channels(prefix, mode); var first = channels(prefix, mode); var second = channels(prefix, mode)) {
            var got = List.of(new ConcurrentHashMap<String, List<Integer>>(), new ConcurrentHashMap<String, List<Integer>>());
            var subscriptions = new AtomicInteger();
            var listeners = List.of(first, second);
            for (int i = 0; i < 2; i++) {
                var mine = got.get(i);
                listeners.get(i).listen(message -> {
                    var parts = message.split(" ");
                    mine.computeIfAbsent(parts[0], k -> new CopyOnWriteArrayList<>()).add(Integer.parseInt(parts[1]));
                }, carried -> subscriptions.incrementAndGet()).get(10, TimeUnit.SECONDS);
            }
            var keys = IntStream.range(0, 40).mapToObj(i -> "room-" + i).toList();
            for (int n = 0; n < 50; n++) {
                for (var key : keys) {
                    publisher.publish(key, key + " " + n).toCompletableFuture().join(); // one after the other, as Redis then receives them
                }
            }
            for (var mine : got) {
                await().atMost(Duration.ofSeconds(20)).until(() -> keys.stream().allMatch(k -> mine.getOrDefault(k, List.of()).size() >= 50));
                assertThat(mine).hasSize(40).allSatisfy((key, numbers) -> assertThat(numbers).isEqualTo(IntStream.range(0, 50).boxed().toList()));
            }
            // the two listeners share their client's subscription of a channel: the first one is told of it
            assertThat(subscriptions.get()).as("told of each channel's subscription").isEqualTo(mode == Channels.Mode.SHARDED ? Channels.BUCKETS : 1);
        }
    }

    @Test
    void shardedChannelsSpreadOverTheMasters() {
        var mode = Channels.mode(TestServers.redisson(), "auto");
        assumeTrue(mode == Channels.Mode.SHARDED, "sharded on a cluster only");
        var cluster = TestServers.redisCluster();
        try (var channels = channels("spread", mode)) {
            var masters = IntStream.range(0, 200).mapToObj(i -> channels.channel("board-" + i)).distinct()
                    .map(channel -> cluster.masterOf(channel).port()).distinct().count();
            assertThat(masters).as("the channels' masters").isEqualTo(3);
            assertThat(channels.publishCommand()).isEqualTo("SPUBLISH");
        }
    }

    static Channels channels(String prefix, Channels.Mode mode) {
        return new Channels(TestServers.redisson(), mode, prefix + ":live", k -> prefix + ":live:{" + prefix + "-" + k + "}");
    }
}

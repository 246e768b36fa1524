package org.switchboard.chat.boundary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.persistence.Persistence;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.switchboard.channels.Channels;
import org.switchboard.chat.control.ChatKeys;
import org.switchboard.chat.control.ChatServers;
import org.switchboard.chat.control.ResourceLocalMessageStore;
import org.switchboard.testkit.RedisFailover;

/**
 * Chat rooms through a failover of a Redis Cluster and of a Sentinel set: the master that serves the room's live channel is
 * killed (SIGKILL) while messages are posted and read; its replica takes over. Every reader still
 * gets every message exactly once, in order.
 */
class ChatFailoverTest {

    static final List<RedisFailover> TOPOLOGIES = RedisFailover.both();

    @ParameterizedTest(name = "{0}")
    @FieldSource("TOPOLOGIES")
    void everyReaderGetsEveryMessageOnceInOrderAcrossAFailoverOfTheChannelsMaster(RedisFailover topology) throws Exception {
        var client = topology.redisson();
        var prefix = "failover-" + UUID.randomUUID();
        var emf = Persistence.createEntityManagerFactory("chat-test", Map.of(
                "jakarta.persistence.jdbc.url", "jdbc:h2:mem:chat-failover-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=20000",
                "jakarta.persistence.jdbc.user", "sa", "jakarta.persistence.jdbc.password", "",
                "jakarta.persistence.jdbc.driver", "org.h2.Driver"));
        var chat = new ChatRooms(new ChatServers(client, prefix), new ResourceLocalMessageStore(emf), Thread.ofVirtual().name("chat-failover-", 0).factory(),
                new ChatRooms.Limits(100_000, 100_000, 100_000, Duration.ofSeconds(10)), Duration.ofMillis(300), Duration.ofSeconds(30),
                new SimpleMeterRegistry());
        var readers = new ArrayList<ChatRoomsTest.Reader>();
        var open = new ArrayList<AutoCloseable>();
        var refused = 0;
        var slowest = 0L; // ms, the longest a post took to be stored, refusals included
        try {
            for (int i = 0; i < 3; i++) {
                var reader = new ChatRoomsTest.Reader(null);
                open.add(chat.follow("lobby", 0, null, reader));
                readers.add(reader);
            }
            for (int i = 1; i <= 300; i++) {
                if (i == 101) {
                    // the room's channel: the channels are sharded on a cluster
                    topology.killMasterOf(new ChatKeys(prefix).shardedChannel(Channels.bucket("lobby")));
                }
                var start = System.nanoTime();
                while (true) {
                    try {
                        chat.post("lobby", "tester", "m" + i, "127.0.0.1");
                        slowest = Math.max(slowest, (System.nanoTime() - start) / 1_000_000);
                        break;
                    } catch (ChatUnavailableException e) {
                        refused++;
                        Thread.sleep(100);
                    }
                }
            }
            var all = LongStream.rangeClosed(1, 300).boxed().toList();
            for (var reader : readers) {
                await().atMost(Duration.ofSeconds(60)).until(() -> reader.got.size() >= 300);
            }
            System.out.printf(topology + ", chat across a failover of the channel's master: 300 posted, %d posts refused meanwhile, the slowest stored "
                    + "after %d ms; each of 3 readers got %s%n", refused, slowest, readers.stream().map(r -> String.valueOf(r.got.size())).toList());
            for (var reader : readers) {
                assertThat(reader.seqs()).as("every message once, in order").isEqualTo(all);
            }
        } finally {
            for (var c : open) {
                c.close();
            }
            chat.close();
            client.shutdown();
            emf.close();
        }
    }
}

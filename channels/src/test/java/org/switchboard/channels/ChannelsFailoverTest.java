package org.switchboard.channels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.switchboard.testkit.TestServers;

/**
 * Sharded channels through a failover of a Redis Cluster: the master of a channel's slot is killed
 * (SIGKILL) and its replica takes over. The listener is subscribed again (and told, so that its owner
 * reads what it missed), and messages published after the failover reach it.
 */
class ChannelsFailoverTest {

    @Test
    void aListenerIsSubscribedAgainAfterAFailoverOfItsChannelsMaster() throws Exception {
        var cluster = TestServers.redisCluster();
        var client = cluster.redisson();
        var prefix = "failover-" + UUID.randomUUID();
        var subscriptions = new AtomicInteger();
        var roomAgain = new AtomicInteger(); // resubscriptions that name the room's channel's keys
        var got = ConcurrentHashMap.<String>newKeySet();
        try (var listener = new Channels(client, Channels.Mode.SHARDED, prefix, k -> prefix + ":{" + prefix + "-" + k + "}");
             var publisher = new Channels(client, Channels.Mode.SHARDED, prefix, k -> prefix + ":{" + prefix + "-" + k + "}")) {
            listener.listen(got::add, carried -> {
                subscriptions.incrementAndGet();
                if (carried.test("room")) {
                    roomAgain.incrementAndGet();
                }
            }).get(10, TimeUnit.SECONDS);
            var roomBefore = roomAgain.get();
            var before = subscriptions.get();
            publisher.publish("room", "before").toCompletableFuture().get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(10)).until(() -> got.contains("before"));

            cluster.masterOf(listener.channel("room")).kill();
            var start = System.nanoTime();
            var sent = 0;
            while (!got.contains("after-" + (sent - 1)) && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(60)) {
                try {
                    publisher.publish("room", "after-" + sent).toCompletableFuture().get(10, TimeUnit.SECONDS);
                    sent++;
                } catch (Exception unavailable) {
                    // the master is down until its replica takes over
                }
                Thread.sleep(200);
            }
            var took = (System.nanoTime() - start) / 1_000_000;
            await().atMost(Duration.ofSeconds(30)).until(() -> subscriptions.get() > before);
            System.out.printf("failover of a sharded channel's master: a message published after it reached the listener %d ms after the kill; "
                    + "%d resubscription(s) reported%n", took, subscriptions.get() - before);
            assertThat(got).as("a message published after the failover").anyMatch(m -> m.startsWith("after-"));
            assertThat(subscriptions.get()).as("the listener was told it was subscribed again").isGreaterThan(before);
            assertThat(roomAgain.get()).as("and told which keys to read again: the room's among them").isGreaterThan(roomBefore);
            assertThat(subscriptions.get() - before).as("only the channels of the killed master").isLessThan(Channels.BUCKETS);
        } finally {
            client.shutdown();
        }
    }
}

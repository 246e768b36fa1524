package org.switchboard.chat.boundary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Persistence;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.switchboard.channels.Channels;
import org.switchboard.chat.control.ChatKeys;
import org.switchboard.chat.control.ChatServers;
import org.switchboard.chat.control.MessageCodec;
import org.switchboard.chat.control.ResourceLocalMessageStore;
import org.switchboard.chat.entity.ChatMessage;
import org.switchboard.testkit.RedisKeys;
import org.switchboard.testkit.TestServers;

/**
 * Chat rooms against a real Redis and a real (H2) database: the exactly-once, in-order guarantee
 * across the switch from history to live, lost broadcasts and slow readers; limits; presence.
 */
class ChatRoomsTest {

    @RegisterExtension
    final RedisKeys redis = new RedisKeys();
    static EntityManagerFactory emf;
    String room;
    ResourceLocalMessageStore history;
    ChatRooms chat;
    final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    static void database() {
        emf = Persistence.createEntityManagerFactory("chat-test", Map.of(
                "jakarta.persistence.jdbc.url", "jdbc:h2:mem:chat-live-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=20000",
                "jakarta.persistence.jdbc.user", "sa",
                "jakarta.persistence.jdbc.password", "",
                "jakarta.persistence.jdbc.driver", "org.h2.Driver"));
    }

    @AfterAll
    static void closeDatabase() {
        emf.close();
    }

    @BeforeEach
    void chat() {
        room = "room-" + UUID.randomUUID().toString().substring(0, 8);
        history = new ResourceLocalMessageStore(emf);
        chat = rooms(1000, Duration.ofSeconds(30));
    }

    /** The meters of the rooms made last. */
    SimpleMeterRegistry meters;

    ChatRooms rooms(long rate, Duration lease) {
        return rooms(new ChatRooms.Limits(rate, 100_000, 100_000, Duration.ofSeconds(10)), lease);
    }

    ChatRooms rooms(ChatRooms.Limits limits, Duration lease) {
        meters = new SimpleMeterRegistry();
        return new ChatRooms(new ChatServers(redis.client(), redis.prefix()), history, Thread.ofVirtual().name("chat-test-", 0).factory(),
                limits, Duration.ofMillis(300), lease, meters);
    }

    @AfterEach
    void clean() throws Exception {
        for (var c : open) {
            c.close();
        }
        if (chat != null) { // null when the topology's servers could not start (a skipped test)
            chat.close();
        }
    }

    @Test
    void aReaderGetsTheHistoryThenLiveMessagesOnceInOrder() {
        post(5);
        var reader = follow(0);
        reader.awaitSeqs(5);
        post(5);
        reader.awaitSeqs(10);
        assertThat(reader.seqs()).containsExactlyElementsOf(LongStream.rangeClosed(1, 10).boxed().toList());
        assertThat(reader.texts()).containsExactly("m1", "m2", "m3", "m4", "m5", "m1", "m2", "m3", "m4", "m5");
    }

    @Test
    void aReaderStartingMidwayGetsOnlyLaterMessages() {
        post(6);
        var reader = follow(4);
        post(2);
        reader.awaitSeqs(8, 5, 6, 7, 8);
    }

    @Test
    void readersThatJoinWhilePostersPostGetEveryMessageExactlyOnce() throws Exception {
        int posters = 4;
        int each = 60;
        var readers = new CopyOnWriteArrayList<Reader>();
        try (var pool = Executors.newFixedThreadPool(posters + 1)) {
            var start = new CountDownLatch(1);
            var futures = new ArrayList<Future<?>>();
            for (int p = 0; p < posters; p++) {
                var poster = p;
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < each; i++) {
                        chat.post(room, "poster-" + poster, "p" + poster + "-" + i, "127.0.0.1");
                    }
                    return null;
                }));
            }
            futures.add(pool.submit(() -> {
                start.await();
                for (int r = 0; r < 10; r++) { // join at different points of the stream, from 0 each time
                    readers.add(follow(0));
                    Thread.sleep(15);
                }
                return null;
            }));
            start.countDown();
            for (var f : futures) {
                f.get(120, TimeUnit.SECONDS);
            }
        }
        long total = (long) posters * each;
        for (var reader : readers) {
            reader.awaitSeqs(total);
            assertThat(reader.seqs()).containsExactlyElementsOf(LongStream.rangeClosed(1, total).boxed().toList());
        }
    }

    @Test
    void readersGetEverythingWhenTheSubscriptionIsDroppedMidStream() throws Exception {
        var reader = follow(0);
        post(10);
        reader.awaitSeqs(10);
        for (int round = 0; round < 3; round++) {
            killPubSubConnections(); // Redis drops the node's subscription; messages published meanwhile are lost to it
            post(10);
        }
        reader.awaitSeqs(40);
        assertThat(reader.seqs()).containsExactlyElementsOf(LongStream.rangeClosed(1, 40).boxed().toList());
    }

    @Test
    void aCommittedMessageWhoseBroadcastWasLostStillReachesReaders() {
        var reader = follow(0);
        post(2);
        reader.awaitSeqs(2);
        // as if the posting node died between its commit and its publish
        history.append(room, "ghost", "never broadcast");
        reader.awaitSeqs(3); // found by the periodic check, with nothing after it to show the gap
        history.append(room, "ghost", "never broadcast either");
        post(1); // seq 5 arrives live: seq 4 is backfilled before it
        reader.awaitSeqs(5);
        assertThat(reader.texts()).containsExactly("m1", "m2", "never broadcast", "never broadcast either", "m1");
        assertThat(meters.get("switchboard.chat.messages.posted").counter().count()).as("posted through the rooms").isEqualTo(3);
        assertThat(meters.get("switchboard.chat.gap.messages").counter().count()).as("the two never broadcast, at least").isGreaterThanOrEqualTo(2);
        assertThat(meters.get("switchboard.chat.readers").gauge().value()).isEqualTo(1);
        assertThat(meters.get("switchboard.chat.delivery.lag").timer().count()).isPositive();
    }

    /** The chat's channels, for a test that broadcasts a message as a node would. */
    private Channels channels() {
        var keys = new ChatKeys(redis.prefix());
        return new Channels(redis.client(), Channels.mode(redis.client(), "auto"), keys.channel(), keys::shardedChannel);
    }

    @Test
    void aBroadcastAheadOfTheHistoryIsHeldBackUntilTheGapIsFilled() {
        var reader = follow(0);
        post(1);
        reader.awaitSeqs(1);
        var two = history.append(room, "a", "two");
        var three = history.append(room, "a", "three");
        channels().publish(room, MessageCodec.encode(three));
        channels().publish(room, MessageCodec.encode(two)); // late and out of order
        channels().publish(room, MessageCodec.encode(three)); // and twice
        reader.awaitSeqs(3);
        post(1);
        reader.awaitSeqs(4);
        assertThat(reader.seqs()).containsExactly(1L, 2L, 3L, 4L);
        assertThat(meters.get("switchboard.chat.duplicates.dropped").counter().count()).as("three, sent twice").isGreaterThanOrEqualTo(1);
    }

    @Test
    void aSlowReaderCatchesUpFromTheHistoryWithoutHoldingUpOthers() {
        var release = new CountDownLatch(1);
        var slow = new Reader(release);
        open.add(chat.follow(room, 0, null, slow));
        var fast = follow(0);
        int total = 5000; // more than a room keeps in memory: the slow reader catches up from SQL
        for (int i = 1; i <= total; i++) {
            history.append(room, "bulk", "b" + i);
            if (i % 100 == 0) {
                chat.post(room, "bulk", "live" + i, "127.0.0.1"); // live messages among them
            }
        }
        long last = total + total / 100;
        fast.awaitSeqs(last);
        assertThat(slow.seqs()).as("blocked in its first delivery").hasSizeLessThanOrEqualTo(500);
        release.countDown();
        slow.awaitSeqs(last);
        assertThat(slow.seqs()).containsExactlyElementsOf(LongStream.rangeClosed(1, last).boxed().toList());
    }

    @Test
    void aReaderWaitsWhileTheDatabaseIsDownAndResumesWithoutLoss() {
        var reader = follow(0);
        post(3);
        reader.awaitSeqs(3);
        var four = history.append(room, "a", "four"); // committed, and its broadcast lost
        history.down.set(true);
        var five = new ChatMessage(room, 5, "a", "five", four.postedAt());
        channels().publish(room, MessageCodec.encode(five));
        sleep(1000); // seq 5 cannot be passed on before 4, and 4 cannot be read
        assertThat(reader.seqs()).containsExactly(1L, 2L, 3L);
        history.down.set(false);
        history.append(room, "a", "five");
        reader.awaitSeqs(5);
        assertThat(reader.seqs()).containsExactly(1L, 2L, 3L, 4L, 5L);
    }

    @Test
    void anyFailureOfTheStoreIsTheDatabaseBeingUnavailable() {
        post(1);
        history.down.set(true); // fails with an exception of no driver's or provider's family
        try {
            for (Runnable call : List.<Runnable>of(() -> chat.post(room, "a", "lost?", "ip"), () -> chat.after(room, 0, 10),
                    () -> chat.before(room, 2, 10), () -> chat.message(room, 1), () -> chat.rooms(10))) {
                assertThatThrownBy(call::run).isInstanceOf(ChatUnavailableException.class).hasMessageContaining("SQL database");
            }
        } finally {
            history.down.set(false);
        }
        assertThat(chat.after(room, 0, 10)).extracting(ChatMessage::text).containsExactly("m1");
    }

    @Test
    void badInputIsRefusedAndNothingIsStored() {
        assertInvalid("room", () -> chat.post("bad room", "a", "x", "ip"));
        assertInvalid("room", () -> chat.post("r".repeat(65), "a", "x", "ip"));
        assertInvalid("author", () -> chat.post(room, "", "x", "ip"));
        assertInvalid("author", () -> chat.post(room, "a".repeat(65), "x", "ip"));
        assertInvalid("author", () -> chat.post(room, "a\nb", "x", "ip"));
        assertInvalid("text", () -> chat.post(room, "a", "", "ip"));
        assertInvalid("text", () -> chat.post(room, "a", "   ", "ip"));
        assertInvalid("text", () -> chat.post(room, "a", "x".repeat(4001), "ip"));
        assertInvalid("text", () -> chat.post(room, "a", "nul\u0000", "ip"));
        assertInvalid("text", () -> chat.post(room, "a", "lone \uD800 surrogate", "ip"));
        assertInvalid("after", () -> chat.after(room, -1, 10));
        assertInvalid("limit", () -> chat.after(room, 0, 0));
        assertThat(history.lastSeq(room)).isZero();
        // the limits are on characters: 4000 emoji (8000 UTF-16 units) and 64 accented letters pass
        var text = "🎉".repeat(4000);
        var author = "é".repeat(64);
        assertThat(chat.post(room, author, text, "ip").seq()).isEqualTo(1);
        var stored = chat.message(room, 1).orElseThrow();
        assertThat(stored.text()).isEqualTo(text);
        assertThat(stored.author()).isEqualTo(author);
    }

    @Test
    void historyPagesAreCappedAtFiveHundred() {
        for (int i = 0; i < 510; i++) {
            history.append(room, "a", "m" + i);
        }
        assertThat(chat.after(room, 0, 10_000)).hasSize(500);
        assertThat(chat.before(room, 511, 10_000)).hasSize(500).first().extracting(ChatMessage::seq).isEqualTo(11L);
    }

    @Test
    void aSenderOverTheRateIsRefusedAndNothingIsStored() {
        chat.close();
        chat = rooms(3, Duration.ofSeconds(30));
        for (int i = 0; i < 3; i++) {
            chat.post(room, "ann", "ok " + i, "10.0.0.1");
        }
        assertThatThrownBy(() -> chat.post(room, "ann", "one too many", "10.0.0.1"))
                .isInstanceOf(RateLimitedException.class)
                .satisfies(e -> assertThat(((RateLimitedException) e).retryAfter()).isEqualTo(Duration.ofSeconds(10)));
        assertThat(history.lastSeq(room)).isEqualTo(3);
        // another author from that address, or that author from another address, is another sender
        chat.post(room, "bob", "hi", "10.0.0.1");
        chat.post(room, "ann", "hi", "10.0.0.2");
        assertThat(history.lastSeq(room)).isEqualTo(5);
    }

    @Test
    void changingTheAuthorDoesNotLiftTheLimitOfTheClientNorOfTheRoom() {
        chat.close();
        chat = rooms(new ChatRooms.Limits(20, 5, 8, Duration.ofSeconds(10)), Duration.ofSeconds(30));
        for (int i = 0; i < 5; i++) {
            chat.post(room, "author-" + i, "ok " + i, "10.0.0.1");
        }
        assertThatThrownBy(() -> chat.post(room, "yet-another-name", "one too many", "10.0.0.1"))
                .isInstanceOf(RateLimitedException.class).hasMessageContaining("from one client.");
        chat.post(room, "ann", "another client", "10.0.0.2");
        chat.post(room, "ann", "another client", "10.0.0.3");
        chat.post(room, "ann", "another client", "10.0.0.4");
        assertThatThrownBy(() -> chat.post(room, "ann", "the room is full", "10.0.0.5"))
                .isInstanceOf(RateLimitedException.class).hasMessageContaining("in one room");
        chat.post("other-" + room, "ann", "another room", "10.0.0.5");
        assertThat(history.lastSeq(room)).as("nothing refused was stored").isEqualTo(8);
    }

    @Test
    void namesAreShownWithoutInvisibleCharactersAndOnlyTheAdminSignsAdmin() {
        assertThat(chat.post(room, "\u202enimda", "reversed", "10.0.0.1").author()).as("the override is dropped").isEqualTo("nimda");
        assertThat(chat.post(room, "Zoe\u0301", "composed", "10.0.0.1").author()).isEqualTo("Zo\u00e9");
        for (var spoof : List.of("admin", "ADMIN", "ad\u200bmin", " admin\u2060 ")) {
            assertThatThrownBy(() -> chat.post(room, spoof, "I am the admin", "10.0.0.1"))
                    .isInstanceOfSatisfying(InvalidChatRequestException.class, e -> assertThat(e.field()).isEqualTo("author"));
            assertThatThrownBy(() -> chat.follow(room, 0, spoof, new Reader(null)))
                    .isInstanceOfSatisfying(InvalidChatRequestException.class, e -> assertThat(e.field()).isEqualTo("name"));
        }
        assertThatThrownBy(() -> chat.post(room, "\u200b\u200b", "nobody", "10.0.0.1")).isInstanceOf(InvalidChatRequestException.class);
        assertThatThrownBy(() -> chat.post(room, "\u0430dmin", "Cyrillic a, Latin dmin", "10.0.0.1"))
                .isInstanceOf(InvalidChatRequestException.class).hasMessageContaining("look alike");
        assertThat(chat.post(room, "\u0410\u043d\u043d\u0430", "one alphabet", "10.0.0.1").author()).isEqualTo("\u0410\u043d\u043d\u0430");
        assertThat(chat.postAsAdmin(room, "admin", "the real one", "10.0.0.1").author()).isEqualTo("admin");
        assertThat(history.lastSeq(room)).as("the refused posts stored nothing").isEqualTo(4);
    }

    @Test
    void presenceShowsOpenConnectionsAndForgetsClosedOnes() throws Exception {
        var ann = chat.follow(room, 0, "ann", new Reader(null));
        var bob = chat.follow(room, 0, "bob", new Reader(null));
        var bob2 = chat.follow(room, 0, "bob", new Reader(null)); // two tabs
        assertThat(chat.present(room)).containsExactly("ann", "bob");
        bob.close();
        assertThat(chat.present(room)).containsExactly("ann", "bob");
        bob2.close();
        assertThat(chat.present(room)).containsExactly("ann");
        ann.close();
        assertThat(chat.present(room)).isEmpty();
    }

    @Test
    void theLeaseOfAConnectionWhoseNodeDiedExpires() {
        var dying = rooms(1000, Duration.ofSeconds(1));
        dying.follow(room, 0, "carol", new Reader(null));
        assertThat(chat.present(room)).containsExactly("carol");
        dying.close(); // stops renewing, like a killed node, without releasing
        await().atMost(Duration.ofSeconds(10)).until(() -> chat.present(room).isEmpty());
    }

    // ---- helpers

    private void post(int n) {
        for (int i = 1; i <= n; i++) {
            chat.post(room, "tester", "m" + i, "127.0.0.1");
        }
    }

    private Reader follow(long after) {
        var reader = new Reader(null);
        open.add(chat.follow(room, after, null, reader));
        return reader;
    }

    private static void assertInvalid(String field, Runnable call) {
        assertThatThrownBy(call::run).isInstanceOf(InvalidChatRequestException.class)
                .satisfies(e -> assertThat(((InvalidChatRequestException) e).field()).isEqualTo(field));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Sends CLIENT KILL TYPE pubsub to the test Redis: every subscriber connection is dropped. */
    private static void killPubSubConnections() throws IOException {
        var port = Integer.parseInt(TestServers.redis().url().replaceAll(".*:", ""));
        try (var socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            out.write("*4\r\n$6\r\nCLIENT\r\n$4\r\nKILL\r\n$4\r\nTYPE\r\n$6\r\npubsub\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            var reply = new StringBuilder();
            int c;
            while ((c = in.read()) != -1 && c != '\n') {
                reply.append((char) c);
            }
            assertThat(reply.toString()).startsWith(":"); // the number of connections killed
        }
    }

    /** Records what it is given; with a latch, blocks on its first message until released. */
    static final class Reader implements Follower {
        final CopyOnWriteArrayList<ChatMessage> got = new CopyOnWriteArrayList<>();
        final CountDownLatch release;

        Reader(CountDownLatch release) {
            this.release = release;
        }

        @Override
        public void deliver(List<ChatMessage> messages) throws Exception {
            got.addAll(messages);
            if (release != null) {
                release.await();
            }
        }

        List<Long> seqs() {
            return got.stream().map(ChatMessage::seq).toList();
        }

        List<String> texts() {
            return got.stream().map(ChatMessage::text).toList();
        }

        void awaitSeqs(long last, long... expected) {
            await().atMost(Duration.ofSeconds(30)).until(() -> !got.isEmpty() && got.getLast().seq() >= last);
            if (expected.length > 0) {
                assertThat(seqs()).containsExactlyElementsOf(LongStream.of(expected).boxed().toList());
            }
        }
    }
}

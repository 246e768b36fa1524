package org.switchboard.chat.control;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Persistence;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.switchboard.chat.entity.ChatMessage;

/** The message store's contract, run against each real database by a subclass. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class MessageStoreContract {

    private EntityManagerFactory emf;
    String room;

    /** The JDBC settings of the database under test. */
    abstract Map<String, Object> database();

    @BeforeEach
    void room() {
        if (emf == null) {
            emf = Persistence.createEntityManagerFactory("chat-test", database());
        }
        room = "room-" + UUID.randomUUID().toString().substring(0, 8);
        inTransaction(store -> {
            store.ensureRoom(room);
            return null;
        });
    }

    @AfterAll
    void close() {
        if (emf != null) {
            emf.close();
        }
    }

    @Test
    void concurrentWritersGetGaplessStrictlyIncreasingNumbers() throws Exception {
        var numbers = new ConcurrentLinkedQueue<Long>();
        try (var pool = Executors.newFixedThreadPool(8)) {
            var start = new CountDownLatch(1);
            var writers = IntStream.range(0, 8).mapToObj(w -> pool.submit(() -> {
                start.await();
                for (int i = 0; i < 25; i++) {
                    var text = "w" + w + "-" + i;
                    ChatMessage message = inTransaction(store -> store.append(room, "writer-" + w, text, now()));
                    numbers.add(message.seq());
                }
                return null;
            })).toList();
            start.countDown();
            for (var writer : writers) {
                writer.get(120, TimeUnit.SECONDS);
            }
        }
        assertThat(numbers).hasSize(200).doesNotHaveDuplicates();
        assertThat(numbers).containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, 200).boxed().toList());
        var stored = inTransaction(store -> store.after(room, 0, 500));
        assertThat(stored).extracting(ChatMessage::seq).containsExactlyElementsOf(LongStream.rangeClosed(1, 200).boxed().toList());
    }

    @Test
    void aRolledBackMessageLeavesNoGap() {
        var em = emf.createEntityManager();
        try {
            em.getTransaction().begin();
            assertThat(new JpaMessageStore(em).append(room, "ann", "never committed", now()).seq()).isEqualTo(1);
            em.getTransaction().rollback();
        } finally {
            em.close();
        }
        ChatMessage committed = inTransaction(store -> store.append(room, "ann", "committed", now()));
        assertThat(committed.seq()).isEqualTo(1);
    }

    @Test
    void historyPagesForwardAndBackwardBySequence() {
        for (int i = 1; i <= 10; i++) {
            var text = "m" + i;
            inTransaction(store -> store.append(room, "bob", text, now()));
        }
        assertThat(seqs(inTransaction(s -> s.after(room, 0, 4)))).containsExactly(1L, 2L, 3L, 4L);
        assertThat(seqs(inTransaction(s -> s.after(room, 4, 4)))).containsExactly(5L, 6L, 7L, 8L);
        assertThat(seqs(inTransaction(s -> s.after(room, 8, 4)))).containsExactly(9L, 10L);
        assertThat(seqs(inTransaction(s -> s.before(room, 11, 3)))).containsExactly(8L, 9L, 10L);
        assertThat(seqs(inTransaction(s -> s.before(room, 4, 10)))).containsExactly(1L, 2L, 3L);
        List<ChatMessage> none = inTransaction(s -> s.after(room, 10, 4));
        assertThat(none).isEmpty();
    }

    @Test
    void roomsNumberTheirMessagesIndependently() {
        var other = room + "-other";
        inTransaction(store -> {
            store.ensureRoom(other);
            return null;
        });
        inTransaction(store -> store.append(room, "a", "1", now()));
        inTransaction(store -> store.append(room, "a", "2", now()));
        ChatMessage first = inTransaction(store -> store.append(other, "b", "1", now()));
        assertThat(first.seq()).isEqualTo(1);
    }

    @Test
    void textIsStoredExactlyAsSent() {
        var text = "<script>alert('x')</script> & \"quotes\" ünïcödé 🎉 " + "x".repeat(3900);
        inTransaction(store -> store.append(room, "O'Brien <b>", text, now()));
        List<ChatMessage> page = inTransaction(store -> store.after(room, 0, 1));
        var stored = page.getFirst();
        assertThat(stored.text()).isEqualTo(text);
        assertThat(stored.author()).isEqualTo("O'Brien <b>");
    }

    private <T> T inTransaction(Function<JpaMessageStore, T> work) {
        return ResourceLocalMessageStore.inTransaction(emf, work);
    }

    private static List<Long> seqs(List<ChatMessage> messages) {
        return messages.stream().map(ChatMessage::seq).toList();
    }

    private static LocalDateTime now() {
        return LocalDateTime.now(ZoneOffset.UTC);
    }
}

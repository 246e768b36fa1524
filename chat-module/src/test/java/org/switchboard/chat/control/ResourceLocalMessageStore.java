package org.switchboard.chat.control;

import jakarta.persistence.EntityManagerFactory;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.switchboard.chat.entity.ChatMessage;
import org.switchboard.chat.entity.ChatRoom;

/** The history on a resource-local persistence unit, as {@code TransactionalMessageStore} does it with JTA in the container. */
public final class ResourceLocalMessageStore implements MessageStore {

    private final EntityManagerFactory emf;
    /** When set, reads fail as if the database were down. */
    public final AtomicBoolean down = new AtomicBoolean();

    public ResourceLocalMessageStore(EntityManagerFactory emf) {
        this.emf = emf;
    }

    @Override
    public ChatMessage append(String room, String author, String text) {
        try {
            inTransaction(store -> {
                store.ensureRoom(room);
                return null;
            });
        } catch (RuntimeException raced) {
            inTransaction(store -> {
                store.ensureRoom(room);
                return null;
            });
        }
        return inTransaction(store -> store.append(room, author, text, LocalDateTime.now(ZoneOffset.UTC)));
    }

    @Override
    public List<ChatMessage> after(String room, long afterSeq, int limit) {
        return inTransaction(store -> store.after(room, afterSeq, limit));
    }

    @Override
    public List<ChatMessage> before(String room, long beforeSeq, int limit) {
        return inTransaction(store -> store.before(room, beforeSeq, limit));
    }

    @Override
    public Optional<ChatMessage> find(String room, long seq) {
        return inTransaction(store -> store.find(room, seq));
    }

    @Override
    public long lastSeq(String room) {
        return inTransaction(store -> store.lastSeq(room));
    }

    @Override
    public List<ChatRoom> rooms(int limit) {
        return inTransaction(store -> store.rooms(limit));
    }

    private <T> T inTransaction(Function<JpaMessageStore, T> work) {
        if (down.get()) {
            throw new IllegalStateException("the database is down (test)");
        }
        return inTransaction(emf, work);
    }

    /** Runs {@code work} on the store in a transaction of its own, committed when it returns. */
    static <T> T inTransaction(EntityManagerFactory emf, Function<JpaMessageStore, T> work) {
        var em = emf.createEntityManager();
        try {
            em.getTransaction().begin();
            var result = work.apply(new JpaMessageStore(em));
            em.getTransaction().commit();
            return result;
        } finally {
            if (em.getTransaction().isActive()) {
                em.getTransaction().rollback();
            }
            em.close();
        }
    }
}

package org.switchboard.chat.boundary;

import jakarta.persistence.EntityManagerFactory;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.switchboard.chat.control.History;
import org.switchboard.chat.control.MessageStore;
import org.switchboard.chat.entity.ChatMessage;
import org.switchboard.chat.entity.ChatRoom;

/** The history on a resource-local persistence unit, as {@code ChatHistory} does it with JTA in the container. */
final class JpaHistory implements History {

    private final EntityManagerFactory emf;
    /** When set, reads fail as if the database were down. */
    final AtomicBoolean down = new AtomicBoolean();

    JpaHistory(EntityManagerFactory emf) {
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

    private <T> T inTransaction(Function<MessageStore, T> work) {
        if (down.get()) {
            throw new IllegalStateException("the database is down (test)");
        }
        var em = emf.createEntityManager();
        try {
            em.getTransaction().begin();
            var result = work.apply(new MessageStore(em));
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

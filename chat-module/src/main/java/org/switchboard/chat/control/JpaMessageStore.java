package org.switchboard.chat.control;

import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import org.switchboard.chat.entity.ChatMessage;
import org.switchboard.chat.entity.ChatRoom;

/**
 * The chat history in SQL. {@link #append} runs inside the caller's transaction: it locks the room's
 * counter row, takes the next number and stores the message, so the number is given out only if the
 * message commits (no gap) and two writers of one room queue on the lock (no duplicate). The same
 * code runs on H2 and PostgreSQL.
 */
public class JpaMessageStore {

    private final EntityManager em;

    public JpaMessageStore(EntityManager em) {
        this.em = em;
    }

    /** Creates the room's counter row if it is missing; run it in a transaction of its own (creations may race). */
    public void ensureRoom(String room) {
        if (em.find(ChatRoom.class, room) == null) {
            em.persist(new ChatRoom(room));
        }
    }

    /** Stores a message under the room's next sequence number. The room must exist ({@link #ensureRoom}). */
    public ChatMessage append(String room, String author, String text, LocalDateTime time) {
        var now = time.truncatedTo(ChronoUnit.MICROS); // what PostgreSQL keeps: live and stored copies agree
        var counter = em.find(ChatRoom.class, room, LockModeType.PESSIMISTIC_WRITE);
        if (counter == null) {
            throw new IllegalStateException("room " + room + " has no counter row: call ensureRoom first");
        }
        var message = new ChatMessage(room, counter.next(now), author, text, now);
        em.persist(message);
        return message;
    }

    /** Messages with a sequence number above {@code afterSeq}, ascending: keyset paging forwards. */
    public List<ChatMessage> after(String room, long afterSeq, int limit) {
        return em.createQuery("select m from ChatMessage m where m.room = :room and m.seq > :seq order by m.seq", ChatMessage.class)
                .setParameter("room", room).setParameter("seq", afterSeq).setMaxResults(limit).getResultList();
    }

    /** The {@code limit} messages just below {@code beforeSeq}, ascending: keyset paging backwards. */
    public List<ChatMessage> before(String room, long beforeSeq, int limit) {
        var newestFirst = em.createQuery("select m from ChatMessage m where m.room = :room and m.seq < :seq order by m.seq desc", ChatMessage.class)
                .setParameter("room", room).setParameter("seq", beforeSeq).setMaxResults(limit).getResultList();
        return newestFirst.reversed();
    }

    /** The room's last sequence number, 0 for a room that has none: also its message count, numbers being gapless. */
    public long lastSeq(String room) {
        var counter = em.find(ChatRoom.class, room);
        return counter == null ? 0 : counter.lastSeq();
    }

    /** One message by its number. */
    public Optional<ChatMessage> find(String room, long seq) {
        return em.createQuery("select m from ChatMessage m where m.room = :room and m.seq = :seq", ChatMessage.class)
                .setParameter("room", room).setParameter("seq", seq).getResultStream().findFirst();
    }

    /** The rooms, most recently active first. */
    public List<ChatRoom> rooms(int limit) {
        return em.createQuery("select r from ChatRoom r order by r.lastActivity desc, r.name", ChatRoom.class)
                .setMaxResults(limit).getResultList();
    }
}

package org.switchboard.chat.entity;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.LocalDateTime;

/**
 * A room's counter row: the last sequence number given out and the time of the last message. A
 * message takes the next number under a write lock on this row, in the transaction that stores it,
 * so numbers are gapless and strictly increasing per room.
 */
@Entity
@Table(name = "chat_room")
@Cacheable(false) // other nodes move the counter: read it from the database every time
public class ChatRoom {

    @Id
    @Column(length = 64)
    private String name;

    @Column(name = "last_seq", nullable = false)
    private long lastSeq;

    /** {@code LocalDateTime} in UTC: H2 2.x maps {@code Instant} to a blob. */
    @Column(name = "last_activity")
    private LocalDateTime lastActivity;

    protected ChatRoom() {
        // for Jakarta Persistence
    }

    public ChatRoom(String name) {
        this.name = name;
    }

    /** Takes the next sequence number; the caller holds the row's write lock. */
    public long next(LocalDateTime now) {
        lastSeq++;
        lastActivity = now;
        return lastSeq;
    }

    public String name() {
        return name;
    }

    public long lastSeq() {
        return lastSeq;
    }

    public LocalDateTime lastActivity() {
        return lastActivity;
    }
}

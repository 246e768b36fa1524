package org.switchboard.chat.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;
import jakarta.persistence.UniqueConstraint;
import java.time.LocalDateTime;

/** A stored chat message: the room's sequence number is its identity for readers. */
@Entity
@Table(name = "chat_message", // the schema is META-INF/chat-schema.sql
        uniqueConstraints = @UniqueConstraint(name = "chat_message_room_seq", columnNames = {"room", "seq"}))
public class ChatMessage {

    /** SEQUENCE, not IDENTITY: EclipseLink's IDENTITY SQL is refused by H2 2.x. */
    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "chat_message_id")
    @SequenceGenerator(name = "chat_message_id", sequenceName = "chat_message_id_seq", allocationSize = 50)
    private Long id;

    @Column(length = 64, nullable = false)
    private String room;

    @Column(nullable = false)
    private long seq;

    /** Up to 64 characters (code points): 128 UTF-16 units. */
    @Column(length = 128, nullable = false)
    private String author;

    /** Up to 4000 characters (code points): H2 counts UTF-16 units, hence 8000. */
    @Column(length = 8000, nullable = false)
    private String text;

    @Column(name = "posted_at", nullable = false)
    private LocalDateTime postedAt;

    protected ChatMessage() {
        // for Jakarta Persistence
    }

    public ChatMessage(String room, long seq, String author, String text, LocalDateTime postedAt) {
        this.room = room;
        this.seq = seq;
        this.author = author;
        this.text = text;
        this.postedAt = postedAt;
    }

    public String room() {
        return room;
    }

    public long seq() {
        return seq;
    }

    public String author() {
        return author;
    }

    public String text() {
        return text;
    }

    public LocalDateTime postedAt() {
        return postedAt;
    }
}

package org.switchboard.chat.boundary;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.switchboard.chat.control.MessageStore;
import org.switchboard.chat.entity.ChatMessage;

/**
 * The chat history, in-process: store a message under the room's next number, read it back by
 * sequence. Broadcasting through Redis comes on top of this (after the commit).
 */
@ApplicationScoped
public class ChatHistory {

    @PersistenceContext(unitName = "switchboard-chat")
    EntityManager em;

    /** This bean's own proxy, so that calls between its methods get their transactions. */
    @Inject
    ChatHistory self;

    /** Stores the message; the room's counter row is created first, in a transaction of its own. */
    public ChatMessage append(String room, String author, String text) {
        try {
            self.ensureRoom(room);
        } catch (RuntimeException raced) {
            self.ensureRoom(room); // another node created the row at the same moment: it exists now
        }
        return self.appendToExisting(room, author, text);
    }

    @Transactional
    public ChatMessage appendToExisting(String room, String author, String text) {
        return new MessageStore(em).append(room, author, text, LocalDateTime.now(ZoneOffset.UTC));
    }

    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public void ensureRoom(String room) {
        new MessageStore(em).ensureRoom(room);
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public List<ChatMessage> after(String room, long afterSeq, int limit) {
        return new MessageStore(em).after(room, afterSeq, limit);
    }
}

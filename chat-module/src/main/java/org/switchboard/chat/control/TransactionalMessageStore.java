package org.switchboard.chat.control;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.switchboard.chat.control.MessageStore;
import org.switchboard.chat.control.JpaMessageStore;
import org.switchboard.chat.entity.ChatMessage;
import org.switchboard.chat.entity.ChatRoom;

/**
 * The chat history in the application's database: each call in a transaction of its own, so a
 * message is committed when {@link #append} returns, and only then broadcast. Reads run in a
 * transaction too: the live feed calls them through a contextual proxy from threads of its own, where
 * Payara's non-transactional entity manager is closed twice and fails.
 */
@ApplicationScoped
public class TransactionalMessageStore implements MessageStore {

    @PersistenceContext(unitName = "switchboard-chat")
    EntityManager em;

    /** This bean's own proxy, so that calls between its methods get their transactions. */
    @Inject
    TransactionalMessageStore self;

    /** Stores the message; the room's counter row is created first, in a transaction of its own. */
    @Override
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
        return new JpaMessageStore(em).append(room, author, text, LocalDateTime.now(ZoneOffset.UTC));
    }

    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public void ensureRoom(String room) {
        new JpaMessageStore(em).ensureRoom(room);
    }

    @Override
    @Transactional
    public List<ChatMessage> after(String room, long afterSeq, int limit) {
        return new JpaMessageStore(em).after(room, afterSeq, limit);
    }

    @Override
    @Transactional
    public List<ChatMessage> before(String room, long beforeSeq, int limit) {
        return new JpaMessageStore(em).before(room, beforeSeq, limit);
    }

    @Override
    @Transactional
    public Optional<ChatMessage> find(String room, long seq) {
        return new JpaMessageStore(em).find(room, seq);
    }

    @Override
    @Transactional
    public long lastSeq(String room) {
        return new JpaMessageStore(em).lastSeq(room);
    }

    @Override
    @Transactional
    public List<ChatRoom> rooms(int limit) {
        return new JpaMessageStore(em).rooms(limit);
    }
}

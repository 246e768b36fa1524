package org.switchboard.chat.control;

import java.util.List;
import java.util.Optional;
import org.switchboard.chat.entity.ChatMessage;
import org.switchboard.chat.entity.ChatRoom;

/**
 * The durable history, each call in a transaction of its own: the source of truth the live feed
 * backfills from. In the application it is the {@code TransactionalMessageStore} bean; in tests, a plain
 * persistence unit.
 */
public interface MessageStore {

    /** Stores the message under the room's next number (creating the room) and commits. */
    ChatMessage append(String room, String author, String text);

    /** Up to {@code limit} messages with a number above {@code afterSeq}, ascending. */
    List<ChatMessage> after(String room, long afterSeq, int limit);

    /** Up to {@code limit} messages just below {@code beforeSeq}, ascending. */
    List<ChatMessage> before(String room, long beforeSeq, int limit);

    Optional<ChatMessage> find(String room, long seq);

    /** The room's last number, 0 when it has none. */
    long lastSeq(String room);

    /** The rooms, most recently active first. */
    List<ChatRoom> rooms(int limit);
}

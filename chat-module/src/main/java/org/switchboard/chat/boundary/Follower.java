package org.switchboard.chat.boundary;

import java.util.List;
import org.switchboard.chat.entity.ChatMessage;

/** A reader of one room: gets every message after its starting point exactly once, in order. */
public interface Follower {

    /**
     * Delivers the next messages, consecutive and in order (one or more: a reader that fell behind gets
     * them in batches, so that it can write them at once). May block: it runs on a virtual thread of
     * its own. A failure ends the follower.
     */
    void deliver(List<ChatMessage> messages) throws Exception;

    /** The feed stopped serving this follower, because {@link #deliver} failed or the node shuts down. */
    default void ended(Throwable cause) {
    }
}

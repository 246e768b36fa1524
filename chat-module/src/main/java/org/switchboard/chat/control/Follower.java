package org.switchboard.chat.control;

import org.switchboard.chat.entity.ChatMessage;

/** A reader of one room: gets every message after its starting point exactly once, in order. */
public interface Follower {

    /** Delivers one message; may block (it runs on a virtual thread of its own). A failure ends the follower. */
    void deliver(ChatMessage message) throws Exception;

    /** The feed stopped serving this follower, because {@link #deliver} failed or the node shuts down. */
    default void ended(Throwable cause) {
    }
}

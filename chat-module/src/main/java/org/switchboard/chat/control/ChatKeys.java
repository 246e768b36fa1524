package org.switchboard.chat.control;

/** The Redis names of the chat rooms, all under the application's prefix. */
public record ChatKeys(String prefix) {

    /** The one channel of every room's live messages. */
    public String channel() {
        return prefix + ":chat:live";
    }

    /** The presence leases of a room: connection id to name, each with its own expiry. */
    public String presence(String room) {
        return prefix + ":chat:presence:" + room;
    }

    /** A sender's rate limiter. */
    public String rate(String sender) {
        return prefix + ":chat:rate:" + sender;
    }
}

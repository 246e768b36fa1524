package org.switchboard.chat.control;

/** The Redis names of the chat rooms, all under the application's prefix. */
public record ChatKeys(String prefix) {

    /** The one channel of every room's live messages, in classic pub/sub. */
    public String channel() {
        return prefix + ":chat:live";
    }

    /** Channel {@code k} of the rooms' live messages, in sharded pub/sub (see {@code Channels}). */
    public String shardedChannel(int k) {
        return prefix + ":chat:live:{chat-" + k + "}";
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

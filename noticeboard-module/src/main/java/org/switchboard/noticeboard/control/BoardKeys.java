package org.switchboard.noticeboard.control;

import org.switchboard.channels.Channels;

/**
 * Every Redis key and channel of the module, built in one place: {@code <prefix>:noticeboard:...}.
 * A board is one hash, so posting touches one key and works on Redis Cluster. The hash carries the
 * tag of its board's channel in sharded pub/sub ({@link Channels#bucket}), one of
 * {@value Channels#BUCKETS}: the post's script publishes on that channel, which a cluster allows only
 * within the slot of the keys the script writes.
 */
public record BoardKeys(String prefix) {

    public String board(String name) {
        return prefix + ":noticeboard:{noticeboard-" + Channels.bucket(name) + "}:board:" + name;
    }

    /** A sorted set of board names by time of last post, for listing. */
    public String index() {
        return prefix + ":noticeboard:index";
    }

    /** The one channel every post is published on in classic pub/sub; each node subscribes once. */
    public String channel() {
        return prefix + ":noticeboard:posts";
    }

    /** Channel {@code k} of the posts in sharded pub/sub, in the slot of the boards of bucket {@code k}. */
    public String shardedChannel(int k) {
        return prefix + ":noticeboard:{noticeboard-" + k + "}:posts";
    }
}

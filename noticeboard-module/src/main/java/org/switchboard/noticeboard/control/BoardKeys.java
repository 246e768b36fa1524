package org.switchboard.noticeboard.control;

/**
 * Every Redis key and channel of the module, built in one place: {@code <prefix>:noticeboard:...}.
 * A board is one hash, so posting touches one key and works on Redis Cluster.
 */
public record BoardKeys(String prefix) {

    public String board(String name) {
        return prefix + ":noticeboard:board:" + name;
    }

    /** A sorted set of board names by time of last post, for listing. */
    public String index() {
        return prefix + ":noticeboard:index";
    }

    /** The one channel every post is published on; each node subscribes once. */
    public String channel() {
        return prefix + ":noticeboard:posts";
    }
}

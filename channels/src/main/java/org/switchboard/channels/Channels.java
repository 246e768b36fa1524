package org.switchboard.channels;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import org.redisson.api.RTopic;
import org.redisson.api.RedissonClient;
import org.redisson.api.listener.BaseStatusListener;
import org.redisson.api.redisnode.RedisNode;
import org.redisson.api.redisnode.RedisNodes;
import org.redisson.client.codec.StringCodec;

/**
 * The pub/sub channels of a module: it publishes each message under a key (a room, a board) and
 * listens to all of its channels at once.
 *
 * <ul>
 * <li><b>Classic</b> ({@code PUBLISH}/{@code SUBSCRIBE}): one channel. On a Redis Cluster every
 * message crosses the cluster bus to every node of every shard.</li>
 * <li><b>Sharded</b> ({@code SPUBLISH}/{@code SSUBSCRIBE}, Redis 7 and later): {@value #BUCKETS}
 * channels, each with a hash tag of its own, so that a message stays within the shard of its channel
 * and the channels, with their traffic, spread over the masters. A key always goes to the same
 * channel, so the messages of one key keep their order.</li>
 * </ul>
 *
 * Every node of an application must use the same mode: {@code auto} picks sharded on a Redis Cluster
 * (unless its masters answer a version below 7) and classic otherwise, which gives every node the same
 * answer for the same {@code REDIS_URL}.
 */
public final class Channels implements AutoCloseable {

    /** How many channels a sharded family has. */
    public static final int BUCKETS = 16;

    private static final System.Logger LOG = System.getLogger(Channels.class.getName());

    public enum Mode {
        CLASSIC, SHARDED
    }

    private final Mode mode;
    private final List<String> names = new ArrayList<>();
    private final List<RTopic> topics = new ArrayList<>();
    /** Per channel: its listeners' registration, once it was asked for and has not failed. */
    private final List<CompletableFuture<Void>> listening = new ArrayList<>();
    private final int[] messageListeners;
    private final int[] statusListeners;

    /**
     * @param classic the one channel's name in classic mode
     * @param sharded the name of channel {@code k} (0 to {@value #BUCKETS} - 1) in sharded mode; it
     *                carries a hash tag of its own, which a key may share so that a script can publish
     *                on the channel in the same step as it writes the key
     */
    public Channels(RedissonClient redis, Mode mode, String classic, IntFunction<String> sharded) {
        this.mode = mode;
        var count = mode == Mode.CLASSIC ? 1 : BUCKETS;
        for (int k = 0; k < count; k++) {
            var name = mode == Mode.CLASSIC ? classic : sharded.apply(k);
            names.add(name);
            topics.add(mode == Mode.CLASSIC ? redis.getTopic(name, StringCodec.INSTANCE) : redis.getShardedTopic(name, StringCodec.INSTANCE));
            listening.add(null);
        }
        messageListeners = new int[count];
        statusListeners = new int[count];
        Arrays.fill(messageListeners, -1);
        Arrays.fill(statusListeners, -1);
    }

    /**
     * The mode a setting asks for: {@code classic}, {@code sharded}, or {@code auto} (sharded on a
     * Redis Cluster whose masters run Redis 7 or later, or cannot be asked now; classic otherwise).
     */
    public static Mode mode(RedissonClient redis, String setting) {
        return switch (setting == null ? "auto" : setting.strip().toLowerCase(Locale.ROOT)) {
            case "classic" -> Mode.CLASSIC;
            case "sharded" -> Mode.SHARDED;
            case "auto", "" -> redis.getConfig().isClusterConfig() && !olderThan7(redis) ? Mode.SHARDED : Mode.CLASSIC;
            default -> throw new IllegalArgumentException("switchboard.redis.pubsub is auto, classic or sharded, not '" + setting + "'");
        };
    }

    private static boolean olderThan7(RedissonClient redis) {
        try {
            var version = redis.getRedisNodes(RedisNodes.CLUSTER).getMasters().stream().findFirst()
                    .map(master -> master.info(RedisNode.InfoSection.SERVER).get("redis_version"));
            return version.map(v -> Integer.parseInt(v.substring(0, v.indexOf('.'))) < 7).orElse(false);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "The Redis Cluster's version cannot be read now; taking it for 7 or later (sharded pub/sub)", e);
            return false;
        }
    }

    /** The channel of a key's messages (in sharded mode, bucket {@code floorMod(key.hashCode(), BUCKETS)}). */
    public static int bucket(String key) {
        return Math.floorMod(key.hashCode(), BUCKETS);
    }

    public Mode mode() {
        return mode;
    }

    /** The name of the channel a key's messages go on. */
    public String channel(String key) {
        return names.get(mode == Mode.CLASSIC ? 0 : bucket(key));
    }

    /** The command that publishes on {@link #channel}: for a script that publishes in the same step as it writes. */
    public String publishCommand() {
        return mode == Mode.CLASSIC ? "PUBLISH" : "SPUBLISH";
    }

    public CompletionStage<Long> publish(String key, String message) {
        return topics.get(mode == Mode.CLASSIC ? 0 : bucket(key)).publishAsync(message);
    }

    /**
     * Listens to every channel: {@code onMessage} with each message, {@code onSubscribe} after each
     * subscription and resubscription of a channel, with the keys that channel carries (Redisson
     * resubscribes after a reconnection or a failover; messages published meanwhile are lost, and the
     * caller reads again what those keys may have missed, not every key). Answers when every channel
     * is subscribed. Called again after a failure, it completes what is missing.
     */
    public synchronized CompletableFuture<Void> listen(Consumer<String> onMessage, Consumer<Predicate<String>> onSubscribe) {
        var all = new CompletableFuture<?>[topics.size()];
        for (int i = 0; i < topics.size(); i++) {
            var current = listening.get(i);
            if (current == null || current.isCompletedExceptionally()) {
                current = listen(i, onMessage, onSubscribe);
                listening.set(i, current);
            }
            all[i] = current;
        }
        return CompletableFuture.allOf(all);
    }

    private CompletableFuture<Void> listen(int i, Consumer<String> onMessage, Consumer<Predicate<String>> onSubscribe) {
        var topic = topics.get(i);
        Predicate<String> carried = key -> mode == Mode.CLASSIC || bucket(key) == i;
        var status = statusListeners[i] >= 0 ? CompletableFuture.completedFuture(statusListeners[i])
                : topic.addListenerAsync(new BaseStatusListener() {
                    @Override
                    public void onSubscribe(String channel) {
                        onSubscribe.accept(carried);
                    }
                }).toCompletableFuture();
        return status.thenCompose(id -> {
            statusListeners[i] = id;
            return messageListeners[i] >= 0 ? CompletableFuture.completedFuture(messageListeners[i])
                    : topic.addListenerAsync(String.class, (channel, message) -> onMessage.accept(message)).toCompletableFuture();
        }).thenAccept(id -> messageListeners[i] = id);
    }

    /** Stops listening (what Redis cannot be told now, it forgets with the connection). */
    @Override
    public synchronized void close() {
        for (int i = 0; i < topics.size(); i++) {
            try {
                if (messageListeners[i] >= 0) {
                    topics.get(i).removeListener(messageListeners[i]);
                }
                if (statusListeners[i] >= 0) {
                    topics.get(i).removeListener(statusListeners[i]);
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "Could not unsubscribe from " + names.get(i), e);
            }
        }
    }
}

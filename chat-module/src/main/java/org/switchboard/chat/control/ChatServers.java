package org.switchboard.chat.control;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.PersistenceException;
import jakarta.transaction.TransactionalException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadFactory;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.redisson.api.RedissonClient;
import org.redisson.client.RedisException;
import org.switchboard.channels.Channels;
import org.switchboard.chat.boundary.ChatUnavailableException;

/**
 * The chat's way to its servers: makes the Redis parts (live feed, presence, post limit) on the
 * application's client and key prefix, and turns the failures of Redis and of the SQL database into
 * {@link ChatUnavailableException}, so that no driver type leaves the module.
 */
@ApplicationScoped
public class ChatServers {

    private static final System.Logger LOG = System.getLogger(ChatServers.class.getName());

    private RedissonClient redis;
    private ChatKeys keys;
    private String pubsub;

    protected ChatServers() {
        // for CDI's proxy
    }

    public ChatServers(RedissonClient redis, String prefix) {
        this(redis, prefix, "auto");
    }

    /** @param pubsub {@code auto}, {@code classic} or {@code sharded}: see {@link Channels#mode}. */
    @Inject
    public ChatServers(RedissonClient redis, @ConfigProperty(name = "switchboard.redis.prefix", defaultValue = "switchboard") String prefix,
                       @ConfigProperty(name = "switchboard.redis.pubsub", defaultValue = "auto") String pubsub) {
        this.redis = redis;
        this.keys = new ChatKeys(prefix);
        this.pubsub = pubsub;
    }

    public LiveFeed feed(MessageStore history, ThreadFactory threads, Duration checkEvery, ChatMetrics metrics) {
        var channels = new Channels(redis, Channels.mode(redis, pubsub), keys.channel(), keys::shardedChannel);
        return new LiveFeed(channels, history, threads, checkEvery, metrics);
    }

    public Presence presence(Duration lease) {
        return new Presence(redis, keys, lease);
    }

    /** A rate limit of its own for each {@code kind} of subject (the key's prefix). */
    public PostLimiter limiter(String kind, long messages, Duration interval) {
        return new PostLimiter(redis, keys, kind, messages, interval);
    }

    /**
     * A server's failure as the module's own; anything else (a broken rule, a defect) as it is. The
     * container may wrap the database's failure in its own exceptions (a transaction that could not
     * begin or commit), so the causes are searched for a driver's or a persistence failure.
     */
    public static RuntimeException unavailable(RuntimeException failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            switch (cause) {
                case RedisException e -> {
                    return new ChatUnavailableException("Redis cannot be reached: " + e.getMessage(), e);
                }
                case PersistenceException e -> {
                    return new ChatUnavailableException("The SQL database failed: " + e.getMessage(), e);
                }
                case TransactionalException e -> {
                    return new ChatUnavailableException("The SQL database failed: " + e.getMessage(), e);
                }
                case SQLException e when isConnectionFailure(e) -> {
                    return new ChatUnavailableException("The SQL database cannot be reached: " + e.getMessage(), e);
                }
                default -> {
                    // look further down
                }
            }
        }
        return failure instanceof CompletionException && failure.getCause() instanceof RuntimeException cause ? cause : failure;
    }

    /**
     * A failure of the message store, always the module's own "unavailable": the store's statements
     * take only checked input, so whatever breaks in them (the driver, the container's pool or
     * transaction, the persistence provider, each with exceptions of its own) is the database's
     * failure. The unrecognised ones are logged whole, so that a defect among them still shows.
     */
    public static ChatUnavailableException storeFailed(RuntimeException failure) {
        if (unavailable(failure) instanceof ChatUnavailableException known) {
            return known;
        }
        LOG.log(System.Logger.Level.WARNING, "The SQL database failed", failure);
        return new ChatUnavailableException("The SQL database failed: " + failure, failure);
    }

    /** SQLSTATE class 08 is "connection exception", whatever the database. */
    private static boolean isConnectionFailure(SQLException e) {
        return e instanceof SQLTransientConnectionException || e instanceof SQLNonTransientConnectionException
                || e instanceof SQLRecoverableException || (e.getSQLState() != null && e.getSQLState().startsWith("08"));
    }
}

package org.switchboard.noticeboard.control;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.spi.JsonProvider;
import java.io.StringReader;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.redisson.api.BatchOptions;
import org.redisson.api.RFuture;
import org.redisson.api.RScript;
import org.redisson.api.RScriptAsync;
import org.redisson.api.RedissonClient;
import org.redisson.client.RedisException;
import org.redisson.client.codec.StringCodec;
import org.switchboard.channels.Channels;
import org.switchboard.noticeboard.boundary.BoardConditionFailedException;
import org.switchboard.noticeboard.boundary.BoardPrecondition;
import org.switchboard.noticeboard.boundary.BoardsUnavailableException;
import org.switchboard.noticeboard.entity.Board;
import org.switchboard.noticeboard.entity.BoardSummary;

/**
 * Boards in Redis. A post is one Lua script: it keeps the epoch (or starts one), bumps the revision,
 * stores the value with Redis's own time, and publishes, all atomically, so that revisions are
 * gapless and every subscriber sees posts in revision order.
 *
 * <p>The published message is a header line of JSON, a newline, then the value as posted, so the
 * value is never re-encoded.
 *
 * <p>Every Redis failure leaves as a {@link BoardsUnavailableException}, also through the futures.
 */
@ApplicationScoped
public class RedisBoardStore {

    /** Looked up once: the {@code Json} shortcuts search the service loader on every call. */
    private static final JsonProvider JSON = JsonProvider.provider();

    /**
     * KEYS: the board. ARGV: value, a new epoch, channel, board name, publish command, the condition
     * ('' none, 'exists', 'absent', 'at'), for 'at' the epoch and revision expected, and the lease in
     * ms ('' to keep the board's own, if it has one). Answers {revision, epoch, postedAt, expiresAt
     * (0: none)}, or {-1, epoch, revision} as the board was when the condition failed ('' and 0 if it
     * does not exist). A board with a lease expires that long after its last post (Redis's own key
     * expiry, so on every node and through restarts); every post renews it.
     */
    static final String POST = """
            local cur = redis.call('HMGET', KEYS[1], 'epoch', 'revision', 'lease')
            local cond = ARGV[6]
            if (cond == 'exists' and not cur[2]) or (cond == 'absent' and cur[2])
                or (cond == 'at' and (cur[1] ~= ARGV[7] or cur[2] ~= ARGV[8])) then
              return {-1, cur[1] or '', tonumber(cur[2] or '0')}
            end
            local epoch = cur[1]
            if not epoch then epoch = ARGV[2] end
            local lease = tonumber(ARGV[9]) or tonumber(cur[3])
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local revision = redis.call('HINCRBY', KEYS[1], 'revision', 1)
            local expiresAt = 0
            if lease then
              expiresAt = now + lease
              redis.call('HSET', KEYS[1], 'value', ARGV[1], 'epoch', epoch, 'postedAt', now, 'lease', lease)
              redis.call('PEXPIREAT', KEYS[1], expiresAt)
            else
              redis.call('HSET', KEYS[1], 'value', ARGV[1], 'epoch', epoch, 'postedAt', now)
            end
            local header = cjson.encode({board = ARGV[4], revision = revision, epoch = epoch, postedAt = now, expiresAt = expiresAt})
            redis.call(ARGV[5], ARGV[3], header .. '\\n' .. ARGV[1])
            return {revision, epoch, now, expiresAt}
            """;

    /**
     * KEYS: the board. ARGV: channel, publish command, the deletion's message. Deletes the board and,
     * if it existed, tells its watchers on its channel, after every post of it (one channel per board
     * keeps the order). Answers 1 if it existed.
     */
    static final String DELETE = """
            if redis.call('DEL', KEYS[1]) == 0 then return 0 end
            redis.call(ARGV[2], ARGV[1], ARGV[3])
            return 1
            """;

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final System.Logger LOG = System.getLogger(RedisBoardStore.class.getName());

    private RedissonClient redis;
    private BoardKeys keys;
    private Channels channels;
    private int waitReplicas;
    private Duration waitTimeout = Duration.ZERO;

    protected RedisBoardStore() {
        // for CDI's proxy
    }

    public RedisBoardStore(RedissonClient redis, String prefix) {
        this(redis, prefix, "auto", 0, 1000);
    }

    /**
     * @param pubsub       {@code auto}, {@code classic} or {@code sharded}: see {@link Channels#mode}
     * @param waitReplicas the durable mode: a post is acknowledged only once this many replicas have it
     *                     ({@code WAIT}, within {@code waitMillis}), 0 for Redis's own asynchronous replication
     */
    @Inject
    public RedisBoardStore(RedissonClient redis, @ConfigProperty(name = "switchboard.redis.prefix", defaultValue = "switchboard") String prefix,
                           @ConfigProperty(name = "switchboard.redis.pubsub", defaultValue = "auto") String pubsub,
                           @ConfigProperty(name = "switchboard.redis.wait-replicas", defaultValue = "0") int waitReplicas,
                           @ConfigProperty(name = "switchboard.redis.wait-millis", defaultValue = "1000") long waitMillis) {
        if (waitReplicas < 0 || waitReplicas > 0 && waitMillis <= 0) {
            throw new IllegalArgumentException("switchboard.redis.wait-replicas is 0 or more, with a positive switchboard.redis.wait-millis");
        }
        this.redis = redis;
        this.keys = new BoardKeys(prefix);
        this.channels = new Channels(redis, Channels.mode(redis, pubsub), keys.channel(), keys::shardedChannel);
        this.waitReplicas = waitReplicas;
        this.waitTimeout = Duration.ofMillis(waitMillis);
    }

    /** The channels every post is published on, for the watchers' subscription. */
    public Channels channels() {
        return channels;
    }

    public BoardKeys keys() {
        return keys;
    }

    public Board post(String name, String json) {
        return post(name, json, BoardPrecondition.NONE, null);
    }

    /**
     * Posts if {@code condition} holds when the post reaches Redis; otherwise throws {@link BoardConditionFailedException}.
     * With a {@code lease}, the board expires that long after this post and after each later one; null keeps the board's own.
     */
    public Board post(String name, String json, BoardPrecondition condition, Duration lease) {
        return call(() -> postNow(name, json, condition, lease));
    }

    private Board postNow(String name, String json, BoardPrecondition condition, Duration lease) {
        var expected = condition instanceof BoardPrecondition.At at ? at.version() : null;
        var kind = switch (condition) {
            case BoardPrecondition.None none -> "";
            case BoardPrecondition.Exists exists -> "exists";
            case BoardPrecondition.Absent absent -> "absent";
            case BoardPrecondition.At at -> "at";
        };
        List<Object> result = durably(script -> script.evalAsync(RScript.Mode.READ_WRITE, POST,
                RScript.ReturnType.LIST, List.of(keys.board(name)), json, newEpoch(), channels.channel(name), name,
                channels.publishCommand(), kind, expected == null ? "" : expected.epoch(),
                expected == null ? "" : String.valueOf(expected.revision()), lease == null ? "" : String.valueOf(lease.toMillis())));
        var revision = (Long) result.get(0);
        var epoch = (String) result.get(1);
        if (revision < 0) {
            var was = (Long) result.get(2);
            throw new BoardConditionFailedException("Board " + name + (was == 0 ? " does not exist" : " is at revision " + was + " of epoch " + epoch)
                    + "; the post's condition does not hold, and nothing was posted.",
                    was == 0 ? Optional.empty() : Optional.of(new BoardPrecondition.Version(epoch, was)));
        }
        var postedAt = Instant.ofEpochMilli((Long) result.get(2));
        // the index only serves the list of boards; it is not part of a board's state
        redis.getScoredSortedSet(keys.index(), StringCodec.INSTANCE).add(postedAt.toEpochMilli(), name);
        return new Board(name, revision, epoch, postedAt, json, expiry((Long) result.get(3)));
    }

    private static Instant expiry(long epochMillis) {
        return epochMillis == 0 ? null : Instant.ofEpochMilli(epochMillis);
    }

    /**
     * Runs a write and answers its result; in the durable mode, in a batch that ends with {@code WAIT}
     * on its connection, refused as unavailable when too few replicas confirmed it in time (the post
     * may stand on the master: its watchers may have seen it).
     */
    private <R> R durably(Function<RScriptAsync, RFuture<R>> write) {
        if (waitReplicas == 0) {
            return write.apply(redis.getScript(StringCodec.INSTANCE)).toCompletableFuture().join();
        }
        var batch = redis.createBatch(BatchOptions.defaults().sync(waitReplicas, waitTimeout));
        var result = write.apply(batch.getScript(StringCodec.INSTANCE));
        var done = batch.execute();
        if (done.getSyncedSlaves() < waitReplicas) {
            throw new BoardsUnavailableException("the post reached " + done.getSyncedSlaves() + " of the " + waitReplicas
                    + " replica(s) required within " + waitTimeout.toMillis() + " ms", null);
        }
        return result.toCompletableFuture().join();
    }

    /** Deletes the board; its watchers learn it from the board's channel. False if it did not exist. */
    public boolean delete(String name) {
        return call(() -> {
            Long existed = redis.getScript(StringCodec.INSTANCE).eval(RScript.Mode.READ_WRITE, DELETE, RScript.ReturnType.LONG,
                    List.of(keys.board(name)), channels.channel(name), channels.publishCommand(), deletionMessage(name));
            redis.getScoredSortedSet(keys.index(), StringCodec.INSTANCE).remove(name);
            return existed == 1;
        });
    }

    /** The message that tells a board's watchers it is gone: a header line only, marked {@code "deleted"}. */
    static String deletionMessage(String name) {
        return JSON.createObjectBuilder().add("board", name).add("deleted", true).build() + "\n";
    }

    /** The board a deletion message names; empty for any other message (a post). */
    public static Optional<String> parseDeletion(String message) {
        var newline = message.indexOf('\n');
        var headerLine = message.substring(0, newline < 0 ? message.length() : newline);
        if (!headerLine.contains("\"deleted\"")) {
            return Optional.empty(); // a post: its header has no such member, whatever its value holds
        }
        try (var reader = JSON.createReader(new StringReader(headerLine))) {
            var header = reader.readObject();
            return header.getBoolean("deleted", false) ? Optional.of(header.getString("board")) : Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    public CompletableFuture<Optional<Board>> read(String name) {
        return redis.<String, String>getMap(keys.board(name), StringCodec.INSTANCE).readAllMapAsync()
                .toCompletableFuture()
                .handle((fields, failure) -> {
                    if (failure != null) {
                        throw unavailable(failure);
                    }
                    return toBoard(name, fields);
                });
    }

    /** The boards, most recently posted first, with their revisions. */
    public List<BoardSummary> list(int limit) {
        return call(() -> listNow(limit));
    }

    private List<BoardSummary> listNow(int limit) {
        var names = redis.getScoredSortedSet(keys.index(), StringCodec.INSTANCE).valueRangeReversed(0, limit - 1);
        var batch = redis.createBatch();
        var reads = new ArrayList<CompletableFuture<Map<String, String>>>();
        for (var name : names) {
            reads.add(batch.<String, String>getMap(keys.board((String) name), StringCodec.INSTANCE)
                    .getAllAsync(Set.of("revision", "postedAt")).toCompletableFuture());
        }
        batch.execute();
        var boards = new ArrayList<BoardSummary>();
        var i = 0;
        for (var name : names) {
            var fields = reads.get(i++).join();
            if (fields.containsKey("revision")) {
                boards.add(new BoardSummary((String) name, Long.parseLong(fields.get("revision")),
                        Instant.ofEpochMilli(Long.parseLong(fields.getOrDefault("postedAt", "0")))));
            }
        }
        return boards;
    }

    /** Parses a message of the posts channel (header line, newline, value); empty, and logged, if it is malformed. */
    public static Optional<Board> parseMessage(String message) {
        var newline = message.indexOf('\n');
        try (var reader = JSON.createReader(new StringReader(message.substring(0, Math.max(0, newline))))) {
            var header = reader.readObject();
            var expiresAt = header.getJsonNumber("expiresAt");
            return Optional.of(new Board(header.getString("board"), header.getJsonNumber("revision").longValue(),
                    header.getString("epoch"), Instant.ofEpochMilli(header.getJsonNumber("postedAt").longValue()),
                    message.substring(newline + 1), expiresAt == null ? null : expiry(expiresAt.longValue())));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Ignored a malformed notice-board message", e);
            return Optional.empty();
        }
    }

    private static Optional<Board> toBoard(String name, Map<String, String> fields) {
        if (!fields.containsKey("revision") || !fields.containsKey("value")) {
            return Optional.empty();
        }
        var postedAt = Long.parseLong(fields.get("postedAt"));
        var lease = fields.get("lease"); // the key expires then: its last post plus its lease
        return Optional.of(new Board(name, Long.parseLong(fields.get("revision")), fields.get("epoch"),
                Instant.ofEpochMilli(postedAt), fields.get("value"), lease == null ? null : expiry(postedAt + Long.parseLong(lease))));
    }

    private static <R> R call(Supplier<R> redisCall) {
        try {
            return redisCall.get();
        } catch (RedisException | CompletionException e) {
            throw unavailable(e);
        }
    }

    /** Redis's failures become the module's own; anything else is a defect and goes on as it is. */
    public static RuntimeException unavailable(Throwable failure) {
        var cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof RedisException) {
            return new BoardsUnavailableException("Redis cannot be reached: " + cause.getMessage(), cause);
        }
        return cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
    }

    private static String newEpoch() {
        var bytes = new byte[6];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}

package org.switchboard.chat.control;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import org.redisson.api.RateType;
import org.redisson.api.RedissonClient;

/**
 * A rate limit on posting: at most {@code messages} per {@code interval} for one subject (a client
 * and author, a client, a room), counted in Redis so that every node shares the count. A Redisson
 * rate limiter per subject, whose keys expire when the subject goes quiet.
 */
public class PostLimiter {

    private final RedissonClient redis;
    private final ChatKeys keys;
    private final String kind;
    private final long messages;
    private final Duration interval;

    public PostLimiter(RedissonClient redis, ChatKeys keys, String kind, long messages, Duration interval) {
        if (messages < 1 || interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("the chat rate limit needs at least 1 message per positive interval");
        }
        this.redis = redis;
        this.keys = keys;
        this.kind = kind;
        this.messages = messages;
        this.interval = interval;
    }

    /** True if {@code subject} may post now; the permit is used. */
    public boolean tryAcquire(String subject) {
        var limiter = redis.getRateLimiter(keys.rate(kind + digest(subject)));
        limiter.trySetRate(RateType.OVERALL, messages, interval, interval.multipliedBy(2));
        return limiter.tryAcquire();
    }

    /** The longest a refused sender waits for a permit: the window. */
    public Duration retryAfter() {
        return interval;
    }

    /** Names and addresses are hashed: any text, of bounded length, in the key. */
    private static String digest(String subject) {
        try {
            var hash = MessageDigest.getInstance("SHA-256").digest(subject.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

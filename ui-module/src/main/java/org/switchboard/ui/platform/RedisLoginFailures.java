package org.switchboard.ui.platform;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Failed logins counted in Redis, so that every node of a deployment counts together: an attacker
 * spread over the nodes gets no more guesses than against one. One key per subject (an address and a
 * user name, or an address): how many failures in a row, and until when the subject waits. Times are
 * Redis's clock, so nodes with skewed clocks agree. A key is forgotten after the window without a
 * failure, never while its subject waits. The subject is hashed into the key: user names are
 * whatever a client sends.
 */
@ApplicationScoped
public class RedisLoginFailures {

    /** KEYS: the subject. ARGV: free failures, first delay (ms), longest delay (ms), window (ms). Answers the wait it imposes now (ms). */
    private static final String RECORD = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local count = redis.call('HINCRBY', KEYS[1], 'count', 1)
            local untilMs = tonumber(redis.call('HGET', KEYS[1], 'until') or '0')
            if count >= tonumber(ARGV[1]) then
              local delay = math.floor(math.min(tonumber(ARGV[2]) * 2 ^ math.min(count - tonumber(ARGV[1]), 30), tonumber(ARGV[3])))
              untilMs = now + delay
              redis.call('HSET', KEYS[1], 'until', untilMs)
            end
            redis.call('PEXPIRE', KEYS[1], math.max(tonumber(ARGV[4]), untilMs - now))
            return math.max(0, untilMs - now)
            """;
    /** KEYS: the subject. Answers how long it still waits (ms), 0 if it may try now. */
    private static final String WAIT = """
            local untilMs = tonumber(redis.call('HGET', KEYS[1], 'until') or '0')
            if untilMs == 0 then return 0 end
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            return math.max(0, untilMs - now)
            """;

    private RedissonClient redis;
    private String prefix;

    protected RedisLoginFailures() {
        // for CDI
    }

    @Inject
    public RedisLoginFailures(RedissonClient redis, @ConfigProperty(name = "switchboard.redis.prefix", defaultValue = "switchboard") String prefix) {
        this.redis = redis;
        this.prefix = prefix;
    }

    /** Records a failure of {@code subject}: after {@code free} in a row it waits, doubling from {@code first} up to {@code longest}. */
    public Duration failed(String subject, int free, Duration first, Duration longest, Duration window) {
        long wait = redis.getScript(StringCodec.INSTANCE).eval(key(subject), RScript.Mode.READ_WRITE, RECORD, RScript.ReturnType.LONG,
                List.of(key(subject)), String.valueOf(free), String.valueOf(first.toMillis()), String.valueOf(longest.toMillis()),
                String.valueOf(window.toMillis()));
        return Duration.ofMillis(wait);
    }

    /** How long {@code subject} still waits; zero when it may try now. */
    public Duration waiting(String subject) {
        long wait = redis.getScript(StringCodec.INSTANCE).eval(key(subject), RScript.Mode.READ_ONLY, WAIT, RScript.ReturnType.LONG,
                List.of(key(subject)));
        return Duration.ofMillis(wait);
    }

    /** Forgets {@code subject}'s failures (a success). */
    public void forget(String subject) {
        redis.getBucket(key(subject), StringCodec.INSTANCE).delete();
    }

    private String key(String subject) {
        try {
            var digest = MessageDigest.getInstance("SHA-256").digest(subject.getBytes(StandardCharsets.UTF_8));
            return prefix + ":login:" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

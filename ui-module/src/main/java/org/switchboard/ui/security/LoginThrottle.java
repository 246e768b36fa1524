package org.switchboard.ui.security;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.switchboard.ui.platform.RedisLoginFailures;

/**
 * Slows password guessing with waits that grow, not with a lock the right password cannot open, so
 * that an attacker cannot keep the admin out for long.
 *
 * <ul>
 * <li>Per address and user name: the first {@code switchboard.login.max-failures} failures in a row
 * cost nothing; from then on each failure makes the pair wait 1 s, then 2, 4, ... up to
 * {@code switchboard.login.max-delay-seconds}. While it waits, every attempt (the right password
 * too) is refused with 429 and {@code Retry-After}.</li>
 * <li>Per address, across user names: the same after {@code switchboard.login.address-failures}
 * failures, so that trying other user names buys no more guesses.</li>
 * <li>A pair or an address with no failure for {@code switchboard.login.window-seconds} is forgotten;
 * a success clears its pair.</li>
 * <li>At most {@value #MAX_KEYS} entries are kept. When full, forgotten entries go first, then those
 * not waiting, the oldest first; an entry that makes someone wait goes only when every entry does,
 * so that a flood of new names never lets a locked pair guess again.</li>
 * </ul>
 *
 * <p>Counted in Redis ({@link RedisLoginFailures}), so that every node counts together: an attacker
 * spread over N nodes gets no more attempts than against one. While Redis does not answer, each node
 * counts in its own memory instead (the in-memory entries below), so that a Redis outage neither
 * locks the admin out nor lifts the throttle. An admin locked out waits at most the longest delay
 * (a minute by default), from any address. The address is the client's, behind trusted proxies
 * ({@code ClientAddress}).
 */
@ApplicationScoped
public class LoginThrottle {

    static final int MAX_KEYS = 100_000;
    private static final System.Logger LOG = System.getLogger(LoginThrottle.class.getName());
    private static final Duration FIRST_DELAY = Duration.ofSeconds(1);

    @Inject
    @ConfigProperty(name = "switchboard.login.max-failures", defaultValue = "10")
    int maxFailures;

    @Inject
    @ConfigProperty(name = "switchboard.login.address-failures", defaultValue = "100")
    int addressFailures;

    @Inject
    @ConfigProperty(name = "switchboard.login.window-seconds", defaultValue = "900")
    int windowSeconds;

    @Inject
    @ConfigProperty(name = "switchboard.login.max-delay-seconds", defaultValue = "60")
    int maxDelaySeconds;

    @Inject
    RedisLoginFailures shared;

    private int maxKeys = MAX_KEYS;
    private Clock clock = Clock.systemUTC();
    private final Map<String, Failures> entries = new ConcurrentHashMap<>();

    /** The failures of one pair or one address: how many in a row, the last, and until when it waits. */
    private static final class Failures {
        int count;
        Instant last = Instant.MIN;
        Instant waitUntil = Instant.MIN;
    }

    protected LoginThrottle() {
        // for CDI
    }

    LoginThrottle(int maxFailures, int addressFailures, Duration window, Duration maxDelay, int maxKeys, Clock clock, RedisLoginFailures shared) {
        this(maxFailures, addressFailures, window, maxDelay, maxKeys, clock);
        this.shared = shared;
    }

    LoginThrottle(int maxFailures, int addressFailures, Duration window, Duration maxDelay, int maxKeys, Clock clock) {
        this.maxFailures = maxFailures;
        this.addressFailures = addressFailures;
        this.windowSeconds = (int) window.toSeconds();
        this.maxDelaySeconds = (int) maxDelay.toSeconds();
        this.maxKeys = maxKeys;
        this.clock = clock;
    }

    /** How long this address must wait before trying this user name again; empty when it may try now. */
    public Optional<Duration> blockedFor(String address, String user) {
        if (shared != null) {
            try {
                var wait = later(shared.waiting(pair(address, user)), shared.waiting(address(address)));
                return wait.isPositive() ? Optional.of(wait) : Optional.empty();
            } catch (RuntimeException e) {
                redisDown(e);
            }
        }
        var now = clock.instant();
        var until = later(waitUntil(pair(address, user), now), waitUntil(address(address), now));
        return until.isAfter(now) ? Optional.of(Duration.between(now, until)) : Optional.empty();
    }

    public void failed(String address, String user) {
        if (shared != null) {
            try {
                var window = Duration.ofSeconds(windowSeconds);
                var longest = Duration.ofSeconds(maxDelaySeconds);
                shared.failed(pair(address, user), maxFailures, FIRST_DELAY, longest, window);
                shared.failed(address(address), addressFailures, FIRST_DELAY, longest, window);
                return;
            } catch (RuntimeException e) {
                redisDown(e);
            }
        }
        var now = clock.instant();
        record(pair(address, user), maxFailures, now);
        record(address(address), addressFailures, now);
    }

    public void succeeded(String address, String user) {
        entries.remove(pair(address, user));
        if (shared != null) {
            try {
                shared.forget(pair(address, user));
            } catch (RuntimeException e) {
                redisDown(e);
            }
        }
    }

    /** Said once a minute at most: a guesser must not fill the log. */
    private void redisDown(RuntimeException e) {
        var now = System.nanoTime();
        var last = lastWarning;
        if (last == 0 || now - last > Duration.ofMinutes(1).toNanos()) {
            lastWarning = now;
            LOG.log(System.Logger.Level.WARNING, "Failed logins are counted in this node's memory while Redis does not answer: " + e);
        }
    }

    private volatile long lastWarning;

    private static Duration later(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** How many pairs and addresses are kept now. */
    int size() {
        return entries.size();
    }

    private Instant waitUntil(String key, Instant now) {
        var entry = entries.get(key);
        if (entry == null) {
            return Instant.MIN;
        }
        synchronized (entry) {
            return forgotten(entry, now) ? Instant.MIN : entry.waitUntil;
        }
    }

    private void record(String key, int free, Instant now) {
        if (!entries.containsKey(key) && entries.size() >= maxKeys) {
            makeRoom(now);
        }
        var entry = entries.computeIfAbsent(key, k -> new Failures());
        synchronized (entry) {
            if (forgotten(entry, now)) {
                entry.count = 0;
            }
            entry.count++;
            entry.last = now;
            if (entry.count >= free) {
                var doublings = Math.min(entry.count - free, 30);
                var delay = FIRST_DELAY.multipliedBy(1L << doublings);
                var cap = Duration.ofSeconds(maxDelaySeconds);
                entry.waitUntil = now.plus(delay.compareTo(cap) > 0 ? cap : delay);
            }
        }
    }

    /** Frees a tenth of the room: forgotten entries, then those not waiting, the oldest first; waiting ones last. */
    private synchronized void makeRoom(Instant now) {
        if (entries.size() < maxKeys) {
            return;
        }
        entries.values().removeIf(entry -> forgotten(entry, now));
        var target = maxKeys - Math.max(1, maxKeys / 10);
        if (entries.size() <= target) {
            return;
        }
        Comparator<Map.Entry<String, Failures>> order = Comparator.comparing((Map.Entry<String, Failures> e) -> e.getValue().waitUntil.isAfter(now))
                .thenComparing(e -> e.getValue().last);
        entries.entrySet().stream().sorted(order).limit(entries.size() - target).map(Map.Entry::getKey).toList()
                .forEach(entries::remove);
    }

    private boolean forgotten(Failures entry, Instant now) {
        return !entry.waitUntil.isAfter(now) && entry.last.plusSeconds(windowSeconds).isBefore(now);
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private static String pair(String address, String user) {
        return address + "\u0000" + (user == null ? "" : user);
    }

    private static String address(String address) {
        return address + "\u0000\u0000*";
    }
}

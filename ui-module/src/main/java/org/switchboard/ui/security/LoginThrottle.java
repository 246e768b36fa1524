package org.switchboard.ui.security;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Slows password guessing: after {@code switchboard.login.max-failures} failed logins from one
 * address for one user name within {@code switchboard.login.window-seconds}, further attempts are
 * refused, even with the right password, until the oldest failure leaves the window.
 *
 * <p>Kept in memory, per node: an attacker spread over N nodes gets N times the attempts, which is
 * still far from what guessing a 24-character random password needs.
 */
@ApplicationScoped
public class LoginThrottle {

    private static final int MAX_KEYS = 100_000;

    @Inject
    @ConfigProperty(name = "switchboard.login.max-failures", defaultValue = "10")
    int maxFailures;

    @Inject
    @ConfigProperty(name = "switchboard.login.window-seconds", defaultValue = "300")
    int windowSeconds;

    private Clock clock = Clock.systemUTC();
    private final Map<String, Deque<Instant>> failures = new ConcurrentHashMap<>();

    protected LoginThrottle() {
        // for CDI
    }

    LoginThrottle(int maxFailures, Duration window, Clock clock) {
        this.maxFailures = maxFailures;
        this.windowSeconds = (int) window.toSeconds();
        this.clock = clock;
    }

    /** How long this address must wait before trying this user name again; empty when it may try now. */
    public Optional<Duration> blockedFor(String address, String user) {
        var recent = failures.get(key(address, user));
        if (recent == null) {
            return Optional.empty();
        }
        synchronized (recent) {
            prune(recent);
            if (recent.size() < maxFailures) {
                return Optional.empty();
            }
            var wait = Duration.between(clock.instant(), recent.peekFirst().plusSeconds(windowSeconds));
            return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
        }
    }

    public void failed(String address, String user) {
        if (failures.size() >= MAX_KEYS) {
            failures.clear(); // a flood of distinct keys: forget rather than grow without bound
        }
        var recent = failures.computeIfAbsent(key(address, user), k -> new ArrayDeque<>());
        synchronized (recent) {
            prune(recent);
            recent.addLast(clock.instant());
        }
    }

    public void succeeded(String address, String user) {
        failures.remove(key(address, user));
    }

    private void prune(Deque<Instant> recent) {
        var oldest = clock.instant().minusSeconds(windowSeconds);
        while (!recent.isEmpty() && !recent.peekFirst().isAfter(oldest)) {
            recent.removeFirst();
        }
    }

    private static String key(String address, String user) {
        return address + "\u0000" + (user == null ? "" : user);
    }
}

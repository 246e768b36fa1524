package org.switchboard.ui.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {

    /** A clock the test moves by hand. */
    static final class ManualClock extends Clock {
        Instant now = Instant.parse("2026-11-27T00:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    final ManualClock clock = new ManualClock();
    /** Three free failures per pair, ten per address, forgotten after 15 minutes, waits up to a minute, 1,000 entries. */
    final LoginThrottle throttle = new LoginThrottle(3, 10, Duration.ofMinutes(15), Duration.ofMinutes(1), 1000, clock);

    @Test
    void failuresBeyondTheFreeOnesWaitLongerEachTimeUpToAMinute() {
        throttle.failed("10.0.0.1", "admin");
        throttle.failed("10.0.0.1", "admin");
        assertThat(throttle.blockedFor("10.0.0.1", "admin")).isEmpty();
        var waits = new ArrayList<Duration>();
        for (int i = 0; i < 9; i++) {
            throttle.failed("10.0.0.1", "admin");
            var wait = throttle.blockedFor("10.0.0.1", "admin").orElseThrow();
            waits.add(wait);
            clock.now = clock.now.plus(wait);
            assertThat(throttle.blockedFor("10.0.0.1", "admin")).as("the wait is over").isEmpty();
        }
        assertThat(waits).extracting(Duration::toSeconds).containsExactly(1L, 2L, 4L, 8L, 16L, 32L, 60L, 60L, 60L);
    }

    @Test
    void otherAddressesAndUsersAreNotBlocked() {
        for (int i = 0; i < 3; i++) {
            throttle.failed("10.0.0.1", "admin");
        }
        assertThat(throttle.blockedFor("10.0.0.1", "admin")).isPresent();
        assertThat(throttle.blockedFor("10.0.0.2", "admin")).isEmpty();
        assertThat(throttle.blockedFor("10.0.0.1", "someone")).isEmpty();
    }

    @Test
    void aSuccessClearsThePair() {
        throttle.failed("10.0.0.1", "admin");
        throttle.failed("10.0.0.1", "admin");
        throttle.succeeded("10.0.0.1", "admin");
        throttle.failed("10.0.0.1", "admin");
        throttle.failed("10.0.0.1", "admin");
        assertThat(throttle.blockedFor("10.0.0.1", "admin")).isEmpty();
    }

    @Test
    void failuresAreForgottenAfterTheWindow() {
        for (int i = 0; i < 3; i++) {
            throttle.failed("10.0.0.1", "admin");
        }
        clock.now = clock.now.plus(Duration.ofMinutes(16));
        assertThat(throttle.blockedFor("10.0.0.1", "admin")).isEmpty();
        throttle.failed("10.0.0.1", "admin");
        assertThat(throttle.blockedFor("10.0.0.1", "admin")).as("counting starts again").isEmpty();
    }

    @Test
    void otherUserNamesFromOneAddressGetNoMoreGuesses() {
        for (int i = 0; i < 9; i++) {
            throttle.failed("10.0.0.1", "user-" + i);
        }
        assertThat(throttle.blockedFor("10.0.0.1", "user-99")).isEmpty();
        throttle.failed("10.0.0.1", "user-9");
        assertThat(throttle.blockedFor("10.0.0.1", "admin")).as("the tenth failure from the address, whatever the name").isPresent();
        assertThat(throttle.blockedFor("10.0.0.2", "admin")).isEmpty();
    }

    @Test
    void aFloodOfNewKeysNeverFreesAWaitingPair() {
        for (int i = 0; i < 3; i++) {
            throttle.failed("10.0.0.1", "admin");
        }
        var locked = throttle.blockedFor("10.0.0.1", "admin").orElseThrow();
        for (int i = 0; i < 5_000; i++) { // five times the room, from many addresses, each under its own limits
            throttle.failed("10.1." + (i / 250) + "." + (i % 250), "u" + i);
        }
        assertThat(throttle.size()).isLessThanOrEqualTo(1000);
        assertThat(throttle.blockedFor("10.0.0.1", "admin")).as("still waiting").contains(locked);
    }
}

package org.switchboard.ui.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
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
    final LoginThrottle throttle = new LoginThrottle(3, Duration.ofSeconds(60), clock);

    @Test
    void theNthFailureBlocksUntilTheOldestLeavesTheWindow() {
        throttle.failed("10.0.0.1", "admin");
        clock.now = clock.now.plusSeconds(10);
        throttle.failed("10.0.0.1", "admin");
        assertThat(throttle.blockedFor("10.0.0.1", "admin")).isEmpty();
        throttle.failed("10.0.0.1", "admin");
        assertThat(throttle.blockedFor("10.0.0.1", "admin")).contains(Duration.ofSeconds(50));
        clock.now = clock.now.plusSeconds(50);
        assertThat(throttle.blockedFor("10.0.0.1", "admin")).as("the first failure has left the window").isEmpty();
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
    void aSuccessClearsTheCount() {
        throttle.failed("10.0.0.1", "admin");
        throttle.failed("10.0.0.1", "admin");
        throttle.succeeded("10.0.0.1", "admin");
        throttle.failed("10.0.0.1", "admin");
        throttle.failed("10.0.0.1", "admin");
        assertThat(throttle.blockedFor("10.0.0.1", "admin")).isEmpty();
    }
}

package org.switchboard.ui.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.Redisson;
import org.switchboard.testkit.RedisKeys;
import org.switchboard.ui.platform.RedisLoginFailures;
import org.switchboard.ui.platform.RedisUrl;

/** The login throttle on a real Redis: the nodes of a deployment count together, and count alone while Redis is away. */
class SharedLoginThrottleTest {

    @RegisterExtension
    final RedisKeys redis = new RedisKeys();

    LoginThrottle node(RedisLoginFailures shared) {
        return new LoginThrottle(3, 5, Duration.ofMinutes(15), Duration.ofMinutes(1), 1000, Clock.systemUTC(), shared);
    }

    @Test
    void failuresOnOneNodeMakeThePairWaitOnEveryNode() {
        var shared = new RedisLoginFailures(redis.client(), redis.prefix());
        var one = node(shared);
        var two = node(shared);
        one.failed("10.0.0.1", "admin");
        two.failed("10.0.0.1", "admin");
        assertThat(one.blockedFor("10.0.0.1", "admin")).as("two failures are free").isEmpty();
        one.failed("10.0.0.1", "admin");
        assertThat(two.blockedFor("10.0.0.1", "admin")).as("the third, on another node")
                .hasValueSatisfying(wait -> assertThat(wait).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(1)));
        assertThat(two.blockedFor("10.0.0.2", "admin")).as("another address").isEmpty();
        assertThat(two.blockedFor("10.0.0.1", "other")).as("another user name").isEmpty();
        two.failed("10.0.0.1", "admin");
        assertThat(one.blockedFor("10.0.0.1", "admin")).as("the next failure doubles the wait")
                .hasValueSatisfying(wait -> assertThat(wait).isGreaterThan(Duration.ofSeconds(1)).isLessThanOrEqualTo(Duration.ofSeconds(2)));
        one.succeeded("10.0.0.1", "admin");
        assertThat(two.blockedFor("10.0.0.1", "admin")).as("a success forgets the pair everywhere").isEmpty();
    }

    @Test
    void anAddressTryingManyUserNamesWaitsOnEveryNode() {
        var shared = new RedisLoginFailures(redis.client(), redis.prefix());
        var one = node(shared);
        var two = node(shared);
        for (int i = 0; i < 5; i++) {
            (i % 2 == 0 ? one : two).failed("10.0.0.9", "user" + i);
        }
        assertThat(one.blockedFor("10.0.0.9", "someone-new")).isPresent();
        assertThat(two.blockedFor("10.0.0.10", "someone-new")).isEmpty();
    }

    @Test
    void whileRedisDoesNotAnswerEachNodeCountsInItsOwnMemory() {
        var config = RedisUrl.parse("redis://127.0.0.1:1").toConfig();
        config.useSingleServer().setConnectTimeout(200).setTimeout(200).setRetryAttempts(0);
        var unreachable = Redisson.create(config);
        try {
            var alone = node(new RedisLoginFailures(unreachable, redis.prefix()));
            for (int i = 0; i < 3; i++) {
                assertThat(alone.blockedFor("10.0.0.3", "admin")).isEmpty();
                alone.failed("10.0.0.3", "admin");
            }
            assertThat(alone.blockedFor("10.0.0.3", "admin")).as("counted in memory").isPresent();
            assertThat(alone.size()).isPositive();
        } finally {
            unreachable.shutdown();
        }
    }
}

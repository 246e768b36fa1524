package org.switchboard.testkit;

import java.util.UUID;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.redisson.api.RedissonClient;

/**
 * A key prefix of its own for each test on the shared test Redis, and its keys deleted after the
 * test: register it with {@code @RegisterExtension final RedisKeys redis = new RedisKeys();}. Its
 * prefix is set before the test class's {@code @BeforeEach} methods run.
 */
public final class RedisKeys implements BeforeEachCallback, AfterEachCallback {

    private String prefix;

    @Override
    public void beforeEach(ExtensionContext context) {
        prefix = "test-" + UUID.randomUUID();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        client().getKeys().deleteByPattern(prefix + ":*");
    }

    public RedissonClient client() {
        return TestServers.redisson();
    }

    public String prefix() {
        return prefix;
    }
}

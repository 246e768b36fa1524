package org.switchboard.ui.platform;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.Readiness;
import org.switchboard.ui.platform.Components.ComponentStatus;
import org.redisson.api.RedissonClient;

/** Ready when Redis answers a command (a read of one key, which works on every topology). */
@Readiness
@ApplicationScoped
public class RedisHealth implements ServerCheck {

    @Inject
    RedissonClient redis;

    @Inject
    Settings settings;

    /** Asynchronous: while Redis is down, the commands waiting for it hold no thread. */
    @Override
    public ComponentStatus status() {
        return Probe.await("redis", () -> redis.getBucket("switchboard:health").isExistsAsync()
                .toCompletableFuture()
                .thenApply(exists -> settings.redisRedacted()));
    }
}

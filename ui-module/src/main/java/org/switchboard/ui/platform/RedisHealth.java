package org.switchboard.ui.platform;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.redisson.api.RedissonClient;

/** Ready when Redis answers a command (a read of one key, which works on every topology). */
@Readiness
@ApplicationScoped
public class RedisHealth implements HealthCheck {

    @Inject
    RedissonClient redis;

    @Inject
    Settings settings;

    /** Asynchronous: while Redis is down, the commands waiting for it hold no thread. */
    @Override
    public HealthCheckResponse call() {
        return Probe.await("redis", () -> redis.getBucket("switchboard:health").isExistsAsync()
                .toCompletableFuture()
                .thenApply(exists -> settings.redisRedacted()));
    }
}

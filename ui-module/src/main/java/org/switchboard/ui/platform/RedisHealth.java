package org.switchboard.ui.platform;

import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.TimeUnit;
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

    @Resource
    ManagedExecutorService executor;

    @Override
    public HealthCheckResponse call() {
        return Probe.run("redis", executor, () -> {
            redis.getBucket("switchboard:health").isExistsAsync()
                    .toCompletableFuture().get(Probe.TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            return settings.redisRedacted();
        });
    }
}

package org.switchboard.jobs.boundary;

import java.time.Duration;

/**
 * A job to enqueue. Null options take the defaults: no delay, {@link JobQueues#DEFAULT_ATTEMPTS}
 * attempts, {@link JobQueues#DEFAULT_TIMEOUT}, no unique key.
 *
 * @param payload JSON text, at most 512 KiB
 */
public record JobRequest(String queue, String type, String payload, Duration delay, Integer maxAttempts,
                         Integer timeoutSeconds, String uniqueKey) {

    public static JobRequest of(String queue, String type, String payload) {
        return new JobRequest(queue, type, payload, null, null, null, null);
    }
}

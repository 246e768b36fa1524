package org.switchboard.jobs.boundary;

import java.time.Duration;
import java.util.List;

/**
 * A job to enqueue. Null options take the defaults: no delay, {@link JobQueues#DEFAULT_ATTEMPTS}
 * attempts, {@link JobQueues#DEFAULT_TIMEOUT}, no unique key.
 *
 * <p>With {@code children} it is the parent of a flow: the children are enqueued at once, and the
 * parent waits for them (state {@code waiting-children}) and runs once every one has succeeded, or
 * fails naming the first that died; with {@code continueOnChildFailure} it runs once every one has
 * finished, whatever the outcome. A child may have children of its own. A job of a flow has no delay
 * and no unique key.
 *
 * @param payload JSON text, at most 512 KiB
 */
public record JobRequest(String queue, String type, String payload, Duration delay, Integer maxAttempts,
                         Integer timeoutSeconds, String uniqueKey, List<JobRequest> children, boolean continueOnChildFailure) {

    public JobRequest(String queue, String type, String payload, Duration delay, Integer maxAttempts, Integer timeoutSeconds, String uniqueKey) {
        this(queue, type, payload, delay, maxAttempts, timeoutSeconds, uniqueKey, List.of(), false);
    }

    public JobRequest {
        children = children == null ? List.of() : List.copyOf(children);
    }

    public static JobRequest of(String queue, String type, String payload) {
        return new JobRequest(queue, type, payload, null, null, null, null);
    }

    /** This job as the parent of {@code children}. */
    public JobRequest withChildren(List<JobRequest> children, boolean continueOnChildFailure) {
        return new JobRequest(queue, type, payload, delay, maxAttempts, timeoutSeconds, uniqueKey, children, continueOnChildFailure);
    }
}

package org.switchboard.jobs.entity;

/**
 * A job a worker has taken from its queue: it is in the worker's pending list until acknowledged.
 *
 * @param waitedMillis how long it waited in the queue (since it was enqueued, became due, or came back), by Redis's clock
 * @param hadError whether an earlier attempt's error is on it (cleared when this attempt succeeds)
 */
public record FetchedJob(String id, String queue, String type, String payload, int attempt, int maxAttempts, int timeoutSeconds,
                         long waitedMillis, boolean hadError) {
}

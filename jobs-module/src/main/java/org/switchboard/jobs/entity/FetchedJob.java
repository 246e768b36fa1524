package org.switchboard.jobs.entity;

/**
 * A job a worker has taken from its queue: it is in the worker's pending list until acknowledged.
 *
 * @param waitedMillis how long it waited in the queue (since it was enqueued, became due, or came back), by Redis's clock
 * @param hadError whether an earlier attempt's error is on it (cleared when this attempt succeeds)
 * @param parentQueue the queue of its parent when it is a child in a flow, else null
 * @param parent      its parent's id when it is a child in a flow, else null
 */
public record FetchedJob(String id, String queue, String type, String payload, int attempt, int maxAttempts, int timeoutSeconds,
                         long waitedMillis, boolean hadError, String parentQueue, String parent) {

    public FetchedJob(String id, String queue, String type, String payload, int attempt, int maxAttempts, int timeoutSeconds,
                      long waitedMillis, boolean hadError) {
        this(id, queue, type, payload, attempt, maxAttempts, timeoutSeconds, waitedMillis, hadError, null, null);
    }
}

package org.switchboard.jobs.entity;

/** A job a worker has taken from its queue: it is in the worker's pending list until acknowledged. */
public record FetchedJob(String id, String queue, String type, String payload, int attempt, int maxAttempts, int timeoutSeconds) {
}

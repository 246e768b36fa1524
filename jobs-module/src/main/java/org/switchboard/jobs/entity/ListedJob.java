package org.switchboard.jobs.entity;

import java.time.Instant;

/** A job in a waiting set (scheduled, retrying or dead), as the dashboard lists it; {@code at} is when it is due or died. */
public record ListedJob(String id, Instant at, String queue, String type, JobState state, int attempts, int maxAttempts,
                        String error, Instant enqueuedAt) {
}

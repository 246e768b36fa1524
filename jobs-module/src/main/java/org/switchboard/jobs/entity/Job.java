package org.switchboard.jobs.entity;

import java.time.Instant;

/**
 * A job as stored: its payload and result are JSON text, kept as they were given.
 *
 * @param progress the last progress its handler reported, JSON text, or null
 */
public record Job(String id, String queue, String type, JobState state, int attempts, int maxAttempts,
                  int timeoutSeconds, String payload, String result, String error, String progress,
                  Instant enqueuedAt, Instant startedAt, Instant finishedAt) {
}

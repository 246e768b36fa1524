package org.switchboard.jobs.entity;

import java.time.Instant;
import java.util.List;

/**
 * A job as stored: its payload and result are JSON text, kept as they were given.
 *
 * @param progress the last progress its handler reported, JSON text, or null
 * @param parent   in a flow, the id of the job that waits for this one, else null
 * @param children in a flow, the ids of the jobs this one waits for (empty for a job without children)
 */
public record Job(String id, String queue, String type, JobState state, int attempts, int maxAttempts,
                  int timeoutSeconds, String payload, String result, String error, String progress,
                  Instant enqueuedAt, Instant startedAt, Instant finishedAt, String parent, List<ChildRef> children) {

    /** A child of a flow's job: its id, and the queue it is in. */
    public record ChildRef(String id, String queue) {
    }
}

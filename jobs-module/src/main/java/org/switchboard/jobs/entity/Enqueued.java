package org.switchboard.jobs.entity;

/** What an enqueue did: the job's id and state, and whether it is new (a unique key may answer an existing job). */
public record Enqueued(String id, JobState state, boolean created) {
}
